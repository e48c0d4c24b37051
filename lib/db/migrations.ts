/**
 * Migrations without the native Prisma schema engine: the wasm build of the engine
 * (@prisma/schema-engine-wasm) driven through a driver adapter. It reads and writes the standard
 * `prisma/migrations/<timestamp>_<name>/migration.sql` layout and Prisma's own `_prisma_migrations`
 * table, so `prisma migrate deploy` keeps working on machines that have the native engine.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { bindMigrationAwareSqlAdapterFactory, type SqlDriverAdapter } from "@prisma/driver-adapter-utils";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { MigrationList, SchemaEngine as SchemaEngineType } from "@prisma/schema-engine-wasm";
import { AwaitingPGliteFactory, createAdapterFactory, type PrismaAdapterFactory } from "./adapters";
import type { DatabaseConfig } from "./config";

export const MIGRATIONS_DIR = path.resolve("prisma/migrations");
export const SCHEMA_PATH = path.resolve("prisma/schema.prisma");

type WasmBindings = typeof import("@prisma/schema-engine-wasm/schema_engine_bg") & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

// On globalThis, not in module scope: the wasm glue module is a native import shared by the whole
// process, and a second copy of this module (vitest loads one per project) must not re-initialise it.
const engineCache = globalThis as unknown as { __remsgateSchemaEngine?: Promise<WasmBindings> };

/** Instantiates the engine's wasm module once per process (Node cannot import .wasm directly). */
function loadEngine(): Promise<WasmBindings> {
  engineCache.__remsgateSchemaEngine ??= (async () => {
    // Resolved from the project folder at run time (not by the bundler: the engine must stay external).
    const pkgDir = path.join(/*turbopackIgnore: true*/ process.cwd(), "node_modules", "@prisma", "schema-engine-wasm");
    const bgPath = path.join(pkgDir, "schema_engine_bg.js");
    const bg = (await import(
      /* webpackIgnore: true */ /* turbopackIgnore: true */ pathToFileURL(bgPath).href
    )) as WasmBindings;
    const wasmBytes = await readFile(path.join(path.dirname(bgPath), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(wasmBytes, { "./schema_engine_bg.js": bg as never });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return engineCache.__remsgateSchemaEngine;
}

/**
 * Two fixes for @prisma/adapter-pg 7.10.1 as the migration engine uses it:
 * - `executeScript` splits the script on ";" and would break any function body (our audit
 *   trigger); a migration runs as one multi-statement simple query instead.
 * - PostgreSQL's internal `"char"` type (OID 18), read by the engine's catalog queries, has no
 *   column-type mapping; it is text for every purpose here.
 */
class MigrationPgFactory extends PrismaPg {
  constructor(url: string) {
    super({ connectionString: url, max: 2, allowExitOnIdle: true });
  }
  private readonly opened: SqlDriverAdapter[] = [];
  override async connect() {
    const adapter = patchPgAdapter(await super.connect());
    this.opened.push(adapter);
    return adapter;
  }
  async disposeAll(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((a) => a.dispose()));
  }
  override async connectToShadowDb(): Promise<never> {
    throw new Error(
      "Authoring migrations against PostgreSQL is not supported here; `npm run db:migration` uses an in-memory PGlite shadow database.",
    );
  }
}

function patchPgAdapter<T extends SqlDriverAdapter>(adapter: T): T {
  const pool = (adapter as unknown as { underlyingDriver(): import("pg").Pool }).underlyingDriver();
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      (adapter as unknown as { onError(e: unknown): never }).onError(error);
    }
  };
  const io = adapter as unknown as { performIO(q: unknown): Promise<{ fields: { dataTypeID: number }[] }> };
  const original = io.performIO.bind(adapter);
  io.performIO = async (query: unknown) => {
    const result = await original(query);
    for (const field of result?.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
    return result;
  };
  return adapter;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<MigrationList> {
  const lockPath = "migration_lock.toml";
  const lock = await readFile(path.join(dir, lockPath), "utf8").catch(() => null);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map(async (e) => {
        const content = await readFile(path.join(dir, e.name, "migration.sql"), "utf8")
          .then((value) => ({ tag: "ok" as const, value }))
          .catch((err: Error) => ({ tag: "error" as const, value: err.message }));
        return { path: e.name, migrationFile: { path: "migration.sql", content } };
      }),
  );
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return { baseDir: dir, lockfile: { path: lockPath, content: lock }, shadowDbInitScript: "", migrationDirectories };
}

const noFilters = { externalTables: [], externalEnums: [] };

async function withEngine<T>(factory: PrismaAdapterFactory, fn: (engine: SchemaEngineType) => Promise<T>): Promise<T> {
  const bg = await loadEngine();
  const schema = await readFile(SCHEMA_PATH, "utf8");
  const engine = await bg.SchemaEngine.new(
    { datamodels: [[SCHEMA_PATH, schema]] },
    (log: string) => {
      if (process.env.MIGRATE_DEBUG) console.error(log);
    },
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
  }
}

/** Applies every pending migration; returns the names it applied (empty when up to date). */
export async function applyMigrations(config: DatabaseConfig): Promise<string[]> {
  const factory = config.kind === "postgres" ? new MigrationPgFactory(config.url) : createAdapterFactory(config);
  const migrationsList = await listMigrations();
  try {
    const result = await withEngine(factory, (engine) =>
      engine.applyMigrations({ migrationsList, filters: noFilters }),
    );
    return result.appliedMigrationNames;
  } finally {
    if (factory instanceof MigrationPgFactory) await factory.disposeAll();
  }
}

/**
 * The SQL that takes the migrations folder to the current schema.prisma, computed by replaying
 * the migrations into a throw-away in-memory PGlite database. Empty string when nothing changed.
 */
export async function diffSchemaAgainstMigrations(): Promise<string> {
  const scratch = new PGlite();
  try {
    const factory = new AwaitingPGliteFactory(scratch);
    const migrationsList = await listMigrations();
    const schema = await readFile(SCHEMA_PATH, "utf8");
    const result = await withEngine(factory, (engine) =>
      engine.diff({
        from: migrationsList.migrationDirectories.length ? { tag: "migrations", ...migrationsList } : { tag: "empty" },
        to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: schema }] },
        script: true,
        exitCode: null,
        filters: noFilters,
      }),
    );
    const sql = result.stdout ?? "";
    return /^\s*(--[^\n]*\n?\s*)*$/.test(sql) ? "" : sql;
  } finally {
    await scratch.close();
  }
}
