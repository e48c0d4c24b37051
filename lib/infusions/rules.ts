/**
 * What is not in order for an infusion, as the healthcare setting must see it before the infusion
 * is recorded: pure functions of the programme, the patient's monitoring facts and the infusion.
 * No clock, no I/O; dates are "YYYY-MM-DD" calendar days.
 *
 * The setting attests that it verifies the patient is authorized before each infusion. Checked as
 * of the infusion day (results, status forms and doses after it do not count):
 * - the baseline results of the course the infusion belongs to, against the course's first day
 *   (every day of a course, so a course started without them says so on each day), with the same
 *   check the dispense gate makes (lib/monitoring/rules.ts baselineStatus);
 * - safety monitoring and the Patient Status Form, overdue on the infusion day;
 * - a dispense authorization for this course: none named on the record.
 * An infusion that was given is a fact the registry must hold, so these do not refuse the record:
 * the setting acknowledges each one, and the record keeps what was acknowledged.
 */
import { summarizeCourses } from "../courses/rules";
import { formatDate } from "../format";
import { addDays, baselineStatus, monitoringSchedule } from "../monitoring/rules";
import { type MonitoringFacts, STATUS_FORM_CODE } from "../monitoring/types";
import type { TCourses, TMonitoring } from "../programs/schema";

export const INFUSION_CONCERN_CODES = [
  "BASELINE_LABS_MISSING",
  "BASELINE_LABS_STALE",
  "MONITORING_OVERDUE",
  "STATUS_FORM_OVERDUE",
  "NO_DISPENSE_AUTHORIZATION",
] as const;
export type InfusionConcernCode = (typeof INFUSION_CONCERN_CODES)[number];

/** Each point in a few words, for lists where the full message does not fit. */
export const INFUSION_CONCERN_LABELS: Record<InfusionConcernCode, string> = {
  BASELINE_LABS_MISSING: "Baseline tests missing",
  BASELINE_LABS_STALE: "Baseline tests too old",
  MONITORING_OVERDUE: "Safety monitoring overdue",
  STATUS_FORM_OVERDUE: "Patient Status Form overdue",
  NO_DISPENSE_AUTHORIZATION: "No dispense authorization named",
};

export interface InfusionConcern {
  code: InfusionConcernCode;
  /** What is not in order, in words, naming the tests and dates. */
  message: string;
}

export interface InfusionToCheck {
  infusedOn: string;
  /** The course and day the course rules gave the infusion (lib/courses/rules.ts checkNewInfusion). */
  courseNumber: number;
  dayInCourse: number;
  /** The dispense authorization named on the record; null when none. */
  authorizationNumber: string | null;
}

function list(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** The facts as they stood on `day`: nothing dated after it, no dose on or after it. */
function factsOn(facts: MonitoringFacts, day: string): MonitoringFacts {
  return {
    doseDates: facts.doseDates.filter((d) => d < day),
    results: facts.results.filter((r) => r.collectedOn <= day),
    statusFormDates: facts.statusFormDates.filter((d) => d <= day),
    enrolledOn: facts.enrolledOn,
  };
}

/** Everything not in order for this infusion, in a fixed order (INFUSION_CONCERN_CODES); empty when all is. */
export function infusionConcerns(
  monitoring: TMonitoring | null,
  facts: MonitoringFacts,
  infusion: InfusionToCheck,
): InfusionConcern[] {
  const concerns: InfusionConcern[] = [];
  const { infusedOn, courseNumber } = infusion;
  const onDay = factsOn(facts, infusedOn);

  if (monitoring) {
    // Course days are consecutive, so the course began dayInCourse − 1 days before this one.
    const courseStartOn = addDays(infusedOn, 1 - infusion.dayInCourse);
    const checks = baselineStatus(monitoring, onDay.results, courseStartOn);
    const withinDays = monitoring.baseline.withinDaysBeforeFirstDose;
    const missing = checks.filter((c) => c.problem === "missing");
    const stale = checks.filter((c) => c.problem === "stale");
    if (missing.length > 0) {
      concerns.push({
        code: "BASELINE_LABS_MISSING",
        message: `Baseline tests missing for course ${courseNumber} (first infusion ${formatDate(courseStartOn)}): ${list(missing.map((c) => c.name))}. Each result is needed within ${withinDays} days before the first infusion of the course.`,
      });
    }
    if (stale.length > 0) {
      concerns.push({
        code: "BASELINE_LABS_STALE",
        message: `Baseline tests too old for course ${courseNumber}, more than ${withinDays} days before its first infusion on ${formatDate(courseStartOn)}: ${list(stale.map((c) => `${c.name} (last ${formatDate(c.lastOn)})`))}.`,
      });
    }

    const overdue = monitoringSchedule(monitoring, onDay, infusedOn).items.filter((i) => i.state === "overdue");
    const tests = overdue.filter((i) => i.code !== STATUS_FORM_CODE);
    if (tests.length > 0) {
      concerns.push({
        code: "MONITORING_OVERDUE",
        message: `Safety monitoring overdue on ${formatDate(infusedOn)}: ${list(tests.map((i) => `${i.name} (was due ${formatDate(i.nextDueOn)})`))}.`,
      });
    }
    const form = overdue.find((i) => i.code === STATUS_FORM_CODE);
    if (form) {
      concerns.push({
        code: "STATUS_FORM_OVERDUE",
        message: `The Patient Status Form was overdue on ${formatDate(infusedOn)} (it was due ${formatDate(form.nextDueOn)}).`,
      });
    }
  }

  if (infusion.authorizationNumber === null) {
    concerns.push({
      code: "NO_DISPENSE_AUTHORIZATION",
      message: `No dispense authorization for course ${courseNumber} is named: nothing shows that the drug infused was dispensed for this patient under a registry authorization.`,
    });
  }
  return concerns;
}

/** The concerns not covered by the codes the person acknowledged. */
export function unacknowledgedConcerns(
  concerns: readonly InfusionConcern[],
  acknowledged: readonly string[],
): InfusionConcern[] {
  const seen = new Set(acknowledged);
  return concerns.filter((c) => !seen.has(c.code));
}

/**
 * The last dose of the course before `courseNumber`, from the doses already given; null for the
 * first course. An authorization approved on or before that day was for an earlier course.
 */
export function previousCourseLastDoseOn(
  courses: TCourses,
  doseDates: readonly string[],
  courseNumber: number,
): string | null {
  if (courseNumber <= 1) return null;
  return summarizeCourses(courses, doseDates).courses[courseNumber - 2]?.lastDoseOn ?? null;
}

/** The acknowledged points as a row stores them (Infusion.acknowledgedConcerns); anything else is left out. */
export function storedConcerns(value: unknown): InfusionConcern[] {
  if (!Array.isArray(value)) return [];
  const codes: readonly string[] = INFUSION_CONCERN_CODES;
  return value.flatMap((c) =>
    c && typeof c === "object" && codes.includes(String(c.code)) && typeof c.message === "string"
      ? [{ code: c.code as InfusionConcernCode, message: c.message }]
      : [],
  );
}
