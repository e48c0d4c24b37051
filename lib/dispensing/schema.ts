/**
 * What callers send to the dispense gate and what it answers: one set of zod schemas shared by the
 * API route handlers, the pharmacist's web screen and the OpenAPI document (lib/dispensing/openapi.ts).
 */
import { z } from "zod";
import { isCalendarDay } from "../calendar";
import { isValidNpi } from "../identifiers/npi";
import { CHECK_CHARACTER_MISMATCH, checkRemsId, zCheckedNpi, zCheckedRemsId } from "../identifiers/zod";
import { DENIAL_REASON_CODES } from "../programs/schema";

const zText = (what: string, max: number) =>
  z
    .string({ error: `Enter the ${what}` })
    .trim()
    .min(1, { error: `Enter the ${what}`, abort: true })
    .max(max, { error: `The ${what} is at most ${max} characters` });

/** The patient's REMS ID as typed: canonical "PT-XXXX-XXXX-C" out, a mistyped one refused as a typo. */
export const zPatientRemsId = zCheckedRemsId(["PT"], "patient's REMS ID");

/**
 * How a pharmacist can name the healthcare setting: its REMS ID (HS-…), its certification number
 * (HC-…, what the public lookup shows) or its NPI. Checked as the identifier it is (Damm check
 * character, Luhn digit), so a typo is a field error rather than an unknown setting. Outputs the
 * canonical form: "HS-XXXX-XXXX-C", "HC-XXXX-XXXX-C" or the 10 NPI digits.
 */
export const zHealthcareSettingRef = z
  .string({ error: "Enter the healthcare setting's REMS ID, certification number or NPI" })
  .trim()
  .min(1, { error: "Enter the healthcare setting's REMS ID, certification number or NPI", abort: true })
  .transform((input, ctx) => {
    const digits = input.replace(/[\s-]/g, "");
    if (/^\d+$/.test(digits)) {
      if (digits.length === 10 && isValidNpi(digits)) return digits;
      ctx.addIssue({
        code: "custom",
        message: digits.length === 10 ? CHECK_CHARACTER_MISMATCH : "A healthcare setting's NPI is 10 digits",
      });
      return z.NEVER;
    }
    const checked = checkRemsId(input, ["HS", "HC"]);
    if (checked.ok) return checked.id;
    ctx.addIssue({
      code: "custom",
      message:
        checked.problem === "check"
          ? CHECK_CHARACTER_MISMATCH
          : "Enter the setting's REMS ID (HS-XXXX-XXXX-X), its certification number (HC-XXXX-XXXX-X) or its 10-digit NPI",
    });
    return z.NEVER;
  });

const zQuantity = z
  .number({ error: "Enter the quantity as a whole number of units" })
  .int({ error: "Enter the quantity as a whole number of units" })
  .min(1, { error: "The quantity must be at least 1" })
  .max(1000, { error: "The quantity is at most 1000" });

const dispenseRequestFields = {
  programCode: zText("programme code", 40).toUpperCase(),
  prescriberNpi: zCheckedNpi("prescriber's NPI"),
  patientRemsId: zPatientRemsId,
  healthcareSettingId: zHealthcareSettingRef,
  ndc: z
    .string({ error: "Enter the NDC" })
    .trim()
    .regex(/^\d{4,5}-?\d{3,4}-?\d{1,2}$/, { error: "Enter the NDC as printed on the carton, e.g. 58468-0200-01" }),
  quantity: zQuantity,
  prescriptionId: zText("prescription number", 64),
};

/** A dispense request. The pharmacy is the caller's (API key or signed-in pharmacist). */
export const ZDispenseRequest = z.strictObject(dispenseRequestFields, {
  error: (issue) => (issue.code === "unrecognized_keys" ? `Unknown field(s): ${issue.keys.join(", ")}` : undefined),
});
export type TDispenseRequest = z.output<typeof ZDispenseRequest>;
export type TDispenseRequestInput = z.input<typeof ZDispenseRequest>;

