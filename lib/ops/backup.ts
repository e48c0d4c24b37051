/**
 * Backups that restore. PostgreSQL: `pg_dump --format=custom` and `pg_restore` (the server's own
 * tools, on PATH), and a restore check that loads a dump into a scratch database and compares row
 * counts and re-verifies the audit chain. The embedded database: a copy of its folder taken while
 * the app is stopped (PGlite has one writer, the app), checked the same way.
 */
import { execFile } from "node:child_process";
import { cp, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import pg from "pg";
import { CHAIN_HEADS_SQL, chainHeads } from "../audit/chain";
import { verifyAuditChain } from "../audit/service";
import type { DbOrTx } from "../db";
import { createPrismaClient } from "../db";
import { closePGlite } from "../db/adapters";
import type { DatabaseConfig } from "../db/config";

const run = promisify(execFile);

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

const TABLES_SQL = `SELECT table_name AS "name" FROM information_schema.tables
  WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`;
const AUDIT_HEAD_SQL = `SELECT "seq"::text AS "seq", "hash" FROM "AuditEvent" ORDER BY "seq" DESC LIMIT 1`;

/** The last event of one audit chain, as a manifest records it (seq as text: JSON has no bigint). */
export interface AuditChainHeadMark {
  chain: number;
  seq: string;
  hash: string;
}

function marksOf(rows: readonly Partial<Record<"chain" | "seq" | "hash", unknown>>[]): AuditChainHeadMark[] {
  return rows.map((r) => ({ chain: Number(r.chain), seq: String(r.seq), hash: String(r.hash) }));
}

/** The last event of every chain (lib/audit/chain.ts chainHeads), as a backup's manifest records them. */
export async function auditChainHeads(client: DbOrTx): Promise<AuditChainHeadMark[]> {
  return marksOf(await chainHeads(client));
}

async function countTables(query: Query): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const row of await query(TABLES_SQL)) {
    const name = String(row.name);
    const [count] = await query(`SELECT count(*)::int AS n FROM "${name.replace(/"/g, '""')}"`);
    counts[name] = Number(count?.n ?? 0);
  }
  return counts;
}

/** Row counts of every table of the registry (the public schema), by table name. */
export function tableCounts(client: DbOrTx): Promise<Record<string, number>> {
  return countTables((sql) => client.$queryRawUnsafe<Record<string, unknown>[]>(sql));
}

/** What a dump holds, counted in the dump's own snapshot: written beside it as <file>.json. */
export interface DumpManifest {
  takenAt: string;
  counts: Record<string, number>;
  /** The newest event of the whole trail. */
  auditHead: { seq: string; hash: string } | null;
  /**
   * The last event of every chain (absent from manifests written before it was recorded: their
   * check compares the newest event only).
   */
  auditHeads?: AuditChainHeadMark[];
}

/**
 * pg_dump in custom format, with the row counts and the audit chain's head read in the very
 * snapshot the dump is taken from (an exported snapshot), so a restore can be checked exactly
 * while the registry goes on writing.
 */
export async function dumpPostgres(url: string, file: string): Promise<DumpManifest> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const snapshot = (await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]?.id ?? "";
    const query: Query = async (sql) => (await client.query(sql)).rows;
    const counts = await countTables(query);
    const [head] = await query(AUDIT_HEAD_SQL);
    const heads = marksOf(await query(CHAIN_HEADS_SQL));
    await run(
      "pg_dump",
      ["--format=custom", "--no-owner", "--no-privileges", `--snapshot=${snapshot}`, `--file=${file}`, url],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    await client.query("COMMIT");
    const manifest: DumpManifest = {
      takenAt: new Date().toISOString(),
      counts,
      auditHead: head ? { seq: String(head.seq), hash: String(head.hash) } : null,
      auditHeads: heads,
    };
    await writeFile(`${file}.json`, `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    await client.end();
  }
}

/** Loads a dump into an empty database (the caller creates it). */
export async function restorePostgres(file: string, url: string): Promise<void> {
  await run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", `--dbname=${url}`, file], {
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Copies a stopped embedded database's folder (the app must not be running on it). */
export async function copyPGliteFolder(from: string, to: string): Promise<void> {
  await closePGlite(from);
  await cp(from, to, { recursive: true, errorOnExist: true, force: false });
}

export interface RestoreCheck {
  ok: boolean;
  counts: Record<string, number>;
  /** Tables whose count differs from the expected one: [table, expected, restored]. */
  differences: [string, number, number][];
  auditChain: Awaited<ReturnType<typeof verifyAuditChain>>;
  /** The restored trail ends where the dump's did: every chain's last event, when the manifest has them. */
  auditHeadMatches: boolean;
  /** The chains whose last event differs from the manifest's (empty when they all match). */
  auditHeadDifferences: { chain: number; expected: AuditChainHeadMark | null; restored: AuditChainHeadMark | null }[];
}

/** Opens a restored database, counts its rows against `expected` and walks its audit chain. */
export async function checkRestored(
  config: DatabaseConfig,
  expected: Pick<DumpManifest, "counts" | "auditHead" | "auditHeads">,
): Promise<RestoreCheck> {
  const client = createPrismaClient(config);
  try {
    const counts = await tableCounts(client);
    const names = new Set([...Object.keys(expected.counts), ...Object.keys(counts)]);
    const differences: [string, number, number][] = [];
    for (const name of [...names].sort()) {
      const want = expected.counts[name] ?? 0;
      const got = counts[name] ?? 0;
      if (want !== got) differences.push([name, want, got]);
    }
    const auditChain = await verifyAuditChain(client);
    const [head] = await client.$queryRawUnsafe<{ seq: string; hash: string }[]>(AUDIT_HEAD_SQL);
    const newestMatches =
      (head ?? null) === null
        ? expected.auditHead === null
        : expected.auditHead?.seq === head?.seq && expected.auditHead?.hash === head?.hash;
    const auditHeadDifferences: RestoreCheck["auditHeadDifferences"] = [];
    if (expected.auditHeads) {
      const restored = new Map((await auditChainHeads(client)).map((h) => [h.chain, h]));
      const wanted = new Map(expected.auditHeads.map((h) => [h.chain, h]));
      for (const chain of [...new Set([...wanted.keys(), ...restored.keys()])].sort((a, b) => a - b)) {
        const want = wanted.get(chain) ?? null;
        const got = restored.get(chain) ?? null;
        if (want?.seq !== got?.seq || want?.hash !== got?.hash) {
          auditHeadDifferences.push({ chain, expected: want, restored: got });
        }
      }
    }
    const auditHeadMatches = newestMatches && auditHeadDifferences.length === 0;
    return {
      ok: differences.length === 0 && auditChain.ok && auditHeadMatches,
      counts,
      differences,
      auditChain,
      auditHeadMatches,
      auditHeadDifferences,
    };
  } finally {
    await client.$disconnect();
    if (config.kind === "pglite") await closePGlite(config.dir);
  }
}
