/**
 * The dispense gate: may this pharmacy dispense this quantity of this product for this patient,
 * prescribed by this prescriber, to this healthcare setting, today? A pure function of the facts,
 * the programme definition and `now`; no clock, no I/O. Every reason that applies is reported (in
 * the order of DENIAL_REASON_CODES, one reason per code), and the programme decides per reason
 * whether it blocks or only warns.
 *
 * Definitions:
 * - Today is the UTC calendar day of `now`.
 * - A party is checked only when the programme certifies or enrolls that kind of stakeholder (a
 *   programme without healthcare settings never reports setting reasons). An unknown prescriber or
 *   setting is not certified; its link to the patient is then not checked, as there is no one to
 *   link to. An unknown patient is not enrolled and nothing else about them is checked.
 * - The course this dispense is for: the course in progress when it can still continue (its next
 *   consecutive day is today or later); otherwise a new course starting today. A course that was
 *   interrupted cannot be resumed, so a dispense after the gap counts as a new course and has to
 *   meet the baseline and interval rules like any other.
 * - A new course needs every baseline result dated within the programme's window before today, and
 *   today must be at least minMonthsBetweenCourses after the previous course's last dose. Without
 *   courses, baseline results are needed only before the first dose of treatment.
 * - Monitoring and status-form reasons come from the monitoring schedule as of today.
 * - The quantity is checked against the maximum of the course it is for (for an unknown patient,
 *   the largest course maximum), counting the units already committed to that course: every
 *   authorization for the patient, from any pharmacy, dispensed or approved and still usable, given
 *   after the previous course's last dose (the duplicate of this request excepted, as it is reported
 *   on its own). It must be a whole number of at least 1 in any case.
 */
import type { CertificationStatus } from "../certification/rules";
import { summarizeCourses } from "../courses/rules";
import { addDays, addMonths, baselineStatus, dayOf, monitoringSchedule } from "../monitoring/rules";
import { STATUS_FORM_CODE } from "../monitoring/types";
import type { TDenialReasonCode, TProgramDefinition } from "../programs/schema";
import type { DispenseDecision, DispenseFacts, DispensePatientFacts, DispenseReason } from "./facts";
import { type ReasonDetails, reasonFor } from "./messages";

/** The course a dispense is for, and whether it starts that course today. */
export interface TargetCourse {
  number: number;
  startsToday: boolean;
  /** The previous course's last dose plus the minimum interval; null for the first course. */
  earliestOn: string | null;
  /** The previous course's last dose: authorizations given after it count toward this course. */
  after: string | null;
}

export function targetCourse(
  program: TProgramDefinition,
  doseDates: readonly string[],
  today: string,
): TargetCourse | null {
  const courses = program.courses;
  if (courses === null) return null;
  const summary = summarizeCourses(courses, doseDates);
  const last = summary.courses.at(-1);
  if (!last) return { number: 1, startsToday: true, earliestOn: null, after: null };
  if (summary.inProgress && today <= addDays(last.lastDoseOn, 1)) {
    return {
      number: last.number,
      startsToday: false,
      earliestOn: null,
      after: summary.courses.at(-2)?.lastDoseOn ?? null,
    };
  }
  return {
    number: last.number + 1,
    startsToday: true,
    earliestOn: addMonths(last.lastDoseOn, courses.minMonthsBetweenCourses),
    after: last.lastDoseOn,
  };
}

/**
 * Units already committed to the course a dispense is for: authorizations given after the previous
 * course's last dose, except `excluding` (the approval this request duplicates).
 */
export function committedToCourse(
  patient: DispensePatientFacts,
  course: TargetCourse | null,
  excluding: string | undefined,
): number {
  let units = 0;
  for (const c of patient.committedUnits ?? []) {
    if (course?.after && c.on <= course.after) continue;
    if (excluding && c.authorizationNumber === excluding) continue;
    units += c.units;
  }
  return units;
}

