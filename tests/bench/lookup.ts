/**
 * Certification lookup benchmark (not a test): `npm run bench:lookup`.
 *
 * GET /api/v1/programs/LEMTRADA/certifications?npi=… against two servers, one after the other, in
 * the same run:
 * - **app:** `scripts/serve.ts` (Next.js production server, NODE_ENV=production) on BENCH_PORT
 *   (3241), with TRUST_PROXY=true so that the address the rate limiter counts by is the one in
 *   X-Forwarded-For, and LOOKUP_RATE_LIMIT_PER_MINUTE raised so that it never refuses the load;
 * - **baseline:** tests/bench/lookup-baseline.ts, bare node:http + pg running the same statements
 *   (the rate-limit hit included) with the same zod schema, answer rule and ETag, on BENCH_PORT + 1.
 *
 * On the dispense benchmark's world (tests/bench/dispense-seed.ts; BENCH_SKIP_SEED=1 reuses the
 * database). For each server: checks first (a certified prescriber → 200 with ETag and
 * `Cache-Control: no-cache`; the same with If-None-Match → 304 without a body; a wrong check digit
 * → 400; an NPI nobody has → 404), a warm-up, then BENCH_CONNECTIONS (32) connections for
 * BENCH_DURATION (20) s, every request for one of the 300 seeded prescribers picked at random, from
 * one of LOOKUP_ADDRESSES (4096) client addresses picked at random; then a 1-connection probe.
 * After each run the rate limiter's counters for that server's addresses must add up to at least
 * the answers given: the limiter counted every request. Prints req/s, latency, server CPU per
 * request and the ratio app / baseline. Exits 1 on a failed check or a wrong answer, never
 * because a server is slow.
 */
import autocannon from "autocannon";
import pg from "pg";
import { hasBenchData } from "./dashboard-load";
import { DEFAULT_BENCH_DATABASE_URL, seedBenchDatabase } from "./dispense-seed";
import {
  ensureBuild,
  fmt,
  log,
  machineLine,
  type Server,
  startServer,
  stopServer,
  treeUsage,
  waitForHealth,
  appServerEnv,
} from "./harness";

const DB_URL = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
const APP_PORT = Number(process.env.BENCH_PORT ?? 3241);
const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const PROBE = Number(process.env.BENCH_PROBE ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ADDRESSES = Number(process.env.LOOKUP_ADDRESSES ?? 4096);
/** The largest LOOKUP_RATE_LIMIT_PER_MINUTE allowed (lib/env.ts): never reached, and the limiter still counts. */
const RATE_LIMIT = "1000000";
const PATH = "/api/v1/programs/LEMTRADA/certifications";

interface Report {
  name: string;
  reqPerSec: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
  non2xx: number;
  errors: number;
  serverCpuMsPerReq: number;
  counted: number;
  probe: { reqPerSec: number; p50: number; p99: number } | null;
  load: [number, number];
}

/** A client address of this server's own range (10.<n>.x.y), so that the two runs count apart. */
function address(serverIndex: number, i: number): string {
  return `10.${serverIndex + 1}.${(i >> 8) & 255}.${i & 255}`;
}

async function checks(server: Server, npi: string, serverIndex: number): Promise<string[]> {
  const problems: string[] = [];
  const base = `http://127.0.0.1:${server.port}${PATH}`;
  const from = { "x-forwarded-for": address(serverIndex, 0) };
  const ok = await fetch(`${base}?npi=${npi}`, { headers: from });
  const body = (await ok.json().catch(() => null)) as { certified?: boolean } | null;
  const etag = ok.headers.get("etag");
  if (ok.status !== 200 || body?.certified !== true)
    problems.push(`certified NPI: ${ok.status} ${JSON.stringify(body)}`);
  if (!etag || ok.headers.get("cache-control") !== "no-cache") {
    problems.push(`certified NPI: ETag ${etag}, Cache-Control ${ok.headers.get("cache-control")}`);
  }
  if (etag) {
    const again = await fetch(`${base}?npi=${npi}`, { headers: { ...from, "if-none-match": etag } });
    const text = await again.text();
    if (again.status !== 304 || text !== "") problems.push(`If-None-Match: ${again.status} "${text.slice(0, 80)}"`);
  }
  const wrongDigit = `${npi.slice(0, 9)}${(Number(npi[9]) + 1) % 10}`;
  const bad = await fetch(`${base}?npi=${wrongDigit}`, { headers: from });
  if (bad.status !== 400) problems.push(`wrong check digit: ${bad.status}`);
  const nobody = await fetch(`${base}?npi=1234567893`, { headers: from });
  if (nobody.status !== 404) problems.push(`unknown NPI: ${nobody.status}`);
  return problems;
}

async function drive(server: Server, npis: string[], serverIndex: number, seconds: number, connections: number) {
  let wrong = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: "GET",
        setupRequest: (request) => ({
          ...request,
          path: `${PATH}?npi=${npis[Math.floor(Math.random() * npis.length)]}`,
          headers: { "x-forwarded-for": address(serverIndex, Math.floor(Math.random() * ADDRESSES)) },
        }),
        onResponse: (status, body) => {
          if (status !== 200 || !body.includes('"certified":true')) wrong++;
        },
      },
    ],
  });
  return { result, wrong };
}

