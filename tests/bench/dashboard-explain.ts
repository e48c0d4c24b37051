/**
 * `npm run bench:explain-dashboard`: checks that the administrator's dashboard does not grow with
 * the registry. On the dispense benchmark's dataset (100,000 patients, 1.6 million lab results;
 * seeded here when missing or when RESEED=1) plus a year of dispense requests (300,000, added here
 * once), it runs EXPLAIN ANALYZE on every dashboard statement (lib/admin/dashboard-sql.ts), for all
 * programmes and for one, and fails when a plan reads a large table (more than LARGE_ROWS rows)
 * with a sequential scan. Prints each statement's plan nodes and time.
 *
 * BENCH_DATABASE_URL picks the database (default: the benchmark's).
 */
import pg from "pg";
import { dashboardStatements } from "../../lib/admin/dashboard-sql";
import { dashboardWindow } from "../../lib/admin/dashboard";
import { DEFAULT_BENCH_DATABASE_URL, seedBenchDatabase } from "./dispense-seed";

const LARGE_ROWS = 10_000;
const AUTHORIZATIONS = Number(process.env.AUTHORIZATIONS ?? 300_000);

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function hasBenchData(client: pg.Client): Promise<boolean> {
  const table = await client.query(`SELECT to_regclass('"EnrollmentStatusCount"') AS t, to_regclass('"Patient"') AS p`);
  if (!table.rows[0]?.t || !table.rows[0]?.p) return false;
  const patients = await client.query(`SELECT count(*)::int AS n FROM "Patient"`);
  return (patients.rows[0]?.n ?? 0) >= 1000;
}

