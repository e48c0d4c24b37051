/**
 * Reads that a PostgreSQL streaming replica may serve (DATABASE_REPLICA_URL): the administrators'
 * lists, the registry browser, the audit trail viewer and the assessment report. Never a decision,
 * a write, an authorization check that records a denial, or the public lookup (which must show a
 * change of certification at once and is one index probe anyway).
 *
 * Read-your-writes, for everyone: before a read goes to the replica, the primary's current WAL
 * insert position is read (a function call, no table), and the replica is used only once it has
 * replayed up to that position — waiting at most REPLICA_MAX_WAIT_MS. So every transaction that had
 * committed when the read began is visible in its answer, whoever wrote it; an administrator who has
 * just suspended a prescriber sees the suspension in the list that follows. A replica that lags
 * further, is paused or does not answer is skipped for that read: the primary answers instead, and
 * the reason is logged once per minute at most.
 */
import { createPrismaClient, type Db, db } from "../db";
import { env } from "../env";
import { logger } from "../logger";

export type ReadSource = "primary" | "replica";

export interface ReplicaOptions {
  /** How long to wait for the replica to replay up to the primary's position before giving up. */
  maxWaitMs?: number;
  /** How often to ask the replica while waiting. */
  pollMs?: number;
}

/**
 * The client a read should use: the replica when it has replayed everything the primary had
 * written when this was called, else the primary. Never throws because of the replica.
 */
export async function chooseReader(
  primary: Db,
  replica: Db | null,
  options: ReplicaOptions = {},
): Promise<{ client: Db; source: ReadSource; reason?: string }> {
  if (!replica) return { client: primary, source: "primary" };
  const maxWaitMs = options.maxWaitMs ?? 200;
  const pollMs = options.pollMs ?? 10;
  const [{ lsn }] = await primary.$queryRaw<[{ lsn: string }]>`SELECT pg_current_wal_insert_lsn()::text AS lsn`;
  const deadline = Date.now() + maxWaitMs;
  try {
    for (;;) {
      const [row] = await replica.$queryRaw<[{ caughtUp: boolean | null }]>`
        SELECT pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn AS "caughtUp"`;
      if (row?.caughtUp) return { client: replica, source: "replica" };
      if (row?.caughtUp === null) return { client: primary, source: "primary", reason: "not a replica" };
      if (Date.now() >= deadline) {
        return { client: primary, source: "primary", reason: `replica behind ${lsn} after ${maxWaitMs} ms` };
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } catch (error) {
    return { client: primary, source: "primary", reason: `replica unreachable: ${(error as Error).message}` };
  }
}

const globalForReplica = globalThis as unknown as { __remsgateReplica?: Db; __remsgateReplicaWarnedAt?: number };

function replicaClient(): Db | null {
  const url = env().DATABASE_REPLICA_URL;
  if (!url) return null;
  globalForReplica.__remsgateReplica ??= createPrismaClient({ kind: "postgres", url });
  return globalForReplica.__remsgateReplica;
}

/**
 * The reader for a list, a history page or a report whose service was handed `client`: the
 * replica when one is configured, `client` is the process-wide primary and the replica has caught
 * up (see above); `client` itself otherwise (a transaction, a script's own database, PGlite).
 */
export async function replicaReader(client: Db): Promise<Db> {
  if (client !== db()) return client;
  const choice = await chooseReader(client, replicaClient(), { maxWaitMs: env().REPLICA_MAX_WAIT_MS });
  if (choice.reason) {
    const now = Date.now();
    if (now - (globalForReplica.__remsgateReplicaWarnedAt ?? 0) > 60_000) {
      globalForReplica.__remsgateReplicaWarnedAt = now;
      logger.warn({ reason: choice.reason }, "replica skipped: the primary answered this read");
    }
  }
  return choice.client;
}

/** Closes the replica's connections (scripts, tests, shutdown). */
export async function disconnectReplica(): Promise<void> {
  const client = globalForReplica.__remsgateReplica;
  globalForReplica.__remsgateReplica = undefined;
  if (client) await client.$disconnect();
}
