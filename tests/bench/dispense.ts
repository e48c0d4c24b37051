/**
 * Dispense-gate benchmark (not a test): `npm run bench`.
 *
 * 1. Recreates PostgreSQL database `remsgate_bench`, migrates and seeds it (tests/bench/dispense-seed.ts:
 *    100,000 enrolled patients with their monitoring history, one pharmacy with an API key).
 * 2. Reuses a production build that is newer than the sources (.next, .next-bench-1, .next-bench-2), or
 *    builds one into the older .next-bench-N slot (tsconfig.json and next-env.d.ts are put back as they
 *    were); when the sources do not build, the other slot's build is served with a warning.
 * 3. For each server in turn — the app (`scripts/serve.ts`, NODE_ENV=production, port 3241), the
 *    baseline (tests/bench/dispense-baseline.ts, bare node:http + pg, port 3242) and the same baseline
 *    without the audit append (port 3243), plus with BENCH_ONE_CHAIN=1 the baseline with every
 *    append on one chain, as before the trail had several (port 3244):
 *    one request per patient kind (the decision must be the expected one), a warm-up, a CHECKPOINT, the measured
 *    run (autocannon, BENCH_CONNECTIONS=64 connections for BENCH_DURATION=20 s, every request a new
 *    prescription and Idempotency-Key for a random seeded patient; a patient drawn again after an
 *    approval is denied QUANTITY_EXCEEDS_COURSE, as the gate counts a course's vials across requests,
 *    alike for every server), then a 1-connection latency probe. Each sanity check asks about
 *    patients no earlier check asked about.
 *    Server CPU and RSS (whole process tree, from /proc) and PostgreSQL wait events are sampled.
 * 4. Prints req/s, p50/p99, non-2xx, errors/timeouts, RSS, the APPROVED/DENIED split from the
 *    database, the ratio app/baseline and what the audit chain costs (baseline / baseline without
 *    the audit append); exits non-zero only when a server fails (start-up,
 *    crashes, 5xx/4xx answers, wrong decisions), never because it is slow.
 * The database is left for inspection; the next run recreates it.
 *
 * Environment: BENCH_DATABASE_URL, BENCH_ROUNDS (1; more measures every server that many times in
 * alternating order and prints the medians and the ratio of the medians), BENCH_DURATION, BENCH_WARMUP (5), BENCH_PROBE (5, 0 = off),
 * BENCH_CONNECTIONS, PATIENTS (100000), BENCH_DIST_DIR (use this build, no check),
 * BENCH_ONLY=app,baseline,baseline-no-audit,baseline-one-chain (any of them, comma-separated, run in that order),
 * BENCH_ONE_CHAIN=1, BENCH_SKIP_SEED=1 (reuse the database; needs BENCH_API_KEY). At the end the audit chain that all
 * servers appended to is verified row by row.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { verifyAuditChain } from "../../lib/audit/service";
import { createPrismaClient } from "../../lib/db";
import {
  type BenchPatient,
  type BenchWorld,
  DEFAULT_BENCH_DATABASE_URL,
  dispenseRequestBody,
  EXPECTED_DECISION,
  seedBenchDatabase,
} from "./dispense-seed";
import {
  appServerEnv,
  fmt,
  log,
  newestMtime,
  ROOT,
  restore,
  type Server,
  SOURCE_ROOTS,
  snapshot,
  startServer,
  stopServer,
  treeUsage,
  waitForHealth,
} from "./harness";

const DB_URL = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const PROBE = Number(process.env.BENCH_PROBE ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const APP_PORT = Number(process.env.BENCH_PORT ?? 3241);
const BASELINE_PORT = APP_PORT + 1;
const BASELINE_NO_AUDIT_PORT = APP_PORT + 2;
const BASELINE_ONE_CHAIN_PORT = APP_PORT + 3;
const RUN_ID = randomBytes(3).toString("hex");
const ONE_CHAIN = process.env.BENCH_ONE_CHAIN === "1";
/** BENCH_ROUNDS: every server measured this many times, in alternating order; the summary takes medians. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
/** High enough never to reject the benchmark; the limiter still counts every request. */
const RATE_LIMIT = "10000000";

