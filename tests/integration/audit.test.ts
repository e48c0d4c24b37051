import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { systemActor } from "../../lib/auth/actor";
import { recordAudit, verifyAuditChain } from "../../lib/audit/service";
import { GENESIS_HASH } from "../../lib/audit/hash";
import { type DbOrTx, db, disconnectDb } from "../../lib/db";
import type { AuditEvent } from "../../lib/generated/prisma/client";

afterAll(async () => {
  await disconnectDb();
});

const ENTITY = "AuditTest";

/** Writes `count` audit rows in one transaction; the chain lock makes them consecutive. */
async function writeRows(count: number, entityId = randomUUID()) {
  const actor = systemActor(`test-${randomUUID()}`);
  const written = await db().$transaction(async (tx) => {
    const rows = [];
    for (let i = 0; i < count; i++) {
      rows.push(
        await recordAudit(tx, actor, {
          action: `test.step_${i}`,
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
  return { entityId, seqs, first };
}

/**
 * Feeds the verifier the real rows with a change applied: the database cannot be made to hold a
 * tampered row (the trigger refuses), so this is how the detection itself is exercised.
 */
function alteredClient(alter: (rows: AuditEvent[]) => AuditEvent[]): DbOrTx {
  const real = db();
  return {
    auditEvent: {
      findMany: async (args: Parameters<typeof real.auditEvent.findMany>[0]) =>
        alter(await real.auditEvent.findMany(args)),
    },
  } as unknown as DbOrTx;
}

describe("recordAudit", () => {
  it("writes a row that links to the previous one and stores the content as given", async () => {
    const entityId = randomUUID();
    const actor = { userId: randomUUID(), role: "ADMIN" as const, requestId: `test-${randomUUID()}` };
    const { seq, hash } = await db().$transaction((tx) =>
      recordAudit(tx, actor, {
        action: "test.created",
        entityType: ENTITY,
        entityId,
        after: { n: 1n, when: new Date(0) },
      }),
    );
    const row = await db().auditEvent.findUniqueOrThrow({ where: { seq } });
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
    const previous = await db().auditEvent.findFirst({ where: { seq: { lt: seq } }, orderBy: { seq: "desc" } });
    expect(row.prevHash).toBe(previous?.hash ?? GENESIS_HASH);
  });

  it("is rolled back with the transaction it belongs to", async () => {
    const entityId = randomUUID();
    await expect(
      db().$transaction(async (tx) => {
        await recordAudit(tx, systemActor(), { action: "test.rolled_back", entityType: ENTITY, entityId });
        expect(await tx.auditEvent.count({ where: { entityId } })).toBe(1);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");

    expect(await db().auditEvent.count({ where: { entityId } })).toBe(0);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it("keeps one unforked chain under 20 concurrent writers", async () => {
    const entityId = randomUUID();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db().$transaction((tx) =>
          recordAudit(tx, systemActor(`test-concurrent-${i}`), {
            action: "test.concurrent",
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

    // No fork anywhere: every row points at a different predecessor, and each at the row before it.
    const all = await db().auditEvent.findMany({
      orderBy: { seq: "asc" },
      select: { seq: true, prevHash: true, hash: true },
    });
    expect(new Set(all.map((r) => r.prevHash)).size).toBe(all.length);
    let previous = GENESIS_HASH;
    for (const row of all) {
      expect(row.prevHash, `seq ${row.seq}`).toBe(previous);
      previous = row.hash;
    }

    const result = await verifyAuditChain(db());
    expect(result).toEqual({ ok: true, checked: expect.any(Number) });
    expect(result.checked).toBeGreaterThanOrEqual(20);
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
    const { seqs } = await writeRows(3);
    const [, target] = seqs as [bigint, bigint, bigint];
    const result = await verifyAuditChain(alteredClient((rows) => rows.map((r) => (r.seq === target ? tamper(r) : r))));
    expect(result).toEqual({
      ok: false,
      brokenAt: target,
      reason: "content-hash-mismatch",
      checked: await db().auditEvent.count({ where: { seq: { lt: target } } }),
    });
  });

  it("reports prev-hash-mismatch at the row after a removed one", async () => {
    const { seqs } = await writeRows(3);
    const [, removed, next] = seqs as [bigint, bigint, bigint];
    const result = await verifyAuditChain(alteredClient((rows) => rows.filter((r) => r.seq !== removed)));
    expect(result).toMatchObject({ ok: false, brokenAt: next, reason: "prev-hash-mismatch" });
  });

  it("reports prev-hash-mismatch when rows are swapped", async () => {
    const { seqs } = await writeRows(3);
    const [, second, third] = seqs as [bigint, bigint, bigint];
    const result = await verifyAuditChain(
      alteredClient((rows) => {
        const i = rows.findIndex((r) => r.seq === second);
        if (i < 0 || rows[i + 1]?.seq !== third) return rows;
        const copy = [...rows];
        const [a, b] = [copy[i], copy[i + 1]];
        if (!a || !b) return rows;
        copy[i] = b;
        copy[i + 1] = a;
        return copy;
      }),
    );
    expect(result).toMatchObject({ ok: false, brokenAt: third, reason: "prev-hash-mismatch" });
  });
});

describe('the "AuditEvent" table', () => {
  it("refuses UPDATE with the trigger's append-only error", async () => {
    const { entityId, first } = await writeRows(1);
    await expect(
      db().$executeRawUnsafe(`UPDATE "AuditEvent" SET "action" = 'test.rewritten' WHERE "seq" = $1`, first),
    ).rejects.toThrow(/append-only/);
    await expect(db().auditEvent.update({ where: { seq: first }, data: { action: "test.rewritten" } })).rejects.toThrow(
      /append-only/,
    );
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
