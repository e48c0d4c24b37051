/**
 * Integrity of the audit trail without re-walking it on every page view (docs/decisions/003,
 * "Checkpoints"). A verification walks every chain from its head in the last checkpoint whose
 * signature verifies to its head now; when every row checks out it writes a new checkpoint signing
 * the root of all the heads, and when one does not it records the break and writes none. The
 * dashboard then reads one checkpoint, one verification row, max(seq) and the count of events
 * written since the checkpoint: whatever the size of the trail, it reads only the newest events.
 */
import type { Actor } from "../auth/actor";
import { requirePermissionAudited } from "../auth/service";
import { type Db, type DbOrTx, db, type Tx } from "../db";
import type { AuditCheckpoint, AuditVerification } from "../generated/prisma/client";
import { logger } from "../logger";
import { type AnchorProblem, chainAnchors, walkFromAnchors, walkStart } from "./anchors";
import {
  AUDIT_CHAINS,
  type ChainHead,
  type ChainRowProblem,
  chainHeads,
  recomputedHash,
  walkAuditChain,
} from "./chain";
import { checkpointOverHeads, checkpointSignatureValid, signCheckpoint } from "./checkpoint-signature";
import { recordAudit } from "./service";
import { checkpointKey } from "./signing-key";

export type BreakReason =
  | ChainRowProblem
  | AnchorProblem
  /** The event a checkpoint vouches for is gone. */
  | "checkpoint-event-missing"
  /** The event a checkpoint vouches for no longer hashes to what the checkpoint says. */
  | "checkpoint-event-changed"
  /** A checkpoint row whose signature does not verify: written or edited in the database. */
  | "checkpoint-signature-invalid";

export type VerificationKind = "INCREMENTAL" | "FULL";
export type VerificationStatus = "QUEUED" | "RUNNING" | "VERIFIED" | "BROKEN" | "FAILED";

/** A full re-walk that has shown no sign of life for this long was interrupted (a crash, a deploy). */
const FULL_WALK_STALE_MS = 2 * 60 * 60 * 1000;

/** The heads a checkpoint row stores, as written (null when it has none, or not in the written shape). */
function storedHeads(row: AuditCheckpoint): ChainHead[] | null {
  if (!Array.isArray(row.heads)) return null;
  const heads: ChainHead[] = [];
  for (const item of row.heads) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) return null;
    const { chain, seq, hash } = item as Record<string, unknown>;
    if (typeof chain !== "number" || typeof seq !== "string" || !/^\d{1,19}$/.test(seq) || typeof hash !== "string") {
      return null;
    }
    heads.push({ chain, seq: BigInt(seq), hash });
  }
  return heads;
}

/**
 * The chain heads a checkpoint vouches for. A checkpoint written before the trail had chains
 * vouches for one head, chain 0's, which is its own seq and hash.
 */
export function checkpointHeads(row: AuditCheckpoint): ChainHead[] {
  return storedHeads(row) ?? [{ chain: 0, seq: row.seq, hash: row.hash }];
}

export function checkpointVerifies(row: AuditCheckpoint): boolean {
  const heads = storedHeads(row);
  if (row.heads !== null && heads === null) return false;
  return checkpointSignatureValid(checkpointKey(), row, row.signature, heads);
}

/**
 * Runs `work` in a transaction, or inside the caller's when given one (a transaction client has
 * no $disconnect; it may have $transaction, for savepoints, which the embedded database lacks).
 */
async function inTransaction<T>(client: DbOrTx, work: (tx: Tx) => Promise<T>): Promise<T> {
  return "$disconnect" in client ? (client as Db).$transaction(work) : work(client);
}

/**
 * The newest checkpoint whose signature verifies, and the newer ones that do not (forged or
 * edited rows: each is itself a finding).
 */
export async function lastValidCheckpoint(client: DbOrTx) {
  const forged: AuditCheckpoint[] = [];
  let cursor: bigint | undefined;
  // Nearly always the newest row verifies: read a few, then more only while they do not.
  for (let take = 4; ; take = 200) {
    const rows = await client.auditCheckpoint.findMany({
      where: cursor === undefined ? {} : { id: { lt: cursor } },
      orderBy: { id: "desc" },
      take,
    });
    for (const row of rows) {
      if (checkpointVerifies(row)) return { checkpoint: row, forged };
      forged.push(row);
    }
    if (rows.length < take) return { checkpoint: null, forged };
    cursor = rows[rows.length - 1]?.id;
  }
}

/** The newest finished full re-walk, when it found the chain broken. */
async function lastFullWalkBreak(client: DbOrTx): Promise<AuditVerification | null> {
  const last = await client.auditVerification.findFirst({
    where: { kind: "FULL", status: { in: ["VERIFIED", "BROKEN"] } },
    orderBy: { finishedAt: "desc" },
  });
  return last?.status === "BROKEN" ? last : null;
}

