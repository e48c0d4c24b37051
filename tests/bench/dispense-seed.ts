/**
 * The dispense-gate benchmark's world, written straight to PostgreSQL in set-based batches (no ORM,
 * no COPY): the LEMTRADA programme row, one certified pharmacy with an API key, certified
 * prescribers and healthcare settings, and PATIENTS (default 100,000) ENROLLED patients with the
 * history the decision has to read. Everything is relative to "today" (UTC) at seeding time, so a
 * re-seeded database always gives the same decisions.
 *
 * Patient kinds (share of patients, what a dispense request for them decides):
 * - NEW 55%: no dose yet, the 5 baseline results 10 days ago, enrolled 20 days ago → APPROVED (5 vials).
 * - IN_COURSE 15%: first course in progress (2 of 5 days, yesterday and the day before) → APPROVED (3).
 * - RETREAT 20%: first course 14 months ago, monthly / quarterly / yearly monitoring since (≈ 55
 *   results), 2 status forms, everything repeated 5 days ago → second course APPROVED (3).
 * - STALE 7%: like NEW but the baseline results are 45 days old → DENIED (BASELINE_LABS_STALE).
 * - OVERDUE 3%: like RETREAT but monitoring stopped 100 days ago → DENIED (stale baseline, overdue).
 *
 * `npx tsx tests/bench/dispense-seed.ts` seeds on its own (BENCH_DATABASE_URL, PATIENTS).
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { addDays, addMonths, dayOf } from "../../lib/calendar";
import { applyMigrations } from "../../lib/db/migrations";
import { newApiKey } from "../../lib/dispensing/api-keys";
import { ncpdpCheckDigit } from "../../lib/identifiers/ncpdp";
import { npiCheckDigit } from "../../lib/identifiers/npi";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { lemtrada } from "../../lib/programs/lemtrada";
import { recreatePostgresDatabase } from "../setup/postgres";

export const DEFAULT_BENCH_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/remsgate_bench";

export type PatientKind = "NEW" | "IN_COURSE" | "RETREAT" | "STALE" | "OVERDUE";

/** Share of patients per kind, in percent (sums to 100). */
export const KIND_SHARES: Record<PatientKind, number> = { NEW: 55, IN_COURSE: 15, RETREAT: 20, STALE: 7, OVERDUE: 3 };
const KIND_CODE: Record<PatientKind, number> = { NEW: 0, IN_COURSE: 1, RETREAT: 2, STALE: 3, OVERDUE: 4 };
/** Vials asked for per kind: within the course maximum (5 for the first course, 3 after). */
const KIND_QUANTITY: Record<PatientKind, number> = { NEW: 5, IN_COURSE: 3, RETREAT: 3, STALE: 5, OVERDUE: 3 };

/** The decision a dispense request for each kind of patient must get (the benchmark and load test check it). */
export const EXPECTED_DECISION: Record<PatientKind, "APPROVED" | "DENIED"> = {
  NEW: "APPROVED",
  IN_COURSE: "APPROVED",
  RETREAT: "APPROVED",
  STALE: "DENIED",
  OVERDUE: "DENIED",
};

/** What a load generator needs to build a valid request for one patient. */
export interface BenchPatient {
  remsId: string;
  prescriberNpi: string;
  settingRemsId: string;
  quantity: number;
  kind: PatientKind;
}

/** The body of a dispense request for one seeded patient. */
export function dispenseRequestBody(world: BenchWorld, patient: BenchPatient, prescriptionId: string): string {
  return JSON.stringify({
    programCode: "LEMTRADA",
    prescriberNpi: patient.prescriberNpi,
    patientRemsId: patient.remsId,
    healthcareSettingId: patient.settingRemsId,
    ndc: world.ndc,
    quantity: patient.quantity,
    prescriptionId,
  });
}

