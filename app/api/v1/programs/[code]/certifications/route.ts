import type { NextRequest } from "next/server";
import { apiJson, handleApi } from "@/lib/http/api";
import { clientIp } from "@/lib/http/client-ip";
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
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ code: string }> }) {
  return handleApi(request, async (requestId) => {
    const limit = await enforceLookupRateLimit("api", clientIp(request.headers));
    const { code } = await params;
    const answer = await lookupCertification(code, Object.fromEntries(request.nextUrl.searchParams));
    return apiJson(answer, {
      requestId,
      headers: { "ratelimit-limit": String(limit.limit), "ratelimit-remaining": String(limit.remaining) },
    });
  });
}
