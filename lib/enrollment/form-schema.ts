/**
 * Builds the zod schema of an enrollment form from the programme definition. The same schema
 * validates in the browser (react-hook-form) and on the server; identifier fields carry their
 * check-digit validation. Empty optional fields become undefined.
 */
import { z } from "zod";
import { zDeaNumber, zNcpdpId, zNpi } from "../identifiers/zod";
import type { TFormDefinition, TFormField } from "../programs/schema";
import { US_STATES } from "./us-states";

function fieldValidator(field: TFormField): z.ZodType<string, string> {
  const max = field.maxLength ?? 200;
  switch (field.type) {
    case "npi":
      return zNpi;
    case "ncpdp":
      return zNcpdpId;
    case "dea":
      return zDeaNumber;
    case "email":
      return z.string().trim().max(254).pipe(z.email("Enter a valid e-mail address, like name@example.com"));
    case "tel":
      return z
        .string()
        .trim()
        .refine((v) => v.replace(/\D/g, "").replace(/^1(?=\d{10}$)/, "").length === 10, {
          message: "Enter a 10-digit phone number, like 217-555-0100",
        });
    case "zip":
      return z
        .string()
        .trim()
        .regex(/^\d{5}(-\d{4})?$/, "Enter a 5-digit ZIP code (or ZIP+4, like 62701-1234)");
    case "usState":
      return z
        .string()
        .trim()
        .transform((v) => v.toUpperCase())
        .refine((v) => (US_STATES as readonly string[]).includes(v), { message: "Choose a state" });
    case "date":
      return z
        .string()
        .trim()
        .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter a date as YYYY-MM-DD");
    case "select": {
      const values = field.options.map((o) => o.value);
      return z.string().refine((v) => values.includes(v), { message: `Choose one of the options for ${field.label}` });
    }
    case "yesNo":
      return z.enum(["yes", "no"], { error: "Answer yes or no" });
    default:
      return z.string().trim().max(max, `Use at most ${max} characters`);
  }
}

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export type FormValues = Record<string, string | undefined>;

export function buildFormSchema(form: TFormDefinition): z.ZodType<FormValues, Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const field of form.fields) {
    const base = fieldValidator(field);
    shape[field.id] = field.required
      ? z.preprocess(
          (v) => (v === undefined || v === null ? "" : v),
          z.string().trim().min(1, `${field.label} is required`).pipe(base),
        )
      : z.preprocess(blankToUndefined, base.optional());
  }
  return z.object(shape).superRefine((values, ctx) => {
    for (const constraint of form.constraints ?? []) {
      const filled = constraint.fieldIds.some((id) => {
        const v = (values as Record<string, unknown>)[id];
        return typeof v === "string" && v.trim() !== "";
      });
      if (!filled) {
        for (const id of constraint.fieldIds) ctx.addIssue({ code: "custom", path: [id], message: constraint.message });
      }
    }
  }) as unknown as z.ZodType<FormValues, Record<string, unknown>>;
}

/** Empty strings for every field: the starting values of a new form. */
export function emptyFormValues(form: TFormDefinition): Record<string, string> {
  return Object.fromEntries(form.fields.map((f) => [f.id, ""]));
}
