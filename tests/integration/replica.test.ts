/**
 * Reads on a streaming replica (lib/db/replica.ts) against a real PostgreSQL primary and replica
 * started for this file (tests/setup/pg-pair.ts): a read goes to the replica only once it has
 * replayed everything committed before the read began, and to the primary when the replica lags,
 * is paused, is down or is not a replica at all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type Db, db } from "../../lib/db";
import { resolveDatabaseConfig } from "../../lib/db/config";
import { chooseReader, replicaReader } from "../../lib/db/replica";
import { type PgPair, postgresBinDir, startPgPair } from "../setup/pg-pair";

const ON_POSTGRES = resolveDatabaseConfig().kind === "postgres";

async function isReplica(client: Db): Promise<boolean> {
  const [row] = await client.$queryRaw<[{ r: boolean }]>`SELECT pg_is_in_recovery() AS r`;
  return row?.r === true;
}

async function countNotes(client: Db): Promise<number> {
  const [row] = await client.$queryRaw<[{ n: number }]>`SELECT count(*)::int AS n FROM replica_note`;
  return row?.n ?? -1;
}

describe.runIf(ON_POSTGRES && postgresBinDir() !== null)("reads on a streaming replica", () => {
  let pair: PgPair;
  let primary: Db;
  let replica: Db;

  beforeAll(async () => {
    pair = await startPgPair();
    primary = createPrismaClient({ kind: "postgres", url: pair.primaryUrl });
    replica = createPrismaClient({ kind: "postgres", url: pair.replicaUrl });
    await primary.$executeRaw`CREATE TABLE replica_note (id serial PRIMARY KEY, body text NOT NULL)`;
  }, 60_000);

  afterAll(async () => {
    await primary?.$disconnect();
    await replica?.$disconnect();
    pair?.stop();
  });

  it("uses the replica once it has caught up", async () => {
    const choice = await chooseReader(primary, replica, { maxWaitMs: 5_000 });
    expect(choice.source).toBe("replica");
    expect(await isReplica(choice.client)).toBe(true);
    expect(await isReplica(primary)).toBe(false);
  });

  it("shows every write committed before the read, whichever server answers", async () => {
    const sources = new Set<string>();
    for (let i = 1; i <= 40; i++) {
      await primary.$executeRaw`INSERT INTO replica_note (body) VALUES (${`note ${i}`})`;
      const expected = await countNotes(primary);
      const choice = await chooseReader(primary, replica, { maxWaitMs: 2_000 });
      sources.add(choice.source);
      expect(await countNotes(choice.client)).toBe(expected);
    }
    // With a healthy replica and two seconds to catch up, every read went to it.
    expect([...sources]).toEqual(["replica"]);
  });

  it("falls back to the primary while the replica's replay is paused, and returns when it resumes", async () => {
    await replica.$queryRaw`SELECT pg_wal_replay_pause()::text`;
    try {
      // Pausing is a request: wait until replay has actually stopped.
      for (let i = 0; i < 100; i++) {
        const [state] = await replica.$queryRaw<[{ s: string }]>`SELECT pg_get_wal_replay_pause_state() AS s`;
        if (state?.s === "paused") break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await primary.$executeRaw`INSERT INTO replica_note (body) VALUES ('written while paused')`;
      const expected = await countNotes(primary);
      expect(await countNotes(replica)).toBe(expected - 1);
      const choice = await chooseReader(primary, replica, { maxWaitMs: 100 });
      expect(choice.source).toBe("primary");
      expect(choice.reason).toMatch(/^replica behind [0-9A-F]+\/[0-9A-F]+ after 100 ms$/);
      expect(await countNotes(choice.client)).toBe(expected);
    } finally {
      await replica.$queryRaw`SELECT pg_wal_replay_resume()::text`;
    }
    const back = await chooseReader(primary, replica, { maxWaitMs: 5_000 });
    expect(back.source).toBe("replica");
    expect(await countNotes(back.client)).toBe(await countNotes(primary));
  });

  it("uses the primary when the configured replica is a primary itself", async () => {
    const choice = await chooseReader(primary, primary);
    expect(choice).toMatchObject({ source: "primary", reason: "not a replica" });
  });

  it("uses the primary, without an error, while the replica is down", async () => {
    pair.ctl("replica", ["stop", "-m", "fast"]);
    try {
      const choice = await chooseReader(primary, replica, { maxWaitMs: 100 });
      expect(choice.source).toBe("primary");
      expect(choice.reason).toMatch(/^replica unreachable/);
      expect(await countNotes(choice.client)).toBe(await countNotes(primary));
    } finally {
      pair.ctl("replica", ["start"]);
    }
    expect((await chooseReader(primary, replica, { maxWaitMs: 5_000 })).source).toBe("replica");
  }, 30_000);

  it("leaves a service's own client alone: a transaction, another database, or no replica configured", async () => {
    expect(await replicaReader(primary)).toBe(primary);
    // No DATABASE_REPLICA_URL in the test environment: the process-wide client reads from itself.
    expect(await replicaReader(db())).toBe(db());
  });
});
