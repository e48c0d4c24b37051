/**
 * `npm run bench:explain-registry`: the registry browser's query plans on the 100,000-patient
 * benchmark world. Seeds its own database with tests/bench/dispense-seed.ts (or reuses it when it
 * already holds the patients), adds the history the browser reads that the dispense seed leaves out
 * (e-mails, enrollment transitions, dispense authorizations), then runs every list and detail
 * service call of lib/registry/service.ts through a Prisma client that records each SQL statement,
 * and prints EXPLAIN of every one. Exits 1 when a plan reads a large table (over 10,000 rows) with a
 * sequential scan.
 *
 * REGISTRY_BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/remsgate_registry_bench),
 * PATIENTS (default 100,000), RESEED=1 to start from scratch.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Actor } from "../../lib/auth/actor";
import { createAdapterFactory } from "../../lib/db/adapters";
import { applyMigrations } from "../../lib/db/migrations";
import { PrismaClient } from "../../lib/generated/prisma/client";
import { getStakeholderDetail, listRegistry } from "../../lib/registry/service";
import { seedBenchDatabase } from "./dispense-seed";
import { tableSizes } from "./table-sizes";

const URL_ = process.env.REGISTRY_BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/remsgate_registry_bench";
const PATIENTS = Number(process.env.PATIENTS ?? 100_000);
const LARGE_TABLE_ROWS = 10_000;

async function patientCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "Patient"`);
    return Number(rows[0]?.n ?? 0);
  } catch {
    return 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** E-mails, transitions and authorizations at the volume a busy registry has, once per database. */
