/**
 * `npm run faulttest` (not part of `npm test`; loopback only; bounded in time): faults injected into
 * the cluster of `npm run cluster` under load, and the client's log reconciled against the database.
 *
 * The test is self-contained: it starts a PostgreSQL 15 of its own (initdb into a temporary folder,
 * FAULTTEST_PG_PORT, default FAULTTEST_PORT + 9; tests/load/own-postgres.ts), seeds the dispense
 * benchmark's world into it (FAULTTEST_PATIENTS, default 30,000), starts the cluster on
 * FAULTTEST_PORT (default 3160; nginx, two production instances on +1 and +2, PgBouncer on +3) and
 * stops and removes everything at the end, also after a failure or Ctrl+C.
 *
 * FAULTTEST_CONNECTIONS (default 24) workers send dispense requests through nginx for the whole run,
 * each for a patient not asked for before, with its own Idempotency-Key. Every request has a client
 * timeout (FAULTTEST_TIMEOUT_MS, default 10,000): a request that reaches it has hung, which is a
 * failure. A request answered 503 (or not answered) is retried with the same body and key every
 * 250 ms — sooner than Retry-After asks, so that recovery is measured to the quarter second.
 *
 * The faults, one after the other (FAULTTEST_FAULTS=a,b,c,d chooses; all by default):
 * (a) PostgreSQL restarted (`pg_ctl stop -m fast`, then start);
 * (b) PgBouncer stopped (SIGTERM, its immediate shutdown) for FAULTTEST_PGBOUNCER_DOWN_SECONDS (10),
 *     then started again;
 * (c) app1 killed with SIGKILL (its whole process group) and started again;
 * (d) app2 killed with SIGKILL while signed-in prescribers save enrollment applications through the
 *     enrollment page's server action (the first save creates the prescriber and the application,
 *     later saves change the draft) and while a lab feed of FAULTTEST_LAB_ROWS (60,000) rows is being
 *     imported by app2; then the same file is imported again through nginx.
 *
 * Afterwards, from the client's log against the database, per fault and overall: every attempt from
 * the fault's start to the first success after it ended was answered 200 or 503 with Retry-After,
 * and none outside (never another 5xx, never a hang); the system recovered by itself (the first
 * success after the fault ended, and both instances ready, within FAULTTEST_RECOVERY_SECONDS,
 * default 15; after the PostgreSQL restart a background job completed); every APPROVED answer is stored exactly
 * once with the id answered and the decision the patient's kind gives; no key is stored twice;
 * retried requests were replayed (Idempotent-Replayed) or stored once on their retry; every
 * enrollment user has exactly one prescriber, one DRAFT application with its history row and its
 * creation audit event, and the draft holds the last values saved; the killed import wrote no row and
 * reads as interrupted (failed) in the import list three minutes later (no transaction holds it, long
 * before the transaction's own timeout), and the re-import
 * completed with every row; the audit chain verifies. It prints the counts and exits 1 if any is
 * wrong.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { verifyAuditChain } from "../../lib/audit/service";
import { hashPassword } from "../../lib/auth/password";
import type { Actor } from "../../lib/auth/actor";
import { createPrismaClient } from "../../lib/db";
import { npiCheckDigit } from "../../lib/identifiers/npi";
import { listLabImports } from "../../lib/labs/import";
import { type Cluster, startCluster } from "../../scripts/cluster";
import { type BenchPatient, dispenseRequestBody, EXPECTED_DECISION, seedBenchDatabase } from "../bench/dispense-seed";
import { keepAliveAgent, request, signIn } from "./client";
import { type OwnPostgres, startOwnPostgres } from "./own-postgres";

const PORT = Number(process.env.FAULTTEST_PORT ?? 3160);
const PG_PORT = Number(process.env.FAULTTEST_PG_PORT ?? PORT + 9);
const CONNECTIONS = Number(process.env.FAULTTEST_CONNECTIONS ?? 24);
const PATIENTS = Number(process.env.FAULTTEST_PATIENTS ?? 30_000);
const TIMEOUT_MS = Number(process.env.FAULTTEST_TIMEOUT_MS ?? 10_000);
const RECOVERY_SECONDS = Number(process.env.FAULTTEST_RECOVERY_SECONDS ?? 15);
const PGBOUNCER_DOWN_SECONDS = Number(process.env.FAULTTEST_PGBOUNCER_DOWN_SECONDS ?? 10);
const LAB_ROWS = Number(process.env.FAULTTEST_LAB_ROWS ?? 60_000);
const ENROLLMENT_USERS = Number(process.env.FAULTTEST_ENROLLMENT_USERS ?? 6);
const FAULTS = (process.env.FAULTTEST_FAULTS ?? "a,b,c,d")
  .split(",")
  .map((f) => f.trim().toLowerCase())
  .filter(Boolean);
const RETRY_MS = 250;
/** A request is given up (and counted as unanswered) after this long of retrying. */
const GIVE_UP_MS = 90_000;
const RUN = randomBytes(3).toString("hex");
const PASSWORD = `Fault-Test-${randomBytes(6).toString("hex")}`;
const DB_URL = `postgresql://postgres@127.0.0.1:${PG_PORT}/remsgate_faulttest`;

