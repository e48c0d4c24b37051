/**
 * The REMS requirements for a prescription as EHRs and pharmacy systems ask about them (CDS Hooks,
 * FHIR $rems-etasu, NCPDP): the same facts query and the same pure rules as the dispense gate
 * (lib/dispensing/facts-query.ts, rules.ts), read without storing anything.
 *
 * What differs is only which parties can be checked at that point:
 * - the pharmacy, only when a pharmacy asks (its API key names it); a prescriber's EHR has none;
 * - the healthcare setting is the one the patient's enrollment names (an order does not name one);
 *   without a known patient there is none to check;
 * - the quantity, only when the order states one;
 * - a duplicate authorization, never: there is no prescription number at the pharmacy yet.
 * Each requirement is met exactly when the gate would report none of its reasons. A pharmacy whose
 * own certification denies it is told, as by the gate, about itself (and the prescription) only.
 */
import { dayOf } from "../calendar";
import { type Db, db, sqlOf } from "../db";
import type { DispenseDecision, DispenseFacts, DispenseReason, DispenseStakeholder } from "../dispensing/facts";
import { findProgram, loadFacts } from "../dispensing/facts-query";
import {
  answerForPharmacy,
  applyEnforcementDiscretion,
  decideDispense,
  deniesPharmacyItself,
  targetCourse,
} from "../dispensing/rules";
import type { CertificationStatus } from "../certification/rules";
import { monitoringSchedule } from "../monitoring/rules";
import { STATUS_FORM_CODE } from "../monitoring/types";
import type { TDenialReasonCode, TProgramDefinition } from "../programs/schema";

/** No pharmacy: a uuid no row has, so the facts query finds no pharmacy and no duplicate. */
const NO_PHARMACY = "00000000-0000-0000-0000-000000000000";

export interface RequirementsQuery {
  program: TProgramDefinition;
  ndc: string;
  /** null: the order states none, and the quantity is not checked. */
  quantity: number | null;
  prescriberNpi: string | null;
  /** The identified patient's REMS id (lib/interop/patient-match.ts); null when not identified. */
  patientRemsId: string | null;
  /** The asking pharmacy (API key), or null for an EHR. */
  pharmacyId: string | null;
}

export type RequirementId =
  | "prescriber-certification"
  | "pharmacy-certification"
  | "setting-certification"
  | "patient-enrollment"
  | "baseline-tests"
  | "safety-monitoring"
  | "status-form"
  | "course-interval"
  | "quantity"
  | "prescription";

export interface Requirement {
  id: RequirementId;
  /** A person's name for it, e.g. "Prescriber certification". */
  name: string;
  stakeholder: DispenseStakeholder;
  met: boolean;
  /** The gate's reasons (blocking or warning) that leave it unmet. */
  reasons: DispenseReason[];
}

export interface RequirementsResult {
  program: TProgramDefinition;
  decision: DispenseDecision;
  facts: DispenseFacts;
  requirements: Requirement[];
  /** Monitoring items overdue today, with the day each fell due. */
  overdue: { code: string; name: string; dueOn: string | null }[];
  /** When the course this order is for may start at the earliest (null when it may start today). */
  courseEarliestOn: string | null;
  prescriberStatus: CertificationStatus | null;
  /** The NPI the prescriber was asked about (null when the order names none). */
  prescriberNpi: string | null;
  patient: { id: string; remsId: string; enrollmentStatus: string | null } | null;
  /** Every requirement met: no blocking reason and no warning. */
  allMet: boolean;
}

const REQUIREMENT_OF: Record<TDenialReasonCode, RequirementId> = {
  PROGRAM_UNKNOWN: "prescription",
  NDC_NOT_IN_PROGRAM: "prescription",
  DUPLICATE_REQUEST: "prescription",
  PHARMACY_NOT_CERTIFIED: "pharmacy-certification",
  PRESCRIBER_NOT_CERTIFIED: "prescriber-certification",
  PRESCRIBER_SUSPENDED: "prescriber-certification",
  PATIENT_NOT_ENROLLED: "patient-enrollment",
  PATIENT_NOT_WITH_PRESCRIBER: "patient-enrollment",
  PATIENT_NOT_AT_SETTING: "patient-enrollment",
  SETTING_NOT_CERTIFIED: "setting-certification",
  BASELINE_LABS_MISSING: "baseline-tests",
  BASELINE_LABS_STALE: "baseline-tests",
  MONITORING_OVERDUE: "safety-monitoring",
  STATUS_FORM_OVERDUE: "status-form",
  COURSE_INTERVAL_TOO_SHORT: "course-interval",
  QUANTITY_EXCEEDS_COURSE: "quantity",
};

const REQUIREMENT_NAMES: Record<RequirementId, { name: string; stakeholder: DispenseStakeholder }> = {
  "prescriber-certification": { name: "Prescriber certification", stakeholder: "prescriber" },
  "pharmacy-certification": { name: "Pharmacy certification", stakeholder: "pharmacy" },
  "setting-certification": { name: "Healthcare setting certification", stakeholder: "healthcareSetting" },
  "patient-enrollment": { name: "Patient enrollment", stakeholder: "patient" },
  "baseline-tests": { name: "Baseline tests", stakeholder: "patient" },
  "safety-monitoring": { name: "Safety monitoring tests", stakeholder: "patient" },
  "status-form": { name: "Patient Status Form", stakeholder: "prescriber" },
  "course-interval": { name: "Interval between courses", stakeholder: "patient" },
  quantity: { name: "Quantity", stakeholder: "program" },
  prescription: { name: "Prescription", stakeholder: "program" },
};

