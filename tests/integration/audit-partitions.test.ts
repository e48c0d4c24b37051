/**
 * The audit trail partitioned by month (migration 20261130130000, docs/decisions/003): partitions
 * exist and take their rows, a month without one takes its rows into DEFAULT without an error,
 * creating partitions is idempotent and moves DEFAULT rows, partitions refuse UPDATE, DELETE and
 * TRUNCATE, an existing trail upgrades in place, and retention archives whole months behind signed
 * anchors from which every chain still verifies. Structural changes run on a database of their own.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anchorVerifies } from "../../lib/audit/anchors";
import { checkpointOverHeads, signCheckpoint } from "../../lib/audit/checkpoint-signature";
import { type AuditContent, canonicalJson } from "../../lib/audit/hash";
import {
  auditIntegrityStatus,
  checkpointHeads,
  runQueuedFullVerifications,
  verifySinceCheckpoint,
} from "../../lib/audit/integrity";
import { applyAuditRetention } from "../../lib/audit/retention";
import { parseRetentionMonth, retentionHorizon } from "../../lib/audit/retention-months";
import { recordAudit, verifyAuditChain } from "../../lib/audit/service";
import { checkpointKey } from "../../lib/audit/signing-key";
import { getAuditEvent, listAuditEvents } from "../../lib/audit/viewer";
import { type Actor, systemActor } from "../../lib/auth/actor";
import { type Db, db, type DbOrTx, disconnectDb, type Tx } from "../../lib/db";
import { appError } from "../factories/errors";
import {
  closeScratchDatabases,
  migratedScratch,
  ON_PGLITE,
  type Scratch,
  scratchBefore,
} from "../setup/scratch-database";
import { testAuditAction } from "../factories/audit-actions";

afterAll(async () => {
  await closeScratchDatabases();
  await disconnectDb();
});

const PARTITIONS_MIGRATION = "20261130130000_audit_partitions";

const month = (text: string) => parseRetentionMonth(text) ?? new Date(Number.NaN);
const thisMonth = () => retentionHorizon(new Date(), 1);
const partitionName = (at: Date) => `AuditEvent_${at.toISOString().slice(0, 7).replace("-", "_")}`;

/**
 * Runs `work` while another session holds `chain`'s append lock, so audit_append gives the events
 * `work` writes another chain (it takes the first free one from the backend's pid). PGlite has one
 * session, whose chain is always the same, and it is not chain 7.
 */
async function whileChainTaken<T>(scratch: Scratch, chain: number, work: () => Promise<T>): Promise<T> {
  if (scratch.config.kind !== "postgres") return work();
  const holder = new pg.Client({ connectionString: scratch.config.url });
  await holder.connect();
  try {
    await holder.query("SELECT pg_advisory_lock(4242001, $1)", [chain]);
    return await work();
  } finally {
    await holder.end();
  }
}

