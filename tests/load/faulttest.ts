/**
 * `npm run faulttest` (not part of `npm test`; loopback only; bounded): fault (c) of the fault
 * test — kill -9 one app instance of the cluster while the other keeps serving — with the client's
 * log reconciled against the database afterwards. (Faults (a), (b) and (d) are not written yet.)
 *
 * 1. Recreates FAULTTEST_DATABASE_URL (default remsgate_faulttest) with the dispense benchmark's
 *    world and starts the cluster on FAULTTEST_PORT (default 3160).
 * 2. FAULTTEST_CONNECTIONS (32) workers send dispense requests through nginx for FAULTTEST_SECONDS
 *    (30), each for a patient not asked for before, with its own Idempotency-Key. A request that
 *    gets no answer, or an answer from nginx that the instance never gave (502/503/504), is retried
 *    with the same body and key (every 250 ms, at most FAULTTEST_RETRIES = 40 times).
 * 3. A third of the way in, app1 is killed with SIGKILL (its whole process group); it is started
 *    again at once and rejoins when ready.
 * 4. Afterwards, from the client's log against the database: every answer is the decision the
 *    patient's kind gives; every APPROVED answer exists exactly once, under its key, with the id
 *    the client was given; no key is stored twice; every retried request that had been stored
 *    before its retry was answered with the stored authorization (Idempotent-Replayed) and not a
 *    second one; no request stayed unanswered; app2 answered while app1 was down. It prints the
 *    counts and exits 1 if any is wrong.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type BenchPatient, dispenseRequestBody, EXPECTED_DECISION, seedBenchDatabase } from "../bench/dispense-seed";
import { startCluster } from "../../scripts/cluster";
import { keepAliveAgent, request } from "./client";

const DB_URL = process.env.FAULTTEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/remsgate_faulttest";
const PORT = Number(process.env.FAULTTEST_PORT ?? 3160);
const SECONDS = Math.min(Number(process.env.FAULTTEST_SECONDS ?? 30), 300);
const CONNECTIONS = Number(process.env.FAULTTEST_CONNECTIONS ?? 32);
const RETRIES = Number(process.env.FAULTTEST_RETRIES ?? 40);
const RUN = randomBytes(3).toString("hex");

/** What the client saw for one Idempotency-Key. */
interface Entry {
  key: string;
  patient: BenchPatient;
  attempts: number;
  /** Attempts that got no answer or a 502/503/504 from nginx. */
  failures: string[];
  status: number | null;
  id: string | null;
  decision: string | null;
  replayed: boolean;
  answeredAt: number;
}

