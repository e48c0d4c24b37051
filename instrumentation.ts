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
  // Mail delivery and certification expiry (see lib/jobs/scheduler.ts); JOBS_IN_PROCESS=0 to run them from cron.
  if (process.env.JOBS_IN_PROCESS !== "0") {
    const { startInProcessJobs } = await import("./lib/jobs/scheduler");
    startInProcessJobs();
  }
}
