/**
 * Clinical test data written straight to the database: a certified prescriber and healthcare
 * setting, patients enrolled with them, lab results, status forms and infusions. Every identifier
 * is unique, so tests never share rows.
 */
import { randomUUID } from "node:crypto";
import type { Actor } from "../../lib/auth/actor";
import { type Db, db } from "../../lib/db";
import type { EnrollmentStatus } from "../../lib/generated/prisma/enums";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { createPrescriberEnrollment, createSettingEnrollment, ensureProgram, uniqueWord } from "./certified";
import { createUser, signIn } from "./users";

export function dateOnly(value: string): Date {
  return new Date(`${value}T00:00:00.000Z`);
}

/** A certified prescriber and a certified healthcare setting (both with accounts). */
export async function createCareTeam(options: { settingStatus?: EnrollmentStatus; client?: Db } = {}) {
  const client = options.client ?? db();
  const prescriber = await createPrescriberEnrollment({ client });
  const setting = await createSettingEnrollment({ client, status: options.settingStatus ?? "CERTIFIED" });
  return { prescriber, setting };
}

/** The actor a signed-in representative of the setting would be. */
export async function settingActor(setting: Awaited<ReturnType<typeof createSettingEnrollment>>, client: Db = db()) {
  const { actor } = await signIn(setting, { client });
  return actor;
}

export async function prescriberActor(
  prescriber: Awaited<ReturnType<typeof createPrescriberEnrollment>>,
  client: Db = db(),
): Promise<Actor> {
  const { actor } = await signIn(prescriber, { client });
  return actor;
}

export interface PatientOptions {
  prescriberId: string;
  healthcareSettingId: string;
  status?: EnrollmentStatus;
  statusReason?: string;
  /** Give the patient their own account (reminders go to it too). */
  withAccount?: boolean;
  /** YYYY-MM-DD; defaults to today. */
  enrolledOn?: string;
  client?: Db;
}

/** A patient with a PATIENT enrollment (ENROLLED unless told otherwise). */
export async function createPatient(options: PatientOptions) {
  const client = options.client ?? db();
  const program = await ensureProgram(client);
  const account = options.withAccount ? await createUser({ prefix: "patient", name: "Pat Example", client }) : null;
  if (account) await client.user.update({ where: { id: account.user.id }, data: { role: "PATIENT" } });
  const lastName = uniqueWord("Patient");
  const enrolledAt = options.enrolledOn ? dateOnly(options.enrolledOn) : new Date();
  const patient = await client.patient.create({
    data: {
      remsId: generateRemsId("PT"),
      firstName: "Jamie",
      lastName,
      dateOfBirth: dateOnly("1985-04-12"),
      sex: "female",
      email: account?.user.email ?? null,
      userId: account?.user.id ?? null,
      prescriberId: options.prescriberId,
      healthcareSettingId: options.healthcareSettingId,
      signatureMethod: "paper",
      counselledAt: enrolledAt,
      createdAt: enrolledAt,
    },
    select: { id: true, remsId: true, firstName: true, lastName: true, email: true, userId: true },
  });
  const enrollment = await client.enrollment.create({
    data: {
      programId: program.id,
      kind: "PATIENT",
      status: options.status ?? "ENROLLED",
      statusReason: options.statusReason ?? null,
      patientId: patient.id,
      submittedAt: enrolledAt,
      certifiedAt: enrolledAt,
      createdAt: enrolledAt,
    },
    select: { id: true, status: true },
  });
  return { patient, enrollment, program, account };
}

/** Lab results (or exams) for a patient, one per code per date. */
export async function addResults(
  patientId: string,
  results: { testCode: string; collectedOn: string; abnormal?: boolean }[],
  client: Db = db(),
) {
  const program = await ensureProgram(client);
  await client.labResult.createMany({
    data: results.map((r) => ({
      patientId,
      programId: program.id,
      testCode: r.testCode,
      collectedOn: dateOnly(r.collectedOn),
      abnormal: r.abnormal ?? false,
      source: "test",
      dedupeKey: `test:${randomUUID()}`,
    })),
  });
}

/** Infusions written directly (bypassing the course rules: for history the tests set up). */
export async function addInfusions(
  patientId: string,
  healthcareSettingId: string,
  recordedByUserId: string,
  doses: { infusedOn: string; courseNumber: number; dayInCourse: number }[],
  client: Db = db(),
) {
  const program = await ensureProgram(client);
  await client.infusion.createMany({
    data: doses.map((d) => ({
      patientId,
      programId: program.id,
      healthcareSettingId,
      infusedOn: dateOnly(d.infusedOn),
      doseMg: 12,
      vialLot: "LOT-TEST-1",
      premedicationGiven: true,
      observationCompleted: true,
      reaction: false,
      courseNumber: d.courseNumber,
      dayInCourse: d.dayInCourse,
      recordedByUserId,
    })),
  });
}

export async function addStatusForm(
  patientId: string,
  submittedByUserId: string,
  submittedOn: string,
  client: Db = db(),
) {
  const program = await ensureProgram(client);
  await client.statusFormSubmission.create({
    data: { patientId, programId: program.id, answers: {}, submittedByUserId, submittedAt: dateOnly(submittedOn) },
  });
}
