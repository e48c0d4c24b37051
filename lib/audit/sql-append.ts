import type { AuditActor } from "../auth/actor";
import { type Sql, sql } from "../db/sql";
import { type AuditContent, canonicalJson, toJson } from "./hash";
import type { AuditInput } from "./service";

/** The same chain lock as recordAudit (./service.ts). */
const AUDIT_LOCK_KEY = 4_242_001;

/**
 * recordAudit for a transaction run with plain SQL (lib/db/sql.ts; the dispense gate's hot path):
 * the same content, the same `audit_append` call, inside the caller's transaction. `last`: this is
 * the transaction's last statement, and the commit is queued right behind it (QueryOptions), so the
 * chain lock is released as soon as the database can.
 */
export async function recordAuditSql(tx: Sql, actor: AuditActor, input: AuditInput, options: { last?: boolean } = {}) {
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
  const jsonb = (value: unknown) => (value === null ? null : JSON.stringify(value));
  const rows = await tx.query<{ seq: string | number | bigint; hash: string }>(
    sql`
    SELECT "seq", "hash" FROM audit_append(
      ${AUDIT_LOCK_KEY}::bigint, ${new Date(content.at)}::timestamptz, ${content.actorId}::text, ${content.actorRole}::text,
      ${content.action}::text, ${content.entityType}::text, ${content.entityId}::text, ${jsonb(content.before)}::jsonb,
      ${jsonb(content.after)}::jsonb, ${content.requestId}::text, ${canonicalJson(content)}::text)`,
    { thenCommit: options.last === true },
  );
  const row = rows[0];
  if (!row) throw new Error("audit_append returned no row");
  return { seq: BigInt(row.seq), hash: row.hash };
}
