/**
 * `npm run loadtest` (not part of `npm test`; loopback only; bounded in time and count): the
 * cluster of `npm run cluster` — nginx, two production instances, PgBouncer in transaction mode —
 * against the dispense benchmark's 100,000-patient world, under a mixed workload.
 *
 * 1. Recreates LOADTEST_DATABASE_URL and seeds it (tests/bench/dispense-seed.ts), then adds one
 *    prescriber account (password only: prescribers may sign in without a second factor) for one
 *    of the seeded prescribers, so that the dashboard loads read a real patient list.
 * 2. Starts the cluster on LOADTEST_PORT (its instances on +1 and +2, PgBouncer on +3) and signs the
 *    prescriber in through nginx (Auth.js credentials callback with its CSRF token).
 * 3. LOADTEST_CONNECTIONS (64) workers send requests for LOADTEST_SECONDS (30) through nginx, each
 *    picking at random: 70% dispense requests (a new prescription for a patient not asked for
 *    before in the run, its own Idempotency-Key; the decision must be the one the patient's kind
 *    gives), 15% confirmations of approvals answered earlier in the run (must become DISPENSED),
 *    10% public certification lookups by prescriber NPI (must be certified), 5% prescriber
 *    dashboard loads with the session cookie (must be the page, not a redirect). A confirmation
 *    with no approval yet to confirm becomes a dispense request (counted as one; the mix printed
 *    is the one sent). The run stops early after LOADTEST_MAX_REQUESTS or when every patient has
 *    been asked for.
 * 4. Prints per kind: count, req/s, p50/p95/p99, errors (any other status, wrong decision, no
 *    answer); the peak RSS of each instance (process tree, sampled every 500 ms); and checks the
 *    database against the answers (one authorization per approved or denied answer, one DISPENSED
 *    per confirmation, no Idempotency-Key stored twice) and the audit chain both instances appended to. Appends the table to docs/benchmarks.md (LOADTEST_NO_DOCS=1: don't).
 *    Exits 1 on any error or mismatch — never because it is slow.
 */