async function headSeq(client: DbOrTx): Promise<bigint> {
  const head = await client.auditEvent.aggregate({ _max: { seq: true } });
  return head._max.seq ?? 0n;
}

function newestSeq(heads: readonly ChainHead[]): bigint {
  return checkpointOverHeads(heads).seq;
}

/** The events of every chain after its head in `from` (all of a chain `from` does not name), up to `upTo`'s heads. */
function eventsBetween(from: readonly ChainHead[], upTo?: readonly ChainHead[]) {
  const after = new Map(from.map((h) => [h.chain, h.seq]));
  if (upTo) {
    return { OR: upTo.map((h) => ({ chain: h.chain, seq: { gt: after.get(h.chain) ?? 0n, lte: h.seq } })) };
  }
  // Chains the checkpoint does not name are listed too (not "NOT IN"), so that every branch is a
  // range of the (chain, seq) index.
  const unnamed = Array.from({ length: AUDIT_CHAINS }, (_, chain) => chain).filter((chain) => !after.has(chain));
  return {
    OR: [...from.map((h) => ({ chain: h.chain, seq: { gt: h.seq } })), { chain: { in: unnamed } }],
  };
}

/** Writes a signed checkpoint over the verified chain heads. */
async function writeCheckpoint(tx: Tx, heads: ChainHead[], writtenBy: string, now: Date) {
  const fields = { ...checkpointOverHeads(heads), verifiedAt: now, writtenBy };
  return tx.auditCheckpoint.create({
    data: {
      ...fields,
      heads: heads.map((h) => ({ chain: h.chain, seq: h.seq.toString(), hash: h.hash })),
      signature: signCheckpoint(checkpointKey(), fields),
    },
  });
}

type Outcome =
  | { ok: true; checked: number; heads: ChainHead[] }
  | { ok: false; checked: number; brokenAt: bigint; reason: BreakReason };

/**
 * Every event a checkpoint vouches for (each chain's head) must still be there, in its chain, hash
 * the same and match its own content.
 */
async function checkAnchor(client: DbOrTx, heads: ChainHead[]): Promise<Outcome | null> {
  const rows = await client.auditEvent.findMany({ where: { seq: { in: heads.map((h) => h.seq) } } });
  const bySeq = new Map(rows.map((r) => [r.seq, r]));
  for (const head of [...heads].sort((a, b) => (a.seq < b.seq ? -1 : 1))) {
    const row = bySeq.get(head.seq);
    if (!row) return { ok: false, checked: 0, brokenAt: head.seq, reason: "checkpoint-event-missing" };
    if (row.chain !== head.chain || row.hash !== head.hash || recomputedHash(row) !== row.hash) {
      return { ok: false, checked: 0, brokenAt: head.seq, reason: "checkpoint-event-changed" };
    }
  }
  return null;
}

/** Ends a verification: its outcome, and a new checkpoint when (and only when) the walk verified. */
async function finish(tx: Tx, verification: AuditVerification, outcome: Outcome, writtenBy: string, now: Date) {
  let checkpointId: bigint | null = null;
  if (outcome.ok && outcome.heads.length > 0) {
    checkpointId = (await writeCheckpoint(tx, outcome.heads, writtenBy, now)).id;
  }
  if (!outcome.ok) {
    logger.error(
      { verification: verification.id, brokenAt: outcome.brokenAt.toString(), reason: outcome.reason },
      "audit chain verification found a break",
    );
  }
  return tx.auditVerification.update({
    where: { id: verification.id },
    data: {
      status: outcome.ok ? "VERIFIED" : "BROKEN",
      finishedAt: now,
      checked: outcome.checked,
      brokenAt: outcome.ok ? null : outcome.brokenAt,
      reason: outcome.ok ? null : outcome.reason,
      checkpointId,
    },
  });
}

/**
 * Walks every chain from its start in `from` (a trusted checkpoint's head, or a retention anchor
 * when that is later) to its head in `upTo`, after checking that the checkpoint's heads are there.
 */
async function walkFrom(client: DbOrTx, from: ReturnType<typeof walkStart>, upTo: ChainHead[]): Promise<Outcome> {
  if (from.conflict !== null) {
    return { ok: false, checked: 0, brokenAt: from.conflict, reason: "checkpoint-event-changed" };
  }
  const anchor = await checkAnchor(client, from.toCheck);
  if (anchor) return anchor;
  // A chain's head now cannot be behind its head in the checkpoint unless events went missing
  // (after the anchors were read, or with their chain moved).
  const now = new Map(upTo.map((h) => [h.chain, h.seq]));
  const behind = from.toCheck.find((h) => (now.get(h.chain) ?? 0n) < h.seq);
  if (behind) return { ok: false, checked: 0, brokenAt: behind.seq, reason: "checkpoint-event-missing" };
  return walkAuditChain(client, { after: from.after.length > 0 ? from.after : undefined, upTo });
}

