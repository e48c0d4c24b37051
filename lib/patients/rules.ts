/**
 * Patient enrollment's pure rules: age on a date, the date-of-birth check, suspected duplicates,
 * which status changes a prescriber may make, and when an enrollment is complete. No database, no
 * clock: callers pass `now`. Safe to import in the browser (the enrollment form uses them).
 */
import { PATIENT_STATUS_LABELS as PATIENT_LABELS } from "@/lib/format";
// ---------------------------------------------------------------------------
// Dates of birth

/** "YYYY-MM-DD" → its parts, or null when it is not a real calendar date. */
export function parseIsoDate(value: string): { year: number; month: number; day: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return { year, month, day };
}

/** Today's calendar date in UTC, "YYYY-MM-DD". */
export function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Whole years between a date of birth and `today` (both "YYYY-MM-DD"); a 29 February birthday counts on 1 March. */
export function ageInYears(dateOfBirth: string, today: string): number {
  const b = parseIsoDate(dateOfBirth);
  const t = parseIsoDate(today);
  if (!b || !t) throw new RangeError("ageInYears needs YYYY-MM-DD dates");
  let age = t.year - b.year;
  if (t.month < b.month || (t.month === b.month && t.day < b.day)) age--;
  return age;
}

export type DateOfBirthCheck =
  | { kind: "ok"; ageYears: number }
  | { kind: "invalid"; message: string }
  | { kind: "future"; message: string }
  | { kind: "underMinimum"; ageYears: number; minimumAgeYears: number; message: string };

/**
 * Is the date of birth plausible for enrollment today? A future date or one more than 130 years
 * ago is an error; a patient younger than the programme's minimum age needs an override.
 */
export function checkDateOfBirth(
  dateOfBirth: string,
  now: Date,
  minimumAgeYears: number | null | undefined,
): DateOfBirthCheck {
  if (!parseIsoDate(dateOfBirth)) return { kind: "invalid", message: "Enter a real date as YYYY-MM-DD" };
  const today = isoDay(now);
  if (dateOfBirth > today) return { kind: "future", message: "The date of birth cannot be in the future" };
  const ageYears = ageInYears(dateOfBirth, today);
  if (ageYears > 130) return { kind: "invalid", message: "Check the year of birth" };
  if (minimumAgeYears && ageYears < minimumAgeYears) {
    return {
      kind: "underMinimum",
      ageYears,
      minimumAgeYears,
      message: `The patient is ${ageYears}, under the programme's minimum age of ${minimumAgeYears}. The drug is not recommended below this age; to enroll anyway, give the reason for the override.`,
    };
  }
  return { kind: "ok", ageYears };
}

// ---------------------------------------------------------------------------
// Suspected duplicates

/** Lower case, accents removed, only letters and digits: "  O'Brien-Smith " and "obriensmith" match. */
export function normalizeName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

export function normalizeEmail(email: string | null | undefined): string | null {
  const e = email?.trim().toLowerCase();
  return e ? e : null;
}

export interface PatientIdentity {
  firstName: string;
  lastName: string;
  /** "YYYY-MM-DD" */
  dateOfBirth: string;
  email?: string | null;
}

export type DuplicateReason = "name-and-date-of-birth" | "email";

/**
 * Why `candidate` may be the same person as `incoming`: same first and last name (normalized) and
 * date of birth, and/or the same e-mail address. A match only asks the prescriber to look twice;
 * it never links, merges or authorizes anything.
 */
export function duplicateReasons(incoming: PatientIdentity, candidate: PatientIdentity): DuplicateReason[] {
  const reasons: DuplicateReason[] = [];
  if (
    incoming.dateOfBirth === candidate.dateOfBirth &&
    normalizeName(incoming.lastName) === normalizeName(candidate.lastName) &&
    normalizeName(incoming.firstName) === normalizeName(candidate.firstName) &&
    normalizeName(incoming.lastName) !== ""
  ) {
    reasons.push("name-and-date-of-birth");
  }
  const a = normalizeEmail(incoming.email);
  if (a !== null && a === normalizeEmail(candidate.email)) reasons.push("email");
  return reasons;
}

