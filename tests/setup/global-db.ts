/**
 * Gives each integration project a fresh, migrated database: PostgreSQL (recreated from scratch)
 * or an embedded PGlite directory (deleted and recreated).
 */
import { rm } from "node:fs/promises";
import type { TestProject } from "vitest/node";
import { closePGlite } from "../../lib/db/adapters";
import { resolveDatabaseConfig } from "../../lib/db/config";
import { applyMigrations } from "../../lib/db/migrations";
import { reservedIdentifiersFolder } from "../factories/identifiers";
import { recreatePostgresDatabase } from "./postgres";

export default async function setup(project: TestProject) {
  const url = project.config.env?.DATABASE_URL as string | undefined;
  const config = resolveDatabaseConfig(url);
  if (config.kind === "postgres") await recreatePostgresDatabase(config.url);
  else await rm(config.dir, { recursive: true, force: true });
  await applyMigrations(config);
  await closePGlite();
  // The identifiers this run's test files reserved (tests/factories/identifiers.ts): this process
  // started them. Removed after the run; the databases they were unique in are recreated next run.
  return async () => {
    await rm(reservedIdentifiersFolder(process.pid), { recursive: true, force: true });
  };
}
