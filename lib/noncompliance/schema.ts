import { z } from "zod";
import { CASE_STATES, CASE_STEPS } from "./rules";

export const MAX_DESCRIPTION_LENGTH = 4000;
export const MAX_REASON_LENGTH = 2000;
export const CASES_PAGE_SIZE = 25;

/** Records a case can point at, each named the way people know it. */
export const LINK_TYPES = ["DISPENSE_AUTHORIZATION", "INFUSION", "LAB_RESULT"] as const;
export type LinkType = (typeof LINK_TYPES)[number];

export const LINK_TYPE_LABELS: Record<LinkType, string> = {
  DISPENSE_AUTHORIZATION: "Dispense authorization",
  INFUSION: "Infusion",
  LAB_RESULT: "Lab result",
};

/** How each link is written in the reference box. */
export const LINK_REFERENCE_HINTS: Record<LinkType, string> = {
  DISPENSE_AUTHORIZATION: "The authorization number, e.g. DA-ABCD-EFGH-J",
  INFUSION: "The patient's REMS id and the infusion day, e.g. PT-ABCD-EFGH-J 2026-05-04",
  LAB_RESULT: "The patient's REMS id, the test code and the collection day, e.g. PT-ABCD-EFGH-J CBC_DIFF 2026-05-04",
};

const text = (max: number, missing: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, `Use at most ${max} characters`);

export const ZOpenCase = z.object({
  enrollmentId: z.uuid({ error: "Choose the stakeholder the case is about" }),
  type: z
    .string({ error: "Choose the type of non-compliance" })
    .trim()
    .min(1, "Choose the type of non-compliance")
    .max(32),
  description: text(MAX_DESCRIPTION_LENGTH, "Describe what happened"),
});
export type TOpenCase = z.input<typeof ZOpenCase>;

export const ZTakeStep = z.object({
  caseId: z.uuid({ error: "Unknown case" }),
  /** The version the administrator saw: a stale one means someone else acted first. */
  version: z.coerce.number({ error: "Reload the case and try again" }).int().min(0),
  step: z.enum(CASE_STEPS, { error: "Choose a step" }),
  reason: text(MAX_REASON_LENGTH, "Give the reason for this step"),
  dueOn: z
    .string()
    .trim()
    .max(10)
    .optional()
    .transform((v) => v || undefined),
});
export type TTakeStep = z.input<typeof ZTakeStep>;

export const ZAddNote = z.object({
  caseId: z.uuid({ error: "Unknown case" }),
  note: text(MAX_DESCRIPTION_LENGTH, "Write the note"),
});
export type TAddNote = z.input<typeof ZAddNote>;

export const ZAddLink = z.object({
  caseId: z.uuid({ error: "Unknown case" }),
  linkType: z.enum(LINK_TYPES, { error: "Choose what kind of record to link" }),
  reference: text(120, "Say which record: see the hint"),
});
export type TAddLink = z.input<typeof ZAddLink>;

// List filters (GET query parameters: lenient, an unusable value is ignored)
const firstValue = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const blankToUndefined = (v: unknown) => {
  const first = firstValue(v);
  return typeof first === "string" && first.trim() === "" ? undefined : first;
};

/** "ACTIVE": every case not closed (the default). */
export const ANY_OPEN = "ACTIVE";
export const ANY_STATE = "ANY";

export const ZCaseFilters = z.object({
  state: z
    .preprocess(blankToUndefined, z.enum([...CASE_STATES, ANY_OPEN, ANY_STATE]).default(ANY_OPEN))
    .catch(ANY_OPEN),
  type: z
    .preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^[A-Z][A-Z0-9_]{0,31}$/)
        .optional(),
    )
    .catch(undefined),
  overdue: z.preprocess((v) => firstValue(v) === "1" || firstValue(v) === "true", z.boolean()).catch(false),
  /** Case number, stakeholder name, NPI or REMS id. */
  q: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()).catch(undefined),
  page: z.preprocess(firstValue, z.coerce.number().int().min(1).max(10_000).default(1)).catch(1),
});
export type TCaseFilters = z.output<typeof ZCaseFilters>;
