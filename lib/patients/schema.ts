/**
 * Inputs of the patient services, shared by the browser forms and the server. The demographics
 * are the programme's patient enrollment form (validated with buildFormSchema); these schemas wrap
 * them with the choices every enrollment needs.
 */
import { z } from "zod";
import { zMfaCode } from "../auth/schema";
import type { FieldErrors } from "../errors";
import { buildFormSchema } from "../enrollment/form-schema";
import type { TStakeholderRequirement } from "../programs/schema";
import { checkDateOfBirth, DISENROLL_REASONS, SETTABLE_STATUSES, SIGNATURE_METHODS } from "./rules";

const zId = (what: string) => z.uuid({ error: `Unknown ${what}` });

/** What a signer types: printed name and password (re-entered to sign). */
export const ZSigner = z.object({
  printedName: z
    .string()
    .trim()
    .min(1, "Type your full name as your printed name")
    .max(200, "Use at most 200 characters"),
  password: z.string().min(1, "Enter your password to sign").max(256, "Password is too long"),
  /** The authenticator code, when the signer has two-step sign-in (lib/auth/mfa.ts verifyStepUp). */
  code: zMfaCode.optional(),
});

/** The prescriber's co-signature: the co-signature statements ticked, printed name, password. */
export const ZCoSignature = ZSigner.extend({
  attestations: z.array(z.string().max(100)).max(50),
});
export type TCoSignature = z.input<typeof ZCoSignature>;

/**
 * Input of `enrollPatient`:
 * - `programCode`: the programme (e.g. "LEMTRADA").
 * - `prescriberId`: a delegate names the prescriber they prepare it for (a prescriber omits it).
 * - `values`: the programme's patient form, field id → text (LEMTRADA: firstName, lastName,
 *   dateOfBirth "YYYY-MM-DD", sex female|male|other, addressLine1, addressLine2?, city, state,
 *   zip, phone, email?).
 * - `healthcareSettingId`: the treating setting; must be certified in the programme.
 * - `counselledMaterialIds`: every counselling material of the programme (Patient Guide, Safety
 *   Information Card) the prescriber went through and handed over.
 * - `signatureMethod`: "ACCOUNT" (the patient is invited by e-mail and signs in their account; the
 *   enrollment stays pending until then) or "PAPER" (the signed paper form is on file).
 * - `confirmDifferentPerson`: true after the prescriber has seen the suspected duplicates and
 *   confirmed this is a different person.
 * - `ageOverrideReason`: required when the patient is under the programme's minimum age.
 * - `coSignature`: the prescriber's co-signature. Omitted by a delegate (the enrollment then waits
 *   for the prescriber to co-sign it).
 */
export const ZEnrollPatient = z.object({
  programCode: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, { error: "Unknown programme" })
    .transform((v) => v.toUpperCase()),
  prescriberId: zId("prescriber").optional(),
  values: z.record(z.string(), z.unknown()),
  healthcareSettingId: zId("healthcare setting").or(z.literal("")),
  counselledMaterialIds: z.array(z.string().max(100)).max(50),
  signatureMethod: z.enum(SIGNATURE_METHODS, { error: "Choose how the patient signs" }),
  confirmDifferentPerson: z.boolean().optional(),
  ageOverrideReason: z.string().trim().max(1000, "Use at most 1000 characters").optional(),
  coSignature: ZCoSignature.optional(),
});
export type TEnrollPatient = z.input<typeof ZEnrollPatient>;

/**
 * Every field-level problem of an enrollment, keyed by the form's field names (demographic field
 * ids, healthcareSettingId, counselledMaterialIds, ageOverrideReason, coSignature.*). The form runs
 * it in the browser and the service again on the server, so both say the same thing.
 */