async function main() {
  console.log(`fault test ${RUN} (kill -9 of one instance): ${CONNECTIONS} connections, ${SECONDS} s, ${DB_URL}`);
  const world = await seedBenchDatabase({ url: DB_URL, log: (line) => console.log(`  ${line}`) });
  const cluster = await startCluster({
    port: PORT,
    databaseUrl: DB_URL,
    seedDemo: false,
    env: { DISPENSE_RATE_LIMIT_PER_MINUTE: "10000000" },
  });
  const agent = keepAliveAgent(CONNECTIONS);
  const api = { authorization: `Bearer ${world.apiKey}`, "content-type": "application/json" };
  const patients = [...world.patients].sort(() => Math.random() - 0.5);
  const log: Entry[] = [];
  let next = 0;
  let killedAt = 0;
  let backAt = 0;
  const problems: string[] = [];

  const send = async (patient: BenchPatient) => {
    const key = `fault-${RUN}-${next}`;
    const entry: Entry = {
      key,
      patient,
      attempts: 0,
      failures: [],
      status: null,
      id: null,
      decision: null,
      replayed: false,
      answeredAt: 0,
    };
    log.push(entry);
    const body = dispenseRequestBody(world, patient, key);
    while (entry.attempts <= RETRIES) {
      entry.attempts++;
      try {
        const a = await request(`${cluster.url}/api/v1/dispense-authorizations`, {
          method: "POST",
          agent,
          headers: { ...api, "idempotency-key": key },
          body,
          timeoutMs: 30_000,
        });
        if (a.status === 502 || a.status === 503 || a.status === 504) {
          entry.failures.push(`${a.status}`);
        } else {
          entry.status = a.status;
          entry.answeredAt = Date.now();
          if (a.status === 200) {
            const json = JSON.parse(a.body) as { id: string; decision: string };
            entry.id = json.id;
            entry.decision = json.decision;
            entry.replayed = a.headers["idempotent-replayed"] === "true";
          } else problems.push(`${key}: HTTP ${a.status} ${a.body.slice(0, 160)}`);
          return;
        }
      } catch (error) {
        entry.failures.push((error as Error).message);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const started = Date.now();
  const end = started + SECONDS * 1000;
  const fault = (async () => {
    await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 3));
    const [victim] = cluster.instances;
    console.log(
      `kill -9 ${victim?.name} (pid ${victim?.process.pid}) at ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    killedAt = Date.now();
    cluster.killInstance(0);
    await cluster.startInstance(0);
    backAt = Date.now();
    console.log(`${victim?.name} ready again at ${((backAt - started) / 1000).toFixed(1)} s`);
  })();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        const patient = patients[next++];
        if (!patient) return;
        await send(patient);
      }
    }),
  );
  await fault;
  agent.destroy();

  // The client's log against the database.
  const client = new pg.Client({ connectionString: DB_URL });
  await client.connect();
  const { rows } = await client.query<{ id: string; key: string; decision: string }>(
    `SELECT "id", "idempotencyKey" AS key, "decision"::text AS decision FROM "DispenseAuthorization"
      WHERE "idempotencyKey" LIKE $1`,
    [`fault-${RUN}-%`],
  );
  await client.end();
  await cluster.stop();

  const byKey = new Map<string, { id: string; decision: string }[]>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
  const approved = log.filter((e) => e.decision === "APPROVED");
  const retried = log.filter((e) => e.failures.length > 0);
  let approvedOnce = 0;
  let replayed = 0;
  let storedAfterRetry = 0;
  for (const e of log) {
    const stored = byKey.get(e.key) ?? [];
    if (stored.length > 1) problems.push(`${e.key}: stored ${stored.length} times`);
    if (e.status === null) problems.push(`${e.key}: no answer after ${e.attempts} attempts (${e.failures.at(-1)})`);
    if (e.decision && e.decision !== EXPECTED_DECISION[e.patient.kind]) {
      problems.push(`${e.key}: ${e.patient.kind} patient ${e.decision}, expected ${EXPECTED_DECISION[e.patient.kind]}`);
    }
    if (e.id && (stored.length !== 1 || stored[0]?.id !== e.id)) {
      problems.push(
        `${e.key}: answered ${e.decision} ${e.id}, stored ${stored.map((s) => s.id).join(", ") || "nothing"}`,
      );
    }
    if (
      e.decision === "APPROVED" &&
      stored.length === 1 &&
      stored[0]?.id === e.id &&
      stored[0]?.decision === "APPROVED"
    ) {
      approvedOnce++;
    }
    if (e.failures.length > 0 && e.replayed) replayed++;
    if (e.failures.length > 0 && e.id) storedAfterRetry++;
  }
  const unanswered = rows.filter((r) => !log.some((e) => e.key === r.key && e.id === r.id));
  if (unanswered.length) problems.push(`${unanswered.length} stored authorizations that no answer named`);
  const duringOutage = log.filter((e) => e.status === 200 && e.answeredAt > killedAt && e.answeredAt < backAt).length;
  if (killedAt === 0) problems.push("the instance was never killed (the run was shorter than the fault's delay)");
  else if (duringOutage === 0) problems.push("no request was answered while app1 was down");

  console.log(`
requests (keys): ${log.length}, stored: ${rows.length}
APPROVED answers: ${approved.length}, each stored exactly once with the id answered: ${approvedOnce}
requests retried after no answer or a 502/503/504: ${retried.length}; answered in the end: ${storedAfterRetry}; of those answered with the stored authorization (Idempotent-Replayed): ${replayed}
answered while app1 was down (${((backAt - killedAt) / 1000).toFixed(1)} s): ${duringOutage}`);
  for (const p of problems.slice(0, 20)) console.log(`  PROBLEM: ${p}`);
  if (problems.length || approvedOnce !== approved.length) {
    console.log(`\nfault test FAILED (${problems.length} problems)`);
    process.exit(1);
  }
  console.log("\nfault test passed: no approval lost or duplicated; retries replayed, never duplicated");
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
