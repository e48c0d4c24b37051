/**
 * Lab-feed import benchmark (not a test): `npm run bench:lab-import` (DATABASE_URL as usual; the
 * script runs with the production server's V8 settings, lib/runtime/server-node-args.ts, as the
 * import does inside the server; the heap it needs is what it prints, to hold under 160 MB). In one
 * run, against the same database:
 *
 * 1. baseline: `COPY … FROM STDIN` of the file's valid rows (its five columns, typed) into a plain
 *    table with no index or constraint, streamed from the same generator as the file;
 * 2. the import: ROWS (default 100,000) generated rows, 5% bad, through importLabFeed in MODE
 *    (default valid_rows), sampling the heap every 20 ms;
 * 3. for reference: `COPY` of the rows the import stored (LabResult's columns) into a table with
 *    LabResult's indexes and foreign keys, i.e. what the database itself needs to land them.
 *
 * It prints rows/s for each, the ratio import ÷ baseline (over the same valid rows: the baseline
 * COPY's time divided by the import's), the heap peak sampled every 20 ms (garbage included) and
 * split into the old generation (what --max-old-space-size caps) and the young one (which V8 sizes
 * by itself), the peak of the heap right after a full (mark-sweep) collection, i.e. what is still
 * referenced, and the RSS peak. REPEAT runs it again.
 */
import { constants, PerformanceObserver } from "node:perf_hooks";
import { Readable } from "node:stream";
import v8 from "node:v8";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { db, disconnectDb } from "../../lib/db";
import { csvField, withBulkTransaction } from "../../lib/db/bulk";
import { resolveDatabaseConfig } from "../../lib/db/config";
import { applyMigrations } from "../../lib/db/migrations";
import { importLabFeed } from "../../lib/labs/import";
import { addDays } from "../../lib/monitoring/rules";
import { createPrescriberWithPatients } from "../factories/patients-lite";
import { signIn } from "../factories/users";

const ROWS = Number(process.env.ROWS ?? 100_000);
const REPEAT = Number(process.env.REPEAT ?? 1);
const TESTS = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];
const HEADER = "rems_patient_id,test_code,collected_date,result_flag,lab_id\n";
const config = resolveDatabaseConfig();

/** The file's rows in 64 kB pieces; `validOnly` leaves out the bad rows and the header. */
function* feed(ids: string[], validOnly: boolean): Generator<string> {
  if (!validOnly) yield HEADER;
  let buf = "";
  for (let i = 0; i < ROWS; i++) {
    const bad = i % 20 === 7;
    if (bad && validOnly) continue;
    const day = addDays("1990-01-01", Math.floor(i / (ids.length * TESTS.length)));
    buf += `${ids[i % ids.length]},${bad ? "XYZ" : TESTS[Math.floor(i / ids.length) % TESTS.length]},${day},normal,LAB-${i % 3}\n`;
    if (buf.length > 65_536) {
      yield buf;
      buf = "";
    }
  }
  yield buf;
}

const bytesOf = (pieces: Iterable<string>) =>
  Readable.from(
    (function* () {
      for (const piece of pieces) yield Buffer.from(piece);
    })(),
  );

const PLAIN_COLUMNS = ["rems_patient_id", "test_code", "collected_date", "result_flag", "lab_id"];
const LAB_RESULT_COLUMNS = [
  "id",
  "patientId",
  "programId",
  "testCode",
  "collectedOn",
  "abnormal",
  "note",
  "labId",
  "source",
  "importId",
  "dedupeKey",
  "recordedByUserId",
  "createdAt",
];
const columnList = (columns: string[]) => columns.map((c) => `"${c}"`).join(", ");