type FaultName = "a" | "b" | "c" | "d";
const FAULT_TITLES: Record<FaultName, string> = {
  a: "(a) PostgreSQL restarted",
  b: `(b) PgBouncer stopped for ${PGBOUNCER_DOWN_SECONDS} s`,
  c: "(c) app1 killed (kill -9) under dispense load",
  d: "(d) app2 killed (kill -9) during enrollment saves and a lab import",
};

/** One HTTP attempt, as the client saw it. */
interface Attempt {
  kind: "dispense" | "enrollment" | "lab-import";
  start: number;
  end: number;
  /** HTTP status, or "no answer" (refused, reset) or "timeout" (no answer within the client timeout). */
  outcome: number | "no answer" | "timeout";
  retryAfter: boolean;
  /** For server actions (answered 200): the action's own result code. */
  actionCode?: string;
  detail?: string;
}

/** One signed-in prescriber saving an enrollment application in (d). */
interface EnrollmentUser {
  index: number;
  email: string;
  /** The practice name of the last save the app acknowledged. */
  lastSaved: string | null;
  enrollmentId: string | null;
  saves: number;
  /** Attempts at the first save (the application's creation) that had to be retried. */
  createRetries: number;
}

/** What the client saw for one Idempotency-Key. */
interface Entry {
  key: string;
  patient: BenchPatient;
  attempts: Attempt[];
  status: number | null;
  id: string | null;
  decision: string | null;
  replayed: boolean;
}

interface Fault {
  name: FaultName;
  start: number;
  /** When the fault was over: the database answering again, PgBouncer back, the instance ready. */
  end: number;
  note: string;
  /** Both instances' /api/ready answering 200 again. */
  readyAt: number | null;
}

