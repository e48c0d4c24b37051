/**
 * Plain-language text for each dispense reason: which stakeholder it concerns and, in the message,
 * who must act. The pharmacist reads these at the counter, so each message ends with what to do.
 */
import type { CertificationStatus } from "../certification/rules";
import type { TDenialReasonCode } from "../programs/schema";
import type { DispenseReason, DispenseStakeholder } from "./facts";

/** Who has to do something before a new request can be approved. */
export type ReasonActor = "pharmacy" | "prescriber" | "healthcareSetting" | "programAdministrator";

export const REASON_STAKEHOLDERS: Record<TDenialReasonCode, DispenseStakeholder> = {
  PROGRAM_UNKNOWN: "program",
  NDC_NOT_IN_PROGRAM: "pharmacy",
  PHARMACY_NOT_CERTIFIED: "pharmacy",
  PRESCRIBER_NOT_CERTIFIED: "prescriber",
  PRESCRIBER_SUSPENDED: "prescriber",
  PATIENT_NOT_ENROLLED: "patient",
  PATIENT_NOT_WITH_PRESCRIBER: "patient",
  SETTING_NOT_CERTIFIED: "healthcareSetting",
  PATIENT_NOT_AT_SETTING: "patient",
  BASELINE_LABS_MISSING: "patient",
  BASELINE_LABS_STALE: "patient",
  MONITORING_OVERDUE: "patient",
  STATUS_FORM_OVERDUE: "prescriber",
  COURSE_INTERVAL_TOO_SHORT: "patient",
  QUANTITY_EXCEEDS_COURSE: "pharmacy",
  DUPLICATE_REQUEST: "pharmacy",
};

export const REASON_ACTORS: Record<TDenialReasonCode, ReasonActor> = {
  PROGRAM_UNKNOWN: "pharmacy",
  NDC_NOT_IN_PROGRAM: "pharmacy",
  PHARMACY_NOT_CERTIFIED: "pharmacy",
  PRESCRIBER_NOT_CERTIFIED: "prescriber",
  PRESCRIBER_SUSPENDED: "prescriber",
  PATIENT_NOT_ENROLLED: "prescriber",
  PATIENT_NOT_WITH_PRESCRIBER: "prescriber",
  SETTING_NOT_CERTIFIED: "healthcareSetting",
  PATIENT_NOT_AT_SETTING: "prescriber",
  BASELINE_LABS_MISSING: "prescriber",
  BASELINE_LABS_STALE: "prescriber",
  MONITORING_OVERDUE: "prescriber",
  STATUS_FORM_OVERDUE: "prescriber",
  COURSE_INTERVAL_TOO_SHORT: "prescriber",
  QUANTITY_EXCEEDS_COURSE: "pharmacy",
  DUPLICATE_REQUEST: "pharmacy",
};

/** The details some messages quote; each builder reads only its own. */
export interface ReasonDetails {
  programName: string;
  programCode: string;
  ndc: string;
  /** Prescriber/setting unknown to the registry, as opposed to known but not certified. */
  unknown: boolean;
  /** Test names, for baseline and monitoring reasons. */
  tests: string[];
  withinDays: number;
  earliestOn: string;
  quantity: number;
  maxUnits: number;
  unit: string;
  courseNumber: number;
  /** Units already authorized or dispensed for the course, for QUANTITY_EXCEEDS_COURSE. */
  committedUnits: number;
  /** The earlier authorization's number (DA-…), for DUPLICATE_REQUEST. */
  authorizationNumber: string;
  /** The requesting pharmacy's certification status, for PHARMACY_NOT_CERTIFIED (null: not enrolled). */
  pharmacyStatus: CertificationStatus | null;
}

