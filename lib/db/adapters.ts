import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { DatabaseConfig } from "./config";

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
  constructor(private readonly pg: PGlite) {
    super(pg);
  }
  override async connect(): Promise<SqlDriverAdapter> {
    const adapter = await super.connect();
    const pg = this.pg;
    adapter.executeScript = async (script: string) => {
      await pg.exec(script);
    };
    return adapter;
  }
}

export type PrismaAdapterFactory = SqlMigrationAwareDriverAdapterFactory;

export function createAdapterFactory(
  config: DatabaseConfig,
  options: { poolSize?: number } = {},
): PrismaAdapterFactory {
  if (config.kind === "postgres") {
    return new PrismaPg({ connectionString: config.url, max: options.poolSize ?? 10 });
  }
  return new AwaitingPGliteFactory(openPGliteSync(config.dir));
}
