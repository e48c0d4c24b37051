/**
 * Inputs of lab-result recording and of the lab-feed import, shared by the forms and the server.
 * Which test codes exist and how old a collection date may be are checked by the service against
 * the programme definition and the patient.
 */
import { z } from "zod";
import { isCalendarDay } from "../monitoring/rules";

export const zCalendarDay = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "Enter a date as YYYY-MM-DD" })
  .refine(isCalendarDay, { error: "Enter a real date" });

export const ZLabResultFields = z
  .object({
    testCode: z
      .string()
      .trim()
      .min(1, { error: "Choose the test" })
      .max(32)
      .transform((v) => v.toUpperCase()),
    collectedOn: zCalendarDay,
    abnormal: z.boolean(),
    note: z
      .string()
      .trim()
      .max(2000, { error: "Use at most 2000 characters" })
      .optional()
      .transform((v) => (v ? v : undefined)),
    labId: z
      .string()
      .trim()
      .max(64, { error: "Use at most 64 characters" })
      .optional()
      .transform((v) => (v ? v : undefined)),
  })
  .superRefine((value, ctx) => {
    if (value.abnormal && !value.note) {
      ctx.addIssue({ code: "custom", path: ["note"], message: "Describe the abnormal result" });
    }
  });
export type TLabResultFields = z.input<typeof ZLabResultFields>;

export const ZRecordLabResult = ZLabResultFields.and(z.object({ patientId: z.uuid({ error: "Unknown patient" }) }));
export type TRecordLabResult = z.input<typeof ZRecordLabResult>;

export const LAB_IMPORT_MODES = ["all_or_nothing", "valid_rows"] as const;
export type TLabImportMode = (typeof LAB_IMPORT_MODES)[number];
export const ZLabImportMode = z.enum(LAB_IMPORT_MODES, { error: "Choose how to treat rejected rows" });

/** The lab feed's header, in this order (README "Lab feed CSV"). */
export const LAB_FEED_COLUMNS = ["rems_patient_id", "test_code", "collected_date", "result_flag", "lab_id"] as const;

export const RESULT_FLAGS = ["normal", "abnormal"] as const;
