/**
 * Lab-feed import benchmark (not a test): imports ROWS (default 100,000) generated rows, 5% bad, in
 * valid-rows mode through the import service against the configured database, under a 160 MB heap
 * cap, and prints the time and the peak heap and RSS. `npm run bench:lab-import` (DATABASE_URL as usual).
 */
import { Readable } from "node:stream";
import { db, disconnectDb } from "../../lib/db";
import { importLabFeed } from "../../lib/labs/import";
import { addDays } from "../../lib/monitoring/rules";
import { createPrescriberWithPatients } from "../factories/patients-lite";
import { signIn } from "../factories/users";

const ROWS = Number(process.env.ROWS ?? 100_000);
const TESTS = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];

async function main() {
  const world = await createPrescriberWithPatients(20);
  const { actor } = await signIn(world);
  const ids = world.patients.map((p) => p.remsId);
  let bytes = 0;
  function* lines() {
    yield "rems_patient_id,test_code,collected_date,result_flag,lab_id\n";
    let buf = "";
    for (let i = 0; i < ROWS; i++) {
      const bad = i % 20 === 7;
      const day = addDays("2020-01-01", Math.floor(i / (ids.length * TESTS.length)));
      buf += `${ids[i % ids.length]},${bad ? "XYZ" : TESTS[Math.floor(i / ids.length) % TESTS.length]},${day},normal,LAB-${i % 3}\n`;
      if (buf.length > 65_536) {
        bytes += buf.length;
        yield buf;
        buf = "";
      }
    }
    bytes += buf.length;
    yield buf;
  }
  let peakRss = 0;
  let peakHeap = 0;
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const started = performance.now();
  const summary = await importLabFeed(actor, {
    fileName: "bench.csv",
    mode: process.env.MODE ?? "valid_rows",
    body: Readable.from(
      (function* () {
        for (const l of lines()) yield Buffer.from(l);
      })(),
    ),
  });
  const ms = performance.now() - started;
  clearInterval(timer);
  console.log(
    JSON.stringify({
      backend: process.env.DATABASE_URL?.split(":")[0],
      rows: ROWS,
      mb: (bytes / 1e6).toFixed(1),
      seconds: (ms / 1000).toFixed(1),
      baseRssMb: (baseRss / 1e6).toFixed(0),
      peakRssMb: (peakRss / 1e6).toFixed(0),
      peakHeapMb: (peakHeap / 1e6).toFixed(0),
      summary,
    }),
  );
  console.log("rows in db:", await db().labResult.count({ where: { importId: summary.importId } }));
  await disconnectDb();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
