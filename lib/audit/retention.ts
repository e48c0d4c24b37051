/**
 * Retention of the partitioned audit trail (docs/decisions/003, "Partitions and retention"). Never
 * automatic: `npm run audit:retention -- --before YYYY-MM` (or with AUDIT_RETENTION_MONTHS set, from
 * cron) runs it, as the schema's owner (the app's role may not lock or detach the trail). It removes only whole months, only rows a signed checkpoint vouches for,
 * and only after writing, for each chain, a signed anchor at its last removed row, in the same
 * transaction: every chain then verifies from its anchor. Removed months go to the audit_archive
 * schema (pg_dump still dumps them) and are dropped only when asked.
 */
import { systemActor } from "../auth/actor";
import type { Db, DbOrTx } from "../db";
import { ensureMonthlyPartitions } from "../db/partitions";
import { AppError } from "../errors";
import { chainAnchors, walkStart, writeAnchors } from "./anchors";
import { type ChainHead, walkAuditChain } from "./chain";
import { checkpointHeads, lastValidCheckpoint, verifySinceCheckpoint } from "./integrity";
import { formatRetentionMonth, retentionHorizon } from "./retention-months";
import { recordAudit } from "./service";

export interface RetentionResult {
  before: Date;
  /** Partitions moved to audit_archive by this run. */
  detached: string[];
  /** Archived partitions dropped by this run (only with `drop`). */
  dropped: string[];
  /** The anchors written: each chain's last removed row. */
  anchors: ChainHead[];
}

interface PlanRow {
  chain: number;
  seq: bigint;
  hash: string;
  straddles: boolean;
}

function refuse(message: string): never {
  throw new AppError("CONFLICT", `Audit retention refused: ${message}`);
}

async function retentionPlan(client: DbOrTx, before: Date): Promise<PlanRow[]> {
  const rows = await client.$queryRaw<{ chain: number; seq: bigint; hash: string; straddles: boolean }[]>`
    SELECT "chain"::int AS "chain", "seq", "hash", "straddles" FROM audit_retention_plan(${before}::timestamptz)`;
  const plan = rows.map((r): PlanRow => ({ ...r, chain: Number(r.chain), seq: BigInt(r.seq) }));
  const straddling = plan.find((r) => r.straddles);
  if (straddling) {
    refuse(
      `chain ${straddling.chain} has events dated from ${formatRetentionMonth(before)} on that precede its event #${straddling.seq}, dated before it; choose another month.`,
    );
  }
  return plan;
}

const samePlan = (a: PlanRow[], b: PlanRow[]) =>
  a.length === b.length && a.every((r, i) => r.chain === b[i]?.chain && r.seq === b[i]?.seq && r.hash === b[i]?.hash);

/**
 * Archives every month of the trail before `before` (a month start), and drops the archived months
 * before it when `drop`. First the chains are verified since the last checkpoint (it must end
 * VERIFIED) and the events to archive are walked again from each chain's start (an edit made after
 * they were checkpointed would otherwise leave with them); then, with the trail locked, every
 * chain's last event before the horizon must be the one walked, covered by the newest valid
 * checkpoint (or an earlier anchor), and after every later-dated event of its chain.
 */
export async function applyAuditRetention(
  client: Db,
  options: { before: Date; drop?: boolean; writtenBy?: string; now?: Date },
): Promise<RetentionResult> {
  const now = options.now ?? new Date();
  const writtenBy = options.writtenBy ?? "retention";
  const { before } = options;
  if (before.getTime() !== Date.UTC(before.getUTCFullYear(), before.getUTCMonth(), 1)) {
    refuse(`${before.toISOString()} is not the start of a month (UTC).`);
  }
  if (before.getTime() > retentionHorizon(now, 1).getTime()) {
    refuse(`the current month (${formatRetentionMonth(retentionHorizon(now, 1))}) and later are always kept.`);
  }
  const verification = await verifySinceCheckpoint(client, { writtenBy, now });
  if (verification.status !== "VERIFIED") {
    refuse(
      `the audit chains did not verify (${verification.status}${verification.reason ? `: ${verification.reason}` : ""}${verification.brokenAt != null ? ` at event #${verification.brokenAt}` : ""}).`,
    );
  }
  const plan = await retentionPlan(client, before);
  const known = await chainAnchors(client);
  if (!known.ok) refuse("a retention anchor's signature does not verify.");
  if (plan.length > 0) {
    const walked = await walkAuditChain(client, {
      after: known.anchors.length > 0 ? known.anchors : undefined,
      upTo: plan.map(({ chain, seq, hash }) => ({ chain, seq, hash })),
    });
    if (!walked.ok) refuse(`the events to archive do not verify (${walked.reason} at event #${walked.brokenAt}).`);
  }
  return client.$transaction(
    async (tx) => {
      // Appends wait (milliseconds) while the plan is checked and the months detached. While this
      // waits for a long reader of the trail (pg_dump), every append queues behind it: give up soon.
      await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '2s'`);
      await tx.$executeRawUnsafe(`LOCK TABLE "AuditEvent" IN ACCESS EXCLUSIVE MODE`);
      if (!samePlan(await retentionPlan(tx, before), plan)) {
        refuse(`events dated before ${formatRetentionMonth(before)} were written meanwhile; run it again.`);
      }
      const { checkpoint, forged } = await lastValidCheckpoint(tx);
      if (forged.length > 0) refuse("a checkpoint's signature does not verify.");
      const anchors = await chainAnchors(tx);
      if (!anchors.ok) refuse("a retention anchor's signature does not verify.");
      const start = new Map(
        walkStart(checkpoint ? checkpointHeads(checkpoint) : [], anchors.anchors).after.map((h) => [h.chain, h]),
      );
      const uncovered = plan.find((r) => (start.get(r.chain)?.seq ?? -1n) < r.seq);
      if (uncovered) {
        refuse(`event #${uncovered.seq} (chain ${uncovered.chain}) is not yet covered by a verified checkpoint.`);
      }
      // A chain whose anchor already sits at its last removed event (an earlier run) needs no new one.
      const fresh = plan
        .filter((r) => {
          const anchor = anchors.anchors.find((a) => a.chain === r.chain);
          return !(anchor && anchor.seq === r.seq && anchor.hash === r.hash);
        })
        .map(({ chain, seq, hash }) => ({ chain, seq, hash }));
      await writeAnchors(tx, fresh, before, writtenBy, now);
      const detached = (
        await tx.$queryRaw<{ name: string }[]>`
          SELECT d AS "name" FROM audit_detach_partitions(${before}::timestamptz) AS d`
      ).map((r) => r.name);
      const dropped = options.drop
        ? (
            await tx.$queryRaw<{ name: string }[]>`
              SELECT d AS "name" FROM audit_drop_archived(${before}::timestamptz) AS d`
          ).map((r) => r.name)
        : [];
      await recordAudit(tx, systemActor(`audit-retention-${now.getTime()}`), {
        action: "audit.retention_applied",
        entityType: "AuditEvent",
        after: {
          before: formatRetentionMonth(before),
          detached,
          dropped,
          anchors: fresh.map((a) => ({ chain: a.chain, seq: a.seq.toString(), hash: a.hash })),
        },
      });
      return { before, detached, dropped, anchors: fresh };
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

/** Creates the audit trail's partitions of the current month and the coming ones (the daily job). */
export function ensureAuditPartitions(client: Db, monthsAhead: number): Promise<number> {
  return ensureMonthlyPartitions(client, "audit", monthsAhead);
}
