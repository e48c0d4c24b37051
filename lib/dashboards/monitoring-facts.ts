/**
 * Reads what the monitoring schedule needs for many patients at once: dose dates, results, status
 * forms and the enrollment day, with one query per kind of row (never one per patient).
 * loadMonitoringFacts reads every result (reports count them month by month);
 * loadScheduleFacts reads only what monitoringSchedule looks at, so its cost does not grow with a
 * patient's years of monthly results.
 */
import { dayOf } from "../monitoring/rules";
import type { MonitoringFacts } from "../monitoring/types";
import type { DbOrTx } from "../db";

export interface EnrollmentDates {
  patientId: string;
  certifiedAt: Date | null;
  createdAt: Date;
}

export async function loadMonitoringFacts(
  client: DbOrTx,
  programId: string,
  enrollments: readonly EnrollmentDates[],
): Promise<Map<string, MonitoringFacts>> {
  const facts = new Map<string, MonitoringFacts>();
  for (const e of enrollments) {
    facts.set(e.patientId, {
      doseDates: [],
      results: [],
      statusFormDates: [],
      enrolledOn: dayOf(e.certifiedAt ?? e.createdAt),
    });
  }
  const patientIds = [...facts.keys()];
  if (patientIds.length === 0) return facts;
  const where = { patientId: { in: patientIds }, programId };
  const [infusions, results, forms] = await Promise.all([
    client.infusion.findMany({ where, select: { patientId: true, infusedOn: true } }),
    client.labResult.findMany({ where, select: { patientId: true, testCode: true, collectedOn: true } }),
    client.statusFormSubmission.findMany({ where, select: { patientId: true, submittedAt: true } }),
  ]);
  for (const row of infusions) facts.get(row.patientId)?.doseDates.push(dayOf(row.infusedOn));
  for (const row of results) {
    facts.get(row.patientId)?.results.push({ testCode: row.testCode, collectedOn: dayOf(row.collectedOn) });
  }
  for (const row of forms) facts.get(row.patientId)?.statusFormDates.push(dayOf(row.submittedAt));
  return facts;
}

/**
 * The facts monitoringSchedule(…, today) needs and nothing more, for many patients at once: every
 * dose date (a handful per course), and per test code the latest result collected on or before
 * `today` (what the baseline check reads) and the latest of all (what the next due date is counted
 * from; a result dated after today is a data-entry matter, but it is what the full history would
 * give); the latest status form. The schedule computed from these facts is the one computed from
 * the full history (tests/integration/monitoring-facts.test.ts). Reads the
 * (patientId, programId, testCode, collectedOn) index only.
 */
export async function loadScheduleFacts(
  client: DbOrTx,
  programId: string,
  enrollments: readonly EnrollmentDates[],
  today: string,
): Promise<Map<string, MonitoringFacts>> {
  const facts = new Map<string, MonitoringFacts>();
  for (const e of enrollments) {
    facts.set(e.patientId, {
      doseDates: [],
      results: [],
      statusFormDates: [],
      enrolledOn: dayOf(e.certifiedAt ?? e.createdAt),
    });
  }
  const patientIds = [...facts.keys()];
  if (patientIds.length === 0) return facts;
  const [infusions, results, forms] = await Promise.all([
    client.infusion.findMany({
      where: { patientId: { in: patientIds }, programId },
      select: { patientId: true, infusedOn: true },
    }),
    client.$queryRaw<{ patientId: string; testCode: string; byToday: string | null; latest: string }[]>`
      SELECT "patientId"::text AS "patientId", "testCode",
             to_char(max("collectedOn") FILTER (WHERE "collectedOn" <= ${today}::date), 'YYYY-MM-DD') AS "byToday",
             to_char(max("collectedOn"), 'YYYY-MM-DD') AS "latest"
        FROM "LabResult"
       WHERE "patientId" = ANY(${patientIds}::uuid[]) AND "programId" = ${programId}::uuid
       GROUP BY "patientId", "testCode"`,
    client.$queryRaw<{ patientId: string; latest: Date }[]>`
      SELECT "patientId"::text AS "patientId", max("submittedAt") AS "latest"
        FROM "StatusFormSubmission"
       WHERE "patientId" = ANY(${patientIds}::uuid[]) AND "programId" = ${programId}::uuid
       GROUP BY "patientId"`,
  ]);
  for (const row of infusions) facts.get(row.patientId)?.doseDates.push(dayOf(row.infusedOn));
  for (const row of results) {
    const f = facts.get(row.patientId);
    if (!f) continue;
    if (row.byToday !== null) f.results.push({ testCode: row.testCode, collectedOn: row.byToday });
    if (row.latest !== row.byToday) f.results.push({ testCode: row.testCode, collectedOn: row.latest });
  }
  for (const row of forms) facts.get(row.patientId)?.statusFormDates.push(dayOf(new Date(row.latest)));
  return facts;
}
