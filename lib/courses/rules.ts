/**
 * Treatment courses as pure functions of the programme's course definition and the dates doses
 * were given. No clock, no I/O: dates are "YYYY-MM-DD" calendar days.
 *
 * A course is a run of doses on consecutive days, as many as the course's `consecutiveDays`
 * (the first course has its own rule, later ones share `subsequent`). A new course may only start
 * `minMonthsBetweenCourses` months after the last dose of the previous course, complete or not;
 * while a course is still short of its days, the next dose must follow the previous day.
 */
import type { TCourses } from "../programs/schema";
import { addDays, addMonths, isIsoDate } from "./dates";

export interface CourseSummary {
  number: number;
  firstDoseOn: string;
  lastDoseOn: string;
  daysGiven: number;
  daysRequired: number;
  complete: boolean;
}

export interface CoursesSummary {
  courses: CourseSummary[];
  /** The last dose given, or null before the first. */
  lastDoseOn: string | null;
  /** The earliest day a new course may start: null when none was given yet (any day) or while one is in progress. */
  nextCourseEarliestOn: string | null;
  /** The last course has fewer days than it needs: its next day is expected the day after the last dose. */
  inProgress: boolean;
}

export type NewInfusionRefusal =
  | "DUPLICATE_DATE"
  | "NOT_CONSECUTIVE"
  | "COURSE_INTERVAL_TOO_SHORT"
  | "BEFORE_PREVIOUS_DOSE";

export type NewInfusionCheck =
  | { ok: true; courseNumber: number; dayInCourse: number }
  | { ok: false; code: NewInfusionRefusal; message: string };

/** Days a course needs: the first course has its own rule. */
export function daysRequiredFor(courses: TCourses, courseNumber: number): number {
  return courseNumber === 1 ? courses.first.consecutiveDays : courses.subsequent.consecutiveDays;
}

function sortedUnique(doseDates: readonly string[]): string[] {
  for (const date of doseDates) {
    if (!isIsoDate(date)) throw new Error(`Not a calendar date: ${date}`);
  }
  return [...new Set(doseDates)].sort();
}

/**
 * Groups dose dates into courses. A dose joins the current course when it is the day after the
 * course's last dose and the course still needs days; otherwise it starts the next course.
 */
export function summarizeCourses(courses: TCourses, doseDates: readonly string[]): CoursesSummary {
  const result: CourseSummary[] = [];
  for (const date of sortedUnique(doseDates)) {
    const current = result.at(-1);
    if (current && !current.complete && date === addDays(current.lastDoseOn, 1)) {
      current.lastDoseOn = date;
      current.daysGiven += 1;
      current.complete = current.daysGiven >= current.daysRequired;
      continue;
    }
    const number = result.length + 1;
    const daysRequired = daysRequiredFor(courses, number);
    result.push({
      number,
      firstDoseOn: date,
      lastDoseOn: date,
      daysGiven: 1,
      daysRequired,
      complete: daysRequired <= 1,
    });
  }
  const last = result.at(-1);
  const inProgress = last ? !last.complete : false;
  return {
    courses: result,
    lastDoseOn: last?.lastDoseOn ?? null,
    nextCourseEarliestOn: last && !inProgress ? addMonths(last.lastDoseOn, courses.minMonthsBetweenCourses) : null,
    inProgress,
  };
}

/**
 * Whether a dose on `date` may be recorded after the doses already given, and which course and
 * day it is. Only forward recording is accepted: a date before the last dose is refused.
 */
export function checkNewInfusion(courses: TCourses, doseDates: readonly string[], date: string): NewInfusionCheck {
  if (!isIsoDate(date)) throw new Error(`Not a calendar date: ${date}`);
  const given = sortedUnique(doseDates);
  if (given.includes(date)) {
    return { ok: false, code: "DUPLICATE_DATE", message: `An infusion is already recorded on ${date}.` };
  }
  const summary = summarizeCourses(courses, given);
  const last = summary.courses.at(-1);
  if (!last) return { ok: true, courseNumber: 1, dayInCourse: 1 };
  if (date < last.lastDoseOn) {
    return {
      ok: false,
      code: "BEFORE_PREVIOUS_DOSE",
      message: `The last recorded infusion was on ${last.lastDoseOn}; infusions are recorded in order, so ${date} cannot be added now.`,
    };
  }
  if (!last.complete && date === addDays(last.lastDoseOn, 1)) {
    return { ok: true, courseNumber: last.number, dayInCourse: last.daysGiven + 1 };
  }
  const earliest = addMonths(last.lastDoseOn, courses.minMonthsBetweenCourses);
  if (date >= earliest) return { ok: true, courseNumber: last.number + 1, dayInCourse: 1 };
  if (!last.complete) {
    return {
      ok: false,
      code: "NOT_CONSECUTIVE",
      message: `Course ${last.number} has ${last.daysGiven} of ${last.daysRequired} days; its next day must be ${addDays(last.lastDoseOn, 1)} (consecutive days). A new course may start on ${earliest} at the earliest.`,
    };
  }
  return {
    ok: false,
    code: "COURSE_INTERVAL_TOO_SHORT",
    message: `Course ${last.number} ended on ${last.lastDoseOn}; the next course may start ${courses.minMonthsBetweenCourses} months later, on ${earliest} at the earliest.`,
  };
}