// ---------------------------------------------------------------------------------------------
// Build

/** Two build slots: a failed build (another engineer's half-written file) never destroys the last good one. */
const SLOTS = [".next-bench-1", ".next-bench-2"];

async function buildTime(dir: string): Promise<number> {
  return (await stat(path.join(ROOT, dir, "BUILD_ID")).catch(() => null))?.mtimeMs ?? 0;
}

/** Set when the benchmark serves an older build because the sources did not build. */
let buildWarning: string | null = null;

/** The build folder to serve: an up-to-date one, or a fresh build in a .next-bench-N slot. */
async function ensureBuild(): Promise<string> {
  if (process.env.BENCH_DIST_DIR) return process.env.BENCH_DIST_DIR;
  let sources = 0;
  for (const entry of SOURCE_ROOTS) sources = Math.max(sources, await newestMtime(path.join(ROOT, entry)));
  for (const dir of [".next", ...SLOTS]) {
    if ((await buildTime(dir)) > sources) {
      log(`build: reusing ${dir} (newer than the sources)`);
      return dir;
    }
  }
  const times = await Promise.all(SLOTS.map(buildTime));
  const lastGood = (times[0] ?? 0) >= (times[1] ?? 0) ? 0 : 1;
  const target = SLOTS[1 - lastGood] as string;
  const fallback = (times[lastGood] ?? 0) > 0 ? (SLOTS[lastGood] as string) : null;
  log(`build: next build → ${target} (sources are newer than any build)`);
  // `next build` adds its dist folder's types to tsconfig.json and writes next-env.d.ts: put both back.
  const tsconfig = await snapshot(path.join(ROOT, "tsconfig.json"));
  const nextEnv = await snapshot(path.join(ROOT, "next-env.d.ts"));
  const started = performance.now();
  let code: number;
  try {
    code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
        stdio: ["ignore", "inherit", "inherit"],
        env: { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: target, NEXT_TELEMETRY_DISABLED: "1" },
      });
      child.on("exit", (c) => resolve(c ?? 1));
    });
  } finally {
    await restore(path.join(ROOT, "tsconfig.json"), tsconfig);
    await restore(path.join(ROOT, "next-env.d.ts"), nextEnv);
  }
  if (code === 0) {
    log(`build: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return target;
  }
  if (!fallback) throw new Error(`next build failed (exit ${code}) and there is no earlier build to fall back on`);
  const when = new Date(times[lastGood] ?? 0).toISOString();
  buildWarning = `next build failed (exit ${code}); serving the previous build ${fallback} from ${when}`;
  log(`build: WARNING ${buildWarning}`);
  return fallback;
}

// ---------------------------------------------------------------------------------------------
// Load

const EXPECTED = EXPECTED_DECISION;

const requestBody = dispenseRequestBody;

function baseHeaders(world: BenchWorld): Record<string, string> {
  return { authorization: `Bearer ${world.apiKey}`, "content-type": "application/json" };
}

/**
 * Patients a sanity check has asked for: the gate counts a course's vials across requests, so a
 * patient approved once (by any server) is not asked about again.
 */
const sanityPatients = new Set<string>();

/** One request per patient kind; returns the problems found (empty when every answer is as expected). */
async function sanityCheck(world: BenchWorld, server: Server, tag: string): Promise<string[]> {
  const problems: string[] = [];
  for (const kind of Object.keys(EXPECTED) as BenchPatient["kind"][]) {
    const patient = world.patients.find((p) => p.kind === kind && !sanityPatients.has(p.remsId));
    if (!patient) continue;
    sanityPatients.add(patient.remsId);
    const id = `bench-${tag}-${kind}`;
    const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/dispense-authorizations`, {
      method: "POST",
      headers: { ...baseHeaders(world), "idempotency-key": id },
      body: requestBody(world, patient, id),
    });
    const text = await res.text();
    if (res.status !== 200) {
      problems.push(`${kind}: HTTP ${res.status} ${text.slice(0, 300)}`);
      continue;
    }
    const answer = JSON.parse(text) as { decision?: string; reasons?: { code: string }[] };
    if (answer.decision !== EXPECTED[kind]) {
      problems.push(
        `${kind}: expected ${EXPECTED[kind]}, got ${answer.decision} ${JSON.stringify(answer.reasons?.map((r) => r.code) ?? [])}`,
      );
    }
  }
  return problems;
}

