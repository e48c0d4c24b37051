/**
 * Infusions recorded by a certified healthcare setting. Every refusal names its reason; the
 * infusion row and its audit event are written in one transaction, or nothing is.
 */
import type { Actor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import { recordAudit } from "../audit/service";
import { isCertified } from "../certification/rules";
import { isoDay } from "../courses/dates";
import { checkNewInfusion, daysRequiredFor } from "../courses/rules";
import { db, type Db, type Tx } from "../db";
import { AppError, fieldErrorsFromZod } from "../errors";
import { Prisma } from "../generated/prisma/client";
import { getProgramDefinition } from "../programs/registry";
import { ZProgramDefinition, type TProgramDefinition } from "../programs/schema";
import { type TRecordInfusion, ZRecordInfusion } from "./schema";

export interface RecordedInfusion {
  id: string;
  patientId: string;
  infusedOn: string;
  courseNumber: number;
  dayInCourse: number;
  /** This dose completes its course. */
  courseComplete: boolean;
}

function definitionOf(program: { code: string; definition: unknown }): TProgramDefinition {
  return getProgramDefinition(program.code) ?? ZProgramDefinition.parse(program.definition);
}

function dateOnly(value: string): Date {
  return new Date(`${value}T00:00:00.000Z`);
}

function settingIdOf(actor: Actor): string {
  requirePermission(actor, "infusion:record:org");
  if (!actor.healthcareSettingId) {
    throw new AppError("FORBIDDEN", "Your account is not linked to a healthcare setting.");
  }
  return actor.healthcareSettingId;
}

function refuse(field: string, message: string, reason: string): AppError {
  return new AppError("VALIDATION", message, { fields: { [field]: [message] }, reason });
}

async function loadFacts(tx: Tx, settingId: string, patientId: string) {
  // Serializes recordings for one patient, so two concurrent days cannot both pass the course rules.
  await tx.$executeRaw`SELECT id FROM "Patient" WHERE id = ${patientId}::uuid FOR UPDATE`;
  const patient = await tx.patient.findUnique({
    where: { id: patientId },
    select: {
      id: true,
      remsId: true,
      healthcareSettingId: true,
      enrollments: {
        where: { kind: "PATIENT" },
        select: {
          status: true,
          statusReason: true,
          programId: true,
          program: { select: { code: true, definition: true } },
        },
      },
    },
  });
  if (!patient || patient.healthcareSettingId !== settingId) {
    throw new AppError(
      "FORBIDDEN",
      "This patient is not treated at your healthcare setting, so you cannot record an infusion for them.",
      {
        reason: "PATIENT_NOT_AT_SETTING",
      },
    );
  }
  const enrollment = patient.enrollments[0];
  if (!enrollment) {
    throw new AppError(
      "FORBIDDEN",
      "This patient is not enrolled in the REMS programme; no infusion can be recorded.",
      {
        reason: "PATIENT_NOT_ENROLLED",
      },
    );
  }
  const settingEnrollment = await tx.enrollment.findFirst({
    where: { kind: "HEALTHCARE_SETTING", healthcareSettingId: settingId, programId: enrollment.programId },
    select: { status: true },
  });
  return { patient, enrollment, settingStatus: settingEnrollment?.status ?? null };
}

function assertAuthorized(facts: Awaited<ReturnType<typeof loadFacts>>) {
  if (!facts.settingStatus || !isCertified(facts.settingStatus)) {
    throw new AppError(
      "FORBIDDEN",
      "Your healthcare setting is not certified in this programme, so it cannot record infusions.",
      {
        reason: "SETTING_NOT_CERTIFIED",
      },
    );
  }
  const { status, statusReason } = facts.enrollment;
  if (status === "ENROLLED") return;
  const why = statusReason ? ` (${statusReason})` : "";
  const message =
    status === "NOT_AUTHORIZED"
      ? `This patient is not authorized for treatment${why}; no infusion can be recorded until the prescriber resolves it.`
      : status === "DISENROLLED"
        ? `This patient has been disenrolled from the programme${why}; no infusion can be recorded.`
        : "This patient's enrollment is not complete; no infusion can be recorded.";
  throw new AppError("FORBIDDEN", message, {
    reason: status === "NOT_AUTHORIZED" ? "PATIENT_NOT_AUTHORIZED" : "PATIENT_NOT_ENROLLED",
  });
}

/**
 * Records one infusion for a patient of the actor's healthcare setting. Refuses, with the reason:
 * a setting that is not certified, a patient of another setting or not currently enrolled, a date
 * in the future or outside the course rules, a dose other than the programme's daily dose.
 */
export async function recordInfusion(
  actor: Actor,
  input: TRecordInfusion,
  client: Db = db(),
  now: Date = new Date(),
): Promise<RecordedInfusion> {
  const settingId = settingIdOf(actor);
  const parsed = ZRecordInfusion.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const value = parsed.data;
  if (value.infusedOn > isoDay(now)) {
    throw refuse("infusedOn", "The infusion date cannot be in the future.", "FUTURE_DATE");
  }
  try {
    return await client.$transaction(async (tx) => {
      const facts = await loadFacts(tx, settingId, value.patientId);
      assertAuthorized(facts);
      const definition = definitionOf(facts.enrollment.program);
      const courses = definition.courses;
      if (!courses) {
        throw new AppError("BAD_REQUEST", `The ${definition.name} does not define treatment courses.`);
      }
      if (value.doseMg !== courses.doseMgPerDay) {
        throw refuse(
          "doseMg",
          `The ${definition.drug.name} dose is ${courses.doseMgPerDay} mg per day; ${value.doseMg} mg cannot be recorded.`,
          "DOSE_NOT_PROGRAM_DOSE",
        );
      }
      const given = await tx.infusion.findMany({
        where: { patientId: value.patientId, programId: facts.enrollment.programId },
        select: { infusedOn: true },
      });
      const check = checkNewInfusion(
        courses,
        given.map((g) => isoDay(g.infusedOn)),
        value.infusedOn,
      );
      if (!check.ok) throw refuse("infusedOn", check.message, check.code);
      const reaction = value.reaction === "yes";
      const infusion = await tx.infusion.create({
        data: {
          patientId: value.patientId,
          programId: facts.enrollment.programId,
          healthcareSettingId: settingId,
          infusedOn: dateOnly(value.infusedOn),
          doseMg: value.doseMg,
          vialLot: value.vialLot,
          premedicationGiven: value.premedicationGiven === "yes",
          observationCompleted: value.observationCompleted === "yes",
          reaction,
          reactionSeverity: reaction ? (value.reactionSeverity ?? null) : null,
          reactionNarrative: reaction ? (value.reactionNarrative ?? null) : null,
          courseNumber: check.courseNumber,
          dayInCourse: check.dayInCourse,
          recordedByUserId: actor.userId,
        },
        select: { id: true },
      });
      await recordAudit(tx, actor, {
        action: "infusion.record",
        entityType: "Infusion",
        entityId: infusion.id,
        after: {
          patientId: value.patientId,
          healthcareSettingId: settingId,
          infusedOn: value.infusedOn,
          doseMg: value.doseMg,
          vialLot: value.vialLot,
          premedicationGiven: value.premedicationGiven === "yes",
          observationCompleted: value.observationCompleted === "yes",
          reaction,
          reactionSeverity: reaction ? (value.reactionSeverity ?? null) : null,
          courseNumber: check.courseNumber,
          dayInCourse: check.dayInCourse,
        },
      });
      return {
        id: infusion.id,
        patientId: value.patientId,
        infusedOn: value.infusedOn,
        courseNumber: check.courseNumber,
        dayInCourse: check.dayInCourse,
        courseComplete: check.dayInCourse >= daysRequiredFor(courses, check.courseNumber),
      };
    });
  } catch (error) {
    // Two recordings of the same day raced past the check: the unique key refused the second.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw refuse("infusedOn", `An infusion is already recorded on ${value.infusedOn}.`, "DUPLICATE_DATE");
    }
    throw error;
  }
}
