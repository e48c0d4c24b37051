import type { DbOrTx, Tx } from "../db";
import type { BulkTx } from "../db/bulk";
import type { AuditActor } from "../auth/actor";
import type { AuditAction } from "./action-codes";
import { type AnchorProblem, walkFromAnchors } from "./anchors";
import type { ChainRowProblem } from "./chain";
import { type AuditContent, canonicalJson, toJson } from "./hash";

export interface AuditInput {
  action: AuditAction;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** How an audit row names a pharmacy system's API key as its actor: "apiKey:<key id>", role API_KEY. */
export const API_KEY_ACTOR_PREFIX = "apiKey:";
export const API_KEY_ACTOR_ROLE = "API_KEY";

/** The content an audit row stores and hashes (every append path builds it here). */
export function auditContent(actor: AuditActor, input: AuditInput): AuditContent {
  return {
    at: new Date().toISOString(),
    actorId: actor.userId ?? (actor.apiKeyId ? `${API_KEY_ACTOR_PREFIX}${actor.apiKeyId}` : null),
    actorRole: actor.role ?? (actor.apiKeyId ? API_KEY_ACTOR_ROLE : null),
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId ?? null,
    before: toJson(input.before),
    after: toJson(input.after),
    requestId: actor.requestId ?? null,
  };
}

/** A JSON value as the text audit_append takes for a jsonb parameter (null stays SQL NULL). */
export const jsonb = (value: unknown) => (value === null ? null : JSON.stringify(value));

/**
 * Appends one audit event inside the caller's transaction, so the event exists exactly when the
 * change it describes does. The transaction's first append chooses one of the chains (a free one
 * when there is one) and holds that chain's advisory lock until it ends; concurrent transactions
 * write to other chains instead of queueing (docs/decisions/003).
 */
export async function recordAudit(tx: Tx, actor: AuditActor, input: AuditInput) {
  const content = auditContent(actor, input);
  // audit_append (migration 20261130090116) chooses the chain, takes its lock, reads its head and
  // inserts in one statement, hashing exactly as auditHash() does; verifyAuditChain checks it.
  const rows = await tx.$queryRaw<{ seq: bigint; hash: string; chain: number }[]>`
    SELECT "seq", "hash", "chain" FROM audit_append(
      ${new Date(content.at)}::timestamptz, ${content.actorId}, ${content.actorRole},
      ${content.action}, ${content.entityType}, ${content.entityId}, ${jsonb(content.before)}::jsonb,
      ${jsonb(content.after)}::jsonb, ${content.requestId}, ${canonicalJson(content)})`;
  const row = rows[0];
  if (!row) throw new Error("audit_append returned no row");
  return { seq: BigInt(row.seq), hash: row.hash, chain: Number(row.chain) };
}

/** recordAudit inside a bulk transaction (lib/db/bulk.ts): the same statement and hash. */
export async function recordAuditInBulk(tx: BulkTx, actor: AuditActor, input: AuditInput) {
  const content = auditContent(actor, input);
  const { rows } = await tx.query<{ seq: string; hash: string; chain: number }>(
    `SELECT "seq"::text AS "seq", "hash", "chain" FROM audit_append($1::timestamptz, $2::text, $3::text,
      $4::text, $5::text, $6::text, $7::jsonb, $8::jsonb, $9::text, $10::text)`,
    [
      content.at,
      content.actorId,
      content.actorRole,
      content.action,
      content.entityType,
      content.entityId,
      jsonb(content.before),
      jsonb(content.after),
      content.requestId,
      canonicalJson(content),
    ],
  );
  const row = rows[0];
  if (!row) throw new Error("audit_append returned no row");
  return { seq: BigInt(row.seq), hash: row.hash, chain: Number(row.chain) };
}

export type AuditChainResult =
  | { ok: true; checked: number }
  | { ok: false; checked: number; brokenAt: bigint; reason: ChainRowProblem | AnchorProblem };

/**
 * Walks every chain from its start (its newest retention anchor when its first rows were removed)
 * and returns the first row (by seq) whose link or content does not verify.
 * The dashboard no longer calls this on every view: it reads the last signed checkpoint
 * (lib/audit/integrity.ts), and the full walk runs in the background on request.
 */
export async function verifyAuditChain(client: DbOrTx, batchSize = 1000): Promise<AuditChainResult> {
  const result = await walkFromAnchors(client, { batchSize });
  return result.ok ? { ok: true, checked: result.checked } : result;
}
