import { type NextRequest, NextResponse } from "next/server";
import { sameOriginPath } from "./lib/http/safe-redirect";
import { newNonce, pageContentSecurityPolicy, servedOverHttps } from "./lib/http/security-headers";

/**
 * Optimistic only: gives every request an id (for logs and the audit trail) and a
 * Content-Security-Policy nonce, and sends visitors without a session cookie to the sign-in page.
 * Access is decided on the server, in each page, action and route handler, never here.
 */
const PORTALS = ["/prescriber", "/pharmacy", "/setting", "/patient", "/admin", "/account", "/dashboard"];

export function proxy(request: NextRequest) {
  const requestId = request.headers.get("x-request-id") ?? crypto.randomUUID();
  const headers = new Headers(request.headers);
  headers.set("x-request-id", requestId);

  const { pathname, search } = request.nextUrl;
  const hasSessionCookie = request.cookies.getAll().some((c) => c.name.endsWith("authjs.session-token"));
  if (!hasSessionCookie && PORTALS.some((p) => pathname === p || pathname.startsWith(`${p}/`))) {
    const url = request.nextUrl.clone();
    const back = sameOriginPath(pathname + search, url.origin);
    url.pathname = "/sign-in";
    url.search = back ? `?next=${encodeURIComponent(back)}` : "";
    return NextResponse.redirect(url);
  }

  // Next reads the nonce from the request's policy and puts it on the scripts it renders.
  const policy = pageContentSecurityPolicy(newNonce(), {
    dev: process.env.NODE_ENV === "development",
    https: servedOverHttps(
      process.env.APP_URL ?? "",
      request.headers.get("x-forwarded-proto"),
      process.env.TRUST_PROXY === "true" || process.env.TRUST_PROXY === "1",
    ),
  });
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("x-request-id", requestId);
  response.headers.set("content-security-policy", policy);
  return response;
}

/**
 * Not for the JSON API (/api/…), the CDS Hooks and FHIR endpoints (/cds-services…, /fhir/…), nor the lab import routes (/prescriber/labs/imports…): when the
 * proxy runs for a route, Next buffers the request body for it and silently cuts it at
 * `proxyClientMaxBodySize` (10 MB), which would truncate a lab feed; and the API's hot path should
 * not pay for it. Those routes give themselves a request id (lib/http/api.ts; scripts/serve.ts sets
 * one on every request) and answer 401 themselves rather than redirecting; their security headers
 * come from next.config.mts.
 */
export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|api/|cds-services|fhir/|prescriber/labs/imports).*)"],
};
