/**
 * Patient Status Form input. The answers are validated against the programme's status-form
 * definition (lib/enrollment/form-schema.ts buildFormSchema); the e-signature fields are fixed.
 */
import { z } from "zod";
import { zMfaCode } from "../auth/schema";
import { formatDateTime } from "../format";
import type { TFormDefinition } from "../programs/schema";

/**
 * Status-form questions whose "yes" reports a serious adverse event that administrators must
 * review. A programme's status form opts a question in by using one of these field ids.
 */
export const SERIOUS_EVENT_FIELD_IDS = [
  "newAutoimmuneCondition",
  "seriousInfection",
  "malignancy",
  "pregnancy",
] as const;

/** True when any serious-event question the form asks is answered yes. */
export function reportsSeriousAdverseEvent(form: TFormDefinition, answers: Record<string, unknown>): boolean {
  return form.fields.some(
    (f) =>
      f.type === "yesNo" && (SERIOUS_EVENT_FIELD_IDS as readonly string[]).includes(f.id) && answers[f.id] === "yes",
  );
}

export const ZStatusFormSignature = z.object({
  printedName: z
    .string()
    .trim()
    .min(2, { error: "Type your full name as your signature" })
    .max(120, { error: "Use at most 120 characters" }),
  password: z.string().min(1, { error: "Enter your password to sign" }).max(1024),
  /** The authenticator code, when the signer has two-step sign-in (lib/auth/mfa.ts verifyStepUp). */
  code: zMfaCode.optional(),
});
export type TStatusFormSignature = z.input<typeof ZStatusFormSignature>;

export const ZSubmitStatusForm = ZStatusFormSignature.extend({
  patientId: z.uuid({ error: "Unknown patient" }),
  /** Checked against the programme's status-form definition by the service. */
  answers: z.record(z.string(), z.unknown()),
});
export type TSubmitStatusForm = z.input<typeof ZSubmitStatusForm>;

export const ZReviewAdverseEvent = z.object({ submissionId: z.uuid({ error: "Unknown report" }) });
export type TReviewAdverseEvent = z.input<typeof ZReviewAdverseEvent>;

export const STATUS_FORM_SIGNATURE_MEANING =
  "By signing I attest, as the patient's prescriber, that the answers on this Patient Status Form are true and complete.";

/**
 * The e-mail each administrator gets when a serious adverse event is reported: the patient by REMS
 * id, no answers, no name (the registry holds the details for those allowed to read them).
 */
export function adverseEventAlert(input: {
  programName: string;
  patientRemsId: string;
  submittedAt: Date;
  administratorName: string;
  appUrl: string;
}): { subject: string; text: string } {
  return {
    subject: `${input.programName}: serious adverse event reported for patient ${input.patientRemsId}`,
    text: [
      `Hello ${input.administratorName},`,
      "",
      `A serious adverse event was reported on a Patient Status Form for patient ${input.patientRemsId} (${formatDateTime(input.submittedAt)}).`,
      "",
      `Review it: ${input.appUrl}/admin/adverse-events`,
      "",
      "— REMS registry",
    ].join("\n"),
  };
}