/** A year of dispense requests, overdue marks, flagged adverse events and the counters, once. */
async function addDashboardLoad(client: pg.Client): Promise<void> {
  const done = await client.query(`SELECT to_regclass('bench_dashboard_load') AS t`);
  if (done.rows[0]?.t) return;
  const started = performance.now();
  await client.query("SET synchronous_commit = off");
  await client.query(
    `INSERT INTO "DispenseAuthorization" ("id", "authorizationNumber", "pharmacyId", "programId", "programCode",
       "prescriptionId", "prescriberNpi", "patientRemsId", "healthcareSettingRef", "ndc", "quantity", "decision",
       "status", "reasons", "facts", "idempotencyKey", "requestHash", "createdAt", "expiresAt", "expiresOn",
       "dispensedAt", "reversedAt", "reversalReason", "revokedAt", "revocationReason")
     SELECT gen_random_uuid(),
            CASE WHEN i % 20 = 0 THEN NULL ELSE 'DA-BENCH-' || i END,
            ph."id", pr."id", pr."code", 'RX-BENCH-' || i, '1000000000', 'PT-BENCH', 'HS-BENCH', '58468-0200-01', 1,
            (CASE WHEN i % 20 = 0 THEN 'DENIED' ELSE 'APPROVED' END)::"DispenseDecision",
            (CASE WHEN i % 20 = 0 THEN 'DENIED' WHEN i % 97 = 0 THEN 'REVOKED' WHEN i % 53 = 0 THEN 'REVERSED'
                  ELSE 'DISPENSED' END)::"DispenseStatus",
            CASE WHEN i % 20 = 0 THEN jsonb_build_array(jsonb_build_object('code',
                   (ARRAY['BASELINE_LABS_STALE','MONITORING_OVERDUE','STATUS_FORM_OVERDUE'])[1 + (i / 20) % 3]))
                 ELSE '[]'::jsonb END,
            '{}'::jsonb, 'bench-' || i, md5(i::text), t.at,
            CASE WHEN i % 20 = 0 THEN NULL ELSE t.at + interval '7 days' END,
            CASE WHEN i % 20 = 0 THEN NULL ELSE (t.at + interval '7 days')::date END,
            CASE WHEN i % 20 = 0 OR (i % 97 = 0 AND i % 53 <> 0) THEN NULL ELSE t.at + interval '1 hour' END,
            CASE WHEN i % 20 <> 0 AND i % 97 <> 0 AND i % 53 = 0 THEN t.at + interval '2 hours' END,
            CASE WHEN i % 20 <> 0 AND i % 97 <> 0 AND i % 53 = 0 THEN 'Not picked up' END,
            CASE WHEN i % 20 <> 0 AND i % 97 = 0 THEN t.at + interval '3 hours' END,
            CASE WHEN i % 20 <> 0 AND i % 97 = 0 THEN '{"code":"PRESCRIBER_SUSPENDED"}'::jsonb END
     FROM generate_series(1, $1::int) AS i
     CROSS JOIN LATERAL (SELECT now() - (i % 365) * interval '1 day' - (i % 86400) * interval '1 second' AS at) t
     CROSS JOIN (SELECT "id" FROM "Pharmacy" LIMIT 1) ph
     CROSS JOIN (SELECT "id", "code" FROM "Program" LIMIT 1) pr`,
    [AUTHORIZATIONS],
  );
  // The daily monitoring check's mark for about 3% of enrolled patients; a few adverse events.
  await client.query(
    `UPDATE "Enrollment" SET "monitoringOverdueSince" = current_date - 20
     WHERE "kind" = 'PATIENT' AND "status" = 'ENROLLED' AND abs(hashtext("id"::text)) % 100 < 3`,
  );
  await client.query(
    `UPDATE "StatusFormSubmission" SET "seriousAdverseEvent" = true WHERE abs(hashtext("id"::text)) % 500 = 0`,
  );
  // The bulk load bypassed the counters' trigger: recount once.
  await client.query("SELECT enrollment_counts_rebuild()");
  await client.query("VACUUM ANALYZE");
  await client.query("CREATE TABLE bench_dashboard_load (done_at timestamptz DEFAULT now())");
  await client.query("INSERT INTO bench_dashboard_load DEFAULT VALUES");
  console.log(`  dashboard load added (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

async function main() {
  const url = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
  let client = new pg.Client({ connectionString: url });
  let ready = false;
  try {
    await client.connect();
    ready = process.env.RESEED !== "1" && (await hasBenchData(client));
  } catch {
    ready = false;
  }
  if (!ready) {
    await client.end().catch(() => undefined);
    console.log("Seeding the benchmark dataset…");
    await seedBenchDatabase({ url, log: (line) => console.log(line) });
    client = new pg.Client({ connectionString: url });
    await client.connect();
  }
  try {
    await addDashboardLoad(client);
    const sizes = new Map<string, number>();
    const rel = await client.query(
      `SELECT relname, reltuples::bigint AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`,
    );
    for (const r of rel.rows as { relname: string; n: string }[]) sizes.set(r.relname, Number(r.n));
    const program = await client.query(`SELECT "id" FROM "Program" LIMIT 1`);
    const programId = (program.rows[0] as { id: string } | undefined)?.id ?? null;
    const failures: string[] = [];
    for (const scope of [null, programId]) {
      const statements = dashboardStatements(dashboardWindow(new Date(), scope));
      for (const [name, s] of Object.entries(statements)) {
        const label = `${name}${scope ? " (one programme)" : ""}`;
        const result = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${s.sql}`, s.values);
        const explained = (result.rows[0] as { "QUERY PLAN": { Plan: PlanNode; "Execution Time": number }[] })[
          "QUERY PLAN"
        ][0];
        if (!explained) throw new Error(`no plan for ${label}`);
        const all = nodes(explained.Plan);
        const seq = all.filter(
          (n) => n["Node Type"] === "Seq Scan" && (sizes.get(n["Relation Name"] ?? "") ?? 0) > LARGE_ROWS,
        );
        const summary = all
          .filter((n) => n["Relation Name"])
          .map((n) => `${n["Node Type"]} ${n["Relation Name"]}${n["Index Name"] ? ` (${n["Index Name"]})` : ""}`)
          .join("; ");
        console.log(
          `${seq.length ? "FAIL" : "ok  "} ${label}: ${explained["Execution Time"].toFixed(2)} ms — ${summary}`,
        );
        for (const n of seq) {
          failures.push(
            `${label}: sequential scan of "${n["Relation Name"]}" (${sizes.get(n["Relation Name"] ?? "")} rows)`,
          );
        }
      }
    }
    if (failures.length) {
      console.error(`\n${failures.length} statement(s) scan a large table:\n${failures.join("\n")}`);
      process.exitCode = 1;
    } else {
      console.log("\nNo dashboard statement scans a large table sequentially.");
    }
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
