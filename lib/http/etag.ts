import { createHash } from "node:crypto";

/**
 * A strong validator for a JSON answer: the hash of exactly the bytes sent. A client revalidates
 * on every use (`no-cache`), so a change (a certification suspended a second ago) is seen at once;
 * an unchanged answer costs a 304 without a body.
 */
export function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
}

/** Whether an If-None-Match header names this ETag (a list, weak forms and `*` included). */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
