/**
 * What the dispense decision is made from: plain data the service loads in one go and hands to
 * `decideDispense` (lib/dispensing/rules.ts). Dates are "YYYY-MM-DD" calendar days (UTC). The same
 * object is stored with the authorization request, so it says exactly what was checked.
 */
import type { CertificationStatus } from "../certification/rules";
import type { PatientStatus } from "../patients/rules";
import type { TDenialReasonCode } from "../programs/schema";
import type { ReasonActor } from "./messages";

export interface DispenseFacts {
  /** The programme the pharmacy asked about; the definition itself is passed beside the facts. */
  programCode: string;
  ndc: string;
  /** Dispense units (vials for LEMTRADA). */
  quantity: number;
  /** The requesting pharmacy's certification in this programme; null when it has none. */
  pharmacy: { certificationStatus: CertificationStatus | null };
  /** null when the prescriber (NPI) is not known to the registry. */
  prescriber: { id: string; certificationStatus: CertificationStatus | null } | null;
  /** null when the patient (REMS ID) is not known to the registry. */
  patient: DispensePatientFacts | null;
  /** null when the healthcare setting is not known to the registry. */
  setting: { id: string; certificationStatus: CertificationStatus | null } | null;
  /** An approved, unconsumed authorization already exists for this prescription. */
  /** The number is absent in facts stored before it was kept. */
  duplicate: { authorizationId: string; authorizationNumber?: string } | null;
}

export interface DispensePatientFacts {
  id: string;
  /** The patient's enrollment status in this programme; null when never enrolled in it. */
  enrollmentStatus: PatientStatus | null;
  /** The prescriber and healthcare setting the patient's enrollment links them to. */
  prescriberId: string | null;
  healthcareSettingId: string | null;
  /** Every infusion given (any order). */
  doseDates: string[];
  /** Every monitoring result (any order). */
  results: { testCode: string; collectedOn: string }[];
  /** Dates Patient Status Forms were submitted (any order). */
  statusFormDates: string[];
  enrolledOn: string;
  /**
   * Units already committed to the patient in this programme by any pharmacy: authorizations
   * dispensed (the quantity dispensed) or approved and still usable, each by the day it was given
   * and its number. Bounded to those given after the last dose before the patient's latest run of
   * consecutive doses (every course the gate can be asked about starts after it). Absent in facts
   * stored before it was kept.
   */
  committedUnits?: { on: string; units: number; authorizationNumber: string }[];
}

export type DispenseStakeholder = "pharmacy" | "prescriber" | "patient" | "healthcareSetting" | "program";

export interface DispenseReason {
  code: TDenialReasonCode;
  /** The stakeholder the reason concerns; the message says who must act. */
  stakeholder: DispenseStakeholder;
  /** Who must act before a new request can be approved (absent on decisions stored before it was kept). */
  actor?: ReasonActor;
  message: string;
}

export interface DispenseDecision {
  decision: "APPROVED" | "DENIED";
  /** Reasons whose policy is "block": any one of them denies the request. */
  reasons: DispenseReason[];
  /** Reasons whose policy is "warn" (or every reason relaxed by enforcement discretion). */
  warnings: DispenseReason[];
  /** Today + the programme's authorizationValidityDays (a calendar day); null when denied. */
  expiresOn: string | null;
  /** Present (true) only when enforcement discretion relaxed the decision. */
  enforcementDiscretion?: true;
}

/**
 * What a pharmacy whose own certification denied its request is shown of the stored facts: its own
 * certification, nothing about the patient, the prescriber or the healthcare setting.
 */
export interface PharmacyOnlyFacts {
  pharmacyOnly: true;
  pharmacy: DispenseFacts["pharmacy"];
}
