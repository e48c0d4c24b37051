/**
 * Request forgery: a browser sends the registry's session cookie with a request another site makes
 * it send. Browsers say where a request comes from (`Sec-Fetch-Site`, and `Origin` on every POST),
 * so a request that carries the session cookie and names another site is refused, as Next does for
 * server actions. Callers without the cookie (API keys, scripts) are not browsers acting for a
 * signed-in person and are not asked.
 */
export interface RequestSource {
  origin: string | null;
  secFetchSite: string | null;
  /** The Host the request was sent to (X-Forwarded-Host behind a trusted proxy). */
  host: string | null;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * Pure: does this request come from another site? `Sec-Fetch-Site: cross-site | same-site`, or an
 * `Origin` that is neither the app's own (APP_URL) nor the host the request was sent to. A request
 * with neither header comes from no browser page.
 */
export function isCrossSite(source: RequestSource, appUrl: string): boolean {
  const site = source.secFetchSite?.trim().toLowerCase();
  if (site === "cross-site" || site === "same-site") return true;
  if (source.origin === null) return false;
  const origin = originOf(source.origin);
  // `Origin: null` (sandboxed frames, data: pages, some redirects) or anything unparsable.
  if (origin === null || origin === "null") return true;
  if (origin === originOf(appUrl)) return false;
  return source.host === null || new URL(origin).host !== source.host.trim().toLowerCase();
}

/** Auth.js names its cookie `authjs.session-token` (with a `__Secure-` prefix over HTTPS), chunked as `.0`, `.1`… */
export function hasSessionCookie(cookieHeader: string | null): boolean {
  return (cookieHeader ?? "")
    .split(";")
    .some((part) => /authjs\.session-token(\.\d+)?$/.test(part.split("=")[0]?.trim() ?? ""));
}

export function requestSource(headers: Headers, trustProxy: boolean): RequestSource {
  const forwardedHost = trustProxy ? headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  return {
    origin: headers.get("origin"),
    secFetchSite: headers.get("sec-fetch-site"),
    host: forwardedHost || headers.get("host"),
  };
}
