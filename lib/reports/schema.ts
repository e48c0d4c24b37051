import { z } from "zod";

/** The longest period one report covers (about ten years). */
export const MAX_REPORT_DAYS = 3660;

const day = (what: string) =>
  z
    .string({ error: `Enter the ${what} as a date (YYYY-MM-DD)` })
    .trim()
    .min(1, `Enter the ${what}`)
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${what} as a date (YYYY-MM-DD)`)
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
    }, `The ${what} is not a real calendar date`);

/** An assessment report request: the programme (by code) and the period, both days inclusive (UTC). */
export const ZReportRequest = z
  .object({
    program: z
      .string({ error: "Choose a programme" })
      .trim()
      .min(1, "Choose a programme")
      .max(32, "Choose a programme from the list"),
    from: day("first day of the period"),
    to: day("last day of the period"),
    /** CSV only: start the file with a byte order mark (for spreadsheets that need it). */
    bom: z
      .enum(["1", "0", "on", "off", "true", "false"])
      .optional()
      .transform((v) => v === "1" || v === "on" || v === "true"),
  })
  .superRefine((v, ctx) => {
    if (v.from > v.to) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "The last day must be on or after the first day" });
      return;
    }
    const days = (Date.parse(`${v.to}T00:00:00Z`) - Date.parse(`${v.from}T00:00:00Z`)) / 86_400_000 + 1;
    if (days > MAX_REPORT_DAYS) {
      ctx.addIssue({
        code: "custom",
        path: ["from"],
        message: `A report covers at most ${MAX_REPORT_DAYS} days; choose a shorter period`,
      });
    }
  });
export type TReportRequest = z.input<typeof ZReportRequest>;
export type TReportRequestParsed = z.output<typeof ZReportRequest>;