/** The rule of the course the dispense is for; for an unknown patient, the most generous course. */
function courseRule(program: TProgramDefinition, course: TargetCourse | null): { maxUnits: number } | null {
  const courses = program.courses;
  if (courses === null) return null;
  if (course === null) return { maxUnits: Math.max(courses.first.maxUnits, courses.subsequent.maxUnits) };
  return course.number === 1 ? courses.first : courses.subsequent;
}

function isCertified(status: CertificationStatus | null): boolean {
  return status === "CERTIFIED";
}

/** Every reason that applies, before the programme's block/warn policies are applied. */
function findDispenseReasons(
  facts: DispenseFacts,
  program: TProgramDefinition,
  now: Date,
): { code: TDenialReasonCode; details: Partial<ReasonDetails> }[] {
  const today = dayOf(now);
  const found: { code: TDenialReasonCode; details: Partial<ReasonDetails> }[] = [];
  const add = (code: TDenialReasonCode, details: Partial<ReasonDetails> = {}) => found.push({ code, details });
  const kinds = program.stakeholders;

  if (!program.ndcs.includes(facts.ndc)) add("NDC_NOT_IN_PROGRAM");

  if (kinds.pharmacy && !isCertified(facts.pharmacy.certificationStatus)) {
    add("PHARMACY_NOT_CERTIFIED", { pharmacyStatus: facts.pharmacy.certificationStatus });
  }

  if (kinds.prescriber) {
    const status = facts.prescriber?.certificationStatus ?? null;
    if (status === "SUSPENDED") add("PRESCRIBER_SUSPENDED");
    else if (!isCertified(status)) add("PRESCRIBER_NOT_CERTIFIED", { unknown: facts.prescriber === null });
  }

  const patient = kinds.patient ? facts.patient : null;
  if (kinds.patient && patient?.enrollmentStatus !== "ENROLLED") add("PATIENT_NOT_ENROLLED", { unknown: !patient });
  if (kinds.prescriber && patient && facts.prescriber && patient.prescriberId !== facts.prescriber.id) {
    add("PATIENT_NOT_WITH_PRESCRIBER");
  }

  if (kinds.healthcareSetting) {
    if (!isCertified(facts.setting?.certificationStatus ?? null)) {
      add("SETTING_NOT_CERTIFIED", { unknown: facts.setting === null });
    }
    if (patient && facts.setting && patient.healthcareSettingId !== facts.setting.id) add("PATIENT_NOT_AT_SETTING");
  }

  const course = patient ? targetCourse(program, patient.doseDates, today) : null;
  if (patient) found.push(...patientReasons(program, patient, course, today));

  const quantityOk = Number.isInteger(facts.quantity) && facts.quantity > 0;
  const rule = courseRule(program, course);
  const committed = patient && course ? committedToCourse(patient, course, facts.duplicate?.authorizationNumber) : 0;
  if (!quantityOk || (rule && facts.quantity + committed > rule.maxUnits)) {
    add("QUANTITY_EXCEEDS_COURSE", {
      quantity: facts.quantity,
      maxUnits: rule?.maxUnits ?? 0,
      courseNumber: course?.number ?? 1,
      committedUnits: committed,
    });
  }

  if (facts.duplicate) add("DUPLICATE_REQUEST", { authorizationNumber: facts.duplicate.authorizationNumber });

  return found;
}