export function validatePatientEnrollment(
  requirement: TStakeholderRequirement,
  input: {
    values: Record<string, unknown>;
    healthcareSettingId: string;
    counselledMaterialIds: readonly string[];
    signatureMethod: string;
    ageOverrideReason?: string;
    coSignature?: { printedName: string; password: string; code?: string; attestations: readonly string[] } | undefined;
  },
  now: Date,
  options: { requireCoSignature: boolean },
): { fields: FieldErrors; values: Record<string, string | undefined> } {
  const fields: FieldErrors = {};
  const add = (key: string, message: string) => {
    fields[key] = [...(fields[key] ?? []), message];
  };
  const parsed = buildFormSchema(requirement.enrollmentForm).safeParse(input.values);
  const values: Record<string, string | undefined> = parsed.success ? parsed.data : {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) add(issue.path.map(String).join("."), issue.message);
  }
  const dob = typeof input.values.dateOfBirth === "string" ? input.values.dateOfBirth.trim() : "";
  if (dob && !fields.dateOfBirth) {
    const check = checkDateOfBirth(dob, now, requirement.minimumAgeYears);
    if (check.kind === "invalid" || check.kind === "future") add("dateOfBirth", check.message);
    if (check.kind === "underMinimum" && !input.ageOverrideReason?.trim()) add("ageOverrideReason", check.message);
  }
  if (!input.healthcareSettingId) add("healthcareSettingId", "Choose the treating healthcare setting");
  if (input.signatureMethod !== "ACCOUNT" && input.signatureMethod !== "PAPER") {
    add("signatureMethod", "Choose how the patient signs");
  }
  const given = new Set(input.counselledMaterialIds);
  const missing = (requirement.counselling?.materials ?? []).filter((m) => !given.has(m.id));
  if (missing.length > 0) {
    add(
      "counselledMaterialIds",
      `Counsel the patient and hand over every material first (${missing.map((m) => m.title).join(", ")})`,
    );
  }
  if (input.signatureMethod === "ACCOUNT" && !values.email && !fields.email) {
    add("email", "Enter the patient's e-mail address to invite them to sign in their own account");
  }
  const co = input.coSignature;
  if (options.requireCoSignature || co) {
    const ticked = new Set(co?.attestations ?? []);
    const unticked = (requirement.coSignature?.attestations ?? []).filter((a) => !ticked.has(a.id));
    if (unticked.length > 0) add("coSignature.attestations", "Tick every statement to co-sign");
    const signer = ZSigner.safeParse({ printedName: co?.printedName ?? "", password: co?.password ?? "" });
    if (!signer.success) {
      for (const issue of signer.error.issues) add(`coSignature.${issue.path.map(String).join(".")}`, issue.message);
    }
  }
  return { fields, values };
}

export const ZSetPatientStatus = z
  .object({
    patientId: zId("patient"),
    status: z.enum(SETTABLE_STATUSES, { error: "Choose a status" }),
    /** Required for a disenrollment. */
    reasonCode: z.enum(DISENROLL_REASONS, { error: "Choose why the patient is disenrolled" }).optional(),
    reason: z.string().trim().max(1000, "Use at most 1000 characters"),
  })
  .superRefine((v, ctx) => {
    if (v.status === "DISENROLLED" && !v.reasonCode) {
      ctx.addIssue({ code: "custom", path: ["reasonCode"], message: "Choose why the patient is disenrolled" });
    }
    const needsText = v.status === "NOT_AUTHORIZED" || (v.status === "DISENROLLED" && v.reasonCode === "other");
    if (needsText && !v.reason) {
      ctx.addIssue({ code: "custom", path: ["reason"], message: "Give the reason" });
    }
  });
export type TSetPatientStatus = z.input<typeof ZSetPatientStatus>;

export const ZTransferPatient = z.object({
  patientId: zId("patient"),
  toPrescriberNpi: z
    .string()
    .trim()
    .regex(/^\d{10}$/, "Enter the new prescriber's 10-digit NPI"),
  reason: z.string().trim().min(1, "Give the reason for the transfer").max(1000, "Use at most 1000 characters"),
});
export type TTransferPatient = z.input<typeof ZTransferPatient>;

export const ZCoSignPatientEnrollment = ZCoSignature.extend({ patientId: zId("patient") });
export type TCoSignPatientEnrollment = z.input<typeof ZCoSignPatientEnrollment>;

/** The patient's own signature, in their account. */
export const ZSignOwnEnrollment = ZSigner.extend({
  attestations: z.array(z.string().max(100)).max(50),
});
export type TSignOwnEnrollment = z.input<typeof ZSignOwnEnrollment>;
