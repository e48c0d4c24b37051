/**
 * Reads a patient's monitoring facts (doses, results, status forms, enrollment day) and runs the
 * pure schedule for the patient's first monitored programme.
 */
import type { DbOrTx } from "../db";
import { dayOf, monitoringSchedule } from "../monitoring/rules";
import type { MonitoringSchedule } from "../monitoring/types";
import { getProgramDefinition } from "../programs/registry";
import type { RecordablePatient } from "./access";

export async function patientMonitoringSchedule(
  client: DbOrTx,
  patient: Pick<RecordablePatient, "id" | "enrollments">,
  today: string,
): Promise<MonitoringSchedule | null> {
  const enrollment = patient.enrollments.find((e) => getProgramDefinition(e.program.code)?.monitoring);
  const monitoring = enrollment ? getProgramDefinition(enrollment.program.code)?.monitoring : null;
  if (!enrollment || !monitoring) return null;
  const [results, infusions, forms] = await Promise.all([
    client.labResult.findMany({
      where: { patientId: patient.id, programId: enrollment.programId },
      select: { testCode: true, collectedOn: true },
    }),
    client.infusion.findMany({
      where: { patientId: patient.id, programId: enrollment.programId },
      select: { infusedOn: true },
    }),
    client.statusFormSubmission.findMany({
      where: { patientId: patient.id, programId: enrollment.programId },
      select: { submittedAt: true },
    }),
  ]);
  return monitoringSchedule(
    monitoring,
    {
      doseDates: infusions.map((i) => dayOf(i.infusedOn)),
      results: results.map((r) => ({ testCode: r.testCode, collectedOn: dayOf(r.collectedOn) })),
      statusFormDates: forms.map((f) => dayOf(f.submittedAt)),
      enrolledOn: dayOf(enrollment.certifiedAt ?? enrollment.createdAt),
    },
    today,
  );
}
