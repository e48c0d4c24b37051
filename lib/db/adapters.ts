import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type pg from "pg";
import type { DatabaseConfig } from "./config";
import { pgliteSqlDriver, pgSqlDriver, type SqlDriver } from "./sql";

/**
 * PGlite handles are shared per directory within a process: PGlite allows one open handle per
 * data directory, and the app, the migrator and the seed may all want one.
 */
const globalHandles = globalThis as unknown as { __remsgatePGlite?: Map<string, PGlite> };
globalHandles.__remsgatePGlite ??= new Map<string, PGlite>();
const pgliteHandles = globalHandles.__remsgatePGlite;

export function openPGliteSync(dir: string): PGlite {
  let handle = pgliteHandles.get(dir);
  if (!handle || handle.closed) {
    if (!dir.startsWith("memory://")) mkdirSync(dir, { recursive: true });
    handle = new PGlite(dir);
    pgliteHandles.set(dir, handle);
  }
  return handle;
}

export async function openPGlite(dir: string): Promise<PGlite> {
  const handle = openPGliteSync(dir);
  await handle.waitReady;
  return handle;
}

export async function closePGlite(dir?: string): Promise<void> {
  for (const [key, handle] of pgliteHandles) {
    if (dir && key !== dir) continue;
    pgliteHandles.delete(key);
    if (!handle.closed) await handle.close();
  }
}

/** pglite-prisma-adapter 0.7.2 fires `executeScript` without awaiting it; errors would be lost. */
export class AwaitingPGliteFactory extends PrismaPGlite {
  constructor(readonly handle: PGlite) {
    super(handle);
  }
  override async connect(): Promise<SqlDriverAdapter> {
    const adapter = await super.connect();
    const handle = this.handle;
    adapter.executeScript = async (script: string) => {
      await handle.exec(script);
    };
    return adapter;
  }
}

/** PrismaPg that remembers the pool it opened, so plain SQL (./sql.ts) can share it. */
export class PoolSharingPg extends PrismaPg {
  pool: pg.Pool | null = null;
  override async connect() {
    const adapter = await super.connect();
    this.pool = adapter.underlyingDriver();
    return adapter;
  }
}

export type PrismaAdapterFactory = SqlMigrationAwareDriverAdapterFactory;

/**
 * Plain SQL on the same connections as the Prisma client made with `factory`. `connect` connects
 * that client (it opens the pool on first use, and again after a disconnect).
 */
export function sqlDriverFor(factory: PrismaAdapterFactory, connect: () => Promise<void>): SqlDriver {
  if (factory instanceof PoolSharingPg) {
    return pgSqlDriver(async () => {
      if (!factory.pool || factory.pool.ending) await connect();
      if (!factory.pool) throw new Error("the database client did not open its pool");
      return factory.pool;
    });
  }
  if (factory instanceof AwaitingPGliteFactory) return pgliteSqlDriver(factory.handle);
  throw new Error("plain SQL needs a client made by createPrismaClient");
}

export function createAdapterFactory(
  config: DatabaseConfig,
  options: { poolSize?: number } = {},
): PrismaAdapterFactory {
  if (config.kind === "postgres") {
    // connectionTimeoutMillis: waiting for a pooled connection is bounded like the client's
    // transactions (maxWait, lib/db.ts); the timeout is an outage answer (503), not a hang.
    return new PoolSharingPg({
      connectionString: config.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
    });
  }
  return new AwaitingPGliteFactory(openPGliteSync(config.dir));
}
