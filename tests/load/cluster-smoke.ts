/**
 * `npm run cluster:smoke` (not part of `npm test`): starts `npm run cluster`'s deployment (nginx, two
 * production instances, PgBouncer in transaction mode; demo world), checks that it behaves as one
 * registry, stops it and checks that nothing it started is left running. Exits 1 on any failure.
 *
 * 1. /api/ready answers 200 through nginx and from each instance.
 * 2. A demo prescriber (dr.ada, two-step sign-in with the manifest's TOTP secret) signs in through
 *    nginx; the session cookie is then accepted by each instance directly (/api/auth/session names
 *    the account; the prescriber dashboard answers 200 rather than a redirect to the sign-in page).
 * 3. The dispense gate through PgBouncer (interactive transaction + pg_advisory_xact_lock): the same
 *    request with one Idempotency-Key sent to both instances at once gives one authorization (same
 *    id, one row); one prescription under two keys, one to each instance at once, is approved at
 *    most once; an approval is then confirmed on the other instance than the one that made it.
 *
 * Environment: CLUSTER_PORT (default 3100), CLUSTER_DATABASE_URL (default remsgate_cluster).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";
import { totpCodeAt, totpStepAt } from "../../lib/auth/mfa-rules";
import type { DemoWorld } from "../../lib/demo/seed";
import { startCluster } from "../../scripts/cluster";
import { processTree, request, signIn, stillRunning } from "./client";

const port = Number(process.env.CLUSTER_PORT ?? 3100);
const databaseUrl = process.env.CLUSTER_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/remsgate_cluster";
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

/** Signs in with a code of a time step not used before (the registry refuses a replayed code). */
async function signInWithTotp(base: string, email: string, password: string, secret: string): Promise<string> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await signIn(base, { email, password, code: totpCodeAt(secret, new Date()) });
    } catch (error) {
      lastError = error;
      const nextStep = (totpStepAt(new Date()) + 1) * 30_000;
      await new Promise((r) => setTimeout(r, nextStep - Date.now() + 500));
    }
  }
  throw lastError;
}

