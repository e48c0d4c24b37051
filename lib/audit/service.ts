import type { DbOrTx, Tx } from "../db";
import type { AuditActor } from "../auth/actor";
import { type AuditContent, GENESIS_HASH, auditHash, toJson } from "./hash";

export interface AuditInput {
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Serializes writers of the chain: each new row must see the previous row's hash. */
const AUDIT_LOCK_KEY = 4_242_001;

/**
 * Appends one audit event inside the caller's transaction, so the event exists exactly when the
 * change it describes does. Concurrent writers queue on a transaction-scoped advisory lock.
 */
export async function recordAudit(tx: Tx, actor: AuditActor, input: AuditInput) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY}::bigint)`;
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS_HASH;
  const content: AuditContent = {
    at: new Date().toISOString(),
    actorId: actor.userId ?? null,
    actorRole: actor.role ?? null,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId ?? null,
    before: toJson(input.before),
    after: toJson(input.after),
    requestId: actor.requestId ?? null,
  };
  const hash = auditHash(prevHash, content);
  return tx.auditEvent.create({
    data: {
      ...content,
      at: new Date(content.at),
      before: content.before ?? undefined,
      after: content.after ?? undefined,
      prevHash,
      hash,
    },
    select: { seq: true, hash: true },
  });
}

export type AuditChainResult =
  | { ok: true; checked: number }
  | { ok: false; checked: number; brokenAt: bigint; reason: "prev-hash-mismatch" | "content-hash-mismatch" };

/** Walks the whole chain in order and returns the first row whose link or content does not verify. */
export async function verifyAuditChain(client: DbOrTx, batchSize = 1000): Promise<AuditChainResult> {
  let expectedPrev = GENESIS_HASH;
  let checked = 0;
  let cursor: bigint | undefined;
  for (;;) {
    const rows = await client.auditEvent.findMany({
      where: cursor === undefined ? {} : { seq: { gt: cursor } },
      orderBy: { seq: "asc" },
      take: batchSize,
    });
    if (rows.length === 0) return { ok: true, checked };
    for (const row of rows) {
      if (row.prevHash !== expectedPrev) {
        return { ok: false, checked, brokenAt: row.seq, reason: "prev-hash-mismatch" };
      }
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
      if (auditHash(row.prevHash, content) !== row.hash) {
        return { ok: false, checked, brokenAt: row.seq, reason: "content-hash-mismatch" };
      }
      expectedPrev = row.hash;
      checked++;
      cursor = row.seq;
    }
  }
}
