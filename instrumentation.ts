/**
 * Runs once when the server starts. On the embedded database (the demo and single-machine
 * installs) the app applies its own pending migrations; PostgreSQL deployments run
 * `npm run db:migrate` as a release step instead (see README).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { resolveDatabaseConfig } = await import("./lib/db/config");
  const config = resolveDatabaseConfig();
  if (config.kind === "pglite" || process.env.MIGRATE_ON_START === "1") {
    const { applyMigrations } = await import("./lib/db/migrations");
    const applied = await applyMigrations(config);
    if (applied.length) console.log(`remsgate: applied ${applied.length} migration(s): ${applied.join(", ")}`);
  }
  // Mail delivery, certification expiry and monitoring reminders (lib/jobs/scheduler.ts): pg-boss on
  // PostgreSQL, timers on the embedded database. JOBS_IN_PROCESS=0 to run them from cron instead.
  if (process.env.JOBS_IN_PROCESS !== "0") {
    const { startBackgroundJobs } = await import("./lib/jobs/scheduler");
    void startBackgroundJobs();
  }
}
