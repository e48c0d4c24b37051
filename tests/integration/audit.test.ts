import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { systemActor } from "../../lib/auth/actor";
import { auditHash, chainGenesisHash, GENESIS_HASH } from "../../lib/audit/hash";
import { recordAudit, verifyAuditChain } from "../../lib/audit/service";
import { type DbOrTx, db, disconnectDb, type Tx } from "../../lib/db";
import { resolveDatabaseConfig } from "../../lib/db/config";
import type { AuditEvent } from "../../lib/generated/prisma/client";
import { testAuditAction } from "../factories/audit-actions";

afterAll(async () => {
  await disconnectDb();
});

const ENTITY = "AuditTest";

/**
 * Sends the transaction's appends to `chain`: audit_append keeps the chain the first append of a
 * transaction chose in this transaction-local setting, so setting it first chooses for it. The
 * embedded database has one connection, so this is how its trail gets more than one chain.
 */
async function chooseChain(tx: Tx, chain: number) {
  await tx.$executeRaw`SELECT set_config('remsgate.audit_chain', ${String(chain)}, true)`;
}

/** Writes `count` audit rows in one transaction (in `chain` when given): all in one chain. */
async function writeRows(count: number, entityId = randomUUID(), chain?: number) {
  const actor = systemActor(`test-${randomUUID()}`);
  const written = await db().$transaction(async (tx) => {
    if (chain !== undefined) await chooseChain(tx, chain);
    const rows = [];
    for (let i = 0; i < count; i++) {
      rows.push(
        await recordAudit(tx, actor, {
          action: testAuditAction(`test.step_${i}`),
          entityType: ENTITY,
          entityId,
          before: { step: i - 1 },
          after: { step: i, at: new Date("2026-01-01T00:00:00Z"), nested: { b: [1, 2], a: "x" } },
        }),
      );
    }
    return rows;
  });
  const seqs = written.map((r) => r.seq);
  const [first] = seqs as [bigint];
  return { entityId, seqs, first, chains: written.map((r) => r.chain) };
}

/**
 * Two chains written in turn, one transaction per row: a1 (chain 3), b1 (chain 7), a2, b2, a3. In
 * seq order each row's neighbour belongs to the other chain; each links to the one before it in
 * its own.
 */
async function interleaved() {
  const [a1] = (await writeRows(1, undefined, 3)).seqs as [bigint];
  const [b1] = (await writeRows(1, undefined, 7)).seqs as [bigint];
  const [a2] = (await writeRows(1, undefined, 3)).seqs as [bigint];
  const [b2] = (await writeRows(1, undefined, 7)).seqs as [bigint];
  const [a3] = (await writeRows(1, undefined, 3)).seqs as [bigint];
  return { a1, b1, a2, b2, a3 };
}

/** The rows in seq order with the two at `x` and `y` exchanged (their seq with them). */
function swapped(rows: AuditEvent[], x: bigint, y: bigint): AuditEvent[] {
  const i = rows.findIndex((r) => r.seq === x);
  const j = rows.findIndex((r) => r.seq === y);
  const [a, b] = [rows[i], rows[j]];
  if (!a || !b) return rows;
  const copy = [...rows];
  copy[i] = b;
  copy[j] = a;
  return copy;
}

/**
 * Feeds the verifier the real rows with a change applied: the database cannot be made to hold a
 * tampered row (the trigger refuses), so this is how the detection itself is exercised.
 */
function alteredClient(alter: (rows: AuditEvent[]) => AuditEvent[]): DbOrTx {
  const real = db();
  return {
    // The chain heads and retention anchors come from the database as it is; the rows read after
    // them are altered.
    $queryRaw: real.$queryRaw.bind(real),
    auditAnchor: real.auditAnchor,
    auditEvent: {
      findMany: async (args: Parameters<typeof real.auditEvent.findMany>[0]) =>
        alter(await real.auditEvent.findMany(args)),
    },
  } as unknown as DbOrTx;
}

