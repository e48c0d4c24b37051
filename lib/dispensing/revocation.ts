/**
 * When an authorization already given stops being valid: a party it depended on lost its right to
 * take part in the programme. Pure: the lifecycle change in, the reason the pharmacy reads out.
 *
 * The reasons reuse the gate's codes, so an authorization revoked at 10:00 and a request denied at
 * 10:01 for the same cause carry the same code (PHARMACY_NOT_CERTIFIED, PRESCRIBER_SUSPENDED, …).
 */
import type { CertificationStatus } from "../certification/rules";
import type { TProgramDefinition } from "../programs/schema";
import type { DispenseFacts, DispenseReason } from "./facts";
import { pharmacyStandingMessage } from "./messages";

/** The change that removed a party's right to take part, as stored with each revoked authorization. */
export type RevocationCause =
  | {
      party: "pharmacy" | "prescriber" | "healthcareSetting";
      /** The party's row id (Pharmacy, Prescriber, HealthcareSetting). */
      id: string;
      /** The certification status it moved to. */
      status: Exclude<CertificationStatus, "CERTIFIED">;
      /** The administrator's (or the registry's) reason, when one was given. */
      reason: string | null;
      /** The EnrollmentEvent that records the change. */
      eventId: string | null;
    }
  | {
      party: "patient";
      id: string;
      /** NOT_AUTHORIZED or DISENROLLED, or TRANSFERRED to another prescriber. */
      status: "NOT_AUTHORIZED" | "DISENROLLED" | "TRANSFERRED";
      reason: string | null;
      eventId: string | null;
    };

const STATUS_WORDS: Record<string, string> = {
  SUSPENDED: "suspended",
  DECERTIFIED: "decertified",
  EXPIRED: "expired",
  REJECTED: "withdrawn",
  DRAFT: "withdrawn",
  SUBMITTED: "withdrawn",
  CHANGES_REQUESTED: "withdrawn",
};

function because(reason: string | null): string {
  return reason ? ` (reason given: ${reason})` : "";
}

/** The reason a revoked authorization carries: the gate's code for the cause, and what to do now. */
export function revocationReason(cause: RevocationCause): DispenseReason {
  const retry = "Do not dispense under this authorization;";
  switch (cause.party) {
    case "pharmacy":
      return {
        code: "PHARMACY_NOT_CERTIFIED",
        stakeholder: "pharmacy",
        message: `Revoked: your pharmacy's certification was ${STATUS_WORDS[cause.status] ?? "ended"}${because(cause.reason)}. ${retry} contact the REMS programme to restore the certification.`,
      };
    case "prescriber":
      return {
        code: cause.status === "SUSPENDED" ? "PRESCRIBER_SUSPENDED" : "PRESCRIBER_NOT_CERTIFIED",
        stakeholder: "prescriber",
        message: `Revoked: the prescriber's certification was ${STATUS_WORDS[cause.status] ?? "ended"}${because(cause.reason)}. ${retry} the prescription needs a certified prescriber.`,
      };
    case "healthcareSetting":
      return {
        code: "SETTING_NOT_CERTIFIED",
        stakeholder: "healthcareSetting",
        message: `Revoked: the healthcare setting's certification was ${STATUS_WORDS[cause.status] ?? "ended"}${because(cause.reason)}. ${retry} ship only to a certified healthcare setting.`,
      };
    case "patient":
      if (cause.status === "TRANSFERRED") {
        return {
          code: "PATIENT_NOT_WITH_PRESCRIBER",
          stakeholder: "patient",
          message: `Revoked: the patient was transferred to another prescriber${because(cause.reason)}. ${retry} a new prescription from the patient's current prescriber is needed.`,
        };
      }
      return {
        code: "PATIENT_NOT_ENROLLED",
        stakeholder: "patient",
        message: `Revoked: the patient is no longer authorized to receive the drug (${cause.status === "DISENROLLED" ? "disenrolled" : "not authorized"})${because(cause.reason)}. ${retry} the prescriber must resolve the patient's status.`,
      };
  }
}

/** The parties an authorization depended on, as they are now (null: the party no longer resolves). */
export interface CurrentParties {
  pharmacyStatus: CertificationStatus | null;
  prescriber: { id: string; certificationStatus: CertificationStatus | null } | null;
  setting: { id: string; certificationStatus: CertificationStatus | null } | null;
  patient: { enrollmentStatus: string | null; prescriberId: string | null; healthcareSettingId: string | null } | null;
}

/**
 * What stands in the way of dispensing under an approved authorization right now: the right of
 * each party to take part (not the clinical schedule, which was checked when it was approved).
 * Empty when the dispense may go ahead. A party the programme does not involve is not checked.
 */