async function main() {
  const cluster = await startCluster({ port, databaseUrl });
  const [one, two] = cluster.instances;
  if (!one || !two) throw new Error("the cluster has two instances");
  const trees: number[] = [];
  for (const child of [cluster.nginx, cluster.pgbouncer, one.process, two.process]) {
    if (child.pid) trees.push(...(await processTree(child.pid)));
  }
  try {
    for (const base of [cluster.url, one.url, two.url]) {
      const ready = await request(`${base}/api/ready`);
      check(ready.status === 200, `GET ${base}/api/ready → ${ready.status} ${ready.body.slice(0, 120)}`);
    }

    const w = JSON.parse(readFileSync(cluster.manifest, "utf8")) as DemoWorld;
    const cookie = await signInWithTotp(cluster.url, w.accounts.ada, w.password, w.totp.ada);
    check(true, `dr.ada signed in through nginx (${cluster.url}) with a TOTP code`);
    for (const instance of [one, two, one, two]) {
      const session = await request(`${instance.url}/api/auth/session`, { headers: { cookie } });
      const email = (JSON.parse(session.body || "null") as { user?: { email?: string } } | null)?.user?.email;
      check(email === w.accounts.ada, `${instance.name}: /api/auth/session with the cookie names ${email ?? "nobody"}`);
      const page = await request(`${instance.url}/prescriber`, { headers: { cookie, accept: "text/html" } });
      check(
        page.status === 200 && page.body.includes("<main"),
        `${instance.name}: GET /prescriber with the cookie → ${page.status}${page.headers.location ? ` → ${page.headers.location}` : ""}`,
      );
    }

    // The same request, one Idempotency-Key, to both instances at the same moment.
    const key = `smoke-${randomUUID()}`;
    const headers = {
      authorization: `Bearer ${w.pharmacy.apiKey}`,
      "content-type": "application/json",
      "idempotency-key": key,
    };
    const body = JSON.stringify({
      programCode: w.programCode,
      ndc: w.ndc,
      prescriberNpi: w.prescribers.ada.npi,
      patientRemsId: w.patients.compliant.remsId,
      healthcareSettingId: w.setting.id,
      quantity: 3,
      prescriptionId: `SMOKE-${key.slice(6, 18)}`,
    });
    const answers = await Promise.all(
      [one, two].map((i) =>
        request(`${i.url}/api/v1/dispense-authorizations`, { method: "POST", headers, body }).then((a) => ({
          ...a,
          instance: i,
        })),
      ),
    );
    const parsed = answers.map((a) => ({ ...a, json: JSON.parse(a.body) as { id?: string; decision?: string } }));
    check(
      parsed.every((a) => a.status === 200),
      `dispense request on both instances at once → ${parsed.map((a) => a.status).join(", ")}`,
    );
    check(
      parsed[0]?.json.id !== undefined && parsed[0]?.json.id === parsed[1]?.json.id,
      `both answers name one authorization (${parsed.map((a) => a.json.decision).join(", ")})`,
    );
    // One prescription, two Idempotency-Keys, one to each instance at the same moment: the gate's
    // transaction-scoped advisory lock (through PgBouncer) lets at most one of them be approved.
    const prescriptionId = `SMOKE-RACE-${randomUUID().slice(0, 8)}`;
    const raceBody = JSON.stringify({ ...JSON.parse(body), prescriptionId });
    const race = await Promise.all(
      [one, two].map((i) =>
        request(`${i.url}/api/v1/dispense-authorizations`, {
          method: "POST",
          headers: { ...headers, "idempotency-key": `${prescriptionId}-${i.name}` },
          body: raceBody,
        }),
      ),
    );
    check(
      race.every((a) => a.status === 200),
      `one prescription, two keys, both instances at once → ${race.map((a) => a.status).join(", ")}`,
    );

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const rows = await client.query(
      `SELECT count(*)::int AS n FROM "DispenseAuthorization" WHERE "idempotencyKey" = $1`,
      [key],
    );
    check(rows.rows[0]?.n === 1, `one row in the database for the key (found ${rows.rows[0]?.n})`);
    const raced = await client.query<{ decision: string }>(
      `SELECT "decision"::text AS decision FROM "DispenseAuthorization" WHERE "prescriptionId" = $1`,
      [prescriptionId],
    );
    await client.end();
    const approvedRaced = raced.rows.filter((r) => r.decision === "APPROVED").length;
    check(
      raced.rows.length === 2 && approvedRaced <= 1,
      `the raced prescription: ${raced.rows.length} rows, ${approvedRaced} approved (${raced.rows.map((r) => r.decision).join(", ")})`,
    );

    const approved = parsed.find((a) => a.json.decision === "APPROVED");
    if (approved) {
      const other = approved.instance === one ? two : one;
      const confirm = await request(`${other.url}/api/v1/dispense-authorizations/${approved.json.id}/dispense`, {
        method: "POST",
        headers: { authorization: headers.authorization, "content-type": "application/json" },
        body: JSON.stringify({ quantity: 3, lotNumber: "SMOKE-LOT-1" }),
      });
      check(confirm.status === 200, `confirmed on ${other.name} → ${confirm.status}`);
      const again = await request(
        `${approved.instance.url}/api/v1/dispense-authorizations/${approved.json.id}/dispense`,
        {
          method: "POST",
          headers: { authorization: headers.authorization, "content-type": "application/json" },
          body: JSON.stringify({ quantity: 3, lotNumber: "SMOKE-LOT-1" }),
        },
      );
      check(again.status === 409, `confirmed again on ${approved.instance.name} → ${again.status} (single use)`);
    } else {
      console.log(`     (the demo patient was denied this time: ${parsed[0]?.body.slice(0, 200)})`);
    }
  } finally {
    await cluster.stop();
    const left = await stillRunning(trees);
    check(
      left.length === 0,
      `after stop: ${trees.length} processes started, ${left.length} still running ${left.join(" ")}`,
    );
  }
}

main().then(
  () => {
    console.log(failures.length ? `\n${failures.length} check(s) failed` : "\nthe cluster behaves as one registry");
    process.exit(failures.length ? 1 : 0);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
