import type { NextRequest } from "next/server";
import { handleApi } from "@/lib/http/api";
import { clientIp } from "@/lib/http/client-ip";
import { etagOf, matchesIfNoneMatch } from "@/lib/http/etag";
import { enforceLookupRateLimit, lookupCertification } from "@/lib/lookup/service";

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
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ code: string }> }) {
  return handleApi(request, async (requestId) => {
    const limit = await enforceLookupRateLimit("api", clientIp(request.headers));
    const { code } = await params;
    const answer = await lookupCertification(code, Object.fromEntries(request.nextUrl.searchParams));
    const body = JSON.stringify(answer);
    const etag = etagOf(body);
    const headers = new Headers({
      etag,
      "cache-control": "no-cache",
      vary: "accept-encoding",
      "x-request-id": requestId,
      "ratelimit-limit": String(limit.limit),
      "ratelimit-remaining": String(limit.remaining),
    });
    if (matchesIfNoneMatch(request.headers.get("if-none-match"), etag)) {
      return new Response(null, { status: 304, headers });
    }
    headers.set("content-type", "application/json");
    return new Response(body, { status: 200, headers });
  });
}