let ownPg: OwnPostgres | undefined;
let cluster: Cluster | undefined;
let stopping = false;
/** Stops the cluster and removes the test's PostgreSQL (after the run, a failure or Ctrl+C). */
async function cleanUp() {
  if (stopping) return;
  stopping = true;
  await cluster?.stop().catch(() => undefined);
  ownPg?.stop();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function problemsOf(list: string[]) {
  return {
    list,
    add(problem: string) {
      list.push(problem);
    },
  };
}

/** One request with the client timeout, logged as an attempt. */
async function attempt(
  kind: Attempt["kind"],
  url: string,
  options: Parameters<typeof request>[1],
  log: Attempt[],
): Promise<{ attempt: Attempt; body: string; headers: Record<string, string | string[] | undefined> }> {
  const a: Attempt = { kind, start: Date.now(), end: 0, outcome: "no answer", retryAfter: false };
  log.push(a);
  try {
    const answer = await request(url, { timeoutMs: TIMEOUT_MS, ...options });
    a.end = Date.now();
    a.outcome = answer.status;
    a.retryAfter = Number(answer.headers["retry-after"]) > 0;
    if (answer.status >= 500) a.detail = answer.body.slice(0, 200);
    return { attempt: a, body: answer.body, headers: answer.headers };
  } catch (error) {
    a.end = Date.now();
    const message = (error as Error).message;
    a.outcome = message.startsWith("no answer within") ? "timeout" : "no answer";
    a.detail = message;
    return { attempt: a, body: "", headers: {} };
  }
}

/** The server action id of an exported action, from the build's manifest. */
function actionId(file: string, exportedName: string): string {
  const manifest = JSON.parse(
    readFileSync(path.join(process.cwd(), ".next", "server", "server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, { filename: string; exportedName: string }> };
  const found = Object.entries(manifest.node).find(([, v]) => v.filename === file && v.exportedName === exportedName);
  if (!found) throw new Error(`server action ${exportedName} (${file}) not in the build`);
  return found[0];
}

/** The value a server action returned, from its RSC answer (the line of the action's result). */
function actionResult(body: string): { ok: boolean; code?: string; data?: Record<string, unknown> } | null {
  for (const line of body.split("\n")) {
    const m = /^1:(\{.*\})$/.exec(line);
    if (m?.[1]) return JSON.parse(m[1]) as { ok: boolean; code?: string };
  }
  return null;
}

/** Password-only prescriber accounts: `linkedNpi` links the first to a seeded prescriber (the lab importer). */
async function addAccounts(client: pg.Client, emails: string[], linkedNpi: string): Promise<void> {
  const hash = await hashPassword(PASSWORD);
  for (const [i, email] of emails.entries()) {
    const user = await client.query<{ id: string }>(
      `INSERT INTO "User" ("id", "email", "name", "passwordHash", "role", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, 'PRESCRIBER', now()) RETURNING "id"`,
      [email, `Fault Test Prescriber ${i}`, hash],
    );
    if (i === 0) {
      await client.query(`UPDATE "Prescriber" SET "userId" = $1 WHERE "npi" = $2`, [user.rows[0]?.id, linkedNpi]);
    }
  }
}

function prescriberForm(n: number, email: string, practice: string): Record<string, string> {
  const body = `2${RUN.replace(/[^0-9]/g, "")
    .padEnd(4, "7")
    .slice(0, 4)}${String(n).padStart(4, "0")}`;
  return {
    firstName: "Fault",
    lastName: `Tester${n}`,
    credentials: "md",
    npi: `${body}${npiCheckDigit(body)}`,
    specialty: "Neurology",
    dea: "",
    practiceName: practice,
    addressLine1: "12 Harbor Street",
    addressLine2: "",
    city: "Madison",
    state: "WI",
    zip: "53703",
    phone: "608-555-0142",
    email,
  };
}

/** A lab feed of `rows` distinct results (patient × test × day × lab) for the importer's patients. */
function labFeed(patients: BenchPatient[], rows: number, today: string): Buffer {
  const tests = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];
  const lines = ["rems_patient_id,test_code,collected_date,result_flag,lab_id"];
  const base = Date.parse(`${today}T00:00:00Z`);
  outer: for (let lab = 0; ; lab++) {
    for (let day = 1; day <= 60; day++) {
      const date = new Date(base - day * 86_400_000).toISOString().slice(0, 10);
      for (const p of patients) {
        for (const t of tests) {
          lines.push(`${p.remsId},${t},${date},normal,FAULT-${RUN}-${lab}`);
          if (lines.length > rows) break outer;
        }
      }
    }
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

async function main() {
  for (const f of FAULTS) if (!["a", "b", "c", "d"].includes(f)) throw new Error(`unknown fault "${f}" (a, b, c, d)`);
  const faults = (["a", "b", "c", "d"] as FaultName[]).filter((f) => FAULTS.includes(f));
  console.log(
    `fault test ${RUN}: faults ${faults.join(", ")}; ${CONNECTIONS} connections, client timeout ${TIMEOUT_MS / 1000} s`,
  );
  const problems = problemsOf([]);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the cluster and the test's PostgreSQL`);
      void cleanUp().then(() => process.exit(130));
    });
  }

  ownPg = await startOwnPostgres(PG_PORT, (line) => console.log(`  ${line}`));
  const world = await seedBenchDatabase({ url: DB_URL, patients: PATIENTS, log: (line) => console.log(`  ${line}`) });
  // The lab importer is the first seeded prescriber; its patients are left out of the dispense load
  // (new lab results would change their decisions).
  const labNpi = world.patients[0]?.prescriberNpi as string;
  const labPatients = world.patients.filter((p) => p.prescriberNpi === labNpi);
  const emails = Array.from({ length: ENROLLMENT_USERS + 1 }, (_, i) => `fault.${RUN}.${i}@bench.test`);
  {
    const client = new pg.Client({ connectionString: DB_URL });
    await client.connect();
    await addAccounts(client, emails, labNpi);
    await client.end();
  }
  cluster = await startCluster({
    port: PORT,
    databaseUrl: DB_URL,
    seedDemo: false,
    env: { DISPENSE_RATE_LIMIT_PER_MINUTE: "10000000" },
  });
  const c = cluster;
  const cookies = [];
  for (const email of emails) cookies.push(await signIn(c.url, { email, password: PASSWORD }));
  const saveActionId = actionId("lib/enrollment/actions.ts", "saveEnrollmentFormAction");

  const agent = keepAliveAgent(CONNECTIONS + ENROLLMENT_USERS + 2);
  const api = { authorization: `Bearer ${world.apiKey}`, "content-type": "application/json" };
  const patients = world.patients.filter((p) => p.prescriberNpi !== labNpi).sort(() => Math.random() - 0.5);
  const attempts: Attempt[] = [];
  const log: Entry[] = [];
  let next = 0;
  let loadRunning = true;

  const send = async (patient: BenchPatient) => {
    const key = `fault-${RUN}-${next}`;
    const entry: Entry = { key, patient, attempts: [], status: null, id: null, decision: null, replayed: false };
    log.push(entry);
    const body = dispenseRequestBody(world, patient, key);
    const giveUp = Date.now() + GIVE_UP_MS;
    while (Date.now() < giveUp) {
      const {
        attempt: a,
        body: text,
        headers,
      } = await attempt(
        "dispense",
        `${c.url}/api/v1/dispense-authorizations`,
        { method: "POST", agent, headers: { ...api, "idempotency-key": key }, body },
        attempts,
      );
      entry.attempts.push(a);
      if (a.outcome === 200) {
        entry.status = 200;
        const json = JSON.parse(text) as { id: string; decision: string };
        entry.id = json.id;
        entry.decision = json.decision;
        entry.replayed = headers["idempotent-replayed"] === "true";
        return;
      }
      if (typeof a.outcome === "number" && a.outcome !== 503) {
        entry.status = a.outcome;
        problems.add(`${key}: HTTP ${a.outcome} ${text.slice(0, 160)}`);
        return;
      }
      await sleep(RETRY_MS);
    }
  };
  const load = Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (loadRunning) {
        const patient = patients[next++];
        if (!patient) return;
        await send(patient);
      }
    }),
  );

  const started = Date.now();
  const at = () => seconds(Date.now() - started);
  /** Polls both instances' readiness until both answer 200 (or the recovery bound passes). */
  const bothReady = async (from: number): Promise<number | null> => {
    while (Date.now() - from < RECOVERY_SECONDS * 1000 * 2) {
      const statuses = await Promise.all(
        c.instances.map((i) =>
          request(`${i.url}/api/ready`, { timeoutMs: 2_000 }).then(
            (r) => r.status,
            () => 0,
          ),
        ),
      );
      if (statuses.every((s) => s === 200)) return Date.now();
      await sleep(100);
    }
    return null;
  };
  /** Waits for the first dispense success that started after `from` (or the recovery bound). */
  const firstSuccessAfter = async (from: number) => {
    while (Date.now() - from < RECOVERY_SECONDS * 1000 * 2) {
      if (attempts.some((a) => a.kind === "dispense" && a.start >= from && a.outcome === 200)) return;
      await sleep(100);
    }
  };

  const done: Fault[] = [];
  const enrollment: {
    users: EnrollmentUser[];
  } = { users: [] };
  const lab: {
    firstOutcome: string;
    finishedBeforeKill: boolean;
    killedImportId: string | null;
    reimport: { status: number; body: string; ms: number } | null;
    /** From the import's row appearing to the kill. */
    ranMs: number;
    bytes: number;
  } = { firstOutcome: "", finishedBeforeKill: false, killedImportId: null, reimport: null, ranMs: 0, bytes: 0 };

  await sleep(5_000);
  /** (d) starts polling readiness as soon as app2 is back, while it goes on with the re-import. */
  let ready: Promise<number | null> | null = null;
  for (const name of faults) {
    console.log(`${at()}: ${FAULT_TITLES[name]}`);
    let fault: Fault;
    if (name === "a") {
      const r = await ownPg.restart();
      fault = {
        name,
        start: r.stoppingAt,
        end: r.readyAt,
        note: `stop took ${seconds(r.stoppedAt - r.stoppingAt)}, start ${seconds(r.readyAt - r.stoppedAt)}`,
        readyAt: null,
      };
    } else if (name === "b") {
      const start = Date.now();
      await c.stopPgBouncer("SIGTERM");
      const stopped = Date.now();
      await sleep(PGBOUNCER_DOWN_SECONDS * 1000);
      await c.startPgBouncer();
      fault = {
        name,
        start,
        end: Date.now(),
        note: `down ${seconds(Date.now() - stopped)} (from the stop until PgBouncer answered again)`,
        readyAt: null,
      };
    } else if (name === "c") {
      const start = Date.now();
      c.killInstance(0);
      await c.startInstance(0);
      fault = {
        name,
        start,
        end: Date.now(),
        note: `app1 ready again after ${seconds(Date.now() - start)}`,
        readyAt: null,
      };
    } else {
      fault = await faultD(
        c,
        cookies,
        saveActionId,
        labPatients,
        world.today,
        agent,
        attempts,
        enrollment,
        lab,
        problems,
        {
          onEnd: (end) => {
            ready = bothReady(end);
          },
        },
      );
    }
    fault.readyAt = await (ready ?? bothReady(fault.end));
    ready = null;
    await firstSuccessAfter(fault.end);
    done.push(fault);
    console.log(`${at()}: ${FAULT_TITLES[name]} over (${fault.note})`);
    await sleep(3_000);
  }
  loadRunning = false;
  await load;
  agent.destroy();

  // ---------------------------------------------------------------------------------------------
  // The client's log against the database.
  const client = new pg.Client({ connectionString: DB_URL });
  await client.connect();
  const { rows } = await client.query<{ id: string; key: string; decision: string }>(
    `SELECT "id", "idempotencyKey" AS key, "decision"::text AS decision FROM "DispenseAuthorization"
      WHERE "idempotencyKey" LIKE $1`,
    [`fault-${RUN}-%`],
  );
  // The job queue (pg-boss, on its own direct connections) works again after the restart: a job
  // completed after it (the mail and audit jobs run every minute; bounded wait).
  let jobsAfterRestart: number | null = null;
  const restart = done.find((f) => f.name === "a");
  if (restart) {
    const until = restart.end + 100_000;
    for (;;) {
      const { rows: jobs } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE "state" = 'completed' AND "completed_on" > to_timestamp($1 / 1000.0)`,
        [restart.end],
      );
      jobsAfterRestart = jobs[0]?.n ?? 0;
      if (jobsAfterRestart > 0 || Date.now() > until) break;
      await sleep(1_000);
    }
    if (jobsAfterRestart === 0) problems.add("(a): no background job completed in the 100 s after the restart");
  }
  const byKey = new Map<string, { id: string; decision: string }[]>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
  let approvedOnce = 0;
  let replayed = 0;
  let storedOnRetry = 0;
  const approved = log.filter((e) => e.decision === "APPROVED");
  const retried = log.filter((e) => e.attempts.length > 1);
  for (const e of log) {
    const stored = byKey.get(e.key) ?? [];
    if (stored.length > 1) problems.add(`${e.key}: stored ${stored.length} times`);
    if (e.status === null) problems.add(`${e.key}: no answer after ${e.attempts.length} attempts`);
    if (e.decision && e.decision !== EXPECTED_DECISION[e.patient.kind]) {
      problems.add(`${e.key}: ${e.patient.kind} patient ${e.decision}, expected ${EXPECTED_DECISION[e.patient.kind]}`);
    }
    if (e.id && (stored.length !== 1 || stored[0]?.id !== e.id)) {
      problems.add(
        `${e.key}: answered ${e.decision} ${e.id}, stored ${stored.map((s) => s.id).join(", ") || "nothing"}`,
      );
    }
    if (
      e.decision === "APPROVED" &&
      stored.length === 1 &&
      stored[0]?.id === e.id &&
      stored[0]?.decision === "APPROVED"
    )
      approvedOnce++;
    if (e.attempts.length > 1 && e.id) {
      if (e.replayed) replayed++;
      else storedOnRetry++;
    }
  }
  const unnamed = rows.filter((r) => !log.some((e) => e.key === r.key && e.id === r.id));
  if (unnamed.length) problems.add(`${unnamed.length} stored authorizations that no answer named`);
  if (approvedOnce !== approved.length)
    problems.add(`${approved.length - approvedOnce} APPROVED answers not stored once`);

  // Every attempt: answered 200 (or, for the import cut off by the kill, no answer), or 503 with
  // Retry-After inside a fault's window; never a hang, never another 5xx.
  // A fault lasts, as clients see it, from its start until the first success after it ended: the
  // recovery (PgBouncer logging in again, pools reconnecting) is part of the outage.
  const recoveredAt = new Map<Fault, number | null>(
    done.map((f) => [
      f,
      attempts
        .filter((a) => a.kind === "dispense" && a.outcome === 200 && a.start >= f.end)
        .reduce<number | null>((first, a) => (first === null || a.end < first ? a.end : first), null),
    ]),
  );
  const windowOf = (a: Attempt) =>
    done.find((f) => a.start < (recoveredAt.get(f) ?? Number.POSITIVE_INFINITY) && a.end > f.start - 50);
  for (const a of attempts) {
    if (a.outcome === "timeout") problems.add(`${a.kind} request hung (no answer within ${TIMEOUT_MS / 1000} s)`);
    else if (a.outcome === "no answer" && a.kind !== "lab-import")
      problems.add(`${a.kind} request got no answer (${a.detail})`);
    else if (a.outcome === 503 && !a.retryAfter) problems.add(`${a.kind} request answered 503 without Retry-After`);
    else if (a.outcome === 503 && !windowOf(a)) {
      const timeline = done
        .map((f) => `${f.name} ${seconds(f.start - started)}–${seconds(f.end - started)}`)
        .join(", ");
      problems.add(
        `${a.kind} request answered 503 outside any fault (sent at ${seconds(a.start - started)}, answered at ${seconds(a.end - started)}; faults ${timeline}): ${a.detail ?? ""}`,
      );
    } else if (typeof a.outcome === "number" && a.outcome >= 500 && a.outcome !== 503)
      problems.add(`${a.kind} request answered ${a.outcome}: ${a.detail ?? ""}`);
  }

  const summaries: string[] = [];
  for (const f of done) {
    const inWindow = attempts.filter((a) => windowOf(a) === f);
    const count = (pred: (a: Attempt) => boolean) => inWindow.filter(pred).length;
    const firstOk = recoveredAt.get(f) ?? null;
    const recovery = firstOk === null ? null : firstOk - f.end;
    const sinceStart = f.name === "c" || f.name === "d";
    const firstOkAfterStart = attempts
      .filter((a) => a.kind === "dispense" && a.outcome === 200 && a.start >= f.start)
      .sort((x, y) => x.end - y.end)[0];
    if (recovery === null || recovery > RECOVERY_SECONDS * 1000)
      problems.add(`${FAULT_TITLES[f.name]}: no success within ${RECOVERY_SECONDS} s after the fault ended`);
    if (f.readyAt === null || f.readyAt - f.end > RECOVERY_SECONDS * 1000)
      problems.add(
        `${FAULT_TITLES[f.name]}: an instance was not ready within ${RECOVERY_SECONDS} s after the fault ended`,
      );
    const unavailable = count((a) => a.outcome === 503 && a.retryAfter);
    if (f.name === "b" && unavailable === 0) problems.add("(b): no request saw the outage (was PgBouncer stopped?)");
    if (sinceStart && count((a) => a.kind === "dispense" && a.outcome === 200 && a.end < f.end) === 0)
      problems.add(`${FAULT_TITLES[f.name]}: the other instance answered nothing while one was down`);
    summaries.push(
      [
        `${FAULT_TITLES[f.name]}: ${seconds(f.end - f.start)} (${f.note})`,
        `  attempts from the fault's start to the first success after it: ${inWindow.length}${f.name === "d" ? ` (${(["dispense", "enrollment", "lab-import"] as const).map((k) => `${k} ${count((a) => a.kind === k)}`).join(", ")})` : ""}; answered 200: ${count((a) => a.outcome === 200)}; 503 + Retry-After: ${unavailable}; other 5xx: ${count((a) => typeof a.outcome === "number" && a.outcome >= 500 && a.outcome !== 503)}; 503 without Retry-After: ${count((a) => a.outcome === 503 && !a.retryAfter)}; no answer: ${count((a) => a.outcome === "no answer")}; hung (client timeout): ${count((a) => a.outcome === "timeout")}`,
        `  recovery: first success ${recovery === null ? "NEVER" : seconds(recovery)} after the fault ended${sinceStart && firstOkAfterStart ? ` (through the other instance: ${seconds(firstOkAfterStart.end - f.start)} after the kill)` : ""}; both instances ready ${f.readyAt === null ? "NEVER" : `${seconds(Math.max(0, f.readyAt - f.end))} after`}`,
      ].join("\n"),
    );
  }

  // Enrollment applications saved through the kill of (d).
  const enrollmentLines: string[] = [];
  if (faults.includes("d")) {
    let complete = 0;
    let draftsKept = 0;
    for (const u of enrollment.users) {
      const { rows: found } = await client.query<{
        prescribers: number;
        enrollments: number;
        enrollment_id: string | null;
        status: string | null;
        events: number;
        created_audits: number;
        practice: string | null;
        form_practice: string | null;
      }>(
        `SELECT (SELECT count(*)::int FROM "Prescriber" p JOIN "User" u ON u."id" = p."userId" WHERE u."email" = $1) AS prescribers,
                count(e."id")::int AS enrollments, min(e."id"::text) AS enrollment_id, min(e."status"::text) AS status,
                (SELECT count(*)::int FROM "EnrollmentEvent" ev WHERE ev."enrollmentId" = min(e."id"::text)::uuid AND ev."toStatus" = 'DRAFT') AS events,
                (SELECT count(*)::int FROM "AuditEvent" a WHERE a."entityId" = min(e."id"::text) AND a."action" = 'enrollment.created') AS created_audits,
                min(p."practiceName") AS practice, min(e."data"->'form'->>'practiceName') AS form_practice
           FROM "User" u JOIN "Prescriber" p ON p."userId" = u."id" LEFT JOIN "Enrollment" e ON e."prescriberId" = p."id"
          WHERE u."email" = $1`,
        [u.email],
      );
      const r = found[0];
      const label = `enrollment user ${u.index}`;
      if (!u.enrollmentId) {
        problems.add(`${label}: the first save was never answered`);
        continue;
      }
      if (r?.prescribers !== 1 || r.enrollments !== 1 || r.enrollment_id !== u.enrollmentId) {
        problems.add(
          `${label}: ${r?.prescribers ?? 0} prescribers, ${r?.enrollments ?? 0} applications (answered ${u.enrollmentId}, stored ${r?.enrollment_id})`,
        );
        continue;
      }
      if (r.status === "DRAFT" && r.events === 1 && r.created_audits === 1) complete++;
      else
        problems.add(
          `${label}: partial application (${r.status}, ${r.events} history rows, ${r.created_audits} creation audits)`,
        );
      if (r.practice === u.lastSaved && r.form_practice === u.lastSaved) draftsKept++;
      else problems.add(`${label}: draft holds "${r.form_practice}" / "${r.practice}", last saved "${u.lastSaved}"`);
    }
    const saves = attempts.filter((a) => a.kind === "enrollment");
    enrollmentLines.push(
      `enrollment: ${enrollment.users.length} signed-in prescribers, ${saves.length} save attempts (${enrollment.users.reduce((s, u) => s + u.saves, 0)} saves acknowledged; ${enrollment.users.filter((u) => u.createRetries > 0).length} applications whose creating save was retried); complete applications (one prescriber, one DRAFT application, its history row and creation audit): ${complete}; drafts holding the last values saved: ${draftsKept}`,
    );

    // The killed import: nothing written, and read as interrupted once it cannot be running.
    if (lab.finishedBeforeKill) problems.add("the lab import finished before the kill (raise FAULTTEST_LAB_ROWS)");
    if (!lab.killedImportId) problems.add("the lab import never started before the kill");
    else {
      const { rows: imp } = await client.query<{ status: string; results: number; finished: Date | null }>(
        `SELECT i."status", i."finishedAt" AS finished,
                (SELECT count(*)::int FROM "LabResult" r WHERE r."importId" = i."id") AS results
           FROM "LabImport" i WHERE i."id" = $1`,
        [lab.killedImportId],
      );
      const killed = imp[0];
      const verifier = createPrismaClient({ kind: "postgres", url: DB_URL });
      const user = await verifier.user.findUniqueOrThrow({
        where: { email: emails[0] },
        select: { id: true, email: true, name: true },
      });
      const importer: Actor = {
        ...user,
        userId: user.id,
        role: "PRESCRIBER",
        pharmacyId: null,
        healthcareSettingId: null,
        sessionId: null,
        requestId: `faulttest-${RUN}`,
      };
      // Past the two minutes an import may take to start its transaction, well before the
      // transaction's own timeout: the list must see that no transaction holds the import.
      const later = new Date(Date.now() + 3 * 60_000);
      const listed = (await listLabImports(importer, verifier, 20, later)).find((i) => i.id === lab.killedImportId);
      await verifier.$disconnect();
      let reimported: { status?: string; acceptedRows?: number; duplicateRows?: number } = {};
      try {
        reimported = JSON.parse(lab.reimport?.body ?? "{}");
      } catch {}
      if (killed?.results !== 0) problems.add(`the killed import left ${killed?.results} result rows`);
      if (killed?.status === "completed") problems.add("the killed import is recorded completed");
      if (listed?.status !== "failed") problems.add(`the killed import lists as ${listed?.status}, not failed`);
      if (lab.reimport?.status !== 201 || reimported.status !== "completed" || reimported.acceptedRows !== LAB_ROWS)
        problems.add(`the re-import answered ${lab.reimport?.status} ${lab.reimport?.body.slice(0, 200)}`);
      enrollmentLines.push(
        `lab import of ${LAB_ROWS} rows (${(lab.bytes / 1e6).toFixed(1)} MB) killed ${seconds(lab.ranMs)} after it started writing: client saw ${lab.firstOutcome}; the import is recorded "${killed?.status}" with ${killed?.results} result rows, and lists as "${listed?.status}" (${listed?.failureReason ?? "no reason"}) in the list three minutes later (no transaction holds it); re-import through nginx (${seconds(lab.reimport?.ms ?? 0)}): ${lab.reimport?.status} ${reimported.status}, ${reimported.acceptedRows} rows accepted, ${reimported.duplicateRows} already recorded`,
      );
    }
  }

  // Both instances and every fault appended to one audit chain: it must verify row by row.
  const verifier = createPrismaClient({ kind: "postgres", url: DB_URL });
  const chain = await verifyAuditChain(verifier);
  await verifier.$disconnect();
  if (!chain.ok) problems.add(`the audit chain breaks at seq ${chain.brokenAt} (${chain.reason})`);
  await client.end();
  await cleanUp();

  const cpu = os.cpus();
  console.log(`
fault test ${RUN}, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; ${cpu.length} × ${cpu[0]?.model.trim()}, load average ${os.loadavg()[0]?.toFixed(1)} at the end
${summaries.join("\n")}
dispense requests (keys): ${log.length}, stored: ${rows.length}; APPROVED answers: ${approved.length}, each stored exactly once with the id answered: ${approvedOnce}
retried requests: ${retried.length}; answered with the stored authorization (Idempotent-Replayed): ${replayed}; stored once on their retry: ${storedOnRetry}; keys stored twice: ${rows.length - byKey.size}
${enrollmentLines.join("\n")}
${jobsAfterRestart === null ? "" : `background jobs (pg-boss) completed after the restart: ${jobsAfterRestart}\n`}audit chain: ${chain.ok ? `${chain.checked} rows verify` : `BROKEN at seq ${chain.brokenAt}`}`);
  for (const p of problems.list.slice(0, 30)) console.log(`  PROBLEM: ${p}`);
  if (problems.list.length > 30) console.log(`  … and ${problems.list.length - 30} more`);
  if (problems.list.length) {
    console.log(`\nfault test FAILED (${problems.list.length} problems)`);
    process.exit(1);
  }
  console.log(
    "\nfault test passed: every fault answered 503 + Retry-After or served, recovered by itself, lost and duplicated nothing",
  );
  process.exit(0);
}

