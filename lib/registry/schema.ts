import { z } from "zod";
import { EnrollmentStatus, HealthcareSettingType, PharmacyType } from "../generated/prisma/enums";
import { REGISTRY_SORTS } from "./rules";

/** An empty or unknown select value means "any": a hand-edited address never fails the list. */
const optionalEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(
    (v) => (typeof v === "string" && (values as readonly string[]).includes(v) ? v : undefined),
    z.enum(values).optional(),
  );

/** Text as it came (first value of a repeated parameter), trimmed; the service checks it. */
const optionalText = z.preprocess((v) => {
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === "string" ? first.trim() || undefined : undefined;
}, z.string().optional());

/** What a list accepts from the address bar. Unknown sorts are kept as text so the page can say so. */
export const ZRegistryFilters = z.object({
  q: optionalText,
  status: optionalEnum(Object.values(EnrollmentStatus) as [EnrollmentStatus, ...EnrollmentStatus[]]),
  program: optionalText,
  state: z.preprocess(
    (v) => (typeof v === "string" && /^[A-Za-z]{2}$/.test(v.trim()) ? v.trim().toUpperCase() : undefined),
    z.string().optional(),
  ),
  type: optionalEnum([...Object.values(PharmacyType), ...Object.values(HealthcareSettingType)] as [
    string,
    ...string[],
  ]),
  /** Patients: the prescriber's NPI and the healthcare setting's REMS id. */
  prescriber: optionalText,
  setting: optionalText,
  sort: optionalText,
  after: optionalText,
  before: optionalText,
});
export type TRegistryFilters = z.output<typeof ZRegistryFilters>;

export const DEFAULT_SORT = REGISTRY_SORTS[0];

/** The sections of a stakeholder's page that can be shown at length (?more=<section>). */
export const DETAIL_SECTIONS = ["events", "signatures", "authorizations", "infusions", "labs", "emails"] as const;
export type DetailSection = (typeof DETAIL_SECTIONS)[number];
/** Rows per section on the page, and when one section is opened at length. */
export const SECTION_ROWS = 10;
export const SECTION_ROWS_MORE = 200;