/**
 * Verifies the events written since the last valid checkpoint and, when they check out, writes a
 * checkpoint at the head. Used by the background job and by an administrator's "verify now"
 * (`audited`: the request and its outcome go into the trail in the same transaction).
 */
export async function verifySinceCheckpoint(
  client: DbOrTx,
  options: { writtenBy: string; audit?: Actor; now?: Date },
): Promise<AuditVerification> {
  const now = options.now ?? new Date();
  const { checkpoint, forged } = await lastValidCheckpoint(client);
  const anchors = await chainAnchors(client);
  const from = walkStart(checkpoint ? checkpointHeads(checkpoint) : [], anchors.ok ? anchors.anchors : []);
  const upTo = await chainHeads(client);
  const verification = await client.auditVerification.create({
    data: {
      kind: "INCREMENTAL",
      status: "RUNNING",
      requestedBy: options.writtenBy,
      requestedAt: now,
      startedAt: now,
      fromSeq: checkpoint?.seq ?? 0n,
      toSeq: newestSeq(upTo),
      total: await client.auditEvent.count({ where: eventsBetween(from.after, upTo) }),
    },
  });
  const [firstForged] = forged;
  // A break a full re-walk found before the checkpoint stands until a later full re-walk verifies:
  // walking on from the checkpoint would write a checkpoint past it.
  const knownBreak = await lastFullWalkBreak(client);
  let outcome: Outcome;
  try {
    outcome = firstForged
      ? { ok: false, checked: 0, brokenAt: firstForged.seq, reason: "checkpoint-signature-invalid" }
      : !anchors.ok
        ? { ok: false, checked: 0, brokenAt: anchors.forged.seq, reason: "anchor-signature-invalid" }
        : knownBreak?.brokenAt != null
          ? { ok: false, checked: 0, brokenAt: knownBreak.brokenAt, reason: knownBreak.reason as BreakReason }
          : await walkFrom(client, from, upTo);
  } catch (error) {
    await client.auditVerification.update({
      where: { id: verification.id },
      data: { status: "FAILED", finishedAt: new Date(), reason: "error" },
    });
    throw error;
  }
  return inTransaction(client, async (tx) => {
    const done = await finish(tx, verification, outcome, options.writtenBy, now);
    if (options.audit) {
      await recordAudit(tx, options.audit, {
        action: "audit.verified",
        entityType: "AuditVerification",
        entityId: done.id,
        after: verificationSummary(done),
      });
    }
    return done;
  });
}

function verificationSummary(v: AuditVerification) {
  return {
    kind: v.kind,
    status: v.status,
    fromSeq: v.fromSeq,
    toSeq: v.toSeq,
    checked: v.checked,
    brokenAt: v.brokenAt,
    reason: v.reason,
  };
}

/** "Verify now": an administrator walks from the last checkpoint to the head. */
export async function verifyAuditNow(actor: Actor, client: DbOrTx = db()) {
  await requirePermissionAudited(actor, "audit:verify:any", "audit:verify-now");
  return verifySinceCheckpoint(client, { writtenBy: `admin:${actor.userId}`, audit: actor });
}

/** The background job's run: the same walk, written by "job", not itself audited. */
export async function runCheckpointJob(client: DbOrTx = db(), now = new Date()) {
  const done = await verifySinceCheckpoint(client, { writtenBy: "job", now });
  return { status: done.status, checked: done.checked, brokenAt: done.brokenAt?.toString() ?? null };
}

/**
 * Queues a full re-walk from the start of the chain (the background job runs it). One at a time:
 * while one is queued or running, asking again returns it.
 */
export async function requestFullVerification(actor: Actor, client: DbOrTx = db(), now = new Date()) {
  await requirePermissionAudited(actor, "audit:verify:any", "audit:full-verification");
  return inTransaction(client, async (tx) => {
    await tx.auditVerification.updateMany({
      where: { kind: "FULL", status: "RUNNING", startedAt: { lt: new Date(now.getTime() - FULL_WALK_STALE_MS) } },
      data: { status: "FAILED", finishedAt: now, reason: "interrupted" },
    });
    const pending = await tx.auditVerification.findFirst({
      where: { kind: "FULL", status: { in: ["QUEUED", "RUNNING"] } },
      orderBy: { requestedAt: "desc" },
    });
    if (pending) return { verification: pending, created: false };
    const verification = await tx.auditVerification.create({
      data: { kind: "FULL", status: "QUEUED", requestedBy: `admin:${actor.userId}`, requestedAt: now },
    });
    await recordAudit(tx, actor, {
      action: "audit.full_verification_requested",
      entityType: "AuditVerification",
      entityId: verification.id,
    });
    return { verification, created: true };
  });
}

