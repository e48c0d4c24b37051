import type { NextRequest } from "next/server";
import { handleApi, toResponse } from "@/lib/http/api";
import { clientIp } from "@/lib/http/client-ip";
import { answerCertificationLookup } from "@/lib/lookup/http";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/programs/{code}/certifications?npi=… | ?ncpdpId=…
 *
 * Answers `{ kind, name, certified, status, certificationNumber }` for the prescriber, pharmacy or
 * healthcare setting holding the identifier. No sign-in; rate-limited per address
 * (LOOKUP_RATE_LIMIT_PER_MINUTE). For a prescriber the answer is kept minimal: `name` is the
 * prescriber's name only while certified and "" otherwise (the shape has no room for null, and an
 * empty string reveals nothing about who applied, was refused or was suspended).
 * `certificationNumber` is given only while certified. Errors: 400 malformed identifier (with
 * `error.fields`), 404 unknown programme or identifier, 429 with Retry-After.
 *
 * Answers carry an ETag and `Cache-Control: no-cache`: caches keep the answer but ask every time,
 * and an unchanged answer is a 304 without a body; a change of certification is seen at once.
 *
 * The answer itself is lib/lookup/http.ts. The production server (scripts/serve.ts) gives it
 * without going through Next's router (lib/http/fast-routes.ts); this handler gives the same answer
 * under `next dev` and to the route tests.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ code: string }> }) {
  return handleApi(request, async (requestId) => {
    const { code } = await params;
    return toResponse(
      await answerCertificationLookup({
        code,
        query: Object.fromEntries(request.nextUrl.searchParams),
        ip: clientIp(request.headers),
        ifNoneMatch: request.headers.get("if-none-match"),
        requestId,
      }),
    );
  });
}
