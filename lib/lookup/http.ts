/**
 * GET /api/v1/programs/{code}/certifications as an HTTP answer — status, headers and body — before
 * it is written by either entry point: the Next.js route handler
 * (app/api/v1/programs/[code]/certifications/route.ts, used by `next dev` and the route tests) and
 * the production server's own handler (lib/http/fast-routes.ts, which answers this public,
 * unauthenticated read without Next's router). Both call this one function, so what the caller gets
 * cannot differ between them; tests/integration/lookup-entry-points.test.ts compares the two.
 */
import { apiErrorHttpAnswer, type HttpAnswer } from "../http/api";
import { etagOf, matchesIfNoneMatch } from "../http/etag";
import { enforceLookupRateLimit, lookupCertification } from "./service";

export interface LookupHttpRequest {
  /** The {code} path segment, percent-decoded. */
  code: string;
  /** The query string's parameters (the last one of a repeated name). */
  query: Record<string, string>;
  /** The client's address the limiter counts by (lib/http/client-ip.ts). */
  ip: string;
  ifNoneMatch: string | null;
  requestId: string;
}

/**
 * Counts the lookup for the address, answers it, and turns every failure into the API's error shape
 * (lib/http/api.ts): 400 with field errors, 404, 429 with Retry-After, 503 with Retry-After while the
 * database cannot be reached, 500 quoting the request id. An answer carries an ETag and
 * `Cache-Control: no-cache`; an unchanged one (If-None-Match) is a 304 without a body.
 */
export async function answerCertificationLookup(request: LookupHttpRequest): Promise<HttpAnswer> {
  const { requestId } = request;
  try {
    const limit = await enforceLookupRateLimit("api", request.ip);
    const answer = await lookupCertification(request.code, request.query);
    const body = JSON.stringify(answer);
    const etag = etagOf(body);
    const headers: Record<string, string> = {
      etag,
      "cache-control": "no-cache",
      vary: "accept-encoding",
      "x-request-id": requestId,
      "ratelimit-limit": String(limit.limit),
      "ratelimit-remaining": String(limit.remaining),
    };
    if (matchesIfNoneMatch(request.ifNoneMatch, etag)) return { status: 304, headers, body: null };
    headers["content-type"] = "application/json";
    return { status: 200, headers, body };
  } catch (error) {
    return apiErrorHttpAnswer(error, requestId);
  }
}