/** The limiter's count, over this run's windows, for one server's client addresses. */
async function counted(monitor: pg.Client, serverIndex: number, since: Date): Promise<number> {
  const { rows } = await monitor.query<{ n: string | null }>(
    `SELECT sum("count")::text AS n FROM "RateLimitBucket" WHERE "key" LIKE $1 AND "windowStart" >= $2`,
    [`lookup-api:10.${serverIndex + 1}.%`, new Date(Math.floor(since.getTime() / 60_000) * 60_000)],
  );
  return Number(rows[0]?.n ?? 0);
}

async function bench(
  server: Server,
  npis: string[],
  serverIndex: number,
  monitor: pg.Client,
): Promise<{ report: Report; problems: string[] }> {
  await waitForHealth(server);
  const pid = server.child.pid as number;
  log(`\n== ${server.name} (pid ${pid}, port ${server.port})`);
  const started = new Date();
  const problems = await checks(server, npis[0] as string, serverIndex);
  log(problems.length ? `  checks: ${problems.join("; ")}` : "  checks: 200 + ETag, 304, 400, 404 as expected");
  if (WARMUP > 0) await drive(server, npis, serverIndex, WARMUP, CONNECTIONS);
  const load0 = (await import("node:os")).loadavg()[0] ?? 0;
  const cpu0 = (await treeUsage(pid)).cpu;
  const { result, wrong } = await drive(server, npis, serverIndex, DURATION, CONNECTIONS);
  const cpu1 = (await treeUsage(pid)).cpu;
  const load1 = (await import("node:os")).loadavg()[0] ?? 0;
  let probe: Report["probe"] = null;
  let probeTotal = 0;
  if (PROBE > 0) {
    const p = await drive(server, npis, serverIndex, PROBE, 1);
    probeTotal = p.result.requests.total;
    if (p.wrong) problems.push(`${p.wrong} wrong answers in the probe`);
    probe = { reqPerSec: p.result.requests.average, p50: p.result.latency.p50, p99: p.result.latency.p99 };
  }
  const total = result.requests.total;
  if (wrong) problems.push(`${wrong} answers were not "certified" 200s ${JSON.stringify(result.statusCodeStats)}`);
  if (result.errors) problems.push(`${result.errors} connection errors / timeouts`);
  if (total === 0) problems.push("no request was answered");
  const count = await counted(monitor, serverIndex, started);
  // Checks + warm-up + run + probe all went through the limiter.
  if (count < total + probeTotal) problems.push(`the rate limiter counted ${count} of at least ${total + probeTotal}`);
  return {
    problems,
    report: {
      name: server.name,
      reqPerSec: result.requests.average,
      total,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      serverCpuMsPerReq: total ? ((cpu1 - cpu0) * 1000) / total : 0,
      counted: count,
      probe,
      load: [load0, load1],
    },
  };
}

