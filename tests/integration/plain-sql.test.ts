import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { systemActor } from "../../lib/auth/actor";
import { recordAuditSql } from "../../lib/audit/sql-append";
import { db, disconnectDb, sqlOf } from "../../lib/db";
import { sql } from "../../lib/db/sql";
import { testAuditAction } from "../factories/audit-actions";

afterAll(async () => {
  await disconnectDb();
});

const WINDOW = new Date("2026-01-01T00:00:00Z");

async function bucketCount(key: string): Promise<number> {
  return db().rateLimitBucket.count({ where: { key } });
}

function insertBucket(key: string) {
  return sql`INSERT INTO "RateLimitBucket" ("key", "windowStart", "count") VALUES (${key}::text, ${WINDOW}::timestamptz, 1)`;
}

describe("plain SQL on the client's connections (lib/db/sql.ts)", () => {
  it("commits a transaction whose last statement queued the commit, with its audit row", async () => {
    const key = `plain-sql-${randomUUID()}`;
    const entityId = randomUUID();
    const appended = await sqlOf(db()).transaction(async (tx) => {
      await tx.query(insertBucket(key));
      return recordAuditSql(
        tx,
        systemActor("plain-sql-test"),
        { action: testAuditAction("test.plain_sql"), entityType: "PlainSqlTest", entityId, after: { key } },
        { last: true },
      );
    });
    expect(await bucketCount(key)).toBe(1);
    const row = await db().auditEvent.findFirstOrThrow({ where: { entityId }, select: { seq: true, hash: true } });
    expect(row.seq).toBe(appended.seq);
    expect(row.hash).toBe(appended.hash);
  });

  it("rolls everything back when the statement the commit was queued behind fails", async () => {
    const key = `plain-sql-${randomUUID()}`;
    const failed = sqlOf(db()).transaction(async (tx) => {
      await tx.query(insertBucket(key));
      await tx.query(sql`SELECT 1 / ${0}::int AS "x"`, { thenCommit: true });
    });
    await expect(failed).rejects.toThrow(/division by zero/);
    expect(await bucketCount(key)).toBe(0);
    // The connection went back to the pool in a usable state.
    const rows = await sqlOf(db()).transaction((tx) => tx.query<{ one: number }>(sql`SELECT 1::int AS "one"`));
    expect(rows).toEqual([{ one: 1 }]);
  });

  it("rolls back when the work throws, and refuses a statement after the queued commit", async () => {
    const key = `plain-sql-${randomUUID()}`;
    await expect(
      sqlOf(db()).transaction(async (tx) => {
        await tx.query(insertBucket(key));
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await bucketCount(key)).toBe(0);

    const other = `plain-sql-${randomUUID()}`;
    await expect(
      sqlOf(db()).transaction(async (tx) => {
        await tx.query(insertBucket(other), { thenCommit: true });
        await tx.query(insertBucket(`${other}-late`));
      }),
    ).rejects.toThrow(/already committing/);
  });

  it("runs statements queued without waiting in order; one failing among them rolls back the lot", async () => {
    const key = `plain-sql-${randomUUID()}`;
    await sqlOf(db()).transaction(async (tx) => {
      const inserted = tx.query(insertBucket(key));
      const bumped = tx.query(
        sql`UPDATE "RateLimitBucket" SET "count" = "count" + 1 WHERE "key" = ${key}::text AND "windowStart" = ${WINDOW}::timestamptz`,
        { thenCommit: true },
      );
      await inserted;
      await bumped;
    });
    const row = await db().rateLimitBucket.findFirstOrThrow({ where: { key }, select: { count: true } });
    expect(row.count).toBe(2);

    const other = `plain-sql-${randomUUID()}`;
    const failed = sqlOf(db()).transaction(async (tx) => {
      const duplicate = tx.query(insertBucket(key));
      duplicate.catch(() => undefined);
      const queued = tx.query(insertBucket(other), { thenCommit: true });
      queued.catch(() => undefined);
      await duplicate;
      await queued;
    });
    await expect(failed).rejects.toMatchObject({ code: "23505" });
    expect(await bucketCount(other)).toBe(0);
  });

  it("reports a unique violation with SQLSTATE 23505 (the gate retries on it)", async () => {
    const key = `plain-sql-${randomUUID()}`;
    await sqlOf(db()).query(insertBucket(key));
    const error = await sqlOf(db())
      .query(insertBucket(key))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect((error as { code?: unknown } | null)?.code).toBe("23505");
  });
});