/**
 * The pharmacist's form, checked in the browser as they type: the same fields, with the quantity
 * as the text of its input. The server parses the submitted values with ZDispenseRequest.
 */
export const ZDispenseRequestForm = z.object({
  ...dispenseRequestFields,
  quantity: z
    .string()
    .trim()
    .min(1, { error: "Enter the quantity as a whole number of units", abort: true })
    .transform(Number)
    .pipe(zQuantity),
});
export type TDispenseRequestFormInput = z.input<typeof ZDispenseRequestForm>;

/** Idempotency-Key: what a client makes up once per logical request (a UUID is ideal). */
export const ZIdempotencyKey = z
  .string({ error: "Send an Idempotency-Key header (e.g. a UUID) with every request" })
  .trim()
  .min(8, { error: "The Idempotency-Key must be 8 to 128 characters" })
  .max(128, { error: "The Idempotency-Key must be 8 to 128 characters" })
  .regex(/^[\x21-\x7e]+$/, { error: "The Idempotency-Key must be printable ASCII without spaces" });

/** Confirms that an approved authorization was dispensed. */
export const ZConfirmDispense = z.strictObject({
  quantity: z
    .number({ error: "Enter the number of units dispensed" })
    .int({ error: "Enter the number of units dispensed" })
    .min(1, { error: "At least 1 unit must be dispensed" }),
  lotNumber: zText("lot number", 40).regex(/^[A-Za-z0-9][A-Za-z0-9 ./-]*$/, {
    error: "Use the lot number printed on the carton",
  }),
  /** When the drug was dispensed (ISO 8601 date-time); defaults to now. At most 5 minutes ahead of the registry's clock. */
  dispensedAt: z.iso
    .datetime({ offset: true, error: "Enter the time dispensed as a date and time, e.g. 2026-03-02T14:30:00Z" })
    .optional(),
});
export type TConfirmDispense = z.output<typeof ZConfirmDispense>;

/** Reverses a confirmed dispense (not picked up, claim reversed, returned to stock). */
export const ZReverseDispense = z.strictObject({
  reason: zText("reason for the reversal", 500).min(3, { error: "Say why the dispense is reversed" }),
});
export type TReverseDispense = z.output<typeof ZReverseDispense>;

export const DISPENSE_STATUSES = ["APPROVED", "DENIED", "DISPENSED", "REVERSED", "EXPIRED", "REVOKED"] as const;
export type TDispenseStatus = (typeof DISPENSE_STATUSES)[number];

/** Filters for the pharmacy's own authorizations (query string). */
export const ZListDispenseAuthorizations = z.object({
  status: z.enum(DISPENSE_STATUSES, { error: `Status is one of ${DISPENSE_STATUSES.join(", ")}` }).optional(),
  decision: z.enum(["APPROVED", "DENIED"], { error: "Decision is APPROVED or DENIED" }).optional(),
  patientRemsId: z.preprocess((v) => (v === "" ? undefined : v), zPatientRemsId.optional()),
  prescriptionId: z.string().trim().max(64).optional(),
  from: z
    .string()
    .refine(isCalendarDay, { error: "Use YYYY-MM-DD" })
    .optional()
    .describe("Requested on or after this day (UTC, YYYY-MM-DD)"),
  to: z
    .string()
    .refine(isCalendarDay, { error: "Use YYYY-MM-DD" })
    .optional()
    .describe("Requested on or before this day (UTC, YYYY-MM-DD)"),
  page: z.coerce.number({ error: "Page is a whole number" }).int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number({ error: "Page size is a whole number" }).int().min(1).max(100).default(25),
});
export type TListDispenseAuthorizations = z.output<typeof ZListDispenseAuthorizations>;

