/**
 * The request-forgery check for route handlers that change something (lib/http/cross-site.ts has
 * the rule). One line at the top of each such handler: `refuseCrossSite(request) ?? …`.
 */
import { env } from "../env";
import { AppError } from "../errors";
import { apiError, apiRequestId } from "./api";
import { hasSessionCookie, isCrossSite, requestSource } from "./cross-site";

export const CROSS_SITE_MESSAGE =
  "This request came from another website and was refused. Use the registry's own pages to make changes.";

/**
 * For route handlers that change something: a 403 in the API error shape when the request carries
 * the session cookie and comes from another site; null otherwise. An `Authorization` header is an
 * API key, which the handler uses instead of the cookie (and which another site cannot make a
 * browser send).
 */
export function refuseCrossSite(request: Request): Response | null {
  if (request.headers.has("authorization") || !hasSessionCookie(request.headers.get("cookie"))) return null;
  const { APP_URL, TRUST_PROXY } = env();
  if (!isCrossSite(requestSource(request.headers, TRUST_PROXY), APP_URL)) return null;
  return apiError(new AppError("FORBIDDEN", CROSS_SITE_MESSAGE), apiRequestId(request));
}