interface LoadResult {
  result: autocannon.Result;
  answers: { approved: number; denied: number; other: number };
}

async function drive(
  world: BenchWorld,
  server: Server,
  tag: string,
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const headers = baseHeaders(world);
  const answers = { approved: 0, denied: 0, other: 0 };
  let seq = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: "POST",
        path: "/api/v1/dispense-authorizations",
        setupRequest: (request) => {
          const id = `bench-${tag}-${seq++}`;
          const patient = world.patients[Math.floor(Math.random() * world.patients.length)] as BenchPatient;
          return {
            ...request,
            headers: { ...headers, "idempotency-key": id },
            body: requestBody(world, patient, id),
          };
        },
        onResponse: (status, body) => {
          if (status === 200 && body.includes('"decision":"APPROVED"')) answers.approved++;
          else if (status === 200 && body.includes('"decision":"DENIED"')) answers.denied++;
          else answers.other++;
        },
      },
    ],
  });
  return { result, answers };
}

// ---------------------------------------------------------------------------------------------
// Database observations

async function dbStats(client: pg.Client) {
  const { rows } = await client.query<{ xact: string; idx: string; seq: string }>(
    `SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database())::text AS xact,
            (SELECT sum(idx_scan) FROM pg_stat_user_tables)::text AS idx,
            (SELECT sum(seq_scan) FROM pg_stat_user_tables)::text AS seq`,
  );
  const row = rows[0];
  return { xact: Number(row?.xact ?? 0), idx: Number(row?.idx ?? 0), seq: Number(row?.seq ?? 0) };
}

/** Samples what the database's sessions are doing (wait events), every 200 ms while `running`. */
function sampleWaits(client: pg.Client) {
  const counts = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ what: string; n: number }>(
        `SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'CPU (running)')
                     ELSE state END AS what, count(*)::int AS n
           FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
          GROUP BY 1`,
      );
      samples++;
      for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + r.n);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return [...counts.entries()]
      .map(([what, n]) => ({ what, avgSessions: n / Math.max(1, samples) }))
      .sort((a, b) => b.avgSessions - a.avgSessions);
  };
}

// ---------------------------------------------------------------------------------------------
// One server

interface ServerReport {
  name: string;
  reqPerSec: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  rssStartMb: number;
  rssPeakMb: number;
  rssEndMb: number;
  processes: number;
  serverCpuMsPerReq: number;
  /** Of serverCpuMsPerReq, the time spent in the kernel (socket writes and reads, mostly). */
  serverSysMsPerReq: number;
  benchCpuMsPerReq: number;
  machineCpuBusyPct: number;
  xactPerReq: number;
  idxScansPerReq: number;
  seqScans: number;
  waits: { what: string; avgSessions: number }[];
  responses: { approved: number; denied: number; other: number };
  stored: { approved: number; denied: number };
  probe: { reqPerSec: number; p50: number; p99: number; serverCpuMsPerReq: number } | null;
  loadAvg: [number, number];
  problems: string[];
}

function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

