/**
 * The periodic Patient Status Form: the prescriber answers the programme's questions and e-signs
 * (password re-entry, printed name, meaning, SHA-256 of the signed content → Signature row), all in
 * one audited transaction. A "yes" to a serious-event question flags the submission for the
 * administrators, who mark it reviewed.
 */
import type { Actor } from "../auth/actor";
import { verifyStepUp } from "../auth/mfa";
import { requirePermission } from "../auth/permissions";
import { canonicalJson, sha256Hex } from "../audit/hash";
import { recordAudit } from "../audit/service";
import { db, type Db, type DbOrTx, type Tx } from "../db";
import { env } from "../env";
import { queueMail } from "../mail/outbox";
import { buildFormSchema } from "../enrollment/form-schema";
import { AppError, fieldErrorsFromZod } from "../errors";
import { assertCanRecordFor, type RecordablePatient, requireRecordablePatient } from "../labs/access";
import { patientMonitoringSchedule } from "../labs/schedule";
import { dayOf } from "../monitoring/rules";
import { STATUS_FORM_CODE } from "../monitoring/types";
import { getProgramDefinition } from "../programs/registry";
import type { TMonitoring, TProgramDefinition, TStatusForm } from "../programs/schema";
import { requireOwnPrintedName } from "../signatures/signer";
import {
  adverseEventAlert,
  reportsSeriousAdverseEvent,
  STATUS_FORM_SIGNATURE_MEANING,
  type TReviewAdverseEvent,
  type TSubmitStatusForm,
  ZReviewAdverseEvent,
  ZSubmitStatusForm,
} from "./schema";

interface StatusFormProgram {
  programId: string;
  enrolledOn: string;
  definition: TProgramDefinition;
  monitoring: TMonitoring;
  statusForm: TStatusForm;
}

/** The patient's programme that asks for status forms (the first, should there be several). */
function statusFormProgramOf(patient: RecordablePatient): StatusFormProgram {
  for (const enrollment of patient.enrollments) {
    const definition = getProgramDefinition(enrollment.program.code);
    const monitoring = definition?.monitoring;
    if (definition && monitoring?.statusForm) {
      return {
        programId: enrollment.programId,
        enrolledOn: dayOf(enrollment.certifiedAt ?? enrollment.createdAt),
        definition,
        monitoring,
        statusForm: monitoring.statusForm,
      };
    }
  }
  throw new AppError("NOT_FOUND", "This patient's programme has no Patient Status Form.");
}

function requirePrescriber(actor: Actor) {
  if (actor.role !== "PRESCRIBER") {
    throw new AppError("FORBIDDEN", "Only the prescriber can sign the Patient Status Form. Ask them to sign in.");
  }
  requirePermission(actor, "patient:read:own");
}

/** What the signature covers; its SHA-256 is stored on the Signature row. */
export function statusFormSignedContent(input: {
  programCode: string;
  programVersion: number;
  patientId: string;
  patientRemsId: string;
  answers: Record<string, unknown>;
  seriousAdverseEvent: boolean;
  printedName: string;
  meaning: string;
  signedAt: string;
}): { content: string; sha256: string } {
  const content = canonicalJson(input);
  return { content, sha256: sha256Hex(content) };
}

/** Validates, e-signs and stores one status form; flags a reported serious adverse event. */
export async function submitStatusForm(actor: Actor, input: TSubmitStatusForm, client: Db = db()) {
  requirePrescriber(actor);
  const parsed = ZSubmitStatusForm.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const { patientId, printedName, password, code } = parsed.data;
  const patient = await requireRecordablePatient(actor, patientId, client);
  const program = statusFormProgramOf(patient);
  const answers = buildFormSchema(program.statusForm.form).safeParse(parsed.data.answers);
  if (!answers.success) {
    throw new AppError("VALIDATION", "Answer every question.", { fields: fieldErrorsFromZod(answers.error) });
  }
  await requireOwnPrintedName(actor, printedName, "printedName", client);
  await verifyStepUp(actor, { password, code }, { mfaRequired: program.definition.esignature.requireMfa }, client);
  const cleanAnswers = JSON.parse(JSON.stringify(answers.data)) as Record<string, string>;
  const seriousAdverseEvent = reportsSeriousAdverseEvent(program.statusForm.form, cleanAnswers);
  const signedAt = new Date();
  const content = statusFormSignedContent({
    programCode: program.definition.code,
    programVersion: program.definition.version,
    patientId,
    patientRemsId: patient.remsId,
    answers: cleanAnswers,
    seriousAdverseEvent,
    printedName,
    meaning: STATUS_FORM_SIGNATURE_MEANING,
    signedAt: signedAt.toISOString(),
  });

  return client.$transaction(async (tx) => {
    await assertCanRecordFor(actor, patientId, tx);
    const submission = await tx.statusFormSubmission.create({
      data: {
        patientId,
        programId: program.programId,
        answers: cleanAnswers,
        seriousAdverseEvent,
        submittedByUserId: actor.userId,
        submittedAt: signedAt,
      },
      select: { id: true },
    });
    const signature = await tx.signature.create({
      data: {
        signerUserId: actor.userId,
        printedName,
        meaning: STATUS_FORM_SIGNATURE_MEANING,
        signedAt,
        contentSha256: content.sha256,
        entityType: "StatusFormSubmission",
        entityId: submission.id,
      },
      select: { id: true },
    });
    await tx.statusFormSubmission.update({ where: { id: submission.id }, data: { signatureId: signature.id } });
    if (seriousAdverseEvent) {
      await alertAdministrators(tx, {
        programName: program.definition.name,
        patientRemsId: patient.remsId,
        submissionId: submission.id,
        submittedAt: signedAt,
      });
    }
    await recordAudit(tx, actor, {
      action: "status_form.submitted",
      entityType: "StatusFormSubmission",
      entityId: submission.id,
      after: {
        patientId,
        seriousAdverseEvent,
        signatureId: signature.id,
        printedName,
        meaning: STATUS_FORM_SIGNATURE_MEANING,
        signedAt: signedAt.toISOString(),
        contentSha256: content.sha256,
        signedContent: content.content,
      },
    });
    return {
      submissionId: submission.id,
      signatureId: signature.id,
      contentSha256: content.sha256,
      seriousAdverseEvent,
    };
  });
}

