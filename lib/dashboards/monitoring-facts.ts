/**
 * Reads what the monitoring schedule needs for many patients at once: dose dates, results, status
 * forms and the enrollment day, with one query per kind of row (never one per patient).
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
