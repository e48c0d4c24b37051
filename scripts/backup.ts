/**
 * `npm run backup -- <file>`: a backup of the configured database.
 *   PostgreSQL (DATABASE_URL): pg_dump custom format, plus <file>.json with the row counts and the
 *   audit chain's head read in the dump's own snapshot.
 *   Embedded (no DATABASE_URL): stop the app first; copies .data/pglite to the folder <file>, with
 *   <file>.json likewise.
 * `npm run backup:check -- <file>`: proves the backup restores: loads it into a scratch database
 * (PostgreSQL: a new database on the same server, dropped afterwards; embedded: opens the copy),
 * compares every table's row count with <file>.json and re-verifies the whole audit chain. Exits 1
 * if anything differs.
 */
import { readFile, writeFile } from "node:fs/promises";
import pg from "pg";
import { createPrismaClient } from "../lib/db";
import { closePGlite } from "../lib/db/adapters";
import { resolveDatabaseConfig } from "../lib/db/config";
import {
  auditChainHeads,
  checkRestored,
  copyPGliteFolder,
  type DumpManifest,
  dumpPostgres,
  restorePostgres,
  tableCounts,
} from "../lib/ops/backup";

async function adminQuery(url: string, sql: string) {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function backup(file: string) {
  const config = resolveDatabaseConfig();
  if (config.kind === "postgres") {
    const manifest = await dumpPostgres(config.url, file);
    console.log(
      `Wrote ${file} and ${file}.json: ${Object.values(manifest.counts).reduce((a, b) => a + b, 0)} rows, audit head #${manifest.auditHead?.seq ?? "none"}.`,
    );
    return;
  }
  await copyPGliteFolder(config.dir, file);
  const client = createPrismaClient({ kind: "pglite", dir: file });
  try {
    const counts = await tableCounts(client);
    const head = await client.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
    const manifest: DumpManifest = {
      takenAt: new Date().toISOString(),
      counts,
      auditHead: head ? { seq: head.seq.toString(), hash: head.hash } : null,
      auditHeads: await auditChainHeads(client),
    };
    await writeFile(`${file}.json`, `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`Copied ${config.dir} to ${file} (with ${file}.json).`);
  } finally {
    await client.$disconnect();
    await closePGlite(file);
  }
}

async function check(file: string) {
  const manifest = JSON.parse(await readFile(`${file}.json`, "utf8")) as DumpManifest;
  const config = resolveDatabaseConfig();
  let result: Awaited<ReturnType<typeof checkRestored>>;
  if (config.kind === "postgres") {
    const scratch = new URL(config.url);
    const name = `remsgate_restore_check_${Date.now()}`;
    scratch.pathname = `/${name}`;
    await adminQuery(config.url, `CREATE DATABASE "${name}"`);
    try {
      await restorePostgres(file, scratch.toString());
      result = await checkRestored({ kind: "postgres", url: scratch.toString() }, manifest);
    } finally {
      await adminQuery(config.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } else {
    result = await checkRestored({ kind: "pglite", dir: file }, manifest);
  }
  const rows = Object.values(result.counts).reduce((a, b) => a + b, 0);
  console.log(`Restored ${rows} rows in ${Object.keys(result.counts).length} tables.`);
  for (const [table, want, got] of result.differences)
    console.log(`  ${table}: ${want} in the backup, ${got} restored`);
  console.log(
    result.auditChain.ok
      ? `Audit chain verified: ${result.auditChain.checked} events${result.auditHeadMatches ? ", every chain ending where the backup's did" : ", but it does NOT end where the backup's did"}.`
      : `Audit chain BROKEN at event ${result.auditChain.brokenAt} (${result.auditChain.reason}).`,
  );
  for (const { chain, expected, restored } of result.auditHeadDifferences) {
    console.log(
      `  audit chain ${chain}: ends at event ${expected ? `#${expected.seq}` : "(none)"} in the backup, ${restored ? `#${restored.seq}` : "(none)"} restored`,
    );
  }
  console.log(result.ok ? "The backup restores." : "The backup does NOT restore as taken.");
  process.exitCode = result.ok ? 0 : 1;
}

const [command, file] = process.argv.slice(2);
if (!file || (command !== "backup" && command !== "check")) {
  console.error("Usage: npm run backup -- <file>   |   npm run backup:check -- <file>");
  process.exit(2);
}
await (command === "backup" ? backup(file) : check(file));
