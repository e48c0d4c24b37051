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
import { byKey } from "../dispensing/keys";
import type { MonitoringFacts } from "../monitoring/types";
import { type InfusionConcern, infusionConcerns, previousCourseLastDoseOn, unacknowledgedConcerns } from "./rules";
import { type TRecordInfusion, ZRecordInfusion } from "./schema";

export interface RecordedInfusion {
  id: string;
  patientId: string;
  infusedOn: string;
  courseNumber: number;
  dayInCourse: number;
  /** This dose completes its course. */
  courseComplete: boolean;
  /** The dispense authorization the drug was dispensed under, when one was given. */
  authorizationNumber: string | null;
  /** What was not in order and was acknowledged by the person recording; empty when all was. */
  acknowledgedConcerns: InfusionConcern[];
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
          certifiedAt: true,
          createdAt: true,
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

/**
 * The dispense authorization the infused drug came under, checked against this patient and
 * programme. Acceptable: an APPROVED authorization that has not expired (the setting may infuse
 * before the pharmacy has confirmed the dispense in its system) or a DISPENSED one (whatever the
 * date: one dispense covers the several infusion days of a course, so it may be linked to more
 * than one infusion). Refused: another patient's or programme's, a REVERSED one (the drug did not
 * reach the patient under it) and an EXPIRED one (never confirmed as dispensed). DENIED requests
 * carry no number, so they cannot be named here. Nor can one approved on or before the last dose
 * of the previous course: it was for that course, and the drug of this one came under another. The
 * row is locked FOR SHARE so a concurrent reversal waits for this infusion to commit.
 */
async function loadAuthorization(
  tx: Tx,
  number: string,
  patient: { id: string; programId: string },
  course: { number: number; previousLastDoseOn: string | null },
  now: Date,
): Promise<{ id: string; authorizationNumber: string }> {
  const { id: patientId, programId } = patient;
  // Found through its claim, locked in its month's partition (lib/dispensing/keys.ts).
  const rows = await tx.$queryRaw<{ id: string; createdAt: Date }[]>`
    SELECT d."id", d."createdAt" FROM "DispenseAuthorizationClaim" c
      JOIN "DispenseAuthorization" d ON d."id" = c."id" AND d."createdAt" = c."createdAt"
     WHERE c."authorizationNumber" = ${number} FOR SHARE OF d`;
  const key = rows[0];
  const found = key
    ? await tx.dispenseAuthorization.findUnique({
        where: byKey(key),
        select: {
          id: true,
          authorizationNumber: true,
          patientId: true,
          patientRemsId: true,
          programId: true,
          programCode: true,
          decision: true,
          status: true,
          expiresAt: true,
          reversalReason: true,
        },
      })
    : null;
  const field = "authorizationNumber";
  if (!found?.authorizationNumber) {
    throw refuse(
      field,
      `No dispense authorization has the number ${number}. Check the number the pharmacy gave you.`,
      "AUTHORIZATION_NOT_FOUND",
    );
  }
  const shown = found.authorizationNumber;
  if (found.patientId !== patientId) {
    const whose = found.patientId
      ? "another patient"
      : `a patient REMS ID the registry did not recognise (${found.patientRemsId})`;
    throw refuse(
      field,
      `Authorization ${shown} was given for ${whose}; it cannot be linked to this patient's infusion.`,
      "AUTHORIZATION_OTHER_PATIENT",
    );
  }
  if (found.programId !== programId) {
    throw refuse(
      field,
      `Authorization ${shown} was given under another programme (${found.programCode}).`,
      "AUTHORIZATION_OTHER_PROGRAM",
    );
  }
  if (found.decision !== "APPROVED" || found.status === "DENIED") {
    throw refuse(
      field,
      `Authorization request ${shown} was denied; no drug was dispensed under it.`,
      "AUTHORIZATION_DENIED",
    );
  }
  if (found.status === "REVERSED") {
    const why = found.reversalReason ? ` (${found.reversalReason})` : "";
    throw refuse(
      field,
      `This authorization was reversed by the pharmacy${why}, so the drug was not dispensed under it. Ask the pharmacy for the authorization the drug was dispensed under.`,
      "AUTHORIZATION_REVERSED",
    );
  }
  const expired =
    found.status === "EXPIRED" || (found.status === "APPROVED" && found.expiresAt !== null && found.expiresAt <= now);
  if (expired) {
    throw refuse(
      field,
      `This authorization expired${found.expiresAt ? ` on ${isoDay(found.expiresAt)}` : ""} without a confirmed dispense. Ask the pharmacy for the authorization the drug was dispensed under.`,
      "AUTHORIZATION_EXPIRED",
    );
  }
  if (course.previousLastDoseOn !== null && key && isoDay(key.createdAt) <= course.previousLastDoseOn) {
    throw refuse(
      field,
      `Authorization ${shown} was approved on ${isoDay(key.createdAt)}, for an earlier course (course ${course.number - 1} ended on ${course.previousLastDoseOn}); it does not cover course ${course.number}. Ask the pharmacy for the authorization this course's drug was dispensed under.`,
      "AUTHORIZATION_OTHER_COURSE",
    );
  }
  return { id: found.id, authorizationNumber: shown };
}

/**
 * The patient's monitoring facts as the infusion rules read them: every result and status form in
 * the programme, the doses already given and the day the patient was enrolled.
 */
async function loadMonitoringFacts(
  tx: Tx,
  patientId: string,
  enrollment: { programId: string; certifiedAt: Date | null; createdAt: Date },
  doseDates: string[],
): Promise<MonitoringFacts> {
  const [results, forms] = await Promise.all([
    tx.labResult.findMany({
      where: { patientId, programId: enrollment.programId },
      select: { testCode: true, collectedOn: true },
    }),
    tx.statusFormSubmission.findMany({
      where: { patientId, programId: enrollment.programId },
      select: { submittedAt: true },
    }),
  ]);
  return {
    doseDates,
    results: results.map((r) => ({ testCode: r.testCode, collectedOn: isoDay(r.collectedOn) })),
    statusFormDates: forms.map((f) => isoDay(f.submittedAt)),
    enrolledOn: isoDay(enrollment.certifiedAt ?? enrollment.createdAt),
  };
}

/**
 * Refuses, on the acknowledgement field, a record that does not acknowledge every point not in
 * order; each point is a message of its own, and details.concerns carries them with their codes.
 */
function assertAcknowledged(concerns: InfusionConcern[], acknowledged: readonly string[]): void {
  if (unacknowledgedConcerns(concerns, acknowledged).length === 0) return;
  throw new AppError(
    "VALIDATION",
    "Not everything is in order for this infusion. Read each point, then confirm that you have seen them to record the infusion as given.",
    {
      fields: { acknowledgedConcerns: concerns.map((c) => c.message) },
      reason: "CONCERNS_NOT_ACKNOWLEDGED",
      concerns,
    },
  );
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
 * in the future or outside the course rules, a dose other than the programme's daily dose, a
 * dispense authorization number that is unknown or not usable for this patient and course
 * (loadAuthorization), and a record that does not acknowledge each point not in order for the
 * infusion (lib/infusions/rules.ts: baseline tests, overdue monitoring, no dispense authorization).
 * Those points do not refuse an infusion that was given: acknowledged, they are stored on the row
 * and in its audit event.
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
      const doseDates = given.map((g) => isoDay(g.infusedOn));
      const check = checkNewInfusion(courses, doseDates, value.infusedOn);
      if (!check.ok) throw refuse("infusedOn", check.message, check.code);
      const authorization = value.authorizationNumber
        ? await loadAuthorization(
            tx,
            value.authorizationNumber,
            { id: value.patientId, programId: facts.enrollment.programId },
            {
              number: check.courseNumber,
              previousLastDoseOn: previousCourseLastDoseOn(courses, doseDates, check.courseNumber),
            },
            now,
          )
        : null;
      const concerns = infusionConcerns(
        definition.monitoring,
        await loadMonitoringFacts(tx, value.patientId, facts.enrollment, doseDates),
        {
          infusedOn: value.infusedOn,
          courseNumber: check.courseNumber,
          dayInCourse: check.dayInCourse,
          authorizationNumber: authorization?.authorizationNumber ?? null,
        },
      );
      assertAcknowledged(concerns, value.acknowledgedConcerns ?? []);
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
          dispenseAuthorizationId: authorization?.id ?? null,
          acknowledgedConcerns: concerns.map((c) => ({ code: c.code, message: c.message })),
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
          authorizationNumber: authorization?.authorizationNumber ?? null,
          acknowledgedConcerns: concerns.map((c) => ({ code: c.code, message: c.message })),
        },
      });
      return {
        id: infusion.id,
        patientId: value.patientId,
        infusedOn: value.infusedOn,
        courseNumber: check.courseNumber,
        dayInCourse: check.dayInCourse,
        courseComplete: check.dayInCourse >= daysRequiredFor(courses, check.courseNumber),
        authorizationNumber: authorization?.authorizationNumber ?? null,
        acknowledgedConcerns: concerns,
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