function patientReasons(
  program: TProgramDefinition,
  patient: DispensePatientFacts,
  course: TargetCourse | null,
  today: string,
): { code: TDenialReasonCode; details: Partial<ReasonDetails> }[] {
  const found: { code: TDenialReasonCode; details: Partial<ReasonDetails> }[] = [];
  const monitoring = program.monitoring;

  const startsTreatment = course ? course.startsToday : patient.doseDates.length === 0;
  if (monitoring && startsTreatment) {
    const checks = baselineStatus(monitoring, patient.results, today);
    const missing = checks.filter((c) => c.problem === "missing").map((c) => c.name);
    const stale = checks.filter((c) => c.problem === "stale").map((c) => c.name);
    const withinDays = monitoring.baseline.withinDaysBeforeFirstDose;
    if (missing.length > 0) found.push({ code: "BASELINE_LABS_MISSING", details: { tests: missing, withinDays } });
    if (stale.length > 0) found.push({ code: "BASELINE_LABS_STALE", details: { tests: stale, withinDays } });
  }

  if (monitoring) {
    const schedule = monitoringSchedule(monitoring, patient, today);
    const overdue = schedule.items.filter((i) => i.state === "overdue");
    const tests = overdue.filter((i) => i.code !== STATUS_FORM_CODE).map((i) => i.name);
    if (tests.length > 0) found.push({ code: "MONITORING_OVERDUE", details: { tests } });
    if (overdue.some((i) => i.code === STATUS_FORM_CODE)) found.push({ code: "STATUS_FORM_OVERDUE", details: {} });
  }

  if (course?.earliestOn && today < course.earliestOn) {
    found.push({
      code: "COURSE_INTERVAL_TOO_SHORT",
      details: { earliestOn: course.earliestOn, courseNumber: course.number },
    });
  }
  return found;
}

/** The test codes whose results the rules read: every monitored test and every baseline test. */
export function relevantTestCodes(program: TProgramDefinition): string[] {
  const monitoring = program.monitoring;
  if (!monitoring) return [];
  return [...new Set([...monitoring.testTypes.map((t) => t.code), ...monitoring.baseline.testCodes])];
}

/**
 * The patient facts the rules read, reduced to a size that does not grow with the patient's history
 * (docs/decisions/007): per test code the programme reads, the latest result and the latest on or
 * before today (a baseline counts only results up to the course start, which is today); the latest
 * Patient Status Form; every dose (bounded by the treatment itself). decideDispense gives the same
 * decision on these as on the whole history (property-tested); the service's facts query gathers
 * exactly this.
 */
export function boundPatientFacts(
  patient: DispensePatientFacts,
  program: TProgramDefinition,
  today: string,
): DispensePatientFacts {
  const results: DispensePatientFacts["results"] = [];
  for (const testCode of relevantTestCodes(program)) {
    let latest: string | null = null;
    let latestByToday: string | null = null;
    for (const r of patient.results) {
      if (r.testCode !== testCode) continue;
      if (latest === null || r.collectedOn > latest) latest = r.collectedOn;
      if (r.collectedOn <= today && (latestByToday === null || r.collectedOn > latestByToday)) {
        latestByToday = r.collectedOn;
      }
    }
    if (latestByToday !== null) results.push({ testCode, collectedOn: latestByToday });
    if (latest !== null && latest !== latestByToday) results.push({ testCode, collectedOn: latest });
  }
  let lastForm: string | null = null;
  for (const day of patient.statusFormDates) if (lastForm === null || day > lastForm) lastForm = day;
  return {
    ...patient,
    doseDates: [...patient.doseDates].sort(),
    results,
    statusFormDates: lastForm === null ? [] : [lastForm],
  };
}

/** Today + the programme's validity: the expiry of an authorization approved now. */
export function authorizationExpiresOn(program: TProgramDefinition, now: Date): string {
  return addDays(dayOf(now), program.dispensing.authorizationValidityDays);
}

export function decideDispense(
  facts: DispenseFacts,
  program: TProgramDefinition | undefined,
  now: Date,
): DispenseDecision {
  if (!program) {
    const reason = reasonFor("PROGRAM_UNKNOWN", { programCode: facts.programCode });
    return { decision: "DENIED", reasons: [reason], warnings: [], expiresOn: null };
  }

  const common: Partial<ReasonDetails> = {
    programName: program.name,
    programCode: program.code,
    ndc: facts.ndc,
    unit: program.drug.dispenseUnit,
  };
  const order = (code: TDenialReasonCode) => REASON_ORDER.indexOf(code);
  const found = findDispenseReasons(facts, program, now).sort((a, b) => order(a.code) - order(b.code));

  const reasons: DispenseReason[] = [];
  const warnings: DispenseReason[] = [];
  for (const { code, details } of found) {
    const reason = reasonFor(code, { ...common, ...details });
    if (program.dispensing.reasonPolicies[code] === "warn") warnings.push(reason);
    else reasons.push(reason);
  }

  const approved = reasons.length === 0;
  return {
    decision: approved ? "APPROVED" : "DENIED",
    reasons,
    warnings,
    expiresOn: approved ? approvalExpiresOn(facts, program, now) : null,
  };
}