async function benchServer(world: BenchWorld, server: Server, tag: string, monitor: pg.Client): Promise<ServerReport> {
  const problems: string[] = [];
  await waitForHealth(server);
  const pid = server.child.pid as number;
  log(`\n== ${server.name} (pid ${pid}, port ${server.port})`);
  problems.push(...(await sanityCheck(world, server, `${tag}-check`)));
  if (problems.length) log(`  sanity: ${problems.join("; ")}`);
  else log("  sanity: one request per patient kind answered as expected");

  if (WARMUP > 0) {
    const warm = await drive(world, server, `${tag}-warm`, WARMUP, CONNECTIONS);
    log(`  warm-up: ${WARMUP} s, ${warm.result.requests.total} requests`);
  }

  // Every server's measured run starts right after a checkpoint, so none of them pays for writing
  // out what the one before it (or the seed) left in the buffers.
  await monitor.query("CHECKPOINT");
  const load0 = os.loadavg()[0] ?? 0;
  const before = await treeUsage(pid);
  const stats0 = await dbStats(monitor);
  const cpu0 = machineCpu();
  const benchCpu0 = process.cpuUsage();
  let peak = before.rss;
  let processes = before.processes;
  const rssTimer = setInterval(() => {
    void treeUsage(pid).then((u) => {
      peak = Math.max(peak, u.rss);
      processes = Math.max(processes, u.processes);
    });
  }, 500);
  const stopWaits = sampleWaits(monitor);
  const { result, answers } = await drive(world, server, `${tag}-run`, DURATION, CONNECTIONS);
  const waits = await stopWaits();
  clearInterval(rssTimer);
  const benchCpu = process.cpuUsage(benchCpu0);
  const cpu1 = machineCpu();
  const after = await treeUsage(pid);
  const stats1 = await dbStats(monitor);
  peak = Math.max(peak, after.rss);

  const stored = await monitor.query<{ decision: string; n: number }>(
    `SELECT "decision"::text AS decision, count(*)::int AS n FROM "DispenseAuthorization"
      WHERE "idempotencyKey" LIKE $1 GROUP BY 1`,
    [`bench-${tag}-run-%`],
  );
  const storedCount = (d: string) => stored.rows.find((r) => r.decision === d)?.n ?? 0;

  let probe: ServerReport["probe"] = null;
  if (PROBE > 0) {
    const cpuBefore = (await treeUsage(pid)).cpu;
    const p = await drive(world, server, `${tag}-probe`, PROBE, 1);
    const cpuAfter = (await treeUsage(pid)).cpu;
    probe = {
      reqPerSec: p.result.requests.average,
      p50: p.result.latency.p50,
      p99: p.result.latency.p99,
      serverCpuMsPerReq: p.result.requests.total ? ((cpuAfter - cpuBefore) * 1000) / p.result.requests.total : 0,
    };
  }

  const total = result.requests.total;
  if (server.exited) problems.push(`${server.name} exited (${JSON.stringify(server.exited)})`);
  if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx answers ${JSON.stringify(result.statusCodeStats)}`);
  if (result.errors - result.timeouts > 0) problems.push(`${result.errors - result.timeouts} connection errors`);
  if (total === 0) problems.push("no request was answered");

  return {
    name: server.name,
    reqPerSec: result.requests.average,
    total,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    rssStartMb: before.rss / 1048576,
    rssPeakMb: peak / 1048576,
    rssEndMb: after.rss / 1048576,
    processes,
    serverCpuMsPerReq: total ? ((after.cpu - before.cpu) * 1000) / total : 0,
    serverSysMsPerReq: total ? ((after.sys - before.sys) * 1000) / total : 0,
    benchCpuMsPerReq: total ? (benchCpu.user + benchCpu.system) / 1000 / total : 0,
    machineCpuBusyPct: (100 * (cpu1.busy - cpu0.busy)) / Math.max(1, cpu1.total - cpu0.total),
    xactPerReq: total ? (stats1.xact - stats0.xact) / total : 0,
    idxScansPerReq: total ? (stats1.idx - stats0.idx) / total : 0,
    seqScans: stats1.seq - stats0.seq,
    waits: waits.slice(0, 6),
    responses: answers,
    stored: { approved: storedCount("APPROVED"), denied: storedCount("DENIED") },
    probe,
    loadAvg: [load0, os.loadavg()[0] ?? 0],
    problems,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function printReport(reports: ServerReport[], label: string) {
  log(`\n== Results${label ? ` (${label})` : ""}`);
  log(
    `   ${CONNECTIONS} connections, ${DURATION} s per server after a ${WARMUP} s warm-up; ${os.cpus().length} CPUs, ` +
      `${fmt(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.versions.node}; load generator in this process`,
  );
  const rows: [string, (r: ServerReport) => string][] = [
    ["req/s", (r) => fmt(r.reqPerSec, 1)],
    ["requests", (r) => fmt(r.total)],
    ["latency p50 / p90 / p99 / max (ms)", (r) => `${r.p50} / ${r.p90} / ${r.p99} / ${r.max}`],
    ["non-2xx", (r) => fmt(r.non2xx)],
    ["errors / timeouts", (r) => `${r.errors} / ${r.timeouts}`],
    [
      "RSS start / peak / end (MB, process tree)",
      (r) => `${fmt(r.rssStartMb)} / ${fmt(r.rssPeakMb)} / ${fmt(r.rssEndMb)}`,
    ],
    ["processes in tree", (r) => String(r.processes)],
    ["server CPU per request (ms)", (r) => fmt(r.serverCpuMsPerReq, 2)],
    ["  of it in the kernel (ms)", (r) => fmt(r.serverSysMsPerReq, 2)],
    ["load-generator CPU per request (ms)", (r) => fmt(r.benchCpuMsPerReq, 2)],
    ["machine CPU busy (%)", (r) => fmt(r.machineCpuBusyPct)],
    ["DB transactions per request", (r) => fmt(r.xactPerReq, 2)],
    ["DB index scans per request", (r) => fmt(r.idxScansPerReq, 1)],
    ["DB sequential scans (total)", (r) => fmt(r.seqScans)],
    [
      "answers APPROVED / DENIED / other",
      (r) => `${fmt(r.responses.approved)} / ${fmt(r.responses.denied)} / ${fmt(r.responses.other)}`,
    ],
    [
      "stored APPROVED / DENIED (share)",
      (r) => {
        const n = r.stored.approved + r.stored.denied;
        return `${fmt(r.stored.approved)} / ${fmt(r.stored.denied)} (${fmt((100 * r.stored.approved) / Math.max(1, n), 1)}% approved)`;
      },
    ],
    [
      "1-connection probe: req/s, p50 / p99 (ms)",
      (r) => (r.probe ? `${fmt(r.probe.reqPerSec, 1)}, ${r.probe.p50} / ${r.probe.p99}` : "off"),
    ],
    ["1-connection probe: server CPU per request (ms)", (r) => (r.probe ? fmt(r.probe.serverCpuMsPerReq, 2) : "off")],
    ["machine load average (1 min) before / after", (r) => `${fmt(r.loadAvg[0], 1)} / ${fmt(r.loadAvg[1], 1)}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  log(`   ${"".padEnd(width)}  ${reports.map((r) => r.name.padEnd(28)).join("")}`);
  for (const [label, value] of rows)
    log(`   ${label.padEnd(width)}  ${reports.map((r) => value(r).padEnd(28)).join("")}`);
  for (const r of reports) {
    log(
      `   ${r.name} database sessions (avg over the run): ${r.waits.map((w) => `${w.what} ${fmt(w.avgSessions, 1)}`).join(", ")}`,
    );
  }
  const app = reports.find((r) => r.name === "app");
  const base = reports.find((r) => r.name === "baseline");
  if (app && base && base.reqPerSec > 0) {
    log(`\n   ratio app / baseline (req/s): ${fmt(app.reqPerSec / base.reqPerSec, 2)}`);
  }
  // What the audit chain costs the gate: the same server with and without the append.
  const bare = reports.find((r) => r.name === "baseline-no-audit");
  if (bare && bare.reqPerSec > 0) {
    for (const withAudit of reports.filter((r) => r.name === "baseline" || r.name === "baseline-one-chain")) {
      const ratio = withAudit.reqPerSec / bare.reqPerSec;
      log(
        `   ratio ${withAudit.name} / baseline-no-audit (req/s): ${fmt(ratio, 2)}` +
          ` (the audit append costs ${fmt(100 * (1 - ratio), 1)}% of the gate's throughput)`,
      );
    }
  }
  if (buildWarning) log(`\n   WARNING: ${buildWarning}`);
  log(
    `\nJSON ${JSON.stringify({ runId: RUN_ID, connections: CONNECTIONS, duration: DURATION, buildWarning, reports })}`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Over several rounds: each server's median figures, and the ratios round by round and of the medians. */
function printRounds(rounds: ServerReport[][]) {
  log(`\n== Summary of ${rounds.length} rounds (medians)`);
  const names = [...new Set(rounds.flat().map((r) => r.name))];
  const of = (name: string) => rounds.flat().filter((r) => r.name === name);
  for (const name of names) {
    const runs = of(name);
    log(
      `   ${name.padEnd(20)} req/s ${fmt(median(runs.map((r) => r.reqPerSec)), 1)} (${runs.map((r) => fmt(r.reqPerSec, 1)).join(", ")})` +
        `  server CPU ${fmt(median(runs.map((r) => r.serverCpuMsPerReq)), 2)} ms/req` +
        `  RSS peak ${fmt(Math.max(...runs.map((r) => r.rssPeakMb)))} MB` +
        `  probe p99 ${runs.map((r) => (r.probe ? `${r.probe.p99}` : "off")).join(", ")} ms` +
        `  errors ${runs.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0)}`,
    );
  }
  const ratio = (a: string, b: string) => {
    const perRound = rounds.map((round) => {
      const x = round.find((r) => r.name === a);
      const y = round.find((r) => r.name === b);
      return x && y && y.reqPerSec > 0 ? x.reqPerSec / y.reqPerSec : null;
    });
    if (perRound.some((r) => r === null)) return;
    const medians = median(of(a).map((r) => r.reqPerSec)) / median(of(b).map((r) => r.reqPerSec));
    log(
      `   ratio ${a} / ${b} (req/s): ${fmt(medians, 2)} of the medians; round by round ${perRound.map((r) => fmt(r ?? 0, 2)).join(", ")}`,
    );
  };
  ratio("app", "baseline");
  ratio("baseline", "baseline-no-audit");
}

// ---------------------------------------------------------------------------------------------

async function loadWorldFromDatabase(): Promise<BenchWorld> {
  const apiKey = process.env.BENCH_API_KEY;
  if (!apiKey) throw new Error("BENCH_SKIP_SEED=1 needs BENCH_API_KEY (printed by the run that seeded)");
  const client = new pg.Client({ connectionString: DB_URL });
  await client.connect();
  try {
    // The kind is not stored: it is read back from the shape of each patient's history.
    const { rows } = await client.query<{ remsId: string; npi: string; setting: string; doses: number; last: string }>(
      `SELECT p."remsId", pr."npi", s."remsId" AS setting,
              (SELECT count(*)::int FROM "Infusion" i WHERE i."patientId" = p."id") AS doses,
              (SELECT to_char(max(l."collectedOn"), 'YYYY-MM-DD') FROM "LabResult" l WHERE l."patientId" = p."id") AS last
         FROM "Patient" p JOIN "Prescriber" pr ON pr."id" = p."prescriberId"
         JOIN "HealthcareSetting" s ON s."id" = p."healthcareSettingId"`,
    );
    const today = new Date().toISOString().slice(0, 10);
    const daysAgo = (day: string) => (Date.parse(today) - Date.parse(day)) / 86_400_000;
    const patients: BenchPatient[] = rows.map((r) => {
      const age = daysAgo(r.last);
      const kind: BenchPatient["kind"] =
        r.doses === 2 ? "IN_COURSE" : r.doses === 5 ? (age > 30 ? "OVERDUE" : "RETREAT") : age > 30 ? "STALE" : "NEW";
      return {
        remsId: r.remsId,
        prescriberNpi: r.npi,
        settingRemsId: r.setting,
        quantity: kind === "NEW" || kind === "STALE" ? 5 : 3,
        kind,
      };
    });
    return {
      url: DB_URL,
      today,
      programId: "",
      pharmacyId: "",
      apiKeyId: "",
      apiKey,
      ndc: "58468-0200-01",
      patients,
      rows: {},
      seconds: 0,
    };
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  log(`dispense-gate benchmark ${RUN_ID} — ${new Date().toISOString()}`);
  const world =
    process.env.BENCH_SKIP_SEED === "1"
      ? await loadWorldFromDatabase()
      : await seedBenchDatabase({ url: DB_URL, log: (line) => log(line) });
  log(
    `seed: ${fmt(world.patients.length)} patients, rows ${JSON.stringify(world.rows)} in ${fmt(world.seconds, 1)} s` +
      ` (API key for BENCH_SKIP_SEED=1: BENCH_API_KEY=${world.apiKey})`,
  );
  const only = process.env.BENCH_ONLY;
  const distDir = only && !only.split(",").includes("app") ? ".next" : await ensureBuild();

  const monitor = new pg.Client({ connectionString: DB_URL });
  await monitor.connect();
  let failed = false;
  try {
    const all: { name: string; script: string; port: number; env: Record<string, string> }[] = [
      {
        name: "app",
        script: "scripts/serve.ts",
        port: APP_PORT,
        // No background jobs (pg-boss polling) during the measurement: the baseline has none either.
        env: appServerEnv(APP_PORT, DB_URL, distDir, { DISPENSE_RATE_LIMIT_PER_MINUTE: RATE_LIMIT }),
      },
      {
        name: "baseline",
        script: "tests/bench/dispense-baseline.ts",
        port: BASELINE_PORT,
        env: { NODE_ENV: "production", BENCH_DATABASE_URL: DB_URL, DISPENSE_RATE_LIMIT_PER_MINUTE: RATE_LIMIT },
      },
      {
        name: "baseline-no-audit",
        script: "tests/bench/dispense-baseline.ts",
        port: BASELINE_NO_AUDIT_PORT,
        env: {
          NODE_ENV: "production",
          BENCH_DATABASE_URL: DB_URL,
          DISPENSE_RATE_LIMIT_PER_MINUTE: RATE_LIMIT,
          BASELINE_AUDIT: "off",
        },
      },
      {
        name: "baseline-one-chain",
        script: "tests/bench/dispense-baseline.ts",
        port: BASELINE_ONE_CHAIN_PORT,
        env: {
          NODE_ENV: "production",
          BENCH_DATABASE_URL: DB_URL,
          DISPENSE_RATE_LIMIT_PER_MINUTE: RATE_LIMIT,
          BASELINE_AUDIT: "one-chain",
        },
      },
    ];
    // BENCH_ONLY also sets the order, so that repeated runs can alternate it (the host's load drifts).
    const plans = only
      ? only.split(",").flatMap((name) => all.filter((p) => p.name === name))
      : all.filter((p) => p.name !== "baseline-one-chain" || ONE_CHAIN);

    const rounds: ServerReport[][] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Round 2 runs the servers in the reverse order, round 3 in the first order again, and so on:
      // the host's load drifts, and whichever server runs first right after the seed runs on a
      // database nobody has touched yet.
      const order = round % 2 === 1 ? plans : [...plans].reverse();
      if (ROUNDS > 1) log(`\n==== round ${round} of ${ROUNDS}: ${order.map((p) => p.name).join(", ")}`);
      const reports: ServerReport[] = [];
      for (const plan of order) {
        const server = startServer(plan.name, plan.script, plan.port, plan.env);
        try {
          const report = await benchServer(world, server, `${plan.name}-${RUN_ID}-${round}`, monitor);
          reports.push(report);
          if (report.problems.length) {
            failed = true;
            log(`  PROBLEMS: ${report.problems.join("; ")}`);
            log(server.output.join("").slice(-4000));
          }
        } catch (error) {
          failed = true;
          log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          await stopServer(server);
        }
      }
      // Printed in the first order every round, so the columns line up.
      const ordered = plans.flatMap((p) => reports.filter((r) => r.name === p.name));
      printReport(ordered, ROUNDS > 1 ? `round ${round} of ${ROUNDS}` : "");
      rounds.push(ordered);
    }
    if (ROUNDS > 1) printRounds(rounds);
  } finally {
    await monitor.end();
  }
  // Every server appended to the same audit chains: they must still verify, row by row.
  const verifier = createPrismaClient({ kind: "postgres", url: DB_URL });
  try {
    const chain = await verifyAuditChain(verifier);
    log(
      `\naudit chains: ${chain.ok ? `${fmt(chain.checked)} rows verify` : `BROKEN at seq ${chain.brokenAt} (${chain.reason})`}`,
    );
    if (!chain.ok) failed = true;
    const perChain = await verifier.$queryRaw<{ chain: number; n: number }[]>`
      SELECT "chain"::int AS "chain", count(*)::int AS "n" FROM "AuditEvent" GROUP BY 1 ORDER BY 1`;
    log(`rows per chain: ${perChain.map((c) => `${c.chain}: ${fmt(c.n)}`).join(", ")}`);
  } finally {
    await verifier.$disconnect();
  }
  return failed ? 1 : 0;
}

main()
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