export interface BenchWorld {
  url: string;
  today: string;
  programId: string;
  pharmacyId: string;
  apiKeyId: string;
  /** The plaintext key: `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  ndc: string;
  patients: BenchPatient[];
  rows: Record<string, number>;
  seconds: number;
}

export interface SeedOptions {
  url?: string;
  patients?: number;
  prescribers?: number;
  settings?: number;
  log?: (line: string) => void;
}

/**
 * Bulk-load session settings: no wait for the WAL flush of each batch (the data is re-creatable),
 * and no per-row foreign-key triggers (every reference is valid by construction; needs a superuser,
 * which the local `postgres` user is).
 */
const BULK_SESSION = "SET synchronous_commit = off; SET session_replication_role = replica";

function kindOf(i: number): PatientKind {
  // A fixed, well-mixed order: i * 37 mod 100 walks every residue, so each block of 100 has the shares.
  const bucket = (i * 37) % 100;
  let acc = 0;
  for (const [kind, share] of Object.entries(KIND_SHARES) as [PatientKind, number][]) {
    acc += share;
    if (bucket < acc) return kind;
  }
  return "NEW";
}

function npiFor(n: number): string {
  const body = `1${String(n).padStart(8, "0")}`;
  return `${body}${npiCheckDigit(body)}`;
}

function uniqueRemsIds(prefix: string, count: number): string[] {
  const seen = new Set<string>();
  while (seen.size < count) seen.add(generateRemsId(prefix));
  return [...seen];
}

/** Splits rows into batches and runs one multi-row INSERT … SELECT FROM unnest(…) per batch. */
async function insertUnnest(
  client: pg.ClientBase,
  sql: string,
  columns: unknown[][],
  scalars: unknown[] = [],
  batch = 20_000,
): Promise<number> {
  const total = columns[0]?.length ?? 0;
  for (let start = 0; start < total; start += batch) {
    await client.query(sql, [...columns.map((c) => c.slice(start, start + batch)), ...scalars]);
  }
  return total;
}

/** Recreates and migrates the bench database, then seeds it. */
export async function seedBenchDatabase(options: SeedOptions = {}): Promise<BenchWorld> {
  const url = options.url ?? process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
  const patientCount = options.patients ?? Number(process.env.PATIENTS ?? 100_000);
  const prescriberCount = options.prescribers ?? 300;
  const settingCount = options.settings ?? 5;
  const log = options.log ?? ((line: string) => console.log(line));
  const started = performance.now();
  const lap = (what: string) => log(`  seed: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);

  await recreatePostgresDatabase(url);
  await applyMigrations({ kind: "postgres", url });
  lap("database recreated and migrated");

  const today = dayOf(new Date());
  const day = (offset: number) => addDays(today, offset);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const rows: Record<string, number> = {};
  try {
    await client.query(BULK_SESSION);

    const program = lemtrada;
    const programId = randomUUID();
    await client.query(
      `INSERT INTO "Program" ("id", "code", "name", "drugName", "genericName", "ndcs", "definition", "definitionVersion", "updatedAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
      [
        programId,
        program.code,
        program.name,
        program.drug.name,
        program.drug.genericName,
        [...program.ndcs],
        JSON.stringify(program),
        program.version,
      ],
    );

    // The pharmacy, its certification and its API key.
    const pharmacyId = randomUUID();
    const ncpdpBody = "424242";
    await client.query(
      `INSERT INTO "Pharmacy" ("id", "remsId", "name", "type", "ncpdpId", "npi", "city", "state", "updatedAt")
       VALUES ($1, $2, 'Bench Specialty Pharmacy', 'SPECIALTY', $3, $4, 'Springfield', 'IL', now())`,
      [pharmacyId, generateRemsId("PH"), `${ncpdpBody}${ncpdpCheckDigit(ncpdpBody)}`, npiFor(90_000_001)],
    );
    await client.query(
      `INSERT INTO "Enrollment" ("id", "programId", "kind", "status", "pharmacyId", "certificationNumber",
         "submittedAt", "certifiedAt", "decidedAt", "createdAt", "updatedAt")
       VALUES ($1, $2, 'PHARMACY', 'CERTIFIED', $3, $4, now() - interval '60 days', now() - interval '59 days',
         now() - interval '59 days', now() - interval '61 days', now())`,
      [randomUUID(), programId, pharmacyId, generateRemsId("DP")],
    );
    // Made and hashed exactly as the service makes keys (SHA-256 hex of the whole key).
    const { key: apiKey, prefix, keyHash } = newApiKey();
    const apiKeyId = randomUUID();
    await client.query(
      `INSERT INTO "PharmacyApiKey" ("id", "pharmacyId", "name", "prefix", "keyHash")
       VALUES ($1, $2, 'Benchmark', $3, $4)`,
      [apiKeyId, pharmacyId, prefix, keyHash],
    );

    // Certified prescribers.
    const prescriberIds = Array.from({ length: prescriberCount }, () => randomUUID());
    const prescriberNpis = prescriberIds.map((_, i) => npiFor(10_000_000 + i));
    rows.Prescriber = await insertUnnest(
      client,
      `INSERT INTO "Prescriber" ("id", "npi", "firstName", "lastName", "credentials", "specialty", "updatedAt")
       SELECT id, npi, 'Bench', 'Prescriber ' || npi, 'MD', 'Neurology', now()
         FROM unnest($1::uuid[], $2::text[]) AS t(id, npi)`,
      [prescriberIds, prescriberNpis],
    );
    await client.query(
      `INSERT INTO "Enrollment" ("id", "programId", "kind", "status", "prescriberId", "certificationNumber",
         "submittedAt", "certifiedAt", "decidedAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), $3::uuid, 'PRESCRIBER', 'CERTIFIED', id, cert,
         now() - interval '500 days', now() - interval '499 days', now() - interval '499 days', now() - interval '501 days', now()
         FROM unnest($1::uuid[], $2::text[]) AS t(id, cert)`,
      [prescriberIds, uniqueRemsIds("RX", prescriberCount), programId],
    );

    // Certified healthcare settings.
    const settingIds = Array.from({ length: settingCount }, () => randomUUID());
    const settingRemsIds = uniqueRemsIds("HS", settingCount);
    rows.HealthcareSetting = await insertUnnest(
      client,
      `INSERT INTO "HealthcareSetting" ("id", "remsId", "name", "type", "npi", "city", "state", "updatedAt")
       SELECT id, rems, 'Bench Infusion Center ' || rems, 'INFUSION_CENTER', npi, 'Springfield', 'IL', now()
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, rems, npi)`,
      [settingIds, settingRemsIds, settingIds.map((_, i) => npiFor(20_000_000 + i))],
    );
    await client.query(
      `INSERT INTO "Enrollment" ("id", "programId", "kind", "status", "healthcareSettingId", "certificationNumber",
         "submittedAt", "certifiedAt", "decidedAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), $3::uuid, 'HEALTHCARE_SETTING', 'CERTIFIED', id, cert,
         now() - interval '500 days', now() - interval '499 days', now() - interval '499 days', now() - interval '501 days', now()
         FROM unnest($1::uuid[], $2::text[]) AS t(id, cert)`,
      [settingIds, uniqueRemsIds("HC", settingCount), programId],
    );
    lap(`${prescriberCount} prescribers, ${settingCount} settings, 1 pharmacy + API key`);

    // Patients: generated here (REMS ids need the check character), history generated in SQL.
    const ids: string[] = [];
    const remsIds = uniqueRemsIds("PT", patientCount);
    const kinds: number[] = [];
    const prescriberOf: string[] = [];
    const settingOf: string[] = [];
    const patients: BenchPatient[] = [];
    for (let i = 0; i < patientCount; i++) {
      const kind = kindOf(i);
      const p = i % prescriberCount;
      const s = Math.floor(i / 7) % settingCount;
      ids.push(randomUUID());
      kinds.push(KIND_CODE[kind]);
      prescriberOf.push(prescriberIds[p] as string);
      settingOf.push(settingIds[s] as string);
      patients.push({
        remsId: remsIds[i] as string,
        prescriberNpi: prescriberNpis[p] as string,
        settingRemsId: settingRemsIds[s] as string,
        quantity: KIND_QUANTITY[kind],
        kind,
      });
    }

    // Day offsets (from today) each kind is built from.
    const retreatFirstDose = -425; // ≈ 14 months ago: course 2 may start (12 months after the last dose)
    const offsets = {
      enrolled: {
        NEW: -20,
        IN_COURSE: -40,
        RETREAT: retreatFirstDose - 20,
        STALE: -60,
        OVERDUE: retreatFirstDose - 20,
      },
    };
    const enrolledOffset = [
      offsets.enrolled.NEW,
      offsets.enrolled.IN_COURSE,
      offsets.enrolled.RETREAT,
      offsets.enrolled.STALE,
      offsets.enrolled.OVERDUE,
    ];

    await client.query(
      `CREATE TEMP TABLE bench_patient (id uuid PRIMARY KEY, kind smallint NOT NULL, setting uuid NOT NULL, enrolled date NOT NULL)`,
    );
    rows.Patient = await insertUnnest(
      client,
      `WITH t AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::smallint[], $4::uuid[], $5::uuid[], $6::int[])
           AS t(id, rems, kind, prescriber, setting, n)
       ), p AS (
         INSERT INTO "Patient" ("id", "remsId", "firstName", "lastName", "dateOfBirth", "sex", "state",
           "prescriberId", "healthcareSettingId", "signatureMethod", "counselledAt", "createdAt", "updatedAt")
         SELECT id, rems, 'Bench', 'Patient ' || n, DATE '1970-01-01' + (n % 12000), 'female', 'IL',
           prescriber, setting, 'paper', now() - interval '30 days', now() - interval '30 days', now()
           FROM t
       )
       INSERT INTO bench_patient SELECT id, kind, setting,
         $7::date + (ARRAY[${enrolledOffset.join(",")}])[kind + 1] FROM t`,
      [ids, remsIds, kinds, prescriberOf, settingOf, ids.map((_, i) => i)],
      [today],
    );
    await client.query(
      `INSERT INTO "Enrollment" ("id", "programId", "kind", "status", "patientId", "submittedAt", "certifiedAt",
         "decidedAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), $1, 'PATIENT', 'ENROLLED', id, enrolled, enrolled, enrolled, enrolled, now()
         FROM bench_patient`,
      [programId],
    );
    lap(`${patientCount} patients and their enrollments`);

    // Infusions: IN_COURSE day 1 and 2 of course 1 (the day before yesterday, yesterday);
    // RETREAT and OVERDUE all 5 days of course 1, 14 months ago.
    const infusions = await client.query(
      `INSERT INTO "Infusion" ("id", "patientId", "programId", "healthcareSettingId", "infusedOn", "doseMg", "vialLot",
         "premedicationGiven", "observationCompleted", "reaction", "courseNumber", "dayInCourse", "recordedByUserId")
       SELECT gen_random_uuid(), p.id, $1, p.setting, $2::date + d.first + d.n - 1, 12, 'BENCH-LOT', true, true, false, 1, d.n,
         '00000000-0000-4000-8000-000000000000'
         FROM bench_patient p
         JOIN LATERAL (
           SELECT CASE p.kind WHEN 1 THEN -2 ELSE $3::int END AS first, n
             FROM generate_series(1, CASE p.kind WHEN 1 THEN 2 ELSE 5 END) AS n
         ) d ON true
        WHERE p.kind IN (1, 2, 4)`,
      [programId, today, retreatFirstDose],
    );
    rows.Infusion = infusions.rowCount ?? 0;

    // Status forms: every 6 months after enrollment for RETREAT and OVERDUE (2 each).
    const enrolledRetreat = day(offsets.enrolled.RETREAT);
    const forms = [addMonths(enrolledRetreat, 6), addMonths(enrolledRetreat, 12)];
    const statusForms = await client.query(
      `INSERT INTO "StatusFormSubmission" ("id", "patientId", "programId", "answers", "submittedByUserId", "submittedAt")
       SELECT gen_random_uuid(), p.id, $1, '{"labsUpToDate":"yes"}', '00000000-0000-4000-8000-000000000000', f::timestamptz + interval '10 hours'
         FROM bench_patient p CROSS JOIN unnest($2::date[]) AS f
        WHERE p.kind IN (2, 4)`,
      [programId, forms],
    );
    rows.StatusFormSubmission = statusForms.rowCount ?? 0;
    lap(`${rows.Infusion} infusions, ${rows.StatusFormSubmission} status forms`);

    // Results: one (patient, test, day) list per kind, written by two connections side by side.
    const codes = lemtrada.monitoring?.testTypes.map((t) => t.code) ?? [];
    const monthly = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS"];
    const labSql = (where: string, series: string) =>
      `INSERT INTO "LabResult" ("id", "patientId", "programId", "testCode", "collectedOn", "source", "dedupeKey")
       SELECT gen_random_uuid(), p.id, $1, r.code, r.on_day, 'bench', 'bench:' || p.id || ':' || r.code || ':' || r.on_day
         FROM bench_patient p
         CROSS JOIN LATERAL (${series}) AS r(code, on_day)
        WHERE ${where}`;
    const t = (offset: number) => `($2::date + ${offset})`;
    const baselineSet = (offset: number) => `SELECT c, ${t(offset)} FROM unnest($3::text[]) AS c`;
    const history = (lastMonthly: number, finalSet: boolean) =>
      [
        baselineSet(retreatFirstDose - 10),
        `SELECT c, d::date FROM unnest($4::text[]) AS c,
           generate_series(${t(retreatFirstDose + 30)}, ${t(lastMonthly)}, interval '30 days') AS d`,
        `SELECT 'TSH', d::date FROM generate_series(${t(retreatFirstDose + 90)}, ${t(lastMonthly)}, interval '90 days') AS d`,
        `SELECT 'SKIN_EXAM', ${t(retreatFirstDose + 365)}`,
        ...(finalSet ? [baselineSet(-5)] : []),
      ].join(" UNION ALL ");
    const labJobs = [
      labSql("p.kind = 0", baselineSet(-10)),
      labSql("p.kind = 1", baselineSet(-14)),
      labSql("p.kind = 3", baselineSet(-45)),
      labSql("p.kind = 2", history(-6, true)),
      labSql("p.kind = 4", history(-100, false)),
    ];
    const paramsFor = (sql: string) => [programId, today, codes, monthly].slice(0, sql.includes("$4") ? 4 : 3);
    // Loading 1.5 M rows into a table is much faster without its secondary indexes: they are dropped
    // here and rebuilt afterwards from their own definitions (pg_indexes), two at a time.
    const dropped = await client.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = 'LabResult'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    );
    for (const { name } of dropped.rows) await client.query(`DROP INDEX "${name}"`);
    // The temp table is per session: the second connection reads the patients from a real copy.
    await client.query(`CREATE UNLOGGED TABLE bench_patient_copy AS SELECT * FROM bench_patient`);
    const second = new pg.Client({ connectionString: url });
    await second.connect();
    try {
      await second.query(BULK_SESSION);
      const [a, b] = await Promise.all([
        (async () => {
          let n = 0;
          for (const sql of [...labJobs.slice(0, 3), labJobs[4] as string]) {
            n += (await client.query(sql, paramsFor(sql))).rowCount ?? 0;
          }
          return n;
        })(),
        (async () => {
          const sql = (labJobs[3] as string).replaceAll("bench_patient p", "bench_patient_copy p");
          return (await second.query(sql, paramsFor(sql))).rowCount ?? 0;
        })(),
      ]);
      rows.LabResult = a + b;
      lap(`${rows.LabResult} lab results loaded`);
      const defs = dropped.rows.map((r) => r.def);
      const builders = [client, second].map(async (c) => {
        await c.query("SET maintenance_work_mem = '256MB'");
        for (let def = defs.shift(); def !== undefined; def = defs.shift()) await c.query(def);
      });
      await Promise.all(builders);
    } finally {
      await second.end();
    }
    await client.query(`DROP TABLE bench_patient_copy`);
    lap(`${dropped.rows.length} lab result indexes rebuilt`);

    // Vacuumed, not only analyzed, and checkpointed: freshly copied rows would otherwise be vacuumed
    // by autovacuum (and their hint bits written by the first readers) while the first server —
    // the app — is being measured, on the same two cores, and the servers after it would not pay.
    await client.query(
      `VACUUM (ANALYZE) "Patient", "Enrollment", "LabResult", "Infusion", "StatusFormSubmission", "Prescriber", "HealthcareSetting"`,
    );
    await client.query("CHECKPOINT");
    lap("vacuumed, analyzed and checkpointed");

    return {
      url,
      today,
      programId,
      pharmacyId,
      apiKeyId,
      apiKey,
      ndc: program.ndcs[0] as string,
      patients,
      rows,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  seedBenchDatabase()
    .then((world) => {
      const byKind: Record<string, number> = {};
      for (const p of world.patients) byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
      console.log(JSON.stringify({ seconds: world.seconds.toFixed(1), rows: world.rows, byKind }));
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
