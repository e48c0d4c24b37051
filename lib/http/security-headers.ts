/**
 * The security headers, as pure functions: proxy.ts gives every page a Content-Security-Policy with
 * a fresh nonce (Next adds it to its own scripts), next.config.mts gives the routes proxy.ts does not
 * run for (the JSON API, the lab import and its CSV report, static files) a policy that allows no
 * script at all, and scripts/serve.ts adds HSTS when the registry is reached over HTTPS.
 */

/**
 * Styles keep 'unsafe-inline': React renders `style` attributes (charts, progress bars), which a
 * nonce cannot cover. Scripts never do: only those carrying this request's nonce run, and
 * 'strict-dynamic' lets them load Next's chunks.
 */
export function pageContentSecurityPolicy(nonce: string, options: { dev?: boolean; https?: boolean } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** For JSON, CSV, PDF and static files: nothing in them may run, load or be framed. */
export const NO_SCRIPT_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  // Next's not-found page can still answer a wrong address here: it shows, styled, without scripts.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** A fresh, unguessable nonce (128 bits, base64). */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Sent on every answer (next.config.mts adds them to what Next serves; scripts/serve.ts to the
 * answers it gives itself, lib/http/fast-routes.ts).
 */
export const EVERY_ANSWER_HEADERS: readonly { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";

/**
 * Is this request served over HTTPS? When APP_URL is https, or when a proxy this server trusts
 * (TRUST_PROXY) says the client used https. A client's own X-Forwarded-Proto is not believed.
 */
export function servedOverHttps(
  appUrl: string,
  forwardedProto: string | null | undefined,
  trustProxy: boolean,
): boolean {
  if (appUrl.toLowerCase().startsWith("https:")) return true;
  return trustProxy && forwardedProto?.split(",")[0]?.trim().toLowerCase() === "https";
}