/**
 * The last day an approval may be used: the programme's validity, and for a dispense that starts a
 * course, no later than the last day the patient's baseline results are recent enough for the
 * course to start (the oldest result plus the programme's window). A baseline already too old (a
 * programme that only warns about it) does not shorten it: that was accepted with the approval.
 */
export function approvalExpiresOn(facts: DispenseFacts, program: TProgramDefinition, now: Date): string {
  const validity = authorizationExpiresOn(program, now);
  const monitoring = program.monitoring;
  const patient = program.stakeholders.patient ? facts.patient : null;
  if (!monitoring || !patient) return validity;
  const today = dayOf(now);
  const course = targetCourse(program, patient.doseDates, today);
  const startsTreatment = course ? course.startsToday : patient.doseDates.length === 0;
  if (!startsTreatment) return validity;
  const within = monitoring.baseline.withinDaysBeforeFirstDose;
  let last = validity;
  for (const check of baselineStatus(monitoring, patient.results, today)) {
    if (!check.ok || check.lastOn === null) continue;
    const freshUntil = addDays(check.lastOn, within);
    if (freshUntil >= today && freshUntil < last) last = freshUntil;
  }
  return last;
}

/** Reasons are listed in this order: the request itself, then the parties, the patient, the quantity. */
const REASON_ORDER: readonly TDenialReasonCode[] = [
  "PROGRAM_UNKNOWN",
  "NDC_NOT_IN_PROGRAM",
  "PHARMACY_NOT_CERTIFIED",
  "PRESCRIBER_NOT_CERTIFIED",
  "PRESCRIBER_SUSPENDED",
  "PATIENT_NOT_ENROLLED",
  "PATIENT_NOT_WITH_PRESCRIBER",
  "SETTING_NOT_CERTIFIED",
  "PATIENT_NOT_AT_SETTING",
  "BASELINE_LABS_MISSING",
  "BASELINE_LABS_STALE",
  "MONITORING_OVERDUE",
  "STATUS_FORM_OVERDUE",
  "COURSE_INTERVAL_TOO_SHORT",
  "QUANTITY_EXCEEDS_COURSE",
  "DUPLICATE_REQUEST",
];

/**
 * Reasons enforcement discretion never relaxes. Discretion excuses stakeholders who cannot meet a
 * requirement in time (an outage, an FDA-announced grace period); it does not make a request valid:
 * - PROGRAM_UNKNOWN: there is no programme, so no rules and no authorization to give.
 * - NDC_NOT_IN_PROGRAM: the product is not one this programme covers; an authorization for it
 *   would authorize nothing the REMS controls.
 * - DUPLICATE_REQUEST: an unused authorization already exists for this prescription; a second
 *   one would allow the same prescription to be dispensed twice.
 * - COURSE_INTERVAL_TOO_SHORT and QUANTITY_EXCEEDS_COURSE: the dosing the label allows (a course
 *   no sooner than the interval after the last, no more units than the course holds). No outage
 *   keeps anyone from meeting them: they are about the treatment, not about a stakeholder's
 *   paperwork, and relaxing them would authorize a dose the drug's label does not.
 */
export const NEVER_RELAXED: readonly TDenialReasonCode[] = [
  "PROGRAM_UNKNOWN",
  "NDC_NOT_IN_PROGRAM",
  "COURSE_INTERVAL_TOO_SHORT",
  "QUANTITY_EXCEEDS_COURSE",
  "DUPLICATE_REQUEST",
];

