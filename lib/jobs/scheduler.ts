/**
 * Background work that keeps the registry current: delivering queued e-mail, expiring
 * certifications whose recertification date has passed, marking unused dispense authorizations
 * whose validity has ended as EXPIRED, queueing monitoring reminders, and verifying the audit
 * chain (a signed checkpoint every quarter hour; full re-walks an administrator asked for), and
 * creating the monthly partitions of the audit trail and of dispense authorizations ahead. Audit retention is never a job: it runs as
 * the schema owner, by `npm run audit:retention` (README, "Audit retention").
 * Every job is safe to run on several instances at once (mail is claimed row by row; transitions
 * carry version checks; a reminder's unique key sends it once).
 *
 * On PostgreSQL the jobs run through pg-boss: cron schedules and a queue in its own `pgboss`
 * schema, so each run happens on one instance and a crashed run is retried. The embedded PGlite
 * database allows one process at a time, so there the app runs the jobs on in-process timers.
 * `npm run jobs:once` runs them once from cron instead.
 */
import { expireDueCertifications } from "../certification/service";
import { systemActor } from "../auth/actor";
import { db } from "../db";
import { resolveDatabaseConfig } from "../db/config";
import { logger } from "../logger";
import { expireDispenseAuthorizations } from "../dispensing/expiry";
import { deliverPendingMail } from "../mail/deliver";
import { runMonitoringReminders } from "../reminders/service";
import { runCheckpointJob, runQueuedFullVerifications } from "../audit/integrity";
import { settleInterruptedLabImports } from "../labs/import-recovery";
import { ensureAuditPartitions } from "../audit/retention";
import { ensureMonthlyPartitions } from "../db/partitions";
import { env } from "../env";

/** Monitoring reminders, then delivery of what they queued. */
export async function runReminderJob(now: Date = new Date()) {
  const reminders = await runMonitoringReminders(now, db());
  const mailed = await deliverPendingMail(db(), 200);
  return { reminders, mailed };
}

export async function runJobsOnce(now: Date = new Date()) {
  const expired = await expireDueCertifications(now, db());
  const authorizationsExpired = await expireDispenseAuthorizations(systemActor("job-expire-authorizations"), { now });
  const reminders = await runMonitoringReminders(now, db());
  const mailed = await deliverPendingMail(db(), 200);
  const auditCheckpoint = await runCheckpointJob(db(), now);
  const fullVerifications = (await runQueuedFullVerifications(db())).length;
  const labImports = await settleInterruptedLabImports(db(), now);
  const auditPartitions = await ensureAuditPartitions(db(), env().AUDIT_PARTITIONS_AHEAD);
  const dispensePartitions = await ensureMonthlyPartitions(db(), "dispense", env().DISPENSE_PARTITIONS_AHEAD);
  return {
    expired,
    authorizationsExpired,
    reminders,
    mailed,
    auditCheckpoint,
    fullVerifications,
    labImports,
    auditPartitions,
    dispensePartitions,
  };
}

interface JobDefinition {
  name: string;
  /** pg-boss cron (UTC), minute resolution. */
  cron: string;
  /** In-process timer period on the embedded database. */
  everyMs: number;
  run: () => Promise<unknown>;
}

export const JOBS: readonly JobDefinition[] = [
  { name: "deliver-mail", cron: "* * * * *", everyMs: 30_000, run: () => deliverPendingMail(db(), 200) },
  {
    name: "expire-certifications",
    cron: "0 * * * *",
    everyMs: 3_600_000,
    run: () => expireDueCertifications(new Date(), db()),
  },
  // Reads treat an expired authorization as EXPIRED at once; this keeps the stored status in step.
  {
    name: "expire-dispense-authorizations",
    cron: "*/5 * * * *",
    everyMs: 300_000,
    run: () => expireDispenseAuthorizations(systemActor("job-expire-authorizations")),
  },
  // Hourly: a reminder is sent once per due date, so running often only makes it timelier.
  {
    name: "monitoring-reminders",
    cron: "15 * * * *",
    everyMs: 3_600_000,
    run: () => runMonitoringReminders(new Date(), db()),
  },
  // Verifies the events written since the last checkpoint and signs a new one (docs/decisions/003).
  { name: "audit-checkpoint", cron: "*/15 * * * *", everyMs: 900_000, run: () => runCheckpointJob() },
  // Lab imports whose server stopped while they ran: written down as failed (lib/labs/import-recovery.ts).
  {
    name: "settle-interrupted-lab-imports",
    cron: "*/5 * * * *",
    everyMs: 300_000,
    run: () => settleInterruptedLabImports(db()),
  },
  // The audit trail's monthly partitions for the coming months (a month without one still takes
  // its rows, in the DEFAULT partition; creating it later has to move them).
  {
    name: "audit-partitions",
    cron: "20 3 * * *",
    everyMs: 86_400_000,
    run: () => ensureAuditPartitions(db(), env().AUDIT_PARTITIONS_AHEAD),
  },
  // The same for dispense authorizations (lib/db/partitions.ts).
  {
    name: "dispense-partitions",
    cron: "25 3 * * *",
    everyMs: 86_400_000,
    run: () => ensureMonthlyPartitions(db(), "dispense", env().DISPENSE_PARTITIONS_AHEAD),
  },
  // Full re-walks an administrator asked for (queued rows; also triggered at once when asked).
  { name: "audit-full-verification", cron: "* * * * *", everyMs: 60_000, run: () => runQueuedFullVerifications() },
];

