/**
 * What callers send to the dispense gate and what it answers: one set of zod schemas shared by the
 * API route handlers, the pharmacist's web screen and the OpenAPI document (lib/dispensing/openapi.ts).
 */
import { z } from "zod";
import { isCalendarDay } from "../calendar";
import { DENIAL_REASON_CODES } from "../programs/schema";

const zText = (what: string, max: number) =>
  z
    .string({ error: `Enter the ${what}` })
    .trim()
    .min(1, { error: `Enter the ${what}`, abort: true })
    .max(max, { error: `The ${what} is at most ${max} characters` });

/** A dispense request. The pharmacy is the caller's (API key or signed-in pharmacist). */
export const ZDispenseRequest = z.strictObject(
  {
    programCode: zText("programme code", 40).toUpperCase(),
    prescriberNpi: z
      .string({ error: "Enter the prescriber's NPI" })
      .trim()
      .regex(/^\d{10}$/, { error: "The prescriber's NPI must be 10 digits" }),
    patientRemsId: zText("patient's REMS ID", 40),
    /** The healthcare setting's REMS ID (HS-XXXX-XXXX-X) or its NPI. */
    healthcareSettingId: zText("healthcare setting's REMS ID or NPI", 40),
    ndc: z
      .string({ error: "Enter the NDC" })
      .trim()
      .regex(/^\d{4,5}-?\d{3,4}-?\d{1,2}$/, { error: "Enter the NDC as printed on the carton, e.g. 58468-0200-01" }),
    quantity: z
      .number({ error: "Enter the quantity as a whole number of units" })
      .int({ error: "Enter the quantity as a whole number of units" })
      .min(1, { error: "The quantity must be at least 1" })
      .max(1000, { error: "The quantity is at most 1000" }),
    prescriptionId: zText("prescription number", 64),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `Unknown field(s): ${issue.keys.join(", ")}` : undefined) },
);
export type TDispenseRequest = z.output<typeof ZDispenseRequest>;
export type TDispenseRequestInput = z.input<typeof ZDispenseRequest>;

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
  dispensedAt: z.iso.datetime({ offset: true, error: "Enter the dispense time as an ISO 8601 date-time" }).optional(),
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
  patientRemsId: z.string().trim().max(40).optional(),
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
  }),
  z.object({
    id: z.uuid(),
    decision: z.literal("DENIED"),
    reasons: z.array(ZDispenseReason),
    warnings: z.array(ZDispenseReason),
    /** With DUPLICATE_REQUEST: the approved, unused authorization this request duplicates. */
    duplicateOfId: z.uuid().optional(),
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
