/**
 * The client's address, as set by the production server (scripts/serve.ts), which overwrites
 * X-Real-IP with the socket address — or, with TRUST_PROXY, with what the nearest proxy reported.
 * X-Forwarded-For is never read here: a client talking to the app directly can write anything in it.
 * Without X-Real-IP (e.g. under `next dev`) every request shares the "unknown" bucket, which
 * throttles more, never less.
 */
export function clientIp(headers: Headers): string {
  return clientIpFrom(headers.get("x-real-ip"));
}

/** clientIp from the X-Real-IP header's value (node:http gives a string, or an array when repeated). */
export function clientIpFrom(realIp: string | string[] | null | undefined): string {
  const value = Array.isArray(realIp) ? realIp.join(", ") : realIp;
  return value?.trim() || "unknown";
}