type Stoppable = { stop: () => Promise<void> };
export type JobRunner = Stoppable & {
  /** Queues one run of a job now (besides its schedule). */
  trigger: (name: (typeof JOBS)[number]["name"]) => Promise<void>;
};
const globalJobs = globalThis as unknown as {
  __remsgateJobs?: NodeJS.Timeout[];
  __remsgateBoss?: Promise<JobRunner | null>;
};

function guard(name: string, job: () => Promise<unknown>) {
  return () => {
    job().catch((error) => logger.warn({ err: error, job: name }, "background job failed"));
  };
}

function startTimers() {
  if (globalJobs.__remsgateJobs) return;
  globalJobs.__remsgateJobs = JOBS.map((job) => setInterval(guard(job.name, job.run), job.everyMs));
  for (const timer of globalJobs.__remsgateJobs) timer.unref();
  // One pass shortly after start, for anything queued while the app was down.
  setTimeout(
    guard("startup", () => runJobsOnce()),
    5_000,
  ).unref();
}

/**
 * Starts pg-boss on PostgreSQL (it creates and migrates its own schema), schedules and works the
 * jobs (all of them unless `only` names some).
 */
export async function startPgBossJobs(
  connectionString: string,
  only?: readonly (typeof JOBS)[number]["name"][],
): Promise<JobRunner> {
  const { default: PgBoss } = await import("pg-boss");
  const boss = new PgBoss({ connectionString, schema: "pgboss", max: 4 });
  boss.on("error", (error) => logger.warn({ err: error }, "pg-boss error"));
  await boss.start();
  const jobs = only ? JOBS.filter((job) => only.includes(job.name)) : JOBS;
  for (const job of jobs) {
    await boss.createQueue(job.name, { name: job.name, retryLimit: 2, expireInSeconds: 15 * 60 });
    await boss.schedule(job.name, job.cron, {}, { tz: "UTC" });
    await boss.work(job.name, async () => {
      await job.run();
    });
  }
  // Anything queued while the app was down goes out now rather than at the next schedule.
  if (jobs.some((job) => job.name === "deliver-mail")) await boss.send("deliver-mail", {});
  // The dashboard says how far the audit chain is verified: do not leave it unsaid until the schedule.
  if (jobs.some((job) => job.name === "audit-checkpoint")) await boss.send("audit-checkpoint", {});
  return {
    stop: () => boss.stop({ graceful: true, wait: true }),
    trigger: async (name) => {
      await boss.send(name, {});
    },
  };
}

const PG_BOSS_RETRY_MS = 10_000;

/** Starts the background jobs for the configured database (instrumentation.ts calls this on start). */
export async function startBackgroundJobs(): Promise<void> {
  if (globalJobs.__remsgateJobs || globalJobs.__remsgateBoss) return;
  const config = resolveDatabaseConfig();
  if (config.kind === "pglite") {
    startTimers();
    return;
  }
  // The promise is stored before awaiting, so a second call (hot reload) never starts a second pg-boss.
  // Behind a transaction pooler (PgBouncer), the job queue may keep a direct connection.
  const url = process.env.JOBS_DATABASE_URL || config.url;
  globalJobs.__remsgateBoss = startPgBossJobs(url).then(
    (runner) => {
      logger.info({ jobs: JOBS.map((j) => j.name) }, "background jobs scheduled with pg-boss");
      return runner;
    },
    (error: unknown) => {
      // The app still serves (readiness says the jobs are down); a database that was unreachable at
      // start, or another instance creating the queue's schema at the same moment, is retried.
      logger.error(
        { err: error, retryInSeconds: PG_BOSS_RETRY_MS / 1000 },
        "could not start pg-boss; background jobs are not running yet",
      );
      setTimeout(() => {
        if (globalJobs.__remsgateBoss === failed) {
          globalJobs.__remsgateBoss = undefined;
          void startBackgroundJobs();
        }
      }, PG_BOSS_RETRY_MS).unref();
      return null;
    },
  );
  const failed = globalJobs.__remsgateBoss;
  await globalJobs.__remsgateBoss;
}

/** The name instrumentation.ts uses; it now picks pg-boss or timers by database. */
export function startInProcessJobs(): void {
  void startBackgroundJobs();
}

export type BackgroundJobsState = "timers" | "pg-boss" | "starting" | "failed" | "not-started";

/** What runs the background jobs in this process, for the readiness check. */
export async function backgroundJobsState(): Promise<BackgroundJobsState> {
  if (globalJobs.__remsgateJobs) return "timers";
  const boss = globalJobs.__remsgateBoss;
  if (!boss) return "not-started";
  const settled = await Promise.race([boss, new Promise<"pending">((resolve) => setTimeout(resolve, 0, "pending"))]);
  if (settled === "pending") return "starting";
  return settled ? "pg-boss" : "failed";
}

/**
 * Runs one job soon, outside its schedule: through pg-boss when it is running here, otherwise in
 * this process without waiting for it (the embedded database, or jobs left to cron).
 */
export async function triggerBackgroundJob(name: (typeof JOBS)[number]["name"]): Promise<void> {
  const boss = await globalJobs.__remsgateBoss;
  if (boss) {
    await boss.trigger(name);
    return;
  }
  const job = JOBS.find((j) => j.name === name);
  if (job) setTimeout(guard(job.name, job.run), 0).unref();
}

/** Stops whatever startBackgroundJobs started (tests, graceful shutdown). */
export async function stopBackgroundJobs(): Promise<void> {
  for (const timer of globalJobs.__remsgateJobs ?? []) clearInterval(timer);
  globalJobs.__remsgateJobs = undefined;
  const boss = await globalJobs.__remsgateBoss;
  globalJobs.__remsgateBoss = undefined;
  if (boss) await boss.stop();
}
