/**
 * Walking the audit chains (docs/decisions/003): every chain from its start or from a trusted head
 * (a verified checkpoint's) up to its head when the walk began, in one pass in seq order, batch by
 * batch, naming the first row whose link or content does not verify. Reads only; the append path
 * (lib/audit/service.ts, audit_append) is not involved.
 */
import type { DbOrTx } from "../db";
import { type AuditEvent, Prisma } from "../generated/prisma/client";
import { type AuditContent, auditHash, chainGenesisHash, toJson } from "./hash";

export type ChainRowProblem = "prev-hash-mismatch" | "content-hash-mismatch";

/**
 * How many chains audit_append writes to (migration 20261130090116, with its check constraint on
 * "chain"): change all three together. Rows keep the chain they were written to.
 */
export const AUDIT_CHAINS = 16;

/** The newest row of one chain. */
export interface ChainHead {
  chain: number;
  seq: bigint;
  hash: string;
}

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

/**
 * The committed head of every chain that has rows, ordered by chain: a skip scan of the
 * (chain, seq) index, one probe per chain, whatever the size of the trail. A row committed later
 * in a chain always has a greater seq than the head read here (it was inserted under the chain's
 * lock, after this head's transaction committed), so walking each chain up to these heads never
 * meets a row that appears behind the walk.
 */
export const CHAIN_HEADS_SQL = `
    WITH RECURSIVE chains AS (
      (SELECT e."chain" FROM "AuditEvent" e ORDER BY e."chain" LIMIT 1)
      UNION ALL
      SELECT (SELECT e."chain" FROM "AuditEvent" e WHERE e."chain" > c."chain" ORDER BY e."chain" LIMIT 1)
      FROM chains c WHERE c."chain" IS NOT NULL
    )
    SELECT c."chain"::int AS "chain", h."seq", h."hash"
    FROM chains c
    CROSS JOIN LATERAL (
      SELECT e."seq", e."hash" FROM "AuditEvent" e WHERE e."chain" = c."chain" ORDER BY e."seq" DESC LIMIT 1
    ) h
    WHERE c."chain" IS NOT NULL
    ORDER BY c."chain"`;

/** CHAIN_HEADS_SQL through the client (the backup's dump runs the text on its own connection). */
export async function chainHeads(client: DbOrTx): Promise<ChainHead[]> {
  const rows = await client.$queryRaw<{ chain: number; seq: bigint; hash: string }[]>(Prisma.raw(CHAIN_HEADS_SQL));
  return rows.map((r) => ({ chain: Number(r.chain), seq: BigInt(r.seq), hash: r.hash }));
}

export interface WalkOptions {
  /**
   * Start each named chain after this head, trusting its hash (a verified checkpoint's heads); a
   * chain not named starts at its first row. When given, only the rows after these heads are read.
   */
  after?: ChainHead[];
  /** Stop each chain at this head (inclusive); chains not named are not walked. Default: the heads now. */
  upTo?: ChainHead[];
  batchSize?: number;
  /** Called after each batch with the rows checked so far (progress of a long walk). */
  onBatch?: (checked: number) => Promise<void>;
}

export type WalkResult =
  | { ok: true; checked: number; heads: ChainHead[] }
  | { ok: false; checked: number; brokenAt: bigint; reason: ChainRowProblem };

export async function walkAuditChain(client: DbOrTx, options: WalkOptions = {}): Promise<WalkResult> {
  const batchSize = options.batchSize ?? 1000;
  const upTo = options.upTo ?? (await chainHeads(client));
  const stopAt = new Map(upTo.map((h) => [h.chain, h.seq]));
  /** Each chain's last verified row (or trusted head): where its next row must link. */
  const reached = new Map<number, { seq: bigint; hash: string }>();
  for (const head of options.after ?? []) reached.set(head.chain, { seq: head.seq, hash: head.hash });
  let maxSeq = 0n;
  for (const head of upTo) if (head.seq > maxSeq) maxSeq = head.seq;
  // An incremental walk reads only each chain's new rows through the (chain, seq) index; a full
  // walk reads the trail in seq order and skips rows past their chain's stop.
  const ranges = options.after
    ? upTo.map((h) => ({ chain: h.chain, seq: { gt: reached.get(h.chain)?.seq ?? 0n, lte: h.seq } }))
    : null;
  let checked = 0;
  // Below the lowest starting point there is nothing to read: a bound for the seq index too.
  let cursor: bigint | undefined;
  for (const range of ranges ?? []) if (cursor === undefined || range.seq.gt < cursor) cursor = range.seq.gt;
  for (;;) {
    if (ranges?.length === 0) break;
    const rows = await client.auditEvent.findMany({
      where: {
        seq: { ...(cursor === undefined ? {} : { gt: cursor }), lte: maxSeq },
        ...(ranges ? { OR: ranges } : {}),
      },
      orderBy: { seq: "asc" },
      take: batchSize,
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      cursor = row.seq;
      const stop = stopAt.get(row.chain);
      if (stop === undefined || row.seq > stop) continue;
      const previous = reached.get(row.chain);
      const problem = chainRowProblem(row, previous?.hash ?? chainGenesisHash(row.chain));
      if (problem) return { ok: false, checked, brokenAt: row.seq, reason: problem };
      reached.set(row.chain, { seq: row.seq, hash: row.hash });
      checked++;
    }
    await options.onBatch?.(checked);
  }
  const heads = [...reached].map(([chain, head]) => ({ chain, ...head })).sort((a, b) => a.chain - b.chain);
  return { ok: true, checked, heads };
}