export function findDuplicates<T extends PatientIdentity>(
  incoming: PatientIdentity,
  existing: readonly T[],
): { patient: T; reasons: DuplicateReason[] }[] {
  return existing
    .map((patient) => ({ patient, reasons: duplicateReasons(incoming, patient) }))
    .filter((m) => m.reasons.length > 0);
}

export const DUPLICATE_REASON_LABELS: Record<DuplicateReason, string> = {
  "name-and-date-of-birth": "same name and date of birth",
  email: "same e-mail address",
};

// ---------------------------------------------------------------------------
// Status

export const PATIENT_STATUSES = ["DRAFT", "ENROLLED", "NOT_AUTHORIZED", "DISENROLLED"] as const;
export type PatientStatus = (typeof PATIENT_STATUSES)[number];

export const PATIENT_STATUS_LABELS: Record<PatientStatus, string> = PATIENT_LABELS;

export function patientStatusLabel(status: string): string {
  return PATIENT_STATUS_LABELS[status as PatientStatus] ?? status;
}

export const DISENROLL_REASONS = ["treatment_stopped", "transferred", "deceased", "other"] as const;
export type DisenrollReason = (typeof DISENROLL_REASONS)[number];

export const DISENROLL_REASON_LABELS: Record<DisenrollReason, string> = {
  treatment_stopped: "Treatment stopped",
  transferred: "Transferred",
  deceased: "Deceased",
  other: "Other",
};

/** The statuses a prescriber may set by hand (DRAFT ends only by signing). */
export const SETTABLE_STATUSES = ["ENROLLED", "NOT_AUTHORIZED", "DISENROLLED"] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

export type StatusChangeDecision = { ok: true } | { ok: false; message: string };

/**
 * May the prescriber move a patient from `from` to `to`? Enrolled ↔ not authorized, either →
 * disenrolled, disenrolled → enrolled again (never after death), a pending enrollment may be
 * abandoned (disenrolled) but only becomes enrolled by being signed.
 */
export function decideStatusChange(input: {
  from: string;
  to: SettableStatus;
  currentReasonCode: string | null;
}): StatusChangeDecision {
  const { from, to } = input;
  if (from === to) return { ok: false, message: `The patient is already ${patientStatusLabel(to).toLowerCase()}.` };
  if (from === "DRAFT") {
    return to === "DISENROLLED"
      ? { ok: true }
      : { ok: false, message: "This enrollment is waiting for signatures; it becomes enrolled once both have signed." };
  }
  if (from === "DISENROLLED" && input.currentReasonCode === "deceased") {
    return { ok: false, message: "The patient was disenrolled as deceased; this cannot be changed." };
  }
  if (from === "ENROLLED" || from === "NOT_AUTHORIZED" || from === "DISENROLLED") return { ok: true };
  return { ok: false, message: "This enrollment's status cannot be changed here." };
}

/** The reason stored with the status: "Deceased: …" for a disenrollment, the text otherwise. */
export function statusReasonText(to: SettableStatus, reasonCode: DisenrollReason | undefined, note: string): string {
  const text = note.trim();
  if (to !== "DISENROLLED" || !reasonCode) return text;
  const label = DISENROLL_REASON_LABELS[reasonCode];
  return text ? `${label}: ${text}` : label;
}

// ---------------------------------------------------------------------------
// Signatures

export const SIGNATURE_METHODS = ["ACCOUNT", "PAPER"] as const;
export type SignatureMethod = (typeof SIGNATURE_METHODS)[number];

export const SIGNATURE_METHOD_LABELS: Record<SignatureMethod, string> = {
  ACCOUNT: "Signs in their own account",
  PAPER: "Signed paper form kept on file by the prescriber",
};

/** An enrollment is complete once the patient (or the paper form on file) and the prescriber have signed. */
export function isFullySigned(state: { patientSigned: boolean; prescriberSigned: boolean }): boolean {
  return state.patientSigned && state.prescriberSigned;
}