export function currentPartyReasons(
  parties: CurrentParties,
  program: Pick<TProgramDefinition, "stakeholders">,
): DispenseReason[] {
  const kinds = program.stakeholders;
  const reasons: DispenseReason[] = [];
  if (kinds.pharmacy && parties.pharmacyStatus !== "CERTIFIED") {
    reasons.push({
      code: "PHARMACY_NOT_CERTIFIED",
      stakeholder: "pharmacy",
      message: "Your pharmacy is not certified at present; it may not dispense this drug.",
    });
  }
  if (kinds.prescriber) {
    const status = parties.prescriber?.certificationStatus ?? null;
    if (status === "SUSPENDED") {
      reasons.push({
        code: "PRESCRIBER_SUSPENDED",
        stakeholder: "prescriber",
        message: "The prescriber's certification is suspended; do not dispense on this prescription.",
      });
    } else if (status !== "CERTIFIED") {
      reasons.push({
        code: "PRESCRIBER_NOT_CERTIFIED",
        stakeholder: "prescriber",
        message: "The prescriber is no longer certified; do not dispense on this prescription.",
      });
    }
  }
  // The same party checks, in the same cases, as the gate's decision (./rules.ts): a reason the
  // gate would give now is a reason not to dispense now.
  const patient = kinds.patient ? parties.patient : null;
  if (kinds.patient && patient?.enrollmentStatus !== "ENROLLED") {
    reasons.push({
      code: "PATIENT_NOT_ENROLLED",
      stakeholder: "patient",
      message: "The patient is no longer enrolled or authorized; do not dispense.",
    });
  }
  if (kinds.prescriber && patient && parties.prescriber && patient.prescriberId !== parties.prescriber.id) {
    reasons.push({
      code: "PATIENT_NOT_WITH_PRESCRIBER",
      stakeholder: "patient",
      message: "The patient has moved to another prescriber; a new prescription is needed.",
    });
  }
  if (kinds.healthcareSetting) {
    if (parties.setting?.certificationStatus !== "CERTIFIED") {
      reasons.push({
        code: "SETTING_NOT_CERTIFIED",
        stakeholder: "healthcareSetting",
        message: "The healthcare setting is no longer certified; do not ship the drug there.",
      });
    }
    if (patient && parties.setting && patient.healthcareSettingId !== parties.setting.id) {
      reasons.push({
        code: "PATIENT_NOT_AT_SETTING",
        stakeholder: "patient",
        message: "The patient is no longer treated at this healthcare setting.",
      });
    }
  }
  return reasons;
}

/** The parties as the gate saw them when it approved (for tests and the detail page). */
export function partiesFromFacts(facts: DispenseFacts): CurrentParties {
  return {
    pharmacyStatus: facts.pharmacy.certificationStatus,
    prescriber: facts.prescriber,
    setting: facts.setting,
    patient: facts.patient
      ? {
          enrollmentStatus: facts.patient.enrollmentStatus,
          prescriberId: facts.patient.prescriberId,
          healthcareSettingId: facts.patient.healthcareSettingId,
        }
      : null,
  };
}

export interface PharmacyStanding {
  status: string;
  programName: string;
}

/**
 * Why a pharmacy's API keys are refused, or null when they work: the pharmacy's certification was
 * suspended or withdrawn and it holds no other certification. A pharmacy still applying keeps its
 * keys (the gate denies its requests with PHARMACY_NOT_CERTIFIED, which is the answer it needs).
 */
export function apiKeyBarredMessage(enrollments: readonly PharmacyStanding[]): string | null {
  if (enrollments.some((e) => e.status === "CERTIFIED")) return null;
  const barred = enrollments.find((e) => e.status === "SUSPENDED" || e.status === "DECERTIFIED");
  if (!barred) return null;
  const what = barred.status === "SUSPENDED" ? "suspended" : "decertified";
  return `This API key is genuine, but your pharmacy's certification in the ${barred.programName} is ${what}. The registry refuses its API keys until the REMS administrator reinstates the pharmacy; dispense authorizations not yet used were revoked.`;
}

/**
 * What an approval given under enforcement discretion no longer stands on once the discretion has
 * ended: the reasons it carried as warnings only because of the discretion (those the programme's
 * own policy blocks on). Reasons the programme only warns about stay accepted. One reason per code,
 * each saying that the discretion is over; empty when the approval carried none.
 */
export function discretionEndedReasons(
  warnings: readonly DispenseReason[],
  program: Pick<TProgramDefinition, "dispensing" | "name">,
  /** When it ended, as people read it ("on 12 Mar 2031 14:00 UTC"); empty when not known. */
  endedAt: string,
): DispenseReason[] {
  const seen = new Set<string>();
  const reasons: DispenseReason[] = [];
  for (const w of warnings) {
    if (program.dispensing.reasonPolicies[w.code] === "warn" || seen.has(w.code)) continue;
    seen.add(w.code);
    reasons.push({
      ...w,
      message: `Enforcement discretion for ${program.name} ended${endedAt ? ` ${endedAt}` : ""}; this authorization was given under it although: ${w.message.replace(/\s*—.*$/, "").replace(/\.$/, "")}. Do not dispense under it — request a new authorization, which is decided on the records as they are now.`,
    });
  }
  return reasons;
}

/**
 * Why a pharmacy may not create an API key, or null when it may: it must be certified in at least
 * one programme. A key only serves to ask the gate, which answers a pharmacy that may not take part
 * with its own standing and nothing else; a pharmacy that is applying has nothing to ask it yet.
 */
export function apiKeyCreationRefusal(enrollments: readonly PharmacyStanding[]): string | null {
  if (enrollments.some((e) => e.status === "CERTIFIED")) return null;
  const standing = enrollments
    .map((e) => pharmacyStandingMessage(e.status as CertificationStatus, e.programName))
    .join(" ");
  return `Your pharmacy can create API keys once it is certified in a REMS programme.${standing ? ` ${standing}` : ""}`;
}
