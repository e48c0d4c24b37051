/**
 * Readiness (GET /api/ready): ready only when every migration this release ships is applied and the
 * background jobs run (or are left to cron on purpose). The database-unreachable case is covered
 * end to end by tests/e2e/outage.spec.ts.
 */
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { checkReadiness, shippedMigrations } from "../../lib/ops/readiness";

afterAll(async () => {
  await disconnectDb();
});

describe("checkReadiness", () => {
  it("is ready when every shipped migration is applied and jobs are left to cron", async () => {
    const shipped = await shippedMigrations();
    expect(shipped.length).toBeGreaterThan(10);
    const readiness = await checkReadiness(db(), { jobsInProcess: false });
    expect(readiness).toEqual({
      ready: true,
      database: "ok",
      migrations: { expected: shipped.length, applied: shipped.length, pending: [] },
      jobs: "cron",
    });
  });

  it("is not ready while a migration of this release is not applied, and names it", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "remsgate-migrations-"));
    try {
      await cp(path.resolve("prisma/migrations"), dir, { recursive: true });
      await mkdir(path.join(dir, "29991231000000_not_yet_applied"));
      const readiness = await checkReadiness(db(), { jobsInProcess: false, migrationsDir: dir });
      expect(readiness.ready).toBe(false);
      expect(readiness.migrations?.pending).toEqual(["29991231000000_not_yet_applied"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("is not ready when jobs should run in this process and have not started", async () => {
    const readiness = await checkReadiness(db(), { jobsInProcess: true });
    expect(readiness.jobs).toBe("not-started");
    expect(readiness.ready).toBe(false);
  });
});
