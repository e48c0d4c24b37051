/**
 * Databases of a test's own, on the backend under test (an in-memory PGlite, or a new PostgreSQL
 * database next to the test database), for tests that change structure: partitions, migrations.
 * Close them with closeScratchDatabases() in afterAll.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { createPrismaClient, type Db } from "../../lib/db";
import { closePGlite, openPGlite } from "../../lib/db/adapters";
import { type DatabaseConfig, resolveDatabaseConfig } from "../../lib/db/config";
import { applyMigrations, listMigrations } from "../../lib/db/migrations";
import { dropPostgresDatabase, recreatePostgresDatabase } from "./postgres";

export const ON_PGLITE = resolveDatabaseConfig().kind === "pglite";

export interface Scratch {
  config: DatabaseConfig;
  client: Db;
  /** Runs a multi-statement script as is (a migration). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

const opened: Scratch[] = [];

export async function closeScratchDatabases(): Promise<void> {
  for (const scratch of opened.splice(0)) await scratch.close();
}

/** An empty database of this test's own, on the backend under test. */
export async function scratchDatabase(): Promise<Scratch> {
  const tag = randomUUID().replace(/-/g, "").slice(0, 10);
  let scratch: Scratch;
  if (ON_PGLITE) {
    const dir = `memory://scratch-${tag}`;
    const handle = await openPGlite(dir);
    const config: DatabaseConfig = { kind: "pglite", dir };
    const client = createPrismaClient(config);
    scratch = {
      config,
      client,
      exec: async (sql) => {
        await handle.exec(sql);
      },
      close: async () => {
        await client.$disconnect();
        await closePGlite(dir);
      },
    };
  } else {
    const url = new URL(process.env.DATABASE_URL ?? "");
    url.pathname = `${url.pathname}_part_${tag}`;
    await recreatePostgresDatabase(url.toString());
    const config: DatabaseConfig = { kind: "postgres", url: url.toString() };
    const client = createPrismaClient(config);
    scratch = {
      config,
      client,
      exec: async (sql) => {
        const raw = new pg.Client({ connectionString: url.toString() });
        await raw.connect();
        try {
          await raw.query(sql);
        } finally {
          await raw.end();
        }
      },
      close: async () => {
        await client.$disconnect();
        await dropPostgresDatabase(url.toString());
      },
    };
  }
  opened.push(scratch);
  return scratch;
}

/** A scratch database with every migration applied. */
export async function migratedScratch(): Promise<Scratch> {
  const scratch = await scratchDatabase();
  await applyMigrations(scratch.config);
  return scratch;
}

/**
 * A scratch database with every migration before `name` applied, and `name`'s SQL, to apply after
 * writing rows in the shape the migration upgrades.
 */
export async function scratchBefore(name: string): Promise<{ scratch: Scratch; migration: string }> {
  const scratch = await scratchDatabase();
  const { migrationDirectories } = await listMigrations();
  const target = migrationDirectories.find((m) => m.path === name);
  if (target?.migrationFile.content.tag !== "ok") throw new Error(`the migration ${name} is missing`);
  for (const m of migrationDirectories.filter((m) => m.path < name)) {
    if (m.migrationFile.content.tag !== "ok") throw new Error(`cannot read ${m.path}`);
    await scratch.exec(m.migrationFile.content.value);
  }
  return { scratch, migration: target.migrationFile.content.value };
}
