import type { AuditActor } from "../auth/actor";
import { type Sql, sql } from "../db/sql";
import { canonicalJson } from "./hash";
import { type AuditInput, auditContent, jsonb } from "./service";

/**
 * recordAudit for a transaction run with plain SQL (lib/db/sql.ts; the dispense gate's hot path):
 * the same content, the same `audit_append` call (it chooses the transaction's chain), inside the
 * caller's transaction. `last`: this is the transaction's last statement, and the commit is queued
 * right behind it (QueryOptions), so the chain lock is released as soon as the database can.
 */
export async function recordAuditSql(tx: Sql, actor: AuditActor, input: AuditInput, options: { last?: boolean } = {}) {
  const content = auditContent(actor, input);
  const rows = await tx.query<{ seq: string | number | bigint; hash: string; chain: number }>(
    sql`
    SELECT "seq", "hash", "chain" FROM audit_append(
      ${new Date(content.at)}::timestamptz, ${content.actorId}::text, ${content.actorRole}::text,
      ${content.action}::text, ${content.entityType}::text, ${content.entityId}::text, ${jsonb(content.before)}::jsonb,
      ${jsonb(content.after)}::jsonb, ${content.requestId}::text, ${canonicalJson(content)}::text)`,
    { thenCommit: options.last === true },
  );
  const row = rows[0];
  if (!row) throw new Error("audit_append returned no row");
  return { seq: BigInt(row.seq), hash: row.hash, chain: Number(row.chain) };
}
