/**
 * The dispense gate's reason codes (lib/programs/schema.ts DENIAL_REASON_CODES) as NCPDP SCRIPT REMS
 * reason codes, for REMSResponse Denied/DeniedReasonCode and REMSInitiationResponse and REMSResponse
 * Closed/ReasonCode. One table, kept as data; docs/interop-ncpdp.md prints it.
 *
 * EM (patient), ES (prescriber), EO (pharmacy), EC (case / patient identification) and ER (the REMS
 * programme or the product) are the codes public REMS implementations exchange. The registry gives
 * finer codes where a pharmacy system acts differently on them: EF (healthcare setting), EL
 * (laboratory results), ED (a required form), ET (treatment timing), EQ (quantity), EA (an
 * authorization is already outstanding). The REMSNote beside every code quotes the gate's own
 * code and its message, so nothing is lost in the translation.
 */
import type { TDenialReasonCode } from "../../programs/schema";

export interface ScriptReasonCode {
  code: string;
  /** What the code means, as the docs table prints it. */
  meaning: string;
}

export const SCRIPT_REASON_CODES = {
  EM: "The patient must be enrolled in the REMS (or is enrolled elsewhere)",
  ES: "The prescriber must be certified in the REMS",
  EO: "The pharmacy must be certified in the REMS",
  EF: "The healthcare setting must be certified in the REMS",
  EL: "Required laboratory results are missing or out of date",
  ED: "A required REMS form has not been submitted",
  ET: "Too early for the next course of treatment",
  EQ: "The quantity exceeds what the course allows",
  EA: "An approved authorization for this prescription is still outstanding",
  EC: "The REMS patient id is missing, unknown or does not fit the patient",
  ER: "The product or programme is not a REMS the registry runs",
} as const;
export type ScriptReason = keyof typeof SCRIPT_REASON_CODES;

/** Every gate reason code to its SCRIPT reason code (a Record, so a new gate code cannot be forgotten). */
export const GATE_TO_SCRIPT_REASON: Record<TDenialReasonCode, ScriptReason> = {
  PHARMACY_NOT_CERTIFIED: "EO",
  PRESCRIBER_NOT_CERTIFIED: "ES",
  PRESCRIBER_SUSPENDED: "ES",
  PATIENT_NOT_ENROLLED: "EM",
  PATIENT_NOT_WITH_PRESCRIBER: "EM",
  SETTING_NOT_CERTIFIED: "EF",
  PATIENT_NOT_AT_SETTING: "EM",
  BASELINE_LABS_MISSING: "EL",
  BASELINE_LABS_STALE: "EL",
  MONITORING_OVERDUE: "EL",
  STATUS_FORM_OVERDUE: "ED",
  COURSE_INTERVAL_TOO_SHORT: "ET",
  QUANTITY_EXCEEDS_COURSE: "EQ",
  NDC_NOT_IN_PROGRAM: "ER",
  PROGRAM_UNKNOWN: "ER",
  DUPLICATE_REQUEST: "EA",
};

/** One reason as SCRIPT carries it: the code and the note that explains it. */
export interface ScriptReasonNote {
  code: ScriptReason;
  note: string;
}

/** A gate reason as a SCRIPT code and note; the note names the gate's code for the pharmacist. */
export function scriptReasonOf(reason: { code: TDenialReasonCode; message: string }): ScriptReasonNote {
  return { code: GATE_TO_SCRIPT_REASON[reason.code], note: `${reason.code}: ${reason.message}` };
}
