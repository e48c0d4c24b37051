/**
 * Walking the audit chain (docs/decisions/003): from the start or from a trusted point (a verified
 * checkpoint) up to a given event, in seq order, batch by batch, naming the first row whose link
 * or content does not verify. Reads only; the append path (lib/audit/service.ts) is not involved.
 */
import type { DbOrTx } from "../db";
import type { AuditEvent } from "../generated/prisma/client";
import { type AuditContent, auditHash, GENESIS_HASH, toJson } from "./hash";

export type ChainRowProblem = "prev-hash-mismatch" | "content-hash-mismatch";

/** The hash a stored row should carry, recomputed from its content and its stored link. */
export function recomputedHash(row: AuditEvent): string {
  const content: AuditContent = {
    at: row.at.toISOString(),
    actorId: row.actorId,
    actorRole: row.actorRole,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    before: toJson(row.before),
    after: toJson(row.after),
    requestId: row.requestId,
  };
  return auditHash(row.prevHash, content);
}

/** Why a row does not follow the one whose hash is `expectedPrev`, or null when it does. */
export function chainRowProblem(row: AuditEvent, expectedPrev: string): ChainRowProblem | null {
  if (row.prevHash !== expectedPrev) return "prev-hash-mismatch";
  if (recomputedHash(row) !== row.hash) return "content-hash-mismatch";
  return null;
}

export interface WalkOptions {
  /** Start after this event, trusting its hash (a verified checkpoint); default the chain's start. */
  after?: { seq: bigint; hash: string };
  /** Stop at this event (inclusive): the head when the walk began, so appends during it wait. */
  upTo?: bigint;
  batchSize?: number;
  /** Called after each batch with the rows checked so far (progress of a long walk). */
  onBatch?: (checked: number) => Promise<void>;
}

export type WalkResult =
  | { ok: true; checked: number; lastSeq: bigint; lastHash: string }
  | { ok: false; checked: number; brokenAt: bigint; reason: ChainRowProblem };

export async function walkAuditChain(client: DbOrTx, options: WalkOptions = {}): Promise<WalkResult> {
  const batchSize = options.batchSize ?? 1000;
  let expectedPrev = options.after?.hash ?? GENESIS_HASH;
  let lastSeq = options.after?.seq ?? 0n;
  let checked = 0;
  let cursor = options.after?.seq;
  for (;;) {
    const seq = {
      ...(cursor === undefined ? {} : { gt: cursor }),
      ...(options.upTo === undefined ? {} : { lte: options.upTo }),
    };
    const rows = await client.auditEvent.findMany({
      where: Object.keys(seq).length ? { seq } : {},
      orderBy: { seq: "asc" },
      take: batchSize,
    });
    if (rows.length === 0) return { ok: true, checked, lastSeq, lastHash: expectedPrev };
    for (const row of rows) {
      const problem = chainRowProblem(row, expectedPrev);
      if (problem) return { ok: false, checked, brokenAt: row.seq, reason: problem };
      expectedPrev = row.hash;
      lastSeq = row.seq;
      checked++;
      cursor = row.seq;
    }
    await options.onBatch?.(checked);
  }
}