export const ZDispenseReason = z.object({
  code: z.enum(DENIAL_REASON_CODES),
  stakeholder: z.enum(["pharmacy", "prescriber", "patient", "healthcareSetting", "program"]),
  /** Who must act before a new request can be approved (absent on decisions stored before it was given). */
  actor: z.enum(["pharmacy", "prescriber", "healthcareSetting", "programAdministrator"]).optional(),
  message: z.string(),
});

/** The answer to a dispense request (POST), as the API sends it. */
export const ZDispenseAnswer = z.discriminatedUnion("decision", [
  z.object({
    id: z.uuid(),
    decision: z.literal("APPROVED"),
    authorizationNumber: z.string(),
    expiresAt: z.iso.datetime(),
    warnings: z.array(ZDispenseReason),
    enforcementDiscretion: z.boolean().optional(),
    /**
     * On a replay (Idempotent-Replayed: true) of an approval that no longer stands: what became of
     * it. Absent while it may still be used.
     */
    status: z.enum(["DISPENSED", "REVERSED", "EXPIRED", "REVOKED"]).optional(),
  }),
  z.object({
    id: z.uuid(),
    decision: z.literal("DENIED"),
    reasons: z.array(ZDispenseReason),
    warnings: z.array(ZDispenseReason),
    /** With DUPLICATE_REQUEST: the approved, unused authorization this request duplicates. */
    duplicateOfId: z.uuid().optional(),
    /** Its authorization number (DA-…), the one a person quotes. */
    duplicateOfNumber: z.string().optional(),
  }),
]);
export type TDispenseAnswer = z.infer<typeof ZDispenseAnswer>;

/** One authorization as GET / list / confirm / reverse return it. */
export const ZDispenseAuthorizationView = z.object({
  id: z.uuid(),
  decision: z.enum(["APPROVED", "DENIED"]),
  status: z.enum(DISPENSE_STATUSES),
  authorizationNumber: z.string().nullable(),
  programCode: z.string(),
  prescriptionId: z.string(),
  prescriberNpi: z.string(),
  patientRemsId: z.string(),
  healthcareSettingId: z.string(),
  ndc: z.string(),
  quantity: z.number().int(),
  reasons: z.array(ZDispenseReason),
  warnings: z.array(ZDispenseReason),
  enforcementDiscretion: z.boolean(),
  duplicateOfId: z.uuid().nullable(),
  duplicateOfNumber: z.string().nullable(),
  requestedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  dispensedAt: z.iso.datetime().nullable(),
  dispensedQuantity: z.number().int().nullable(),
  lotNumber: z.string().nullable(),
  reversedAt: z.iso.datetime().nullable(),
  reversalReason: z.string().nullable(),
  /** When the registry revoked the unused authorization (a party lost its certification or enrollment). */
  revokedAt: z.iso.datetime().nullable(),
  /** Why it was revoked: the gate's reason code, the party concerned and what to do. */
  revocationReason: ZDispenseReason.nullable(),
});
export type TDispenseAuthorizationView = z.infer<typeof ZDispenseAuthorizationView>;

export const ZDispenseAuthorizationPage = z.object({
  items: z.array(ZDispenseAuthorizationView),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});
export type TDispenseAuthorizationPage = z.infer<typeof ZDispenseAuthorizationPage>;

/** Creating an API key (pharmacy representative) and switching enforcement discretion (admin). */
export const ZCreateApiKey = z.object({ name: zText("key name", 80) });
export const ZStartDiscretion = z.object({
  programCode: zText("programme code", 40),
  reason: zText("reason", 1000).min(10, { error: "Give the reason (at least 10 characters)" }),
  endsAt: z.iso.datetime({ offset: true, error: "Enter when enforcement discretion ends" }),
});
export type TStartDiscretion = z.output<typeof ZStartDiscretion>;
export const ZEndDiscretion = z.object({
  discretionId: z.uuid(),
  reason: zText("reason", 1000),
});
export const ZFollowUp = z.object({ authorizationId: z.uuid(), note: zText("follow-up note", 2000) });
