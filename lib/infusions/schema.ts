import { z } from "zod";
import { isIsoDate } from "../courses/dates";
import { CHECK_CHARACTER_MISMATCH, checkRemsId } from "../identifiers/zod";
import { INFUSION_CONCERN_CODES } from "./rules";

export const REACTION_SEVERITIES = ["mild", "moderate", "severe"] as const;
export type TReactionSeverity = (typeof REACTION_SEVERITIES)[number];

const ZYesNo = z.enum(["yes", "no"], { error: "Answer yes or no" });

/**
 * The dispense authorization number (DA-XXXX-XXXX-C) the pharmacy received for this patient's
 * drug, as someone typed it: case, spaces and dashes do not matter, and the check character
 * catches a mistyped character before the registry is asked. Blank means none was given.
 */
export const ZAuthorizationNumber = z
  .string({ error: "Enter the dispense authorization number" })
  .trim()
  .transform((value, ctx) => {
    if (value === "") return undefined;
    const checked = checkRemsId(value, ["DA"]);
    if (checked.ok) return checked.id;
    ctx.addIssue({
      code: "custom",
      message:
        checked.problem === "check"
          ? CHECK_CHARACTER_MISMATCH
          : "This is not a dispense authorization number: check it against the one the pharmacy gave (DA-XXXX-XXXX-X)",
    });
    return z.NEVER;
  })
  .optional();

/** One infusion as the healthcare setting records it; the course and day are derived on the server. */
export const ZRecordInfusion = z
  .object({
    patientId: z.uuid({ error: "Choose the patient" }),
    infusedOn: z
      .string({ error: "Enter the infusion date" })
      .refine(isIsoDate, { error: "Enter the infusion date as YYYY-MM-DD" }),
    doseMg: z
      .number({ error: "Enter the dose in mg" })
      .positive({ error: "Enter the dose in mg" })
      .max(1000, { error: "Enter the dose in mg" }),
    vialLot: z
      .string({ error: "Enter the vial lot number" })
      .trim()
      .min(1, { error: "Enter the vial lot number", abort: true })
      .max(40, { error: "The lot number is at most 40 characters" })
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ./-]*$/, { error: "Use the lot number printed on the vial" }),
    premedicationGiven: ZYesNo,
    observationCompleted: ZYesNo,
    reaction: ZYesNo,
    reactionSeverity: z.enum(REACTION_SEVERITIES, { error: "Choose the severity" }).optional(),
    reactionNarrative: z.string().trim().max(2000, { error: "At most 2,000 characters" }).optional(),
    authorizationNumber: ZAuthorizationNumber,
    /**
     * What was not in order (lib/infusions/rules.ts) that the person saw and acknowledged before
     * recording; the server records only when it covers every point that applies.
     */
    acknowledgedConcerns: z
      .array(z.enum(INFUSION_CONCERN_CODES, { error: "Acknowledge only the points shown" }), {
        error: "Acknowledge only the points shown",
      })
      .max(INFUSION_CONCERN_CODES.length, { error: "Acknowledge only the points shown" })
      .optional(),
  })
  .superRefine((value, ctx) => {
    if (value.reaction !== "yes") return;
    if (!value.reactionSeverity) {
      ctx.addIssue({ code: "custom", path: ["reactionSeverity"], message: "Choose the severity of the reaction" });
    }
    if (!value.reactionNarrative) {
      ctx.addIssue({
        code: "custom",
        path: ["reactionNarrative"],
        message: "Describe the reaction and how it was managed",
      });
    }
  });
export type TRecordInfusion = z.input<typeof ZRecordInfusion>;