/** Appends one event dated `at` to `chain` through audit_append, as the application does. */
async function appendAt(client: Db, chain: number, at: Date, action = "test.partitioned") {
  const content: AuditContent = {
    at: at.toISOString(),
    actorId: null,
    actorRole: null,
    action,
    entityType: "PartitionTest",
    entityId: randomUUID(),
    before: null,
    after: { at: at.toISOString() },
    requestId: null,
  };
  return client.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('remsgate.audit_chain', ${String(chain)}, true)`;
    const [row] = await tx.$queryRaw<{ seq: bigint; hash: string }[]>`
      SELECT "seq", "hash" FROM audit_append(${at}::timestamptz, null, null, ${content.action}, ${content.entityType},
        ${content.entityId}, null, ${JSON.stringify(content.after)}::jsonb, null, ${canonicalJson(content)})`;
    if (!row) throw new Error("audit_append returned no row");
    return { seq: BigInt(row.seq), hash: row.hash };
  });
}

/** The partition (schema-qualified) a row is stored in. */
async function partitionOf(client: DbOrTx, seq: bigint): Promise<string | undefined> {
  const [row] = await client.$queryRaw<{ part: string }[]>`
    SELECT tableoid::regclass::text AS "part" FROM "AuditEvent" WHERE "seq" = ${seq}`;
  return row?.part;
}

async function partitions(client: DbOrTx): Promise<string[]> {
  const rows = await client.$queryRaw<{ name: string }[]>`
    SELECT c.oid::regclass::text AS "name" FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = '"AuditEvent"'::regclass ORDER BY 1`;
  return rows.map((r) => r.name);
}

async function archived(client: DbOrTx): Promise<string[]> {
  const rows = await client.$queryRaw<{ name: string }[]>`
    SELECT c.relname::text AS "name" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'audit_archive' AND c.relkind = 'r' ORDER BY 1`;
  return rows.map((r) => r.name);
}

class RolledBack extends Error {}

/** Runs `work` with the append-only triggers off (as only a superuser could) and rolls it all back. */
async function tampered(client: Db, work: (tx: Tx) => Promise<void>) {
  await client
    .$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
        await work(tx);
        throw new RolledBack();
      },
      { timeout: 60_000 },
    )
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
}

describe("the partitioned audit trail", () => {
  it("is partitioned by month, with a DEFAULT partition and the coming months, in audit_partitions", async () => {
    const [parent] = await db().$queryRaw<{ kind: string; key: string }[]>`
      SELECT c.relkind::text AS "kind", pg_get_partkeydef(c.oid) AS "key" FROM pg_class c WHERE c.oid = '"AuditEvent"'::regclass`;
    expect(parent).toEqual({ kind: "p", key: "RANGE (at)" });
    const names = await partitions(db());
    expect(names).toContain('audit_partitions."AuditEvent_default"');
    for (let ahead = 0; ahead <= 3; ahead++) {
      const start = thisMonth();
      const m = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + ahead, 1));
      expect(names).toContain(`audit_partitions."${partitionName(m)}"`);
    }
    expect(names.every((n) => n.startsWith("audit_partitions."))).toBe(true);
  });

  it("stores an audited change in its month's partition", async () => {
    const { seq } = await db().$transaction((tx) =>
      recordAudit(tx, systemActor(), { action: testAuditAction("test.partitioned"), entityType: "PartitionTest" }),
    );
    expect(await partitionOf(db(), seq)).toBe(`audit_partitions."${partitionName(thisMonth())}"`);
  });

  it("refuses UPDATE, DELETE and TRUNCATE on a partition itself, DEFAULT included", async () => {
    const { seq } = await db().$transaction((tx) =>
      recordAudit(tx, systemActor(), { action: testAuditAction("test.partitioned"), entityType: "PartitionTest" }),
    );
    const part = `audit_partitions."${partitionName(thisMonth())}"`;
    await expect(
      db().$executeRawUnsafe(`UPDATE ${part} SET "action" = 'test.rewritten' WHERE "seq" = $1`, seq),
    ).rejects.toThrow(/append-only: UPDATE/);
    await expect(db().$executeRawUnsafe(`DELETE FROM ${part} WHERE "seq" = $1`, seq)).rejects.toThrow(
      /append-only: DELETE/,
    );
    await expect(db().$executeRawUnsafe(`TRUNCATE ${part}`)).rejects.toThrow(/append-only: TRUNCATE/);
    await expect(db().$executeRawUnsafe(`TRUNCATE audit_partitions."AuditEvent_default"`)).rejects.toThrow(
      /append-only: TRUNCATE/,
    );
    const next = new Date(Date.UTC(thisMonth().getUTCFullYear(), thisMonth().getUTCMonth() + 3, 1));
    await expect(db().$executeRawUnsafe(`TRUNCATE audit_partitions."${partitionName(next)}"`)).rejects.toThrow(
      /append-only: TRUNCATE/,
    );
    expect(await db().auditEvent.findFirst({ where: { seq }, select: { action: true } })).toEqual({
      action: "test.partitioned",
    });
  });
});

describe.runIf(!ON_PGLITE)("creating months while the trail is read (PostgreSQL)", () => {
  // Attaching a month locks the DEFAULT partition, so it waits for a reader of the whole trail (and
  // other such readers queue behind it until it gives up: ensureAuditPartitions' lock_timeout); an
  // append reads only its chain's head and writes to its month, and goes through.
  it("waits for the reader without holding up appends to the current month", async () => {
    const url = process.env.DATABASE_URL ?? "";
    const reader = new pg.Client({ connectionString: url });
    const creator = new pg.Client({ connectionString: url });
    await reader.connect();
    await creator.connect();
    try {
      // A long reader of the whole trail, as pg_dump is: it holds a lock on every partition.
      await reader.query("BEGIN");
      await reader.query(`SELECT count(*) FROM "AuditEvent"`);
      await creator.query("BEGIN");
      await creator.query("SET LOCAL lock_timeout = '20s'");
      const creatorPid = (await creator.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
      const creating = creator.query<{ n: number }>("SELECT audit_ensure_partitions(9) AS n");
      const waiting = async () =>
        Number(
          (
            await db().$queryRaw<{ n: number }[]>`
              SELECT count(*)::int AS "n" FROM pg_locks WHERE pid = ${creatorPid} AND NOT granted`
          )[0]?.n,
        );
      for (let i = 0; i < 50 && (await waiting()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await waiting()).toBeGreaterThan(0);

      const started = Date.now();
      const { seq } = await db().$transaction((tx) =>
        recordAudit(tx, systemActor(), { action: testAuditAction("test.partitioned"), entityType: "PartitionTest" }),
      );
      expect(Date.now() - started).toBeLessThan(3000);

      await reader.query("COMMIT");
      expect((await creating).rows[0]?.n).toBeGreaterThan(0);
      await creator.query("COMMIT");
      expect(await partitionOf(db(), seq)).toBe(`audit_partitions."${partitionName(thisMonth())}"`);
    } finally {
      await reader.end();
      await creator.end();
    }
  });
});

describe("months without a partition", () => {
  let scratch: Scratch;
  beforeAll(async () => {
    scratch = await migratedScratch();
  }, 120_000);

  it("take their rows into DEFAULT; creating the month later moves them, seq and hash unchanged", async () => {
    const far = month("2031-05");
    const first = await appendAt(scratch.client, 3, new Date(Date.UTC(2031, 4, 10)));
    const second = await appendAt(scratch.client, 3, new Date(Date.UTC(2031, 4, 20)));
    const other = await appendAt(scratch.client, 3, new Date(Date.UTC(2031, 6, 1)));
    expect(await partitionOf(scratch.client, first.seq)).toBe('audit_partitions."AuditEvent_default"');
    const before = await scratch.client.auditEvent.findMany({ orderBy: { seq: "asc" } });

    const [created] = await scratch.client.$queryRaw<{ created: boolean }[]>`
      SELECT audit_create_partition(${far}::date) AS "created"`;
    expect(created?.created).toBe(true);
    expect(await partitionOf(scratch.client, first.seq)).toBe('audit_partitions."AuditEvent_2031_05"');
    expect(await partitionOf(scratch.client, second.seq)).toBe('audit_partitions."AuditEvent_2031_05"');
    expect(await partitionOf(scratch.client, other.seq)).toBe('audit_partitions."AuditEvent_default"');
    expect(await scratch.client.auditEvent.findMany({ orderBy: { seq: "asc" } })).toEqual(before);
    expect(await verifyAuditChain(scratch.client)).toEqual({ ok: true, checked: before.length });

    // Again: nothing to do. The new DEFAULT partition refuses TRUNCATE like the old one.
    const [again] = await scratch.client.$queryRaw<{ created: boolean }[]>`
      SELECT audit_create_partition(${far}::date) AS "created"`;
    expect(again?.created).toBe(false);
    await expect(scratch.client.$executeRawUnsafe(`TRUNCATE audit_partitions."AuditEvent_default"`)).rejects.toThrow(
      /append-only/,
    );
    await expect(
      scratch.client.$executeRawUnsafe(`DELETE FROM audit_partitions."AuditEvent_2031_05" WHERE "seq" = $1`, first.seq),
    ).rejects.toThrow(/append-only/);
    // The chain goes on from its head after the move.
    const after = await appendAt(scratch.client, 3, new Date());
    expect((await scratch.client.auditEvent.findFirstOrThrow({ where: { seq: after.seq } })).prevHash).toBe(other.hash);
  });

  it("are created ahead by audit_ensure_partitions, which is idempotent", async () => {
    const ahead = async (n: number) =>
      Number((await scratch.client.$queryRaw<{ n: number }[]>`SELECT audit_ensure_partitions(${n}::int) AS "n"`)[0]?.n);
    expect(await ahead(3)).toBe(0);
    expect(await ahead(6)).toBe(3);
    expect(await ahead(6)).toBe(0);
    const start = thisMonth();
    const sixth = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 6, 1));
    expect(await partitions(scratch.client)).toContain(`audit_partitions."${partitionName(sixth)}"`);
  });
});

/**
 * A trail written before partitioning (old months, this month, two chains, a signed checkpoint),
 * then the migration.
 */
describe("upgrading an unpartitioned trail", () => {
  it("keeps every row, seq, hash and chain, and verification goes on from the old checkpoint", async () => {
    const { scratch, migration } = await scratchBefore(PARTITIONS_MIGRATION);
    const dates = [
      new Date(Date.UTC(2026, 7, 3)),
      new Date(Date.UTC(2026, 8, 14)),
      new Date(Date.UTC(2026, 8, 15)),
      new Date(),
    ];
    for (const [i, at] of dates.entries()) await appendAt(scratch.client, i % 2 === 0 ? 4 : 9, at, `test.old_${i}`);
    const old = await scratch.client.$queryRawUnsafe<{ seq: bigint; chain: number; prevHash: string; hash: string }[]>(
      `SELECT "seq", "chain"::int AS "chain", "prevHash", "hash" FROM "AuditEvent" ORDER BY "seq"`,
    );
    expect(old).toHaveLength(4);
    // A checkpoint over both chains' heads, signed as the application signs them.
    const heads = [old[2], old[3]].map((r) => ({
      chain: Number(r?.chain),
      seq: BigInt(r?.seq ?? 0),
      hash: r?.hash ?? "",
    }));
    const fields = { ...checkpointOverHeads(heads), verifiedAt: new Date(), writtenBy: "job" };
    await scratch.client.$executeRawUnsafe(
      `INSERT INTO "AuditCheckpoint" ("seq", "hash", "verifiedAt", "writtenBy", "signature", "heads") VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      fields.seq,
      fields.hash,
      fields.verifiedAt,
      fields.writtenBy,
      signCheckpoint(checkpointKey(), fields),
      JSON.stringify(heads.map((h) => ({ chain: h.chain, seq: h.seq.toString(), hash: h.hash }))),
    );

    await scratch.exec(migration);

    const client = scratch.client;
    const after = await client.$queryRawUnsafe<{ seq: bigint; chain: number; prevHash: string; hash: string }[]>(
      `SELECT "seq", "chain"::int AS "chain", "prevHash", "hash" FROM "AuditEvent" ORDER BY "seq"`,
    );
    expect(after).toEqual(old);
    expect(await partitionOf(client, BigInt(old[0]?.seq ?? 0))).toBe('audit_partitions."AuditEvent_2026_08"');
    expect(await partitionOf(client, BigInt(old[1]?.seq ?? 0))).toBe('audit_partitions."AuditEvent_2026_09"');
    expect(await partitionOf(client, BigInt(old[3]?.seq ?? 0))).toBe(
      `audit_partitions."${partitionName(thisMonth())}"`,
    );
    expect(await client.auditChainHead.findMany({ orderBy: { chain: "asc" } })).toEqual(heads);
    expect(await verifyAuditChain(client)).toEqual({ ok: true, checked: 4 });
    await expect(client.$executeRawUnsafe(`UPDATE "AuditEvent" SET "chain" = 1`)).rejects.toThrow(/append-only/);

    // New events carry on each chain from its old head, with seq after the old ones.
    const next = await appendAt(client, 4, new Date());
    const row = await client.auditEvent.findFirstOrThrow({ where: { seq: next.seq } });
    expect(row.prevHash).toBe(old[2]?.hash);
    expect(next.seq).toBeGreaterThan(BigInt(old[3]?.seq ?? 0));
    const verification = await verifySinceCheckpoint(client, { writtenBy: "job" });
    expect(verification).toMatchObject({ status: "VERIFIED", checked: 1 });
  }, 120_000);
});