function list(names: readonly string[]): string {
  return names.join(", ");
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

/**
 * Where a pharmacy stands in a programme it may not dispense in, and what it does next: the gate's
 * PHARMACY_NOT_CERTIFIED message, and what the pharmacist's screens say instead of the request form.
 */
export function pharmacyStandingMessage(status: CertificationStatus | null, programName: string): string {
  switch (status) {
    case null:
      return `Your pharmacy is not enrolled in the ${programName} — your authorized representative must enroll it and have it certified before it can dispense.`;
    case "DRAFT":
      return `Your pharmacy's enrollment in the ${programName} has not been submitted yet — your authorized representative must complete and submit it.`;
    case "SUBMITTED":
      return `Your pharmacy's enrollment in the ${programName} is awaiting review by the REMS administrator — your pharmacy can dispense once it is approved.`;
    case "CHANGES_REQUESTED":
      return `The REMS administrator asked for changes to your pharmacy's enrollment in the ${programName} — your authorized representative must make them and submit it again.`;
    case "REJECTED":
      return `Your pharmacy's enrollment in the ${programName} was rejected — your authorized representative may start a new enrollment.`;
    case "SUSPENDED":
      return `Your pharmacy's certification in the ${programName} is suspended — contact the REMS administrator; your pharmacy cannot dispense until it is reinstated.`;
    case "DECERTIFIED":
      return `Your pharmacy's certification in the ${programName} was withdrawn (decertified) — contact the REMS administrator.`;
    case "EXPIRED":
      return `Your pharmacy's certification in the ${programName} has expired — your authorized representative must enroll it again to recertify.`;
    case "CERTIFIED":
      return `Your pharmacy is certified in the ${programName}.`;
  }
}

const MESSAGES: Record<TDenialReasonCode, (d: ReasonDetails) => string> = {
  PROGRAM_UNKNOWN: (d) => `There is no REMS programme "${d.programCode}" in the registry — check the programme code.`,
  NDC_NOT_IN_PROGRAM: (d) =>
    `NDC ${d.ndc} is not a product of the ${d.programName} — check the NDC on the prescription.`,
  PHARMACY_NOT_CERTIFIED: (d) => pharmacyStandingMessage(d.pharmacyStatus, d.programName),
  PRESCRIBER_NOT_CERTIFIED: (d) =>
    d.unknown
      ? `No prescriber with this NPI is registered in the ${d.programName} — check the NPI on the prescription.`
      : `The prescriber is not certified in the ${d.programName} — contact the prescriber.`,
  PRESCRIBER_SUSPENDED: () => "The prescriber's certification is suspended — contact the prescriber.",
  PATIENT_NOT_ENROLLED: (d) =>
    d.unknown
      ? `No patient with this REMS ID is enrolled in the ${d.programName} — check the ID on the prescription.`
      : `The patient is not enrolled in the ${d.programName} — the prescriber must enroll the patient.`,
  PATIENT_NOT_WITH_PRESCRIBER: () =>
    "The patient is not enrolled with this prescriber — check the prescription, or the prescriber must update the patient's enrollment.",
  SETTING_NOT_CERTIFIED: (d) =>
    d.unknown
      ? `No healthcare setting with this REMS ID, certification number or NPI is registered in the ${d.programName} — check the setting's ID (the public certification lookup shows it).`
      : `The healthcare setting is not certified in the ${d.programName} — contact the healthcare setting.`,
  PATIENT_NOT_AT_SETTING: () =>
    "The patient is not enrolled for treatment at this healthcare setting — check the setting, or the prescriber must update the patient's enrollment.",
  BASELINE_LABS_MISSING: (d) =>
    `Baseline results are missing before this course (${list(d.tests)}) — the prescriber must order them.`,
  BASELINE_LABS_STALE: (d) =>
    `Baseline results are older than ${d.withinDays} days before this course (${list(d.tests)}) — the prescriber must order new ones.`,
  MONITORING_OVERDUE: (d) => `Safety monitoring is overdue (${list(d.tests)}) — contact the prescriber.`,
  STATUS_FORM_OVERDUE: () => "The Patient Status Form is overdue — the prescriber must submit it.",
  COURSE_INTERVAL_TOO_SHORT: (d) =>
    `Too soon for course ${d.courseNumber}: the next course may start on ${d.earliestOn} at the earliest — contact the prescriber.`,
  QUANTITY_EXCEEDS_COURSE: (d) =>
    d.quantity <= 0 || !Number.isInteger(d.quantity)
      ? `The quantity must be a whole number of ${d.unit}s, at least 1 — correct the quantity.`
      : d.committedUnits > 0
        ? `Course ${d.courseNumber} allows ${plural(d.maxUnits, d.unit)} and ${plural(d.committedUnits, d.unit)} ${d.committedUnits === 1 ? "is" : "are"} already authorized or dispensed for it: ${d.quantity} more would exceed it${d.maxUnits > d.committedUnits ? ` (at most ${d.maxUnits - d.committedUnits} more)` : " (none left for this course)"} — correct the quantity or contact the prescriber.`
        : `${plural(d.quantity, d.unit)} is more than course ${d.courseNumber} allows (${plural(d.maxUnits, d.unit)}) — correct the quantity or contact the prescriber.`,
  DUPLICATE_REQUEST: (d) =>
    `This prescription already has an approved authorization${d.authorizationNumber ? `, ${d.authorizationNumber},` : ""} that has not been used — dispense under it instead of requesting a new one.`,
};

const DEFAULT_DETAILS: ReasonDetails = {
  programName: "programme",
  programCode: "",
  ndc: "",
  unknown: false,
  tests: [],
  withinDays: 0,
  earliestOn: "",
  quantity: 0,
  maxUnits: 0,
  unit: "unit",
  courseNumber: 1,
  committedUnits: 0,
  authorizationNumber: "",
  pharmacyStatus: null,
};

/** Codes whose party may be unknown to the registry: then the id given is what needs checking. */
const UNKNOWN_MEANS_CHECK_THE_ID: readonly TDenialReasonCode[] = [
  "PRESCRIBER_NOT_CERTIFIED",
  "PATIENT_NOT_ENROLLED",
  "SETTING_NOT_CERTIFIED",
];

/**
 * Who must act on a reason. A well-formed id that matches no one is most likely a wrong id on the
 * prescription, so the pharmacy checks it before anyone else is asked to do anything.
 */
export function reasonActor(code: TDenialReasonCode, details: Partial<ReasonDetails> = {}): ReasonActor {
  if (details.unknown && UNKNOWN_MEANS_CHECK_THE_ID.includes(code)) return "pharmacy";
  return REASON_ACTORS[code];
}

export function reasonFor(code: TDenialReasonCode, details: Partial<ReasonDetails> = {}): DispenseReason {
  return {
    code,
    stakeholder: REASON_STAKEHOLDERS[code],
    actor: reasonActor(code, details),
    message: MESSAGES[code]({ ...DEFAULT_DETAILS, ...details }),
  };
}
