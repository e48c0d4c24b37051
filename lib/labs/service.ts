/**
 * Monitoring results recorded by the prescriber's office one at a time (the lab feed import is in
 * ./import.ts). A result belongs to the patient's programme whose definition has its test code.
 */
import { hash } from "node:crypto";
import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import { recordAudit } from "../audit/service";
import { db, type Db } from "../db";
import { AppError, fieldErrorsFromZod } from "../errors";
import { Prisma } from "../generated/prisma/client";
import { dayOf } from "../monitoring/rules";
import { getProgramDefinition } from "../programs/registry";
import type { TMonitoringTestType } from "../programs/schema";
import { assertCanRecordFor, type RecordablePatient, requireRecordablePatient } from "./access";
import { patientMonitoringSchedule } from "./schedule";
import { type TRecordLabResult, ZRecordLabResult } from "./schema";

/** Same patient, test, collection day and lab → same key, so a result is never stored twice. */
export function labResultDedupeKey(patientId: string, testCode: string, collectedOn: string, labId: string | null) {
  // SHA-256 of the UTF-8 text in hex; one-shot, as the lab import computes one per row.
  return hash("sha256", `${patientId}|${testCode}|${collectedOn}|${labId ?? ""}`, "hex");
}

export interface PatientProgram {
  programId: string;
  code: string;
  testTypes: readonly TMonitoringTestType[];
}

/** The programmes the patient is enrolled in that monitor results, with their test types. */
export function monitoredProgramsOf(patient: {
  enrollments: readonly Pick<RecordablePatient["enrollments"][number], "programId" | "program">[];
}): PatientProgram[] {
  return patient.enrollments.flatMap((e) => {
    const monitoring = getProgramDefinition(e.program.code)?.monitoring;
    return monitoring ? [{ programId: e.programId, code: e.program.code, testTypes: monitoring.testTypes }] : [];
  });
}

/** The programme whose definition has the test code, or null. */
export function programForTest(programs: readonly PatientProgram[], testCode: string): PatientProgram | null {
  return programs.find((p) => p.testTypes.some((t) => t.code === testCode)) ?? null;
}

function requireRecorder(actor: Actor) {
  if (!can(actor, "patient:read:own") && !can(actor, "patient:read:linked")) {
    throw new AppError("FORBIDDEN", "Only the patient's prescriber and their office staff record results.");
  }
}

/** Records one result; the collection date may not be in the future or before the patient's birth. */
export async function recordLabResult(actor: Actor, input: TRecordLabResult, client: Db = db(), now = new Date()) {
  requireRecorder(actor);
  const parsed = ZRecordLabResult.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const { patientId, testCode, collectedOn, abnormal, note, labId } = parsed.data;
  const today = dayOf(now);
  await requireRecordablePatient(actor, patientId, client);
  try {
    return await client.$transaction(async (tx) => {
      const patient = await assertCanRecordFor(actor, patientId, tx);
      const program = programForTest(monitoredProgramsOf(patient), testCode);
      if (!program) {
        throw new AppError("VALIDATION", "Choose one of the programme's tests.", {
          fields: { testCode: ["Choose one of the programme's tests"] },
        });
      }
      if (collectedOn > today) {
        throw new AppError("VALIDATION", "The collection date is in the future.", {
          fields: { collectedOn: ["The collection date cannot be in the future"] },
        });
      }
      if (collectedOn < dayOf(patient.dateOfBirth)) {
        throw new AppError("VALIDATION", "The collection date is before the patient's date of birth.", {
          fields: { collectedOn: ["The collection date cannot be before the patient's date of birth"] },
        });
      }
      const result = await tx.labResult.create({
        data: {
          patientId,
          programId: program.programId,
          testCode,
          collectedOn: new Date(`${collectedOn}T00:00:00Z`),
          abnormal,
          note: note ?? null,
          labId: labId ?? null,
          source: "form",
          dedupeKey: labResultDedupeKey(patientId, testCode, collectedOn, labId ?? null),
          recordedByUserId: actor.userId,
        },
        select: { id: true },
      });
      await recordAudit(tx, actor, {
        action: "lab_result.recorded",
        entityType: "LabResult",
        entityId: result.id,
        after: { patientId, testCode, collectedOn, abnormal, labId: labId ?? null, source: "form" },
      });
      return { id: result.id };
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", "This result is already recorded (same test, date and lab).", {
        fields: { collectedOn: ["A result for this test on this date is already recorded"] },
      });
    }
    throw error;
  }
}

export interface LabResultRow {
  id: string;
  testCode: string;
  testName: string;
  collectedOn: string;
  abnormal: boolean;
  note: string | null;
  labId: string | null;
  source: string;
}

/** The patient, the tests they can have recorded, and their results, newest first. */
export async function getPatientLabs(actor: Actor, patientId: string, client: Db = db(), now = new Date()) {
  requireRecorder(actor);
  const patient = await requireRecordablePatient(actor, patientId, client);
  const programs = monitoredProgramsOf(patient);
  const names = new Map(programs.flatMap((p) => p.testTypes.map((t) => [t.code, t.name] as const)));
  const rows = await client.labResult.findMany({
    where: { patientId },
    orderBy: [{ collectedOn: "desc" }, { createdAt: "desc" }],
    take: 500,
    select: { id: true, testCode: true, collectedOn: true, abnormal: true, note: true, labId: true, source: true },
  });
  const results: LabResultRow[] = rows.map((r) => ({
    ...r,
    testName: names.get(r.testCode) ?? r.testCode,
    collectedOn: dayOf(r.collectedOn),
  }));
  return {
    patient: {
      id: patient.id,
      remsId: patient.remsId,
      name: `${patient.firstName} ${patient.lastName}`,
      dateOfBirth: dayOf(patient.dateOfBirth),
    },
    schedule: await patientMonitoringSchedule(client, patient, dayOf(now)),
    testTypes: programs.flatMap((p) => p.testTypes.map((t) => ({ code: t.code, name: t.name }))),
    results,
  };
}