async function addBrowserHistory(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "MailMessage"`);
  if (Number(rows[0]?.n ?? 0) > 0) return;
  await client.query(`BEGIN; SET LOCAL synchronous_commit = off; SET LOCAL session_replication_role = replica`);
  await client.query(`UPDATE "Patient" SET "email" = 'patient-' || "remsId" || '@bench.example'`);
  // Two e-mails per patient, and a thousand to the one pharmacy's contact address.
  await client.query(
    `INSERT INTO "MailMessage" ("id", "to", "subject", "text", "category", "createdAt", "sentAt")
     SELECT gen_random_uuid(), lower(p."email"), 'Monitoring reminder', 'text', 'monitoring.reminder',
            now() - (g * interval '30 days'), now() - (g * interval '30 days')
       FROM "Patient" p CROSS JOIN generate_series(1, 2) g`,
  );
  await client.query(`UPDATE "Pharmacy" SET "contactEmail" = 'pharmacy@bench.example'`);
  await client.query(
    `INSERT INTO "MailMessage" ("id", "to", "subject", "text", "category", "createdAt")
     SELECT gen_random_uuid(), 'pharmacy@bench.example', 'Notice ' || g, 'text', 'bench', now() - g * interval '1 hour'
       FROM generate_series(1, 1000) g`,
  );
  await client.query(
    `INSERT INTO "EnrollmentEvent" ("id", "enrollmentId", "fromStatus", "toStatus", "reason", "at")
     SELECT gen_random_uuid(), e."id", NULL, e."status", 'Seeded', e."createdAt" FROM "Enrollment" e`,
  );
  // One dispensed authorization per infusion course start, spread over the prescribers, each in its
  // month's partition as a deployment that has run that long has them.
  await client.query(
    `SELECT dispense_create_partition(m)
       FROM (SELECT DISTINCT date_trunc('month', "infusedOn")::date AS m FROM "Infusion" WHERE "dayInCourse" = 1) months`,
  );
  await client.query(
    `INSERT INTO "DispenseAuthorization" ("id", "authorizationNumber", "pharmacyId", "programId", "programCode",
       "prescriptionId", "prescriberNpi", "patientRemsId", "healthcareSettingRef", "ndc", "quantity",
       "prescriberId", "patientId", "healthcareSettingId", "decision", "status", "facts", "idempotencyKey",
       "requestHash", "createdAt", "expiresAt")
     SELECT gen_random_uuid(), 'DA-BENCH-' || row_number() OVER (), ph."id", i."programId", 'LEMTRADA',
            'RX-' || i."id", pr."npi", p."remsId", hs."remsId", '58468-0200-01', 5, pr."id", p."id", hs."id",
            'APPROVED', 'DISPENSED', '{}'::jsonb, 'bench-' || i."id", 'hash', i."infusedOn"::timestamptz,
            i."infusedOn"::timestamptz + interval '7 days'
       FROM "Infusion" i
       JOIN "Patient" p ON p."id" = i."patientId"
       JOIN "Prescriber" pr ON pr."id" = p."prescriberId"
       JOIN "HealthcareSetting" hs ON hs."id" = i."healthcareSettingId"
       CROSS JOIN (SELECT "id" FROM "Pharmacy" LIMIT 1) ph
      WHERE i."dayInCourse" = 1`,
  );
  await client.query(`COMMIT`);
  await client.query(`ANALYZE`);
}

interface Recorded {
  label: string;
  query: string;
  params: unknown[];
}

function adminActor(): Actor {
  return {
    userId: randomUUID(),
    role: "ADMIN",
    email: "bench-admin@example.org",
    name: "Bench Administrator",
    pharmacyId: null,
    healthcareSettingId: null,
    sessionId: null,
    requestId: "bench-explain-registry",
  };
}

async function main(): Promise<number> {
  if (process.env.RESEED === "1" || (await patientCount(URL_)) < PATIENTS) {
    console.log(`Seeding ${PATIENTS} patients into ${URL_} …`);
    await seedBenchDatabase({ url: URL_, patients: PATIENTS, log: (line) => console.log(line) });
  } else {
    console.log(`Reusing ${URL_}; applying any newer migrations.`);
    await applyMigrations({ kind: "postgres", url: URL_ });
  }
  const raw = new pg.Client({ connectionString: URL_ });
  await raw.connect();
  await addBrowserHistory(raw);

  const recorded: Recorded[] = [];
  let label = "";
  const prisma = new PrismaClient({
    adapter: createAdapterFactory({ kind: "postgres", url: URL_ }),
    log: [{ emit: "event", level: "query" }],
  });
  prisma.$on("query", (e) => {
    if (/^\s*(BEGIN|COMMIT|ROLLBACK|SET|SHOW)\b/i.test(e.query)) return;
    recorded.push({ label, query: e.query, params: JSON.parse(e.params) as unknown[] });
  });
  const admin = adminActor();

  const { rows: samples } = await raw.query<{
    rems: string;
    last: string;
    npi: string;
    setting: string;
    email: string;
  }>(
    `SELECT p."remsId" AS rems, p."lastName" AS last, pr."npi" AS npi, hs."remsId" AS setting, p."email" AS email
       FROM "Patient" p JOIN "Prescriber" pr ON pr."id" = p."prescriberId"
       JOIN "HealthcareSetting" hs ON hs."id" = p."healthcareSettingId"
      ORDER BY p."createdAt" DESC LIMIT 1`,
  );
  const sample = samples[0];
  const { rows: pharmacies } = await raw.query<{ rems: string }>(`SELECT "remsId" AS rems FROM "Pharmacy" LIMIT 1`);
  const pharmacy = pharmacies[0];
  if (!sample || !pharmacy) throw new Error("The benchmark world has no patient or pharmacy");

  const scenarios: [string, () => Promise<unknown>][] = [];
  for (const kind of ["patients", "prescribers", "pharmacies", "settings"]) {
    for (const sort of ["name", "name-desc", "newest", "oldest", "identifier"]) {
      scenarios.push([`${kind} sorted ${sort}`, () => listRegistry(admin, kind, { sort }, prisma)]);
      scenarios.push([
        `${kind} sorted ${sort}, second page`,
        async () => {
          const first = await listRegistry(admin, kind, { sort }, prisma);
          return first.next ? listRegistry(admin, kind, { sort, after: first.next }, prisma) : null;
        },
      ]);
    }
  }
  const patientSearches: Record<string, Record<string, string>> = {
    "name prefix": { q: sample.last.slice(0, 9) },
    "full name": { q: `Bench ${sample.last}` },
    "REMS id": { q: sample.rems },
    "e-mail": { q: sample.email },
    "status filter (rare status)": { status: "DISENROLLED" },
    "status and programme": { status: "ENROLLED", program: "LEMTRADA" },
    state: { state: "IL", sort: "newest" },
    "prescriber filter": { prescriber: sample.npi },
    "setting filter": { setting: sample.setting },
    "hostile % and _": { q: "%_%" },
  };
  for (const [name, input] of Object.entries(patientSearches)) {
    scenarios.push([`patients: ${name}`, () => listRegistry(admin, "patients", input, prisma)]);
  }
  scenarios.push(["prescribers: NPI", () => listRegistry(admin, "prescribers", { q: sample.npi }, prisma)]);
  scenarios.push(["patient detail", () => getStakeholderDetail(admin, "patients", sample.rems, {}, prisma)]);
  scenarios.push([
    "patient detail, e-mails at length",
    () => getStakeholderDetail(admin, "patients", sample.rems, { more: "emails" }, prisma),
  ]);
  scenarios.push(["prescriber detail", () => getStakeholderDetail(admin, "prescribers", sample.npi, {}, prisma)]);
  scenarios.push(["setting detail", () => getStakeholderDetail(admin, "settings", sample.setting, {}, prisma)]);
  scenarios.push(["pharmacy detail", () => getStakeholderDetail(admin, "pharmacies", pharmacy.rems, {}, prisma)]);

  for (const [name, run] of scenarios) {
    label = name;
    const started = performance.now();
    await run();
    console.log(`ran ${name} (${(performance.now() - started).toFixed(0)} ms)`);
  }
  await prisma.$disconnect();

  const sizes = await tableSizes(raw);
  const large = new Set([...sizes].filter(([, n]) => n > LARGE_TABLE_ROWS).map(([name]) => name));
  console.log(`\nLarge tables (> ${LARGE_TABLE_ROWS} rows): ${[...large].sort().join(", ")}\n`);

  const failures: string[] = [];
  const seen = new Set<string>();
  for (const r of recorded) {
    const key = `${r.query}\n${JSON.stringify(r.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const { rows } = await raw.query<{ "QUERY PLAN": string }>(`EXPLAIN ${r.query}`, r.params);
    const plan = rows.map((row) => row["QUERY PLAN"]);
    console.log(`--- ${r.label}\n${r.query.replace(/\s+/g, " ").slice(0, 400)}\n${plan.join("\n")}\n`);
    for (const line of plan) {
      const match = /Seq Scan on "?(\w+)"?/.exec(line);
      if (match?.[1] && large.has(match[1])) failures.push(`${r.label}: sequential scan of ${match[1]}`);
    }
  }
  await raw.end();
  if (failures.length) {
    console.error(`\nFAILED: ${failures.length} plan(s) scan a large table:\n${[...new Set(failures)].join("\n")}`);
    return 1;
  }
  console.log(`\nOK: ${seen.size} distinct statements, no sequential scan of a large table.`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
