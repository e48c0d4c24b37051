/**
 * The history the administrator's dashboard reads that the dispense benchmark's seed leaves out:
 * a year of dispense requests (AUTHORIZATIONS, default 300,000), the daily monitoring check's
 * overdue marks and a few flagged adverse events. Added once per database (the table
 * bench_dashboard_load records it); shared by `npm run bench:explain-dashboard` and `npm run bench:pages`.
 */
import type pg from "pg";

const AUTHORIZATIONS = Number(process.env.AUTHORIZATIONS ?? 300_000);

/** Whether the database already holds the seeded world (the counters table and patients). */
export async function hasBenchData(client: pg.Client): Promise<boolean> {
  const table = await client.query(`SELECT to_regclass('"EnrollmentStatusCount"') AS t, to_regclass('"Patient"') AS p`);
  if (!table.rows[0]?.t || !table.rows[0]?.p) return false;
  const patients = await client.query(`SELECT count(*)::int AS n FROM "Patient"`);
  return (patients.rows[0]?.n ?? 0) >= 1000;
}

/** A year of dispense requests, overdue marks, flagged adverse events and the counters, once. */
export async function addDashboardLoad(client: pg.Client): Promise<void> {
  const done = await client.query(`SELECT to_regclass('bench_dashboard_load') AS t`);
  if (done.rows[0]?.t) return;
  const started = performance.now();
  await client.query("SET synchronous_commit = off");
  // The past year's monthly partitions, as a deployment that has run for a year has them.
  await client.query(
    `SELECT dispense_create_partition((date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => m))::date)
       FROM generate_series(1, 12) AS m`,
  );
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