/** The requirements that apply to a programme, in the order the gate reports its reasons. */
function applicableRequirements(program: TProgramDefinition, quantityChecked: boolean): RequirementId[] {
  const kinds = program.stakeholders;
  const ids: RequirementId[] = ["prescription"];
  if (kinds.pharmacy) ids.push("pharmacy-certification");
  if (kinds.prescriber) ids.push("prescriber-certification");
  if (kinds.patient) ids.push("patient-enrollment");
  if (kinds.healthcareSetting) ids.push("setting-certification");
  if (program.monitoring) ids.push("baseline-tests", "safety-monitoring", "status-form");
  if (program.courses) ids.push("course-interval");
  if (quantityChecked) ids.push("quantity");
  return ids;
}

/** Each applicable requirement, met or with the gate's reasons against it. */
export function requirementsOf(
  program: TProgramDefinition,
  decision: DispenseDecision,
  quantityChecked: boolean,
): Requirement[] {
  const all = [...decision.reasons, ...decision.warnings];
  return applicableRequirements(program, quantityChecked).map((id) => {
    const reasons = all.filter((r) => REQUIREMENT_OF[r.code] === id);
    return { id, ...REQUIREMENT_NAMES[id], met: reasons.length === 0, reasons };
  });
}

/** The parties this channel can check (see the header): the same definition with the others left out. */
function scopedProgram(program: TProgramDefinition, withPharmacy: boolean, withSetting: boolean): TProgramDefinition {
  return {
    ...program,
    stakeholders: {
      ...program.stakeholders,
      pharmacy: withPharmacy ? program.stakeholders.pharmacy : undefined,
      healthcareSetting: withSetting ? program.stakeholders.healthcareSetting : undefined,
    },
  };
}

export async function checkRequirements(
  query: RequirementsQuery,
  options: { client?: Db; now?: Date } = {},
): Promise<RequirementsResult> {
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const programRow = await findProgram(client, query.program.code);
  const settingRemsId = query.patientRemsId
    ? ((
        await client.patient.findUnique({
          where: { remsId: query.patientRemsId },
          select: { healthcareSetting: { select: { remsId: true } } },
        })
      )?.healthcareSetting?.remsId ?? null)
    : null;
  const program = scopedProgram(query.program, query.pharmacyId !== null, settingRemsId !== null);
  const quantity = query.quantity ?? 1;

  const loaded = programRow
    ? await loadFacts(sqlOf(client), {
        programId: programRow.id,
        programCode: program.code,
        program,
        pharmacyId: query.pharmacyId ?? NO_PHARMACY,
        request: {
          programCode: program.code,
          prescriberNpi: query.prescriberNpi ?? "",
          patientRemsId: query.patientRemsId ?? "",
          healthcareSettingId: settingRemsId ?? "",
          ndc: query.ndc,
          quantity,
          prescriptionId: "",
        },
        patientRemsId: query.patientRemsId ?? "",
        idempotencyKey: "",
        now,
      })
    : null;

  const facts: DispenseFacts = {
    programCode: program.code,
    ndc: query.ndc,
    quantity,
    pharmacy: { certificationStatus: loaded?.pharmacyStatus ?? null },
    prescriber: loaded?.prescriber ?? null,
    patient: loaded?.patient ?? null,
    setting: loaded?.setting ?? null,
    duplicate: null,
  };
  const known = programRow ? program : undefined;
  let full = decideDispense(facts, known, now);
  if (loaded?.discretionId && full.decision === "DENIED") full = applyEnforcementDiscretion(full, known, now);
  // A pharmacy whose own certification denies it is told about itself only, as by the gate.
  const { answer: decision } = answerForPharmacy(full);
  if (deniesPharmacyItself(decision)) return pharmacyOnlyResult(program, decision, facts, query);

  const today = dayOf(now);
  const overdue =
    program.monitoring && facts.patient?.enrollmentStatus === "ENROLLED"
      ? monitoringSchedule(program.monitoring, facts.patient, today)
          .items.filter((i) => i.state === "overdue" && i.code !== STATUS_FORM_CODE)
          .map((i) => ({ code: i.code, name: i.name, dueOn: i.nextDueOn }))
      : [];
  const requirements = requirementsOf(program, decision, query.quantity !== null);
  const course = facts.patient ? targetCourse(program, facts.patient.doseDates, today) : null;
  const courseEarliestOn = course?.earliestOn && course.earliestOn > today ? course.earliestOn : null;
  return {
    program,
    decision,
    facts,
    requirements,
    overdue,
    courseEarliestOn,
    prescriberStatus: facts.prescriber?.certificationStatus ?? null,
    prescriberNpi: query.prescriberNpi,
    patient:
      facts.patient && query.patientRemsId
        ? { id: facts.patient.id, remsId: query.patientRemsId, enrollmentStatus: facts.patient.enrollmentStatus }
        : null,
    allMet: decision.reasons.length === 0 && decision.warnings.length === 0,
  };
}

/** The requirements a pharmacy that may not take part is told about: its own and the prescription's. */
const TOLD_TO_UNCERTIFIED_PHARMACY: readonly RequirementId[] = ["prescription", "pharmacy-certification"];

/** The result for a pharmacy whose own certification denies it: nothing about the patient or prescriber. */
function pharmacyOnlyResult(
  program: TProgramDefinition,
  decision: DispenseDecision,
  facts: DispenseFacts,
  query: RequirementsQuery,
): RequirementsResult {
  return {
    program,
    decision,
    facts: { ...facts, prescriber: null, patient: null, setting: null },
    requirements: requirementsOf(program, decision, false).filter((r) => TOLD_TO_UNCERTIFIED_PHARMACY.includes(r.id)),
    overdue: [],
    courseEarliestOn: null,
    prescriberStatus: null,
    prescriberNpi: query.prescriberNpi,
    patient: null,
    allMet: false,
  };
}
