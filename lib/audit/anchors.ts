/**
 * Retention anchors (docs/decisions/003, "Partitions and retention"). When the retention command
 * removes a chain's oldest rows, it first writes, signed, the last (seq, hash) of that chain among
 * them; every walk of that chain then starts from its newest anchor instead of its genesis. An
 * anchor that does not verify, or a row of the chain at or before its anchor (the rows before an
 * anchor are gone by construction), is a break like any other.
 */
import type { DbOrTx, Tx } from "../db";
import type { AuditAnchor } from "../generated/prisma/client";
import { type ChainHead, type ChainRowProblem, type WalkOptions, walkAuditChain } from "./chain";
import { type AnchorFields, anchorSignatureValid, signAnchor } from "./checkpoint-signature";
import { checkpointKey } from "./signing-key";

export type AnchorProblem =
  /** An anchor row whose signature does not verify: written or edited in the database. */
  | "anchor-signature-invalid"
  /** A row of a chain at or before the chain's anchor: those rows were removed, so it was put back or added. */
  | "row-before-anchor";

function anchorFields(row: AuditAnchor): AnchorFields {
  return {
    chain: row.chain,
    seq: row.seq,
    hash: row.hash,
    before: row.before,
    writtenAt: row.writtenAt,
    writtenBy: row.writtenBy,
  };
}

export function anchorVerifies(row: AuditAnchor): boolean {
  return anchorSignatureValid(checkpointKey(), anchorFields(row), row.signature);
}

/** Each chain's newest anchor, or the first anchor row whose signature does not verify. */
export async function chainAnchors(
  client: DbOrTx,
): Promise<{ ok: true; anchors: ChainHead[] } | { ok: false; forged: AuditAnchor }> {
  const rows = await client.auditAnchor.findMany({ orderBy: { id: "asc" } });
  const newest = new Map<number, ChainHead>();
  for (const row of rows) {
    if (!anchorVerifies(row)) return { ok: false, forged: row };
    const known = newest.get(row.chain);
    if (!known || row.seq > known.seq) newest.set(row.chain, { chain: row.chain, seq: row.seq, hash: row.hash });
  }
  return { ok: true, anchors: [...newest.values()].sort((a, b) => a.chain - b.chain) };
}

/** Writes one signed anchor per chain head given, in the caller's transaction (the retention command's). */
export async function writeAnchors(tx: Tx, heads: readonly ChainHead[], before: Date, writtenBy: string, now: Date) {
  for (const head of heads) {
    const fields: AnchorFields = { ...head, before, writtenAt: now, writtenBy };
    await tx.auditAnchor.create({ data: { ...fields, signature: signAnchor(checkpointKey(), fields) } });
  }
}

/** The first row (by seq) of any anchored chain at or before its anchor, if one exists. */
export async function firstRowBeforeAnchor(client: DbOrTx, anchors: readonly ChainHead[]): Promise<bigint | null> {
  let first: bigint | null = null;
  for (const anchor of anchors) {
    const row = await client.auditEvent.findFirst({
      where: { chain: anchor.chain, seq: { lte: anchor.seq } },
      orderBy: { seq: "asc" },
      select: { seq: true },
    });
    if (row && (first === null || row.seq < first)) first = row.seq;
  }
  return first;
}

/**
 * Where each chain's walk starts given the newest valid checkpoint's heads and the anchors: the
 * later of the two. A checkpoint head that is the start must still be there (`toCheck`); an anchor
 * is trusted by its signature, its row being gone. An anchor and a head at the same event must
 * agree on its hash (`conflict` otherwise).
 */
export function walkStart(checkpointHeads: readonly ChainHead[], anchors: readonly ChainHead[]) {
  const byChain = new Map(anchors.map((a) => [a.chain, a]));
  const after: ChainHead[] = [];
  const toCheck: ChainHead[] = [];
  let conflict: bigint | null = null;
  for (const head of checkpointHeads) {
    const anchor = byChain.get(head.chain);
    if (anchor && anchor.seq >= head.seq) {
      if (anchor.seq === head.seq && anchor.hash !== head.hash) conflict ??= head.seq;
      continue;
    }
    byChain.delete(head.chain);
    after.push(head);
    toCheck.push(head);
  }
  after.push(...byChain.values());
  after.sort((a, b) => a.chain - b.chain);
  return { after, toCheck, conflict };
}

export type FullWalkResult =
  | { ok: true; checked: number; heads: ChainHead[] }
  | { ok: false; checked: number; brokenAt: bigint; reason: ChainRowProblem | AnchorProblem };

/**
 * A full walk: every chain from its start, which is its newest anchor when retention removed its
 * first rows, else its genesis.
 */
export async function walkFromAnchors(
  client: DbOrTx,
  options: Omit<WalkOptions, "after"> = {},
): Promise<FullWalkResult> {
  const loaded = await chainAnchors(client);
  if (!loaded.ok) return { ok: false, checked: 0, brokenAt: loaded.forged.seq, reason: "anchor-signature-invalid" };
  const { anchors } = loaded;
  const before = await firstRowBeforeAnchor(client, anchors);
  if (before !== null) return { ok: false, checked: 0, brokenAt: before, reason: "row-before-anchor" };
  return walkAuditChain(client, { ...options, after: anchors.length > 0 ? anchors : undefined });
}
