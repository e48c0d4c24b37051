/**
 * How the audit trail names the record an event is about, from the row's plain data: the numbers
 * and names people quote (DA-…, REMS ids, certification numbers, NPIs, NCPDP numbers, e-mail
 * addresses), never the internal id. Pure: lib/audit/records.ts reads the rows.
 */
import { formatDate, formatRole, formatStakeholderKind } from "../format";
import { isUuid } from "../identifiers/uuid";
import { prescriberDisplayName } from "../lookup/rules";
import { parseCaseNumber } from "../noncompliance/rules";
import { searchTerms } from "../registry/rules";

type Person = { firstName: string; lastName: string; credentials?: string | null };
type PharmacyRef = { name: string; ncpdpId: string };
type SettingRef = { name: string; remsId: string };

/** A short form of an id for support: a UUID's first block, other ids cut to 40 characters. */
export function shortReference(id: string): string {
  if (isUuid(id as unknown)) return id.slice(0, 8);
  return id.length > 40 ? `${id.slice(0, 39)}…` : id;
}

/** What a row that is gone (or never was) reads as. */
export function missingRecordLabel(id: string): string {
  return `record no longer exists (reference ${shortReference(id)})`;
}

export function prescriberLabel(p: Person & { npi: string }): string {
  return `${prescriberDisplayName(p)} (NPI ${p.npi})`;
}

export function pharmacyLabel(p: PharmacyRef): string {
  return `${p.name} (NCPDP ${p.ncpdpId})`;
}

export function settingLabel(s: SettingRef): string {
  return `${s.name} (REMS id ${s.remsId})`;
}

export function patientLabel(p: { remsId: string }): string {
  return `REMS id ${p.remsId}`;
}

/** An approved authorization by its number; a request without one by its prescription and pharmacy. */
export function dispenseAuthorizationLabel(a: {
  authorizationNumber: string | null;
  prescriptionId: string;
  pharmacy: PharmacyRef;
}): string {
  if (a.authorizationNumber) return a.authorizationNumber;
  return `request for prescription ${a.prescriptionId} from ${pharmacyLabel(a.pharmacy)}, not approved`;
}

/** A stakeholder's enrollment: who (by the identifier people quote), the programme, the certification number. */
export function enrollmentLabel(e: {
  kind: string;
  programCode: string;
  certificationNumber: string | null;
  prescriber: (Person & { npi: string }) | null;
  pharmacy: PharmacyRef | null;
  healthcareSetting: SettingRef | null;
  patient: { remsId: string } | null;
}): string {
  const who = e.prescriber
    ? prescriberLabel(e.prescriber)
    : e.pharmacy
      ? pharmacyLabel(e.pharmacy)
      : e.healthcareSetting
        ? settingLabel(e.healthcareSetting)
        : e.patient
          ? patientLabel(e.patient)
          : "no stakeholder";
  const number =
    e.certificationNumber && e.certificationNumber !== e.patient?.remsId
      ? `, certification ${e.certificationNumber}`
      : "";
  return `${formatStakeholderKind(e.kind)} ${who}, ${e.programCode}${number}`;
}

export function infusionLabel(i: {
  patient: { remsId: string };
  infusedOn: Date;
  courseNumber: number;
  dayInCourse: number;
  healthcareSetting: { name: string };
}): string {
  return `of patient ${i.patient.remsId} on ${formatDate(i.infusedOn)} (course ${i.courseNumber}, day ${i.dayInCourse}) at ${i.healthcareSetting.name}`;
}

export function labResultLabel(r: { testName: string; collectedOn: Date; patient: { remsId: string } }): string {
  return `${r.testName} of patient ${r.patient.remsId}, collected ${formatDate(r.collectedOn)}`;
}

export function statusFormLabel(s: { patient: { remsId: string }; submittedAt: Date }): string {
  return `of patient ${s.patient.remsId}, submitted ${formatDate(s.submittedAt)}`;
}

export function invitationLabel(i: { email: string; role: string }): string {
  return `for ${i.email} (${formatRole(i.role)})`;
}

export function userLabel(u: { name: string; email: string }): string {
  return `${u.email} (${u.name})`;
}

/** What the record filter's text can be, read without the database. */
export type RecordQuery =
  | { kind: "id"; value: string }
  | { kind: "remsId"; value: string }
  | { kind: "npi"; value: string }
  | { kind: "ncpdp"; value: string }
  | { kind: "email"; value: string }
  | { kind: "case"; value: string }
  | { kind: "unknown" };

/**
 * Reads what an administrator typed in "Record": a DA- number, REMS id or certification number
 * (any spelling), an NPI (10 digits), an NCPDP number (7 digits), an e-mail address, a
 * non-compliance case number, or the internal id support quotes from an event's page.
 */
export function classifyRecordQuery(text: string): RecordQuery {
  const value = text.trim();
  if (isUuid(value as unknown)) return { kind: "id", value: value.toLowerCase() };
  if (parseCaseNumber(value)) return { kind: "case", value: value.toUpperCase() };
  const [term, ...rest] = searchTerms(value.replace(/\s+/g, ""));
  if (!term || rest.length) return { kind: "unknown" };
  if (term.kind === "email") return { kind: "email", value: term.value };
  if (term.kind === "remsId") return { kind: "remsId", value: term.value };
  if (term.kind === "number" && term.value.length === 10) return { kind: "npi", value: term.value };
  if (term.kind === "number" && term.value.length === 7) return { kind: "ncpdp", value: term.value };
  return { kind: "unknown" };
}

export const RECORD_QUERY_HINT =
  "Enter a DA- number, REMS id, certification number, NPI, NCPDP number, case number (NC-…) or e-mail address.";
