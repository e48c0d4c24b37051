import path from "node:path";

/** Where the registry keeps its data: a PostgreSQL server, or an embedded PGlite directory. */
export type DatabaseConfig = { kind: "postgres"; url: string } | { kind: "pglite"; dir: string };

export const DEFAULT_PGLITE_DIR = ".data/pglite";

/**
 * `postgres://…` / `postgresql://…` → PostgreSQL; `pglite:<dir>` or nothing → embedded PGlite
 * (default `./.data/pglite`). `pglite:memory` gives a throw-away in-memory database.
 */
export function resolveDatabaseConfig(url: string | undefined = process.env.DATABASE_URL): DatabaseConfig {
  const value = url?.trim();
  if (!value) return { kind: "pglite", dir: path.resolve(/*turbopackIgnore: true*/ process.cwd(), DEFAULT_PGLITE_DIR) };
  if (value.startsWith("postgres://") || value.startsWith("postgresql://")) {
    return { kind: "postgres", url: value };
  }
  if (value.startsWith("pglite:")) {
    const dir = value.slice("pglite:".length) || DEFAULT_PGLITE_DIR;
    return {
      kind: "pglite",
      dir: dir === "memory" ? "memory://" : path.resolve(/*turbopackIgnore: true*/ process.cwd(), dir),
    };
  }
  throw new Error(
    `DATABASE_URL must start with postgresql:// (PostgreSQL) or pglite: (embedded database); got "${value.split(":")[0]}:…"`,
  );
}

export function describeDatabase(config: DatabaseConfig): string {
  if (config.kind === "pglite") return `embedded PGlite (${config.dir})`;
  const u = new URL(config.url);
  return `PostgreSQL ${u.hostname}:${u.port || "5432"}${u.pathname}`;
}
