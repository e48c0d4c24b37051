/**
 * Inputs of the enrollment actions, shared by the browser forms and the server. The enrollment
 * form itself is built from the programme definition (./form-schema.ts); these schemas wrap it
 * with the identifiers every step needs.
 */
import { z } from "zod";
import { zMfaCode } from "../auth/schema";

export const ZProgramCode = z
  .string({ error: "Choose a programme" })
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, { error: "Unknown programme" })
  .transform((v) => v.toUpperCase());

const zEnrollmentId = z.uuid({ error: "Unknown application" });

export const ZSaveEnrollmentForm = z.object({
  programCode: ZProgramCode,
  /** The application being edited; absent on the first save, which creates it. */
  enrollmentId: zEnrollmentId.optional(),
  /** A delegate names the prescriber they work for. */
  prescriberId: z.uuid({ error: "Unknown prescriber" }).optional(),
  /** Validated against the programme's form definition by the service. */
  values: z.record(z.string(), z.unknown()),
});
export type TSaveEnrollmentForm = z.input<typeof ZSaveEnrollmentForm>;

export const ZAcknowledgeTraining = z.object({
  enrollmentId: zEnrollmentId,
  sectionId: z.string().min(1).max(100),
  acknowledged: z.boolean(),
});
export type TAcknowledgeTraining = z.input<typeof ZAcknowledgeTraining>;

export const ZSubmitAssessment = z.object({
  enrollmentId: zEnrollmentId,
  /** The attempt the page was showing: a second submission of the same number is refused. */
  attemptNumber: z.int().min(1).max(10_000),
  /** Question id → chosen option id(s). */
  answers: z.record(z.string(), z.union([z.string(), z.array(z.string()).max(50)])),
});
export type TSubmitAssessment = z.input<typeof ZSubmitAssessment>;

export const ZSetAttestation = z.object({
  enrollmentId: zEnrollmentId,
  attestationId: z.string().min(1).max(100),
  checked: z.boolean(),
});
export type TSetAttestation = z.input<typeof ZSetAttestation>;

/** What the signer types on the review page (validated in the browser as well). */
export const ZSignatureFields = z.object({
  printedName: z
    .string()
    .trim()
    .min(1, "Type your full name as your printed name")
    .max(200, "Use at most 200 characters"),
  password: z.string().min(1, "Enter your password to sign").max(256, "Password is too long"),
  /** The authenticator code, when the signer has two-step sign-in (lib/auth/mfa.ts verifyStepUp). */
  code: zMfaCode.optional(),
});
export type TSignatureFields = z.input<typeof ZSignatureFields>;

export const ZSignEnrollment = ZSignatureFields.extend({
  enrollmentId: zEnrollmentId,
  /** Attestation ids the signer ticked; every attestation of the programme must be among them. */
  attestations: z.array(z.string().max(100)).max(100),
  /** Digest of the application as the review page showed it: a change since then is refused. */
  reviewDigest: z.string().regex(/^[0-9a-f]{64}$/, { error: "Reload the page and review the application again" }),
  /** The status version the review page showed. */
  expectedVersion: z.int().min(0).optional(),
});
export type TSignEnrollment = z.input<typeof ZSignEnrollment>;

export const ZRestartEnrollment = z.object({ enrollmentId: zEnrollmentId });
export type TRestartEnrollment = z.input<typeof ZRestartEnrollment>;