/**
 * (d): signed-in prescribers save enrollment applications through nginx while app2 imports a large
 * lab feed; app2 is killed part-way through the import, started again, and the file imported again.
 */
async function faultD(
  c: Cluster,
  cookies: string[],
  saveActionId: string,
  labPatients: BenchPatient[],
  today: string,
  agent: ReturnType<typeof keepAliveAgent>,
  attempts: Attempt[],
  enrollment: {
    users: EnrollmentUser[];
  },
  lab: {
    firstOutcome: string;
    finishedBeforeKill: boolean;
    killedImportId: string | null;
    reimport: { status: number; body: string; ms: number } | null;
    ranMs: number;
    bytes: number;
  },
  problems: { add: (p: string) => void },
  hooks: { onEnd: (end: number) => void },
): Promise<Fault> {
  const file = labFeed(labPatients, LAB_ROWS, today);
  const fileName = `fault-${RUN}.csv`;
  lab.bytes = file.length;
  let saving = true;
  const save = async (u: EnrollmentUser, cookie: string, practice: string) => {
    const values = prescriberForm(u.index, u.email, practice);
    const input = { programCode: "LEMTRADA", ...(u.enrollmentId ? { enrollmentId: u.enrollmentId } : {}), values };
    const giveUp = Date.now() + GIVE_UP_MS;
    while (Date.now() < giveUp) {
      const { attempt: a, body } = await attempt(
        "enrollment",
        `${c.url}/enroll/lemtrada/details`,
        {
          method: "POST",
          agent,
          headers: {
            cookie,
            "next-action": saveActionId,
            "content-type": "text/plain;charset=UTF-8",
            accept: "text/x-component",
            origin: c.url,
          },
          body: JSON.stringify([input]),
        },
        attempts,
      );
      if (a.outcome === 200) {
        const result = actionResult(body);
        a.actionCode = result?.ok ? "ok" : (result?.code ?? "unreadable");
        if (result?.ok) {
          u.enrollmentId ??= (result.data as { enrollmentId: string }).enrollmentId;
          u.lastSaved = practice;
          u.saves++;
          return;
        }
        if (result?.code !== "UNAVAILABLE") {
          problems.add(`enrollment save by user ${u.index}: ${result?.code ?? body.slice(0, 200)}`);
          return;
        }
      } else if (typeof a.outcome === "number" && a.outcome !== 503) {
        problems.add(`enrollment save by user ${u.index}: HTTP ${a.outcome} ${body.slice(0, 160)}`);
        return;
      }
      if (!u.enrollmentId) u.createRetries++;
      await sleep(RETRY_MS);
    }
  };
  // Half the users start at once and keep changing their drafts; the other half start just before
  // the kill, so that applications are being created when app2 dies.
  let releaseLate: () => void = () => undefined;
  const late = new Promise<void>((r) => {
    releaseLate = r;
  });
  const savers = Promise.all(
    cookies.slice(1).map(async (cookie, i) => {
      const u: EnrollmentUser = {
        index: i + 1,
        email: `fault.${RUN}.${i + 1}@bench.test`,
        lastSaved: null,
        enrollmentId: null,
        saves: 0,
        createRetries: 0,
      };
      enrollment.users.push(u);
      if (i % 2 === 1) await late;
      for (let round = 0; saving; round++) await save(u, cookie, `Practice ${RUN} ${i + 1} v${round}`);
    }),
  );

  // The import goes to app2 itself, so that it is the one killed.
  const victim = c.instances[1];
  if (!victim) throw new Error("no app2");
  const upload = attempt(
    "lab-import",
    `${victim.url}/prescriber/labs/imports?mode=valid_rows&fileName=${fileName}`,
    {
      method: "POST",
      headers: { cookie: cookies[0] as string, "content-type": "text/csv" },
      body: file.toString("utf8"),
    },
    attempts,
  );
  let answered = false;
  void upload.then(() => {
    answered = true;
  });
  const client = new pg.Client({ connectionString: DB_URL });
  await client.connect();
  // Part-way: the import is recorded and has been reading the file for a moment.
  const deadline = Date.now() + 60_000;
  while (!lab.killedImportId && !answered && Date.now() < deadline) {
    const { rows } = await client.query<{ id: string }>(
      `SELECT "id" FROM "LabImport" WHERE "fileName" = $1 AND "status" = 'processing'`,
      [fileName],
    );
    lab.killedImportId = rows[0]?.id ?? null;
    if (!lab.killedImportId) await sleep(100);
  }
  await client.end();
  const seen = Date.now();
  await sleep(1_200);
  releaseLate();
  await sleep(300);
  lab.finishedBeforeKill = answered;
  const start = Date.now();
  lab.ranMs = start - seen;
  c.killInstance(1);
  const first = await upload;
  lab.firstOutcome =
    typeof first.attempt.outcome === "number" ? `HTTP ${first.attempt.outcome}` : first.attempt.outcome;
  await c.startInstance(1);
  const end = Date.now();
  hooks.onEnd(end);
  // Keep saving a little after the instance is back, then stop.
  await sleep(2_000);
  saving = false;
  await savers;
  const reimportStarted = Date.now();
  const again = await request(`${c.url}/prescriber/labs/imports?mode=valid_rows&fileName=${fileName}`, {
    method: "POST",
    headers: { cookie: cookies[0] as string, "content-type": "text/csv" },
    body: file.toString("utf8"),
    timeoutMs: 120_000,
  }).catch((error: Error) => ({ status: 0, body: error.message }));
  lab.reimport = { status: again.status, body: again.body, ms: Date.now() - reimportStarted };
  return { name: "d", start, end, note: `app2 ready again after ${seconds(end - start)}`, readyAt: null };
}

main().catch(async (error) => {
  console.error(error);
  await cleanUp();
  process.exit(1);
});
