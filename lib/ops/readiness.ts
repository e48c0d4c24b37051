/**
 * Readiness for orchestrators and load balancers (GET /api/ready): the database answers, every
 * migration in this release is applied, and the background jobs run (or are run from cron by
 * choice). Liveness (GET /api/health) asks none of this, so a database outage takes instances out
 * of rotation without getting them restarted.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { DbOrTx } from "../db";
import { type BackgroundJobsState, backgroundJobsState } from "../jobs/scheduler";

export interface Readiness {
  ready: boolean;
  database: "ok" | "unreachable";
  migrations: { expected: number; applied: number; pending: string[] } | null;
  jobs: BackgroundJobsState | "cron";
}

const MIGRATIONS_DIR = path.resolve(/*turbopackIgnore: true*/ process.cwd(), "prisma/migrations");

/** The migrations this release ships, by folder name. */
export async function shippedMigrations(dir = MIGRATIONS_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

export async function checkReadiness(
  client: DbOrTx,
  options: { jobsInProcess?: boolean; migrationsDir?: string } = {},
): Promise<Readiness> {
  const jobsInProcess = options.jobsInProcess ?? process.env.JOBS_IN_PROCESS !== "0";
  const jobs = jobsInProcess ? await backgroundJobsState() : "cron";
  const jobsOk = jobs === "cron" || jobs === "timers" || jobs === "pg-boss";
  let applied: string[];
  try {
    const rows = await client.$queryRaw<{ migration_name: string }[]>`
      SELECT "migration_name" FROM "_prisma_migrations"
      WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;
    applied = rows.map((r) => r.migration_name);
  } catch {
    return { ready: false, database: "unreachable", migrations: null, jobs };
  }
  const shipped = await shippedMigrations(options.migrationsDir);
  const done = new Set(applied);
  const pending = shipped.filter((name) => !done.has(name));
  return {
    ready: pending.length === 0 && jobsOk,
    database: "ok",
    migrations: { expected: shipped.length, applied: shipped.length - pending.length, pending },
    jobs,
  };
}