/**
 * The decision under enforcement discretion: blocking reasons become warnings, except those in
 * NEVER_RELAXED. The expiry needs the programme and `now` because a denial carries none.
 */
export function applyEnforcementDiscretion(
  result: DispenseDecision,
  program: TProgramDefinition | undefined,
  now: Date,
): DispenseDecision {
  if (!program) return { ...result, enforcementDiscretion: true };
  const reasons = result.reasons.filter((r) => NEVER_RELAXED.includes(r.code));
  const relaxed = result.reasons.filter((r) => !NEVER_RELAXED.includes(r.code));
  const approved = reasons.length === 0;
  return {
    decision: approved ? "APPROVED" : "DENIED",
    reasons,
    warnings: [...relaxed, ...result.warnings].sort(
      (a, b) => REASON_ORDER.indexOf(a.code) - REASON_ORDER.indexOf(b.code),
    ),
    expiresOn: approved ? (result.expiresOn ?? authorizationExpiresOn(program, now)) : null,
    enforcementDiscretion: true,
  };
}

/**
 * The only reasons a pharmacy that may not take part is told (see answerForPharmacy): they depend on
 * nothing but the pharmacy itself and the product it named, never on the patient, the prescriber,
 * the healthcare setting or the course.
 */
export const TOLD_TO_UNCERTIFIED_PHARMACY: readonly TDenialReasonCode[] = [
  "NDC_NOT_IN_PROGRAM",
  "PHARMACY_NOT_CERTIFIED",
];

/** Whether the pharmacy's own certification denies the request (PHARMACY_NOT_CERTIFIED blocks). */
export function deniesPharmacyItself(decision: { reasons: readonly DispenseReason[] }): boolean {
  return decision.reasons.some((r) => r.code === "PHARMACY_NOT_CERTIFIED");
}

/**
 * What the requesting pharmacy is told of a decision (the gate's full decision, after enforcement
 * discretion). A pharmacy whose own certification denies the request (PHARMACY_NOT_CERTIFIED among
 * the blocking reasons) has no right to the patient's or the prescriber's records: it is told only
 * the reasons in TOLD_TO_UNCERTIFIED_PHARMACY, and the rest are `withheld` (their codes, for the
 * audit trail). Anyone could otherwise sign up as a pharmacy and learn, from the denial, whether a
 * REMS id is enrolled, whose patient it is and how the patient's monitoring stands. A pharmacy the
 * programme lets take part (certified, a "warn" policy, or relaxed by enforcement discretion) is told
 * everything, as before. Works on a stored row's reasons and warnings as well as on a decision.
 */
export function answerForPharmacy<T extends Pick<DispenseDecision, "reasons" | "warnings">>(
  decision: T,
): { answer: T; withheld: TDenialReasonCode[] } {
  if (!deniesPharmacyItself(decision)) return { answer: decision, withheld: [] };
  const told = (r: DispenseReason) => TOLD_TO_UNCERTIFIED_PHARMACY.includes(r.code);
  return {
    answer: { ...decision, reasons: decision.reasons.filter(told), warnings: decision.warnings.filter(told) },
    withheld: [...decision.reasons, ...decision.warnings].filter((r) => !told(r)).map((r) => r.code),
  };
}

/**
 * Whether the gate lets a pharmacy with this certification status ask for authorizations in the
 * programme, i.e. whether its PHARMACY_NOT_CERTIFIED (if any) does not deny: certified, a programme
 * without pharmacy certification or that only warns about it, or enforcement discretion in effect.
 * Exactly when answerForPharmacy tells it the whole decision (property-tested).
 */
export function pharmacyMayRequest(
  program: TProgramDefinition,
  status: CertificationStatus | null,
  enforcementDiscretion: boolean,
): boolean {
  if (!program.stakeholders.pharmacy || isCertified(status)) return true;
  if (program.dispensing.reasonPolicies.PHARMACY_NOT_CERTIFIED === "warn") return true;
  return enforcementDiscretion && !NEVER_RELAXED.includes("PHARMACY_NOT_CERTIFIED");
}
