/**
 * Audit-append benchmark (not a test): `npm run bench:audit-append`.
 *
 * What the audit chains buy at the database alone, without an HTTP server or Node.js in the way:
 * pgbench runs, against a freshly migrated database (AUDIT_BENCH_DATABASE_URL, recreated), short
 * write transactions from BENCH_CLIENTS (10, the app's pool) concurrent clients:
 *   chains     BEGIN; audit_append (the chain the transaction's first append chooses); COMMIT
 *   one-chain  the same with every append sent to chain 0, the single queue the trail was before
 *   plain      BEGIN; one small INSERT into another table; COMMIT: a write transaction without the
 *              audit trail, the reference
 * BENCH_ROUNDS (2) rounds of BENCH_DURATION (15) seconds each, the order rotated every round
 * because the host's load drifts; it prints each run, the median per variant and the ratios, then
 * verifies every chain row by row (the appended rows carry their real canonical content and hash).
 * PGBENCH names the binary (default: pgbench on PATH, else PostgreSQL 15's).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { verifyAuditChain } from "../../lib/audit/service";
import { createPrismaClient } from "../../lib/db";
import { applyMigrations } from "../../lib/db/migrations";
import { recreatePostgresDatabase } from "../setup/postgres";

const URL_ = process.env.AUDIT_BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/remsgate_audit_append_bench";
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 10);
const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

function pgbenchBinary(): string {
  if (process.env.PGBENCH) return process.env.PGBENCH;
  const onPath = spawnSync("pgbench", ["--version"]);
  if (onPath.status === 0) return "pgbench";
  const debian = "/usr/lib/postgresql/15/bin/pgbench";
  if (existsSync(debian)) return debian;
  throw new Error("pgbench not found: install postgresql-client or set PGBENCH");
}

// The row's content and its canonical JSON (lib/audit/hash.ts: keys sorted, `at` in ISO form with
// milliseconds, as the timestamptz(3) column returns it), so that the chains verify afterwards.
const APPEND = `SELECT e.seq FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS t) x,
  LATERAL audit_append(x.t, NULL, NULL, 'bench.append', 'Bench', NULL, NULL, '{"n": 1}'::jsonb, NULL,
    '{"action":"bench.append","actorId":null,"actorRole":null,"after":{"n":1},"at":"' ||
    to_char(x.t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ||
    '","before":null,"entityId":null,"entityType":"Bench","requestId":null}') e;`;

const SCRIPTS: Record<string, string> = {
  chains: `BEGIN;\n${APPEND}\nCOMMIT;\n`,
  "one-chain": `BEGIN;\nSELECT set_config('remsgate.audit_chain', '0', true);\n${APPEND}\nCOMMIT;\n`,
  plain: `BEGIN;\nINSERT INTO "RateLimitBucket" ("key", "windowStart", "count") VALUES ('bench-' || :client_id || '-' || random(), now(), 1);\nCOMMIT;\n`,
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

async function main(): Promise<number> {
  console.log(`audit-append benchmark — ${new Date().toISOString()}`);
  await recreatePostgresDatabase(URL_);
  await applyMigrations({ kind: "postgres", url: URL_ });
  const dir = await mkdtemp(path.join(os.tmpdir(), "audit-append-"));
  for (const [name, sql] of Object.entries(SCRIPTS)) await writeFile(path.join(dir, `${name}.sql`), sql);
  const pgbench = pgbenchBinary();
  const names = Object.keys(SCRIPTS);
  const tps = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length] as string);
    for (const name of order) {
      const run = spawnSync(
        pgbench,
        ["-n", "-c", String(CLIENTS), "-j", "2", "-T", String(DURATION), "-f", path.join(dir, `${name}.sql`), URL_],
        { encoding: "utf8" },
      );
      const value = Number(/^tps = ([\d.]+)/m.exec(run.stdout)?.[1] ?? Number.NaN);
      const latency = /^latency average = ([\d.]+) ms/m.exec(run.stdout)?.[1] ?? "?";
      if (run.status !== 0 || Number.isNaN(value)) {
        console.error(run.stdout, run.stderr);
        throw new Error(`pgbench ${name} failed (exit ${run.status})`);
      }
      tps.get(name)?.push(value);
      console.log(`  round ${round + 1} ${name.padEnd(10)} ${value.toFixed(0).padStart(6)} tps, ${latency} ms average`);
    }
  }
  const m = Object.fromEntries(names.map((n) => [n, median(tps.get(n) ?? [])]));
  const [chains, one, plain] = [m.chains ?? 0, m["one-chain"] ?? 0, m.plain ?? 0];
  console.log(
    `\n  ${CLIENTS} clients, ${DURATION} s per run, ${ROUNDS} rounds; ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)}`,
  );
  console.log(`  median tps: chains ${chains.toFixed(0)}, one-chain ${one.toFixed(0)}, plain ${plain.toFixed(0)}`);
  console.log(`  ratio chains / plain: ${(chains / plain).toFixed(2)}`);
  console.log(`  ratio one-chain / plain: ${(one / plain).toFixed(2)}`);
  console.log(`  ratio chains / one-chain: ${(chains / one).toFixed(2)}`);

  const client = createPrismaClient({ kind: "postgres", url: URL_ });
  try {
    const result = await verifyAuditChain(client);
    const perChain = await client.$queryRaw<{ chain: number; n: number }[]>`
      SELECT "chain"::int AS "chain", count(*)::int AS "n" FROM "AuditEvent" GROUP BY 1 ORDER BY 1`;
    console.log(
      `\n  audit chains: ${result.ok ? `${result.checked} rows verify` : `BROKEN at seq ${result.brokenAt} (${result.reason})`}`,
    );
    console.log(`  rows per chain: ${perChain.map((c) => `${c.chain}: ${c.n}`).join(", ")}`);
    return result.ok ? 0 : 1;
  } finally {
    await client.$disconnect();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