describe("recordAudit", () => {
  it("writes a row that links to the previous one of its chain and stores the content as given", async () => {
    const entityId = randomUUID();
    const actor = { userId: randomUUID(), role: "ADMIN" as const, requestId: `test-${randomUUID()}` };
    const { seq, hash } = await db().$transaction((tx) =>
      recordAudit(tx, actor, {
        action: testAuditAction("test.created"),
        entityType: ENTITY,
        entityId,
        after: { n: 1n, when: new Date(0) },
      }),
    );
    const row = await db().auditEvent.findFirstOrThrow({ where: { seq } });
    expect(row).toMatchObject({
      actorId: actor.userId,
      actorRole: "ADMIN",
      action: "test.created",
      entityType: ENTITY,
      entityId,
      before: null,
      after: { n: "1", when: "1970-01-01T00:00:00.000Z" },
      requestId: actor.requestId,
      hash,
    });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const previous = await db().auditEvent.findFirst({
      where: { chain: row.chain, seq: { lt: seq } },
      orderBy: { seq: "desc" },
    });
    expect(row.prevHash).toBe(previous?.hash ?? chainGenesisHash(row.chain));
  });

  it("puts every append of one transaction in the same chain, one after the other", async () => {
    const { seqs, chains } = await writeRows(4);
    expect(new Set(chains).size).toBe(1);
    const rows = await db().auditEvent.findMany({ where: { seq: { in: seqs } }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.chain)).toEqual(chains);
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
  });

  it("links each chain's rows only to rows of the same chain", async () => {
    const { a1, b1, a2, b2, a3 } = await interleaved();
    const rows = await db().auditEvent.findMany({
      where: { seq: { in: [a1, b1, a2, b2, a3] } },
      orderBy: { seq: "asc" },
    });
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    expect(rows.map((r) => r.chain)).toEqual([3, 7, 3, 7, 3]);
    expect(bySeq.get(a2)?.prevHash).toBe(bySeq.get(a1)?.hash);
    expect(bySeq.get(a3)?.prevHash).toBe(bySeq.get(a2)?.hash);
    expect(bySeq.get(b2)?.prevHash).toBe(bySeq.get(b1)?.hash);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it("refuses a chain outside the 16 and writes nothing", async () => {
    const entityId = randomUUID();
    await expect(
      db().$transaction(async (tx) => {
        await chooseChain(tx, 16);
        await recordAudit(tx, systemActor(), {
          action: testAuditAction("test.out_of_range"),
          entityType: ENTITY,
          entityId,
        });
      }),
    ).rejects.toThrow(/AuditEvent_chain_range/);
    expect(await db().auditEvent.count({ where: { entityId } })).toBe(0);
  });

  it("is rolled back with the transaction it belongs to", async () => {
    const entityId = randomUUID();
    await expect(
      db().$transaction(async (tx) => {
        await recordAudit(tx, systemActor(), {
          action: testAuditAction("test.rolled_back"),
          entityType: ENTITY,
          entityId,
        });
        expect(await tx.auditEvent.count({ where: { entityId } })).toBe(1);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");

    expect(await db().auditEvent.count({ where: { entityId } })).toBe(0);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it("keeps every chain unforked under 20 concurrent writers", async () => {
    const entityId = randomUUID();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db().$transaction((tx) =>
          recordAudit(tx, systemActor(`test-concurrent-${i}`), {
            action: testAuditAction("test.concurrent"),
            entityType: ENTITY,
            entityId,
            after: { i },
          }),
        ),
      ),
    );

    const mine = await db().auditEvent.findMany({ where: { entityId }, orderBy: { seq: "asc" } });
    expect(mine).toHaveLength(20);
    expect(new Set(mine.map((r) => (r.after as { i: number }).i)).size).toBe(20);

    // No fork anywhere: no two rows of a chain point at the same predecessor, and each points at the
    // row before it in its chain.
    const all = await db().auditEvent.findMany({
      orderBy: { seq: "asc" },
      select: { seq: true, chain: true, prevHash: true, hash: true },
    });
    expect(new Set(all.map((r) => `${r.chain} ${r.prevHash}`)).size).toBe(all.length);
    const previous = new Map<number, string>();
    for (const row of all) {
      expect(row.prevHash, `seq ${row.seq}`).toBe(previous.get(row.chain) ?? chainGenesisHash(row.chain));
      previous.set(row.chain, row.hash);
    }

    const result = await verifyAuditChain(db());
    expect(result).toEqual({ ok: true, checked: expect.any(Number) });
    expect(result.checked).toBeGreaterThanOrEqual(20);
  });
});

describe.runIf(resolveDatabaseConfig().kind === "postgres")("concurrent writers on PostgreSQL", () => {
  /**
   * Transaction A appends and stays open until B is done. B, on another connection, appends with
   * lock_timeout set: had it waited for a lock A holds, it would fail with "lock timeout" instead of
   * committing.
   */
  async function whileOneIsOpen(second: (tx: Tx, firstChain: number) => Promise<void>) {
    const entityId = randomUUID();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let opened = (_chain: number) => {};
    const firstAppended = new Promise<number>((resolve) => {
      opened = resolve;
    });
    const first = db().$transaction(
      async (tx) => {
        const { chain } = await recordAudit(tx, systemActor(), {
          action: testAuditAction("test.held_open"),
          entityType: ENTITY,
          entityId,
        });
        opened(chain);
        await held;
        await recordAudit(tx, systemActor(), {
          action: testAuditAction("test.held_open_again"),
          entityType: ENTITY,
          entityId,
        });
        return chain;
      },
      { timeout: 60_000 },
    );
    const firstChain = await firstAppended;
    const outcome = await db()
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe("SET LOCAL lock_timeout = '2s'");
        await second(tx, firstChain);
      })
      .then(
        () => "committed",
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
    release();
    await first;
    return { entityId, firstChain, outcome };
  }

  it("lets a second transaction append and commit while the first still holds its chain", async () => {
    let secondChain = -1;
    const { entityId, firstChain, outcome } = await whileOneIsOpen(async (tx) => {
      secondChain = (
        await recordAudit(tx, systemActor(), { action: testAuditAction("test.not_waiting"), entityType: ENTITY })
      ).chain;
    });
    expect(outcome).toBe("committed");
    expect(secondChain).not.toBe(firstChain);
    const rows = await db().auditEvent.findMany({ where: { entityId }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.chain)).toEqual([firstChain, firstChain]);
    expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it("makes a transaction sent to the held chain wait for it (what the chains avoid)", async () => {
    const { outcome } = await whileOneIsOpen(async (tx, firstChain) => {
      await chooseChain(tx, firstChain);
      await recordAudit(tx, systemActor(), { action: testAuditAction("test.waiting"), entityType: ENTITY });
    });
    expect(outcome).toMatch(/lock timeout/);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });
});

describe("verifyAuditChain", () => {
  it("accepts the whole chain, whatever the batch size", async () => {
    await writeRows(5);
    const whole = await verifyAuditChain(db());
    expect(whole.ok).toBe(true);
    const small = await verifyAuditChain(db(), 2);
    expect(small.ok).toBe(true);
    expect(small.checked).toBeGreaterThanOrEqual(whole.checked);
  });

  it.each<[string, (row: AuditEvent) => AuditEvent]>([
    ["action", (r) => ({ ...r, action: "test.something_else" })],
    ["actorId", (r) => ({ ...r, actorId: randomUUID() })],
    ["entityId", (r) => ({ ...r, entityId: randomUUID() })],
    ["at", (r) => ({ ...r, at: new Date(r.at.getTime() + 1) })],
    ["after", (r) => ({ ...r, after: { ...(r.after as object), step: 99 } })],
    ["before", (r) => ({ ...r, before: null })],
    ["hash", (r) => ({ ...r, hash: "f".repeat(64) })],
  ])("reports content-hash-mismatch at the first row whose %s was changed", async (_field, tamper) => {
    const { a2: target } = await interleaved();
    const result = await verifyAuditChain(alteredClient((rows) => rows.map((r) => (r.seq === target ? tamper(r) : r))));
    expect(result).toEqual({
      ok: false,
      brokenAt: target,
      reason: "content-hash-mismatch",
      checked: await db().auditEvent.count({ where: { seq: { lt: target } } }),
    });
  });

  it("reports prev-hash-mismatch at the next row of the same chain after a removed one", async () => {
    const { a2, a3 } = await interleaved();
    const result = await verifyAuditChain(alteredClient((rows) => rows.filter((r) => r.seq !== a2)));
    expect(result).toMatchObject({ ok: false, brokenAt: a3, reason: "prev-hash-mismatch" });
  });

  it("reports prev-hash-mismatch at a correctly hashed row slipped into a chain, or at the row after it", async () => {
    const { a1, a2 } = await interleaved();
    const forged = (rows: AuditEvent[], linkTo: string) => {
      const i = rows.findIndex((r) => r.seq === a2);
      const model = rows[i];
      if (!model) return rows;
      const content = {
        at: model.at.toISOString(),
        actorId: null,
        actorRole: null,
        action: "test.inserted",
        entityType: ENTITY,
        entityId: "inserted",
        before: null,
        after: null,
        requestId: null,
      };
      const row: AuditEvent = {
        ...model,
        ...content,
        at: model.at,
        seq: a2 - 1n,
        prevHash: linkTo,
        hash: auditHash(linkTo, content),
      };
      return [...rows.slice(0, i), row, ...rows.slice(i)];
    };
    const a1Hash = (await db().auditEvent.findFirstOrThrow({ where: { seq: a1 } })).hash;
    // Linked to the row before it: the row after it no longer links.
    expect(await verifyAuditChain(alteredClient((rows) => forged(rows, a1Hash)))).toMatchObject({
      ok: false,
      brokenAt: a2,
      reason: "prev-hash-mismatch",
    });
    // Linked to anything else: the inserted row itself does not link.
    expect(await verifyAuditChain(alteredClient((rows) => forged(rows, GENESIS_HASH)))).toMatchObject({
      ok: false,
      brokenAt: a2 - 1n,
      reason: "prev-hash-mismatch",
    });
  });

  it("reports prev-hash-mismatch when two rows of a chain are swapped", async () => {
    const { a2, a3 } = await interleaved();
    const result = await verifyAuditChain(alteredClient((rows) => swapped(rows, a2, a3)));
    expect(result).toMatchObject({ ok: false, brokenAt: a3, reason: "prev-hash-mismatch" });
  });

  it("reports prev-hash-mismatch when a row is moved to another chain", async () => {
    const { a2 } = await interleaved();
    const result = await verifyAuditChain(
      alteredClient((rows) => rows.map((r) => (r.seq === a2 ? { ...r, chain: 7 } : r))),
    );
    expect(result).toMatchObject({ ok: false, brokenAt: a2, reason: "prev-hash-mismatch" });
  });
});

describe('the "AuditEvent" table', () => {
  it("refuses UPDATE with the trigger's append-only error", async () => {
    const { entityId, first } = await writeRows(1);
    await expect(
      db().$executeRawUnsafe(`UPDATE "AuditEvent" SET "action" = 'test.rewritten' WHERE "seq" = $1`, first),
    ).rejects.toThrow(/append-only/);
    await expect(
      db().auditEvent.updateMany({ where: { seq: first }, data: { action: "test.rewritten" } }),
    ).rejects.toThrow(/append-only/);
    const row = await db().auditEvent.findFirstOrThrow({ where: { entityId } });
    expect(row.action).toBe("test.step_0");
  });

  it("refuses DELETE with the trigger's append-only error", async () => {
    const { entityId, first } = await writeRows(1);
    await expect(db().$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = $1`, first)).rejects.toThrow(
      /append-only/,
    );
    await expect(db().auditEvent.deleteMany({ where: { entityId } })).rejects.toThrow(/append-only/);
    expect(await db().auditEvent.count({ where: { entityId } })).toBe(1);
  });

  it("refuses TRUNCATE with the trigger's append-only error", async () => {
    const { entityId } = await writeRows(1);
    await expect(db().$executeRawUnsafe(`TRUNCATE "AuditEvent"`)).rejects.toThrow(/append-only/);
    expect(await db().auditEvent.count({ where: { entityId } })).toBe(1);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });
});
