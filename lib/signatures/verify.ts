/**
 * Electronic signatures verified against the record they sign (21 CFR Part 11 §11.70: a signature
 * is linked to its record so it cannot be copied or altered to falsify it).
 *
 * Every signing service stores a Signature row with the SHA-256 of the canonical signed content,
 * and writes the content itself into the append-only, hash-chained audit trail in the same
 * transaction (`after.signedContent`, with `after.signatureId`). Verifying a signature recomputes
 * the SHA-256 of the content from the trail and compares it with both the Signature row and the
 * hash the trail recorded at signing: a changed byte in either place shows.
 */
import { createHash } from "node:crypto";
import { type Db, db } from "../db";

export type SignatureCheck = "verified" | "mismatch" | "missing";

/** Pure: does this content hash to this SHA-256 (hex)? */
export function contentMatches(content: string, sha256: string): boolean {
  return createHash("sha256").update(content, "utf8").digest("hex") === sha256.toLowerCase();
}

/** Pure: the verdict for one signature, from what the trail holds. */
export function signatureVerdict(
  stored: { contentSha256: string },
  trail: { signedContent: unknown; contentSha256: unknown } | null,
): SignatureCheck {
  if (!trail || typeof trail.signedContent !== "string") return "missing";
  if (!contentMatches(trail.signedContent, stored.contentSha256)) return "mismatch";
  if (typeof trail.contentSha256 === "string" && trail.contentSha256 !== stored.contentSha256) return "mismatch";
  return "verified";
}

export const SIGNATURE_CHECK_LABELS: Record<SignatureCheck, string> = {
  verified: "Verified: the signed content in the audit trail matches this signature",
  mismatch: "NOT VERIFIED: the signed content does not match this signature",
  missing: "NOT VERIFIED: the signed content is not in the audit trail",
};

/**
 * Verifies signatures by id: for each, the audit events of the signed record (found through the
 * (entityType, entityId) index) that name the signature. Ids that do not exist are absent from
 * the answer.
 */
export async function verifySignatures(
  ids: readonly string[],
  client: Db = db(),
): Promise<Map<string, SignatureCheck>> {
  const result = new Map<string, SignatureCheck>();
  if (ids.length === 0) return result;
  const signatures = await client.signature.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, entityType: true, entityId: true, contentSha256: true },
  });
  for (const signature of signatures) {
    const events = await client.auditEvent.findMany({
      where: { entityType: signature.entityType, entityId: signature.entityId },
      select: { after: true },
      orderBy: { seq: "asc" },
    });
    const trail = events
      .map((e) => e.after as Record<string, unknown> | null)
      .find((after) => after?.signatureId === signature.id && typeof after.signedContent === "string");
    result.set(
      signature.id,
      signatureVerdict(
        signature,
        trail ? { signedContent: trail.signedContent, contentSha256: trail.contentSha256 } : null,
      ),
    );
  }
  return result;
}