async function main(): Promise<number> {
  log(`lookup benchmark — ${new Date().toISOString()}`);
  log(`machine: ${machineLine()}`);
  const probeDb = new pg.Client({ connectionString: DB_URL });
  const ready =
    process.env.BENCH_SKIP_SEED === "1" &&
    (await probeDb
      .connect()
      .then(() => hasBenchData(probeDb))
      .catch(() => false));
  await probeDb.end().catch(() => undefined);
  if (!ready) await seedBenchDatabase({ url: DB_URL, log: (line) => log(line) });
  else log(`seed: reusing ${new URL(DB_URL).pathname.slice(1)}`);
  const distDir = await ensureBuild();

  const monitor = new pg.Client({ connectionString: DB_URL });
  await monitor.connect();
  const npis = (
    await monitor.query<{ npi: string }>(
      `SELECT p."npi" FROM "Prescriber" p JOIN "Enrollment" e ON e."prescriberId" = p."id" AND e."status" = 'CERTIFIED'
        ORDER BY p."npi"`,
    )
  ).rows.map((r) => r.npi);
  if (npis.length === 0) throw new Error("the benchmark database has no certified prescriber");
  log(`${npis.length} certified prescribers; ${ADDRESSES} client addresses per server`);

  const all: { name: string; script: string; port: number; env: Record<string, string> }[] = [
    {
      name: "app",
      script: "scripts/serve.ts",
      port: APP_PORT,
      env: appServerEnv(APP_PORT, DB_URL, distDir, { TRUST_PROXY: "true", LOOKUP_RATE_LIMIT_PER_MINUTE: RATE_LIMIT }),
    },
    {
      name: "baseline",
      script: "tests/bench/lookup-baseline.ts",
      port: APP_PORT + 1,
      env: {
        NODE_ENV: "production",
        BENCH_DATABASE_URL: DB_URL,
        TRUST_PROXY: "true",
        LOOKUP_RATE_LIMIT_PER_MINUTE: RATE_LIMIT,
      },
    },
  ];
  const plans = all.filter((p) => !process.env.BENCH_ONLY || p.name === process.env.BENCH_ONLY);

  const reports: Report[] = [];
  let failed = false;
  try {
    for (const [index, plan] of plans.entries()) {
      const server = startServer(plan.name, plan.script, plan.port, plan.env);
      try {
        const { report, problems } = await bench(server, npis, index, monitor);
        reports.push(report);
        if (problems.length) {
          failed = true;
          log(`  PROBLEMS: ${problems.join("; ")}`);
        }
      } catch (error) {
        failed = true;
        log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`);
        log(server.output.join("").slice(-3000));
      } finally {
        await stopServer(server);
      }
    }
  } finally {
    await monitor.end();
  }

  log(`\n== Results: ${CONNECTIONS} connections, ${DURATION} s per server after a ${WARMUP} s warm-up`);
  log(`   machine now: ${machineLine()}`);
  for (const r of reports) {
    log(
      `   ${r.name.padEnd(9)} ${fmt(r.reqPerSec, 1).padStart(8)} req/s  p50/p90/p99 ${r.p50}/${r.p90}/${r.p99} ms  ` +
        `non-2xx ${r.non2xx}  errors ${r.errors}  server CPU ${fmt(r.serverCpuMsPerReq, 2)} ms/req  ` +
        `limiter counted ${fmt(r.counted)}  load ${fmt(r.load[0], 1)}→${fmt(r.load[1], 1)}` +
        (r.probe
          ? `  | 1 connection: ${fmt(r.probe.reqPerSec, 1)} req/s, p50/p99 ${r.probe.p50}/${r.probe.p99} ms`
          : ""),
    );
  }
  const app = reports.find((r) => r.name === "app");
  const baseline = reports.find((r) => r.name === "baseline");
  if (app && baseline && baseline.reqPerSec > 0) {
    log(`\n   ratio app / baseline (req/s): ${fmt(app.reqPerSec / baseline.reqPerSec, 2)} (target ≥ 0.70)`);
  }
  log(`\nJSON ${JSON.stringify({ connections: CONNECTIONS, duration: DURATION, reports })}`);
  return failed ? 1 : 0;
}

main()
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