describe("retention", () => {
  let scratch: Scratch;
  /** Rows dated in 2025 (no partition: they land in DEFAULT), then rows dated now. */
  const written: { seq: bigint; hash: string; chain: number; at: Date }[] = [];

  beforeAll(async () => {
    scratch = await migratedScratch();
    const plan: [number, Date][] = [
      [1, new Date(Date.UTC(2025, 0, 5))],
      [2, new Date(Date.UTC(2025, 0, 6))],
      [1, new Date(Date.UTC(2025, 1, 7))],
      [7, new Date(Date.UTC(2025, 1, 8))], // chain 7 has no later event: its head is archived
      [2, new Date(Date.UTC(2025, 2, 9))],
      [1, new Date()],
      [2, new Date()],
      [1, new Date()],
    ];
    for (const [chain, at] of plan) written.push({ ...(await appendAt(scratch.client, chain, at)), chain, at });
  }, 120_000);

  it("is refused for a month that is not over or a horizon that is not a month start", async () => {
    const later = new Date(Date.UTC(thisMonth().getUTCFullYear(), thisMonth().getUTCMonth() + 1, 1));
    expect(await appError(applyAuditRetention(scratch.client, { before: later }))).toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/current month .* always kept/),
    });
    expect(
      (await appError(applyAuditRetention(scratch.client, { before: new Date(Date.UTC(2025, 1, 2)) }))).message,
    ).toMatch(/not the start of a month/);
    expect(await archived(scratch.client)).toEqual([]);
  });

  it("archives whole months behind signed anchors, and every chain still verifies in full", async () => {
    // Chain 7's head must stay in the archive: keep the retention's own event off chain 7.
    const result = await whileChainTaken(scratch, 7, () =>
      applyAuditRetention(scratch.client, { before: month("2025-03") }),
    );
    expect(result.detached).toEqual(["AuditEvent_2025_01", "AuditEvent_2025_02"]);
    expect(result.dropped).toEqual([]);
    const retentionEvent = await scratch.client.auditEvent.findFirstOrThrow({
      where: { action: "audit.retention_applied" },
    });
    expect(retentionEvent.chain).not.toBe(7);
    const [c1, c2, c1b, c7] = written;
    expect(result.anchors).toEqual([
      { chain: 1, seq: c1b?.seq, hash: c1b?.hash },
      { chain: 2, seq: c2?.seq, hash: c2?.hash },
      { chain: 7, seq: c7?.seq, hash: c7?.hash },
    ]);
    const anchors = await scratch.client.auditAnchor.findMany({ orderBy: { chain: "asc" } });
    expect(anchors.map((a) => a.chain)).toEqual([1, 2, 7]);
    expect(anchors.every(anchorVerifies)).toBe(true);
    expect(await archived(scratch.client)).toEqual(["AuditEvent_2025_01", "AuditEvent_2025_02"]);
    // The archive keeps the rows, and still refuses changes.
    const [kept] = await scratch.client.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS "n" FROM audit_archive."AuditEvent_2025_01"`,
    );
    expect(kept?.n).toBe(2);
    await expect(
      scratch.client.$executeRawUnsafe(`UPDATE audit_archive."AuditEvent_2025_01" SET "action" = 'x'`),
    ).rejects.toThrow(/append-only/);
    await expect(scratch.client.$executeRawUnsafe(`TRUNCATE audit_archive."AuditEvent_2025_01"`)).rejects.toThrow(
      /append-only/,
    );
    expect(await scratch.client.auditEvent.count({ where: { seq: { in: [c1?.seq ?? 0n, c7?.seq ?? 0n] } } })).toBe(0);

    // A full walk from the anchors, an incremental one from the checkpoint (chain 7's head is gone).
    const remaining = await scratch.client.auditEvent.count();
    expect(await verifyAuditChain(scratch.client)).toEqual({ ok: true, checked: remaining });
    await scratch.client.auditVerification.create({ data: { kind: "FULL", status: "QUEUED", requestedBy: "test" } });
    const [full] = await runQueuedFullVerifications(scratch.client);
    expect(full).toMatchObject({ status: "VERIFIED", checked: remaining });
    await appendAt(scratch.client, 2, new Date());
    const incremental = await verifySinceCheckpoint(scratch.client, { writtenBy: "job" });
    expect(incremental).toMatchObject({ status: "VERIFIED", checked: 1 });
    const checkpoint = await scratch.client.auditCheckpoint.findFirstOrThrow({
      where: { id: incremental.checkpointId ?? 0n },
    });
    expect(checkpointHeads(checkpoint).find((h) => h.chain === 7)).toEqual({ chain: 7, seq: c7?.seq, hash: c7?.hash });
    expect(
      await scratch.client.auditEvent.count({ where: { action: "audit.retention_applied", entityType: "AuditEvent" } }),
    ).toBe(1);

    // The dashboard's integrity status and the trail viewer read the remaining events.
    const admin: Actor = {
      userId: randomUUID(),
      role: "ADMIN",
      email: "retention-admin@test.local",
      name: "Retention Admin",
      pharmacyId: null,
      healthcareSettingId: null,
      sessionId: null,
      requestId: "retention-test",
    };
    expect(await auditIntegrityStatus(admin, scratch.client)).toMatchObject({
      broken: null,
      forgedCheckpoints: 0,
      unverified: 0n,
      checkpoint: { seq: checkpoint.seq },
    });
    const page = await listAuditEvents(admin, {}, scratch.client);
    expect(page.rows.map((r) => r.seq)).toContain(written[5]?.seq);
    expect(page.rows.map((r) => r.seq)).not.toContain(c1?.seq);
    expect(await getAuditEvent(admin, String(written[5]?.seq), scratch.client)).toMatchObject({ chain: 1 });
    expect(await appError(getAuditEvent(admin, String(c1?.seq), scratch.client))).toMatchObject({ code: "NOT_FOUND" });
    expect(c1?.seq).toBeLessThan(c1b?.seq ?? 0n);
  });

  it.each<[string, string, (tx: Tx) => Promise<void>]>([
    [
      "an edited event",
      "content-hash-mismatch",
      async (tx) => {
        await tx.$executeRawUnsafe(
          `UPDATE "AuditEvent" SET "action" = 'test.rewritten' WHERE "seq" = $1`,
          written[5]?.seq,
        );
      },
    ],
    [
      "the first event after an anchor removed",
      "prev-hash-mismatch",
      async (tx) => {
        await tx.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = $1`, written[4]?.seq);
      },
    ],
    [
      "two events swapped",
      "prev-hash-mismatch",
      async (tx) => {
        const [a, b] = [written[5]?.seq, written[7]?.seq];
        await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = -1 WHERE "seq" = $1`, a);
        await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = $1 WHERE "seq" = $2`, a, b);
        await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = $1 WHERE "seq" = -1`, b);
      },
    ],
    [
      "an archived event put back before its anchor",
      "row-before-anchor",
      async (tx) => {
        await tx.$executeRawUnsafe(
          `INSERT INTO "AuditEvent" ("seq", "at", "action", "entityType", "prevHash", "hash", "chain")
           SELECT "seq", now(), "action", "entityType", "prevHash", "hash", "chain" FROM audit_archive."AuditEvent_2025_01" LIMIT 1`,
        );
      },
    ],
    [
      "a forged anchor",
      "anchor-signature-invalid",
      async (tx) => {
        await tx.$executeRawUnsafe(
          `INSERT INTO "AuditAnchor" ("chain", "seq", "hash", "before", "writtenAt", "writtenBy", "signature")
           VALUES (1, $1, 'f00d', now(), now(), 'retention', 'a1:forged')`,
          written[7]?.seq,
        );
      },
    ],
    [
      "an edited anchor",
      "anchor-signature-invalid",
      async (tx) => {
        await tx.$executeRawUnsafe(`UPDATE "AuditAnchor" SET "seq" = "seq" + 1 WHERE "chain" = 2`);
      },
    ],
  ])("after it, finds %s", async (_name, reason, tamper) => {
    await tampered(scratch.client, async (tx) => {
      await tamper(tx);
      expect(await verifyAuditChain(tx)).toMatchObject({ ok: false, reason });
    });
    expect(await verifyAuditChain(scratch.client)).toMatchObject({ ok: true });
  });

  it("drops archived months only when asked, and the chains still verify", async () => {
    const again = await applyAuditRetention(scratch.client, { before: month("2025-03") });
    expect(again).toMatchObject({ detached: [], dropped: [], anchors: [] });
    expect(await archived(scratch.client)).toEqual(["AuditEvent_2025_01", "AuditEvent_2025_02"]);
    const dropped = await applyAuditRetention(scratch.client, { before: month("2025-02"), drop: true });
    expect(dropped).toMatchObject({ detached: [], dropped: ["AuditEvent_2025_01"] });
    expect(await archived(scratch.client)).toEqual(["AuditEvent_2025_02"]);
    expect(await verifyAuditChain(scratch.client)).toMatchObject({ ok: true });
  });

  it("is refused when a chain's events dated later precede its older ones, or when the chains do not verify", async () => {
    // Chain 12: an event dated now, then one dated in 2025-06 (a clock far behind).
    await appendAt(scratch.client, 12, new Date());
    await appendAt(scratch.client, 12, new Date(Date.UTC(2025, 5, 1)));
    expect((await appError(applyAuditRetention(scratch.client, { before: month("2025-07") }))).message).toMatch(
      /chain 12 has events dated from 2025-07 on that precede/,
    );
    expect(await archived(scratch.client)).toEqual(["AuditEvent_2025_02"]);
    expect(await scratch.client.auditAnchor.count({ where: { chain: 12 } })).toBe(0);

    await scratch.client.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tx.$executeRawUnsafe(
        `UPDATE "AuditEvent" SET "action" = 'test.rewritten' WHERE "seq" = $1`,
        written[4]?.seq,
      );
    });
    expect((await appError(applyAuditRetention(scratch.client, { before: month("2025-04") }))).message).toMatch(
      /events to archive do not verify \(content-hash-mismatch at event #/,
    );
    expect(await archived(scratch.client)).toEqual(["AuditEvent_2025_02"]);
  });
});