/**
 * Tells every active administrator, in the transaction that records the report, that a serious
 * adverse event was reported. The patient is named by REMS id only: the details are in the registry.
 */
async function alertAdministrators(
  tx: Tx,
  input: { programName: string; patientRemsId: string; submissionId: string; submittedAt: Date },
) {
  const admins = await tx.user.findMany({
    where: { role: "ADMIN", status: "ACTIVE" },
    select: { email: true, name: true },
    orderBy: { email: "asc" },
  });
  for (const admin of admins) {
    await queueMail(tx, {
      to: admin.email,
      ...adverseEventAlert({ ...input, administratorName: admin.name, appUrl: env().APP_URL }),
      category: "adverse_event.reported",
      entityType: "StatusFormSubmission",
      entityId: input.submissionId,
    });
  }
}

/** The form to fill in, when the next one is due, and the forms already submitted. */
export async function getStatusFormPage(actor: Actor, patientId: string, client: Db = db(), now = new Date()) {
  if (actor.role !== "PRESCRIBER" && actor.role !== "PRESCRIBER_DELEGATE") {
    throw new AppError("FORBIDDEN", "Only the patient's prescriber and their office staff see status forms.");
  }
  const patient = await requireRecordablePatient(actor, patientId, client);
  const program = statusFormProgramOf(patient);
  const submissions = await client.statusFormSubmission.findMany({
    where: { patientId },
    orderBy: { submittedAt: "desc" },
    select: {
      id: true,
      submittedAt: true,
      seriousAdverseEvent: true,
      reviewedAt: true,
      answers: true,
      signatureId: true,
    },
  });
  const schedule = await patientMonitoringSchedule(client, patient, dayOf(now));
  const due = schedule?.items.find((i) => i.code === STATUS_FORM_CODE) ?? null;
  return {
    patient: { id: patient.id, remsId: patient.remsId, name: `${patient.firstName} ${patient.lastName}` },
    form: program.statusForm.form,
    meaning: STATUS_FORM_SIGNATURE_MEANING,
    signatureRequiresMfa: program.definition.esignature.requireMfa,
    due,
    canSign: actor.role === "PRESCRIBER",
    submissions: submissions.map((s) => ({ ...s, answers: s.answers as Record<string, string> })),
  };
}

// ---------------------------------------------------------------------------
// Administrators: serious adverse events

/** Serious adverse events not yet reviewed, oldest first. */
export async function listUnreviewedAdverseEvents(actor: Actor, client: DbOrTx = db()) {
  requirePermission(actor, "enrollment:read:any");
  const rows = await client.statusFormSubmission.findMany({
    where: { seriousAdverseEvent: true, reviewedAt: null },
    orderBy: { submittedAt: "asc" },
    take: 200,
    select: {
      id: true,
      submittedAt: true,
      answers: true,
      programId: true,
      patient: {
        select: {
          remsId: true,
          firstName: true,
          lastName: true,
          prescriber: { select: { firstName: true, lastName: true, npi: true } },
        },
      },
    },
  });
  return rows.map((r) => ({ ...r, answers: r.answers as Record<string, string> }));
}

/** Marks a flagged report reviewed (once); audited. */
export async function markAdverseEventReviewed(actor: Actor, input: TReviewAdverseEvent, client: Db = db()) {
  requirePermission(actor, "enrollment:review:any");
  const parsed = ZReviewAdverseEvent.safeParse(input);
  if (!parsed.success) throw new AppError("BAD_REQUEST", "Unknown report.");
  const { submissionId } = parsed.data;
  return client.$transaction(async (tx) => {
    const reviewedAt = new Date();
    const updated = await tx.statusFormSubmission.updateMany({
      where: { id: submissionId, seriousAdverseEvent: true, reviewedAt: null },
      data: { reviewedAt },
    });
    if (updated.count === 0) {
      const exists = await tx.statusFormSubmission.findFirst({
        where: { id: submissionId, seriousAdverseEvent: true },
        select: { id: true },
      });
      throw exists
        ? new AppError("CONFLICT", "This report has already been marked reviewed.")
        : new AppError("NOT_FOUND", "There is no such report.");
    }
    await recordAudit(tx, actor, {
      action: "adverse_event.reviewed",
      entityType: "StatusFormSubmission",
      entityId: submissionId,
      before: { reviewedAt: null },
      after: { reviewedAt: reviewedAt.toISOString() },
    });
    return { submissionId, reviewedAt };
  });
}
