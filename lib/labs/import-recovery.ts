/**
 * Lab imports whose server stopped while they ran (a crash, a kill, a deploy): the import's
 * transaction went with its connection, so none of the file's rows were kept, but the import's own
 * row was written before that transaction and still says "processing". The list already shows such
 * an import as failed (lib/labs/import.ts, listLabImports); this job writes it down — status
 * "failed", the reason, the time — with an audit row, so the stored status is true as well.
 *
 * A running import holds an advisory lock for its whole transaction (importLockKey). Each candidate
 * is settled in a transaction that first takes that lock without waiting: when it is free the
 * import's transaction no longer exists, and while this transaction holds it no import of that id
 * can be running. Imports younger than STARTING_GRACE_MS are left alone: they may still be waiting
 * for their transaction to start.
 */
import { systemActor } from "../auth/actor";
import { recordAudit } from "../audit/service";
import { db, type Db } from "../db";
import { failedImportFields, importLockKey, INTERRUPTED_REASON, STARTING_GRACE_MS } from "./import";

/** At most this many per run; the next run takes the rest. */
const BATCH = 100;

export interface SettledImports {
  /** Imports written down as failed by this run. */
  settled: number;
  /** Imports still "processing" whose transaction is still running. */
  running: number;
}

export async function settleInterruptedLabImports(client: Db = db(), now = new Date()): Promise<SettledImports> {
  const candidates = await client.labImport.findMany({
    where: { status: "processing", createdAt: { lt: new Date(now.getTime() - STARTING_GRACE_MS) } },
    orderBy: { createdAt: "asc" },
    take: BATCH,
    select: { id: true, fileName: true, mode: true, createdAt: true },
  });
  const actor = systemActor("job-settle-lab-imports");
  const result: SettledImports = { settled: 0, running: 0 };
  for (const candidate of candidates) {
    const outcome = await client.$transaction(async (tx) => {
      const [lock] = await tx.$queryRaw<{ free: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(hashtextextended(${importLockKey(candidate.id)}, 0)) AS "free"`;
      if (!lock?.free) return "running" as const;
      const updated = await tx.labImport.updateMany({
        where: { id: candidate.id, status: "processing" },
        data: failedImportFields(INTERRUPTED_REASON, now),
      });
      // Finished meanwhile (it wrote its own outcome): nothing to settle.
      if (updated.count === 0) return "finished" as const;
      await recordAudit(tx, actor, {
        action: "lab_import.interrupted",
        entityType: "LabImport",
        entityId: candidate.id,
        before: { status: "processing" },
        after: {
          status: "failed",
          fileName: candidate.fileName,
          mode: candidate.mode,
          startedAt: candidate.createdAt.toISOString(),
          error: INTERRUPTED_REASON,
        },
      });
      return "settled" as const;
    });
    if (outcome === "settled") result.settled++;
    if (outcome === "running") result.running++;
  }
  return result;
}
