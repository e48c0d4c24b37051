/**
 * What a CDS Hooks card may fill in on the patient enrollment form: name, birth date and sex from
 * the EHR's FHIR Patient, carried in the link's query string. The form page parses the query with
 * the same schema; a value that does not fit is left out (the prescriber types it), never trusted.
 */
import { z } from "zod";
import { isCalendarDay } from "../calendar";
import { hostileTextProblem } from "../http/hostile-text";
import type { TPatient } from "./fhir";
import { patientName } from "./fhir";

const zName = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .refine((v) => hostileTextProblem(v) === null && ![...v].some((c) => c < " " || c === "<" || c === ">"));

export const ZEnrollmentPrefill = z.object({
  given: zName.optional().catch(undefined),
  family: zName.optional().catch(undefined),
  birthDate: z.string().refine(isCalendarDay).optional().catch(undefined),
  sex: z.enum(["female", "male", "other"]).optional().catch(undefined),
});
export type TEnrollmentPrefill = z.infer<typeof ZEnrollmentPrefill>;

/** The prefill from a page's search parameters (first value of each); unknown or bad values dropped. */
export function parseEnrollmentPrefill(params: Record<string, string | string[] | undefined>): TEnrollmentPrefill {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const parsed = ZEnrollmentPrefill.safeParse({
    given: first(params.given),
    family: first(params.family),
    birthDate: first(params.birthDate),
    sex: first(params.sex),
  });
  return parsed.success ? parsed.data : {};
}

/** The enrollment form's field values for a prefill (the programme form's ids). */
export function prefillFormValues(prefill: TEnrollmentPrefill): Record<string, string> {
  const values: Record<string, string> = {};
  if (prefill.given) values.firstName = prefill.given;
  if (prefill.family) values.lastName = prefill.family;
  if (prefill.birthDate) values.dateOfBirth = prefill.birthDate;
  if (prefill.sex) values.sex = prefill.sex;
  return values;
}

/** The enrollment page's URL with the FHIR Patient's details as its prefill. */
export function enrollmentLink(appUrl: string, programCode: string, patient: TPatient | null): string {
  const url = new URL("/prescriber/patients/new", appUrl);
  url.searchParams.set("program", programCode);
  const name = patient ? patientName(patient) : null;
  const candidate = {
    given: name?.given,
    family: name?.family,
    birthDate: patient?.birthDate,
    sex: patient?.gender === "unknown" ? undefined : patient?.gender,
  };
  const prefill = ZEnrollmentPrefill.parse(candidate);
  for (const [key, value] of Object.entries(prefill)) if (value) url.searchParams.set(key, value);
  return url.href;
}