/**
 * Runs every queued full re-walk (claimed with a conditional update, so two workers never run the
 * same one), storing progress after each batch.
 */
export async function runQueuedFullVerifications(client: DbOrTx = db(), batchSize = 1000) {
  const results: AuditVerification[] = [];
  for (;;) {
    const next = await client.auditVerification.findFirst({
      where: { kind: "FULL", status: "QUEUED" },
      orderBy: { requestedAt: "asc" },
    });
    if (!next) return results;
    const startedAt = new Date();
    const upTo = await chainHeads(client);
    const claimed = await client.auditVerification.updateMany({
      where: { id: next.id, status: "QUEUED" },
      data: { status: "RUNNING", startedAt, toSeq: newestSeq(upTo), fromSeq: 0n },
    });
    if (claimed.count === 0) continue;
    try {
      const total = await client.auditEvent.count({ where: eventsBetween([], upTo) });
      await client.auditVerification.update({ where: { id: next.id }, data: { total } });
      const outcome = await walkFromAnchors(client, {
        upTo,
        batchSize,
        onBatch: async (checked) => {
          await client.auditVerification.update({ where: { id: next.id }, data: { checked } });
        },
      });
      const running = await client.auditVerification.findUniqueOrThrow({ where: { id: next.id } });
      results.push(await inTransaction(client, (tx) => finish(tx, running, outcome, next.requestedBy, new Date())));
    } catch (error) {
      logger.error({ err: error, verification: next.id }, "full audit chain verification failed to run");
      await client.auditVerification.update({
        where: { id: next.id },
        data: { status: "FAILED", finishedAt: new Date(), reason: "error" },
      });
      throw error;
    }
  }
}

export interface IntegrityStatus {
  /** The newest checkpoint whose signature verifies. */
  checkpoint: { seq: bigint; verifiedAt: Date; writtenBy: string } | null;
  /** Checkpoint rows newer than it whose signature does not verify. */
  forgedCheckpoints: number;
  headSeq: bigint;
  /** Events the checkpoint does not cover: those after its head, in every chain. */
  unverified: bigint;
  /** A break found by the newest finished full re-walk or incremental verification. */
  broken: { at: Date; brokenAt: bigint; reason: string; kind: string } | null;
  /** The newest full re-walk: its progress while it runs, its outcome after. */
  fullWalk: Pick<
    AuditVerification,
    "id" | "status" | "checked" | "total" | "requestedAt" | "startedAt" | "finishedAt" | "brokenAt" | "reason"
  > | null;
}

/** What the dashboard and the audit page show: a handful of indexed single-row reads. */
export async function auditIntegrityStatus(actor: Actor, client: DbOrTx = db()): Promise<IntegrityStatus> {
  await requirePermissionAudited(actor, "audit:read:any", "audit:integrity");
  const [{ checkpoint, forged }, head, latest, fullBreak, fullWalk] = await Promise.all([
    lastValidCheckpoint(client),
    headSeq(client),
    client.auditVerification.findFirst({
      where: { kind: "INCREMENTAL", status: { in: ["VERIFIED", "BROKEN"] } },
      orderBy: { finishedAt: "desc" },
    }),
    lastFullWalkBreak(client),
    client.auditVerification.findFirst({ where: { kind: "FULL" }, orderBy: { requestedAt: "desc" } }),
  ]);
  const brokenRun = fullBreak ?? (latest?.status === "BROKEN" ? latest : null);
  // Counted, not subtracted: seq is shared by the chains, and an event with a seq below the
  // checkpoint's may have committed after it, in another chain.
  const unverified = checkpoint
    ? BigInt(await client.auditEvent.count({ where: eventsBetween(checkpointHeads(checkpoint)) }))
    : head;
  return {
    checkpoint: checkpoint && {
      seq: checkpoint.seq,
      verifiedAt: checkpoint.verifiedAt,
      writtenBy: checkpoint.writtenBy,
    },
    forgedCheckpoints: forged.length,
    headSeq: head,
    unverified,
    broken:
      brokenRun?.brokenAt != null
        ? {
            at: brokenRun.finishedAt ?? brokenRun.requestedAt,
            brokenAt: brokenRun.brokenAt,
            reason: brokenRun.reason ?? "unknown",
            kind: brokenRun.kind,
          }
        : null,
    fullWalk: fullWalk && {
      id: fullWalk.id,
      status: fullWalk.status,
      checked: fullWalk.checked,
      total: fullWalk.total,
      requestedAt: fullWalk.requestedAt,
      startedAt: fullWalk.startedAt,
      finishedAt: fullWalk.finishedAt,
      brokenAt: fullWalk.brokenAt,
      reason: fullWalk.reason,
    },
  };
}
