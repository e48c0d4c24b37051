/**
 * Signatures of audit checkpoints (docs/decisions/003). A checkpoint says "the chain verified up to
 * event #seq, whose hash is H, at time T, written by W"; the HMAC over exactly those fields, with a
 * key derived from AUTH_SECRET by HKDF, means a row inserted or edited in the database by someone
 * without the secret does not verify. Pure: no database, no clock.
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

export interface CheckpointFields {
  seq: bigint;
  hash: string;
  verifiedAt: Date;
  writtenBy: string;
}

const SIGNATURE_VERSION = "v1";

/** The 256-bit key that signs checkpoints, derived from the installation's AUTH_SECRET (HKDF-SHA256). */
export function deriveCheckpointKey(authSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", authSecret, "remsgate", "audit-checkpoint-signature v1", 32));
}

/** The signed message: one field per line, so no field can bleed into the next. */
export function checkpointMessage(fields: CheckpointFields): string {
  return [
    "remsgate-audit-checkpoint",
    SIGNATURE_VERSION,
    fields.seq.toString(),
    fields.hash,
    fields.verifiedAt.toISOString(),
    fields.writtenBy,
  ].join("\n");
}

export function signCheckpoint(key: Buffer, fields: CheckpointFields): string {
  const mac = createHmac("sha256", key).update(checkpointMessage(fields), "utf8").digest("hex");
  return `${SIGNATURE_VERSION}:${mac}`;
}

/** Constant-time comparison with the signature these fields should carry. */
export function checkpointSignatureValid(key: Buffer, fields: CheckpointFields, signature: string): boolean {
  if (fields.writtenBy.includes("\n")) return false;
  const expected = Buffer.from(signCheckpoint(key, fields), "utf8");
  const given = Buffer.from(signature, "utf8");
  return expected.length === given.length && timingSafeEqual(expected, given);
}
