/**
 * Signatures of audit checkpoints (docs/decisions/003). A checkpoint says "every chain verified up
 * to its head in `heads`, whose root is H and newest event #seq, at time T, written by W"; the HMAC
 * over exactly those fields, with a key derived from AUTH_SECRET by HKDF, means a row inserted or
 * edited in the database by someone without the secret does not verify, and the root means no head
 * can be changed, added or removed under a signature. Pure: no database, no clock.
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { ChainHead } from "./chain";
import { sha256Hex } from "./hash";

export interface CheckpointFields {
  seq: bigint;
  hash: string;
  verifiedAt: Date;
  writtenBy: string;
}

/**
 * v1: one chain; `hash` is the hash of event #seq (checkpoints written before the trail had chains).
 * v2: several chains; `hash` is the root of the chain heads and `seq` the newest of them.
 */
const SIGNATURE_VERSION = "v2";

/** The 256-bit key that signs checkpoints, derived from the installation's AUTH_SECRET (HKDF-SHA256). */
export function deriveCheckpointKey(authSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", authSecret, "remsgate", "audit-checkpoint-signature v1", 32));
}

/** One hash over every chain's head, in chain order: what a v2 checkpoint's signature covers. */
export function chainHeadsRoot(heads: readonly ChainHead[]): string {
  const lines = [...heads].sort((a, b) => a.chain - b.chain).map((h) => `${h.chain} ${h.seq.toString()} ${h.hash}`);
  return sha256Hex(["remsgate-audit-chain-heads", ...lines].join("\n"));
}

/** The fields a checkpoint over these heads carries: their root, and the newest event among them. */
export function checkpointOverHeads(heads: readonly ChainHead[]): { seq: bigint; hash: string } {
  let seq = 0n;
  for (const head of heads) if (head.seq > seq) seq = head.seq;
  return { seq, hash: chainHeadsRoot(heads) };
}

/** The signed message: one field per line, so no field can bleed into the next. */
export function checkpointMessage(fields: CheckpointFields, version = SIGNATURE_VERSION): string {
  return [
    "remsgate-audit-checkpoint",
    version,
    fields.seq.toString(),
    fields.hash,
    fields.verifiedAt.toISOString(),
    fields.writtenBy,
  ].join("\n");
}

function mac(key: Buffer, fields: CheckpointFields, version: string): string {
  return `${version}:${createHmac("sha256", key).update(checkpointMessage(fields, version), "utf8").digest("hex")}`;
}

export function signCheckpoint(key: Buffer, fields: CheckpointFields): string {
  return mac(key, fields, SIGNATURE_VERSION);
}

/**
 * Constant-time comparison with the signature these fields should carry. `heads` are the chain
 * heads stored with a v2 checkpoint: they must hash to its root and name its seq; a v1 checkpoint
 * has none (its one chain's head is seq and hash themselves).
 */
export function checkpointSignatureValid(
  key: Buffer,
  fields: CheckpointFields,
  signature: string,
  heads: readonly ChainHead[] | null = null,
): boolean {
  if (fields.writtenBy.includes("\n")) return false;
  const version = signature.slice(0, signature.indexOf(":"));
  if (version === "v2") {
    if (!heads || heads.length === 0) return false;
    const over = checkpointOverHeads(heads);
    if (over.hash !== fields.hash || over.seq !== fields.seq) return false;
  } else if (version !== "v1" || heads !== null) {
    return false;
  }
  const expected = Buffer.from(mac(key, fields, version), "utf8");
  const given = Buffer.from(signature, "utf8");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * A retention anchor: "chain `chain` continues after event #seq, whose hash is `hash`; its rows
 * dated before `before` were removed", written at `writtenAt` by `writtenBy`. Signed with the
 * checkpoints' key, in a message of its own kind so that neither can pass for the other.
 */
export interface AnchorFields {
  chain: number;
  seq: bigint;
  hash: string;
  before: Date;
  writtenAt: Date;
  writtenBy: string;
}

const ANCHOR_SIGNATURE_VERSION = "a1";

export function anchorMessage(fields: AnchorFields): string {
  return [
    "remsgate-audit-anchor",
    ANCHOR_SIGNATURE_VERSION,
    String(fields.chain),
    fields.seq.toString(),
    fields.hash,
    fields.before.toISOString(),
    fields.writtenAt.toISOString(),
    fields.writtenBy,
  ].join("\n");
}

export function signAnchor(key: Buffer, fields: AnchorFields): string {
  return `${ANCHOR_SIGNATURE_VERSION}:${createHmac("sha256", key).update(anchorMessage(fields), "utf8").digest("hex")}`;
}

export function anchorSignatureValid(key: Buffer, fields: AnchorFields, signature: string): boolean {
  if (fields.writtenBy.includes("\n")) return false;
  const expected = Buffer.from(signAnchor(key, fields), "utf8");
  const given = Buffer.from(signature, "utf8");
  return expected.length === given.length && timingSafeEqual(expected, given);
}