import { randomBytes } from "node:crypto";
import { appendFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { verifyAuditChain } from "../../lib/audit/service";
import { hashPassword } from "../../lib/auth/password";
import { createPrismaClient } from "../../lib/db";
import { type BenchWorld, dispenseRequestBody, EXPECTED_DECISION, seedBenchDatabase } from "../bench/dispense-seed";
import { type Cluster, startCluster } from "../../scripts/cluster";
import { keepAliveAgent, request, signIn, treeRss } from "./client";

const DB_URL = process.env.LOADTEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/remsgate_loadtest";
const PORT = Number(process.env.LOADTEST_PORT ?? 3150);
const SECONDS = Math.min(Number(process.env.LOADTEST_SECONDS ?? 30), 600);
const CONNECTIONS = Number(process.env.LOADTEST_CONNECTIONS ?? 64);
const MAX_REQUESTS = Number(process.env.LOADTEST_MAX_REQUESTS ?? 200_000);
const RUN = randomBytes(3).toString("hex");
const PRESCRIBER_EMAIL = "load.prescriber@bench.test";
const PRESCRIBER_PASSWORD = `Load-Test-${randomBytes(6).toString("hex")}`;

type Kind = "dispense" | "confirm" | "lookup" | "dashboard";
const KINDS: Kind[] = ["dispense", "confirm", "lookup", "dashboard"];
const MIX: [Kind, number][] = [
  ["dispense", 70],
  ["confirm", 15],
  ["lookup", 10],
  ["dashboard", 5],
];
const EXPECTED = EXPECTED_DECISION;

interface Tally {
  latencies: number[];
  errors: number;
  samples: string[];
}

function pick(): Kind {
  let r = Math.random() * 100;
  for (const [kind, share] of MIX) {
    r -= share;
    if (r < 0) return kind;
  }
  return "dispense";
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** A prescriber account for one seeded prescriber (the dashboard then lists that prescriber's patients). */
async function addPrescriberAccount(world: BenchWorld): Promise<string> {
  const npi = world.patients[0]?.prescriberNpi;
  if (!npi) throw new Error("the seed has no patients");
  const client = new pg.Client({ connectionString: DB_URL });
  await client.connect();
  try {
    const user = await client.query<{ id: string }>(
      `INSERT INTO "User" ("id", "email", "name", "passwordHash", "role", "updatedAt")
       VALUES (gen_random_uuid(), $1, 'Load Test Prescriber', $2, 'PRESCRIBER', now()) RETURNING "id"`,
      [PRESCRIBER_EMAIL, await hashPassword(PRESCRIBER_PASSWORD)],
    );
    await client.query(`UPDATE "Prescriber" SET "userId" = $1 WHERE "npi" = $2`, [user.rows[0]?.id, npi]);
  } finally {
    await client.end();
  }
  return npi;
}

async function run(cluster: Cluster, world: BenchWorld, cookie: string) {
  const agent = keepAliveAgent(CONNECTIONS);
  const tallies = Object.fromEntries(
    KINDS.map((k): [Kind, Tally] => [k, { latencies: [], errors: 0, samples: [] }]),
  ) as Record<Kind, Tally>;
  const patients = shuffled(world.patients);
  const npis = [...new Set(world.patients.map((p) => p.prescriberNpi))];
  const approvals: { id: string; quantity: number }[] = [];
  const answered = { approved: 0, denied: 0, dispensed: 0 };
  let nextPatient = 0;
  let sent = 0;
  let fallbacks = 0;
  const api = { authorization: `Bearer ${world.apiKey}`, "content-type": "application/json" };
  const fail = (kind: Kind, what: string) => {
    const t = tallies[kind];
    t.errors++;
    if (t.samples.length < 5) t.samples.push(what);
  };

  const one = async (chosen: Kind): Promise<boolean> => {
    let kind = chosen;
    let approval: { id: string; quantity: number } | undefined;
    if (kind === "confirm") {
      approval = approvals.shift();
      if (!approval) {
        kind = "dispense";
        fallbacks++;
      }
    }
    const patient = kind === "dispense" ? patients[nextPatient++] : undefined;
    if (kind === "dispense" && !patient) return false;
    try {
      if (kind === "dispense" && patient) {
        const key = `load-${RUN}-${nextPatient}`;
        const a = await request(`${cluster.url}/api/v1/dispense-authorizations`, {
          method: "POST",
          agent,
          headers: { ...api, "idempotency-key": key },
          body: dispenseRequestBody(world, patient, key),
        });
        tallies.dispense.latencies.push(a.ms);
        const json = a.status === 200 ? (JSON.parse(a.body) as { id: string; decision: string }) : null;
        if (!json) fail(kind, `${a.status} ${a.body.slice(0, 160)}`);
        else if (json.decision !== EXPECTED[patient.kind]) {
          fail(
            kind,
            `${patient.kind} patient: ${json.decision} (expected ${EXPECTED[patient.kind]}) ${a.body.slice(0, 200)}`,
          );
        } else if (json.decision === "APPROVED") {
          answered.approved++;
          approvals.push({ id: json.id, quantity: patient.quantity });
        } else answered.denied++;
      } else if (kind === "confirm" && approval) {
        const a = await request(`${cluster.url}/api/v1/dispense-authorizations/${approval.id}/dispense`, {
          method: "POST",
          agent,
          headers: api,
          body: JSON.stringify({ quantity: approval.quantity, lotNumber: `LOAD-${RUN}` }),
        });
        tallies.confirm.latencies.push(a.ms);
        const status = a.status === 200 ? (JSON.parse(a.body) as { status: string }).status : null;
        if (status === "DISPENSED") answered.dispensed++;
        else fail(kind, `${a.status} ${a.body.slice(0, 160)}`);
      } else if (kind === "lookup") {
        const npi = npis[Math.floor(Math.random() * npis.length)];
        const a = await request(`${cluster.url}/api/v1/programs/LEMTRADA/certifications?npi=${npi}`, { agent });
        tallies.lookup.latencies.push(a.ms);
        const certified = a.status === 200 ? (JSON.parse(a.body) as { certified: boolean }).certified : null;
        if (certified !== true) fail(kind, `${a.status} ${a.body.slice(0, 160)}`);
      } else if (kind === "dashboard") {
        const a = await request(`${cluster.url}/prescriber`, { agent, headers: { cookie, accept: "text/html" } });
        tallies.dashboard.latencies.push(a.ms);
        if (a.status !== 200 || !a.body.includes("<main")) {
          fail(kind, `${a.status} ${String(a.headers.location ?? a.body.slice(0, 160))}`);
        }
      }
    } catch (error) {
      fail(kind, `no answer: ${(error as Error).message}`);
    }
    return true;
  };

  // Peak RSS of each instance's process tree, sampled while the load runs.
  const peaks = cluster.instances.map(() => 0);
  const sampler = setInterval(() => {
    cluster.instances.forEach((instance, i) => {
      if (instance.process.pid)
        void treeRss(instance.process.pid).then((rss) => (peaks[i] = Math.max(peaks[i] ?? 0, rss)));
    });
  }, 500);

  const loadBefore = os.loadavg();
  const started = performance.now();
  const end = Date.now() + SECONDS * 1000;
  let exhausted = false;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end && sent < MAX_REQUESTS && !exhausted) {
        sent++;
        if (!(await one(pick()))) exhausted = true;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  agent.destroy();
  return { tallies, seconds, peaks, answered, fallbacks, exhausted, loadBefore, loadAfter: os.loadavg() };
}

/** The database against the answers: every answer stored once, every confirmation stored. */
async function reconcile(answered: { approved: number; denied: number; dispensed: number }): Promise<string[]> {
  const client = new pg.Client({ connectionString: DB_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ decision: string; status: string; n: number; keys: number }>(
      `SELECT "decision"::text AS decision, "status"::text AS status, count(*)::int AS n,
              count(DISTINCT "idempotencyKey")::int AS keys
         FROM "DispenseAuthorization" WHERE "idempotencyKey" LIKE $1 GROUP BY 1, 2`,
      [`load-${RUN}-%`],
    );
    const sum = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).reduce((s, r) => s + r.n, 0);
    const problems: string[] = [];
    const approved = sum((r) => r.decision === "APPROVED");
    const denied = sum((r) => r.decision === "DENIED");
    const dispensed = sum((r) => r.status === "DISPENSED");
    const duplicates = rows.reduce((s, r) => s + r.n, 0) - rows.reduce((s, r) => s + r.keys, 0);
    console.log(
      `database: ${approved} approved (${dispensed} of them dispensed), ${denied} denied for this run's keys; answers: ${answered.approved} approved, ${answered.dispensed} confirmed, ${answered.denied} denied`,
    );
    // A request that timed out on the client may still have been stored: only fewer rows is wrong.
    if (approved < answered.approved)
      problems.push(`${answered.approved - approved} approvals answered but not stored`);
    if (denied < answered.denied) problems.push(`${answered.denied - denied} denials answered but not stored`);
    if (dispensed !== answered.dispensed)
      problems.push(`${dispensed} DISPENSED rows for ${answered.dispensed} confirmations`);
    if (duplicates > 0) problems.push(`${duplicates} Idempotency-Keys stored more than once`);
    // Both instances appended to one audit chain: it must still verify, row by row.
    const verifier = createPrismaClient({ kind: "postgres", url: DB_URL });
    try {
      const chain = await verifyAuditChain(verifier);
      console.log(
        `audit chain: ${chain.ok ? `${chain.checked} rows verify` : `BROKEN at seq ${chain.brokenAt} (${chain.reason})`}`,
      );
      if (!chain.ok) problems.push(`the audit chain breaks at seq ${chain.brokenAt}`);
    } finally {
      await verifier.$disconnect();
    }
    return problems;
  } finally {
    await client.end();
  }
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

async function main() {
  console.log(`load test ${RUN}: ${CONNECTIONS} connections, ${SECONDS} s, database ${DB_URL}`);
  const world = await seedBenchDatabase({ url: DB_URL, log: (line) => console.log(`  ${line}`) });
  const npi = await addPrescriberAccount(world);
  console.log(`  prescriber account ${PRESCRIBER_EMAIL} (NPI ${npi}), password only`);
  const cluster = await startCluster({
    port: PORT,
    databaseUrl: DB_URL,
    seedDemo: false,
    // High enough never to refuse the load; the limiters still count every request in the database.
    env: { DISPENSE_RATE_LIMIT_PER_MINUTE: "10000000", LOOKUP_RATE_LIMIT_PER_MINUTE: "1000000" },
  });
  let failed = false;
  try {
    const cookie = await signIn(cluster.url, { email: PRESCRIBER_EMAIL, password: PRESCRIBER_PASSWORD });
    const result = await run(cluster, world, cookie);
    const total = KINDS.reduce((s, k) => s + result.tallies[k].latencies.length, 0);
    const rows = KINDS.map((kind) => {
      const t = result.tallies[kind];
      const sorted = [...t.latencies].sort((a, b) => a - b);
      return {
        kind,
        count: sorted.length,
        share: total ? (100 * sorted.length) / total : 0,
        rps: sorted.length / result.seconds,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        errors: t.errors,
      };
    });
    const table = [
      "| kind | count | share | req/s | p50 ms | p95 ms | p99 ms | errors |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...rows.map(
        (r) =>
          `| ${r.kind} | ${r.count} | ${r.share.toFixed(1)}% | ${r.rps.toFixed(1)} | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.errors} |`,
      ),
      `| all | ${total} | 100% | ${(total / result.seconds).toFixed(1)} | | | | ${rows.reduce((s, r) => s + r.errors, 0)} |`,
    ].join("\n");
    const rss = cluster.instances.map((i, n) => `${i.name} ${mb(result.peaks[n] ?? 0)}`).join(", ");
    console.log(`\n${table}\n\npeak RSS: ${rss}`);
    for (const kind of KINDS) {
      for (const sample of result.tallies[kind].samples) console.log(`  ${kind} error: ${sample}`);
    }
    const problems = await reconcile(result.answered);
    for (const p of problems) console.log(`  MISMATCH: ${p}`);
    const errors = rows.reduce((s, r) => s + r.errors, 0);
    failed = errors > 0 || problems.length > 0 || total === 0;

    const cpu = os.cpus();
    const notes = [
      `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, run ${RUN}: ${result.seconds.toFixed(1)} s, ${CONNECTIONS} connections through nginx${result.exhausted ? " (stopped early: every patient asked for)" : ""}.`,
      `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? "CPU"}, ${mb(os.totalmem())} RAM, shared; load average ${result.loadBefore[0]?.toFixed(1)} before, ${result.loadAfter[0]?.toFixed(1)} after. The load generator runs on the same cores.`,
      `Peak RSS (process tree): ${rss}.`,
      `Mix sent: ${rows.map((r) => `${r.kind} ${r.share.toFixed(1)}%`).join(", ")} (target 70/15/10/5; ${result.fallbacks} confirmations had no approval yet to confirm and were sent as dispense requests).`,
      `Answers: ${result.answered.approved} approved, ${result.answered.denied} denied, ${result.answered.dispensed} confirmed; database reconciled: ${problems.length === 0 ? "yes" : problems.join("; ")}. Outcome: ${failed ? "FAILED" : "passed (0 errors)"}.`,
    ];
    if (process.env.LOADTEST_NO_DOCS !== "1") {
      await appendFile(
        path.join(process.cwd(), "docs", "benchmarks.md"),
        `\n### Load test run ${RUN}\n\n${notes.join("\n")}\n\n${table}\n`,
      );
      console.log("results appended to docs/benchmarks.md");
    }
  } finally {
    await cluster.stop();
  }
  if (failed) {
    console.log("\nload test FAILED: errors or mismatches above");
    process.exit(1);
  }
  console.log("\nload test passed: every answer as expected and stored once");
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
