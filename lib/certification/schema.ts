import { z } from "zod";
import { TRANSITIONS } from "./rules";

/** The events an administrator fires from the review page. */
export const ADMIN_EVENTS = ["APPROVE", "REJECT", "REQUEST_CHANGES", "SUSPEND", "REINSTATE", "DECERTIFY"] as const;
export type AdminEvent = (typeof ADMIN_EVENTS)[number];

/** Review decisions need "enrollment:review:any"; actions on a certification need "certification:suspend:any". */
export const REVIEW_EVENTS: readonly AdminEvent[] = ["APPROVE", "REJECT", "REQUEST_CHANGES"];

export const MAX_REASON_LENGTH = 2000;

/** What the reason box is called for each event, and what it says when left empty. */
export const REASON_PROMPTS: Record<AdminEvent, { label: string; missing: string }> = {
  APPROVE: { label: "Note (optional)", missing: "" },
  REJECT: { label: "Reason for rejection", missing: "Give the reason for the rejection" },
  REQUEST_CHANGES: {
    label: "What the applicant must change",
    missing: "Say what the applicant needs to change",
  },
  SUSPEND: { label: "Reason for suspension", missing: "Give the reason for the suspension" },
  REINSTATE: { label: "Reason for reinstatement", missing: "Give the reason for the reinstatement" },
  DECERTIFY: { label: "Reason for decertification", missing: "Give the reason for the decertification" },
};

export const ZDecision = z
  .object({
    enrollmentId: z.uuid({ error: "Unknown application" }),
    /** The version the administrator saw: a stale one means someone else acted first. */
    version: z.coerce.number({ error: "Reload the application and try again" }).int().min(0),
    event: z.enum(ADMIN_EVENTS, { error: "Choose an action" }),
    reason: z
      .string()
      .trim()
      .max(MAX_REASON_LENGTH, `Use at most ${MAX_REASON_LENGTH} characters`)
      .optional()
      .transform((v) => (v ? v : undefined)),
  })
  .superRefine((value, ctx) => {
    if (TRANSITIONS[value.event].reasonRequired && !value.reason) {
      ctx.addIssue({ code: "custom", path: ["reason"], message: REASON_PROMPTS[value.event].missing });
    }
  });
export type TDecision = z.input<typeof ZDecision>;
export type TDecisionParsed = z.output<typeof ZDecision>;

export const ZClaim = z.object({
  enrollmentId: z.uuid({ error: "Unknown application" }),
  /** Take the claim from another administrator (they are named to the one taking over). */
  takeOver: z.boolean().optional(),
});
export type TClaim = z.input<typeof ZClaim>;

/** The claim banner's buttons: claim, take over from another administrator, or release. */
export const ZSetClaim = z.object({
  enrollmentId: z.uuid({ error: "Unknown application" }),
  mode: z.enum(["claim", "takeOver", "release"], { error: "Choose claim, take over or release" }),
});
export type TSetClaim = z.input<typeof ZSetClaim>;

// ---------------------------------------------------------------------------
// Review queue filters (GET query parameters: lenient, an unusable value is ignored)

export const QUEUE_KINDS = ["PRESCRIBER", "PHARMACY", "HEALTHCARE_SETTING", "PATIENT"] as const;
export const QUEUE_STATUSES = [
  "DRAFT",
  "SUBMITTED",
  "CHANGES_REQUESTED",
  "CERTIFIED",
  "REJECTED",
  "SUSPENDED",
  "DECERTIFIED",
  "EXPIRED",
  "ENROLLED",
  "NOT_AUTHORIZED",
  "DISENROLLED",
] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];
/** The status filter value that shows every status. */
export const ANY_STATUS = "ANY";
export const QUEUE_PAGE_SIZE = 25;

const firstValue = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const blankToUndefined = (v: unknown) => {
  const first = firstValue(v);
  return typeof first === "string" && first.trim() === "" ? undefined : first;
};
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s));

export const ZQueueFilters = z.object({
  kind: z.preprocess(blankToUndefined, z.enum(QUEUE_KINDS).optional()).catch(undefined),
  /** Absent → applications awaiting review; "ANY" → every status. */
  status: z
    .preprocess(blankToUndefined, z.enum([...QUEUE_STATUSES, ANY_STATUS]).default("SUBMITTED"))
    .catch("SUBMITTED"),
  program: z.preprocess(blankToUndefined, z.string().max(32).optional()).catch(undefined),
  /** Submitted on or after this day (UTC). */
  from: z.preprocess(blankToUndefined, isoDay.optional()).catch(undefined),
  /** Submitted on or before this day (UTC). */
  to: z.preprocess(blankToUndefined, isoDay.optional()).catch(undefined),
  /** Name, NPI, NCPDP id (or certification number / e-mail); every word must match. */
  q: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()).catch(undefined),
  /** "overdue": patients whose monitoring was overdue at the last daily check (the dashboard's count). */
  monitoring: z.preprocess(blankToUndefined, z.enum(["overdue"]).optional()).catch(undefined),
  page: z.preprocess(firstValue, z.coerce.number().int().min(1).max(10_000).default(1)).catch(1),
});
export type TQueueFilters = z.output<typeof ZQueueFilters>;
