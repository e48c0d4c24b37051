/**
 * The client's address as well as the app can know it. Behind a reverse proxy (TRUST_PROXY=true)
 * the first X-Forwarded-For entry is the client; otherwise X-Forwarded-For could be forged, so only
 * X-Real-IP set by Next's own server (or "unknown") is used.
 */
export function clientIp(headers: Headers, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  return headers.get("x-real-ip")?.trim() || headers.get("x-forwarded-for")?.split(",").at(-1)?.trim() || "unknown";
}