/** COPY of `pieces` (CSV) into `table`: one stream on PostgreSQL, 64 kB blobs on PGlite. Seconds. */
async function timedCopy(setup: string[], table: string, columns: string[], pieces: Iterable<string>): Promise<number> {
  if (config.kind === "pglite") {
    await withBulkTransaction(async (tx) => {
      for (const sql of setup) await tx.query(sql);
    });
    const started = performance.now();
    await withBulkTransaction(async (tx) => {
      for (const piece of pieces) if (piece) await tx.copyCsv(table, columns, piece);
    });
    return (performance.now() - started) / 1000;
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  try {
    for (const sql of setup) await client.query(sql);
    const started = performance.now();
    await pipeline(
      bytesOf(pieces),
      client.query(copyFrom(`COPY ${table} (${columnList(columns)}) FROM STDIN WITH (FORMAT csv)`)),
    );
    return (performance.now() - started) / 1000;
  } finally {
    await client.end();
  }
}

/** The stored rows of the import as CSV (read before timing the reference COPY). */
async function storedRowsCsv(importId: string): Promise<string[]> {
  const where = `FROM "LabResult" WHERE "importId" = '${importId}'`;
  if (config.kind === "pglite") {
    const select = `SELECT ${LAB_RESULT_COLUMNS.map((c) => `"${c}"::text AS "${c}"`).join(", ")} ${where}`;
    const { rows } = await withBulkTransaction((tx) => tx.query<Record<string, string | null>>(select));
    const pieces: string[] = [];
    let buf = "";
    for (const row of rows) {
      buf += `${LAB_RESULT_COLUMNS.map((c) => csvField(row[c] ?? null)).join(",")}\n`;
      if (buf.length > 65_536) {
        pieces.push(buf);
        buf = "";
      }
    }
    pieces.push(buf);
    return pieces;
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  try {
    const chunks: Buffer[] = [];
    const out = client.query(
      copyTo(`COPY (SELECT ${columnList(LAB_RESULT_COLUMNS)} ${where}) TO STDOUT WITH (FORMAT csv)`),
    );
    for await (const chunk of out) chunks.push(chunk as Buffer);
    return [Buffer.concat(chunks).toString("utf8")];
  } finally {
    await client.end();
  }
}

const mb = (bytes: number) => Math.round(bytes / 1e6);

async function runOnce(round: number) {
  const world = await createPrescriberWithPatients(20);
  const { actor } = await signIn(world);
  const ids = world.patients.map((p) => p.remsId);
  const validRows = ROWS - Math.floor((ROWS + 12) / 20);

  const baseline = await timedCopy(
    [
      "DROP TABLE IF EXISTS bench_lab_copy_plain",
      "CREATE TABLE bench_lab_copy_plain (rems_patient_id text, test_code text, collected_date date, result_flag text, lab_id text)",
    ],
    "bench_lab_copy_plain",
    PLAIN_COLUMNS,
    feed(ids, true),
  );

  global.gc?.();
  const baseHeap = process.memoryUsage().heapUsed;
  let peakRss = 0;
  let peakHeap = 0;
  let peakAfterGc = 0;
  let peakOld = 0;
  let peakNew = 0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    let old = 0;
    for (const space of v8.getHeapSpaceStatistics()) {
      if (space.space_name === "new_space") peakNew = Math.max(peakNew, space.space_used_size);
      else old += space.space_used_size;
    }
    peakOld = Math.max(peakOld, old);
  }, 20);
  // The heap right after each full collection: what is still referenced, without garbage.
  const gcs = new PerformanceObserver((list) => {
    const major = list
      .getEntries()
      .some(
        (e) =>
          (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR,
      );
    if (major) peakAfterGc = Math.max(peakAfterGc, process.memoryUsage().heapUsed);
  });
  gcs.observe({ entryTypes: ["gc"] });
  const started = performance.now();
  const summary = await importLabFeed(actor, {
    fileName: "bench.csv",
    mode: process.env.MODE ?? "valid_rows",
    body: bytesOf(feed(ids, false)),
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  gcs.disconnect();
  const stored = await db().labResult.count({ where: { importId: summary.importId } });

  const storedCsv = await storedRowsCsv(summary.importId);
  const indexed = await timedCopy(
    [
      "DROP TABLE IF EXISTS bench_lab_copy_indexed",
      `CREATE TABLE bench_lab_copy_indexed (LIKE "LabResult" INCLUDING ALL)`,
      `ALTER TABLE bench_lab_copy_indexed ADD FOREIGN KEY ("patientId") REFERENCES "Patient"("id"),
         ADD FOREIGN KEY ("importId") REFERENCES "LabImport"("id")`,
    ],
    "bench_lab_copy_indexed",
    LAB_RESULT_COLUMNS,
    storedCsv,
  );

  const rate = (rows: number, s: number) => Math.round(rows / s);
  console.log(
    JSON.stringify({
      round,
      backend: config.kind,
      rows: ROWS,
      validRows,
      stored,
      import: {
        seconds: +seconds.toFixed(2),
        fileRowsPerSecond: rate(ROWS, seconds),
        validRowsPerSecond: rate(validRows, seconds),
      },
      copyPlain: { seconds: +baseline.toFixed(2), rowsPerSecond: rate(validRows, baseline) },
      ratioToCopyPlain: +(baseline / seconds).toFixed(3),
      copyIndexedLikeLabResult: { seconds: +indexed.toFixed(2), rowsPerSecond: rate(stored, indexed) },
      ratioToCopyIndexed: +(indexed / seconds).toFixed(3),
      heapPeakMb: mb(peakHeap),
      oldGenerationPeakMb: mb(peakOld),
      youngGenerationPeakMb: mb(peakNew),
      heapAfterGcPeakMb: mb(peakAfterGc),
      heapBeforeMb: mb(baseHeap),
      rssPeakMb: mb(peakRss),
      summary,
    }),
  );
}

async function main() {
  // The database as the app would find it: migrated (a new PGlite folder, or a new PostgreSQL database).
  const applied = await applyMigrations(config);
  if (applied.length > 0) console.log(`migrations applied: ${applied.length}`);
  for (let round = 1; round <= REPEAT; round++) await runOnce(round);
  await disconnectDb();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
