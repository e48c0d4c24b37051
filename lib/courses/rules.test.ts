import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import type { TCourses } from "../programs/schema";
import { addDays, addMonths, daysBetween, isIsoDate } from "./dates";
import { checkNewInfusion, summarizeCourses } from "./rules";

const courses = lemtrada.courses as TCourses;

function days(start: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addDays(start, i));
}

describe("dates", () => {
  it("adds months, clamping to the end of shorter months", () => {
    expect(addMonths("2025-01-31", 1)).toBe("2025-02-28");
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2025-03-15", 12)).toBe("2026-03-15");
    expect(addMonths("2024-02-29", 12)).toBe("2025-02-28");
  });
  it("recognises real calendar dates only", () => {
    expect(isIsoDate("2025-02-28")).toBe(true);
    expect(isIsoDate("2025-02-30")).toBe(false);
    expect(isIsoDate("2025-2-3")).toBe(false);
    expect(daysBetween("2025-12-30", "2026-01-02")).toBe(3);
  });
});

describe("summarizeCourses", () => {
  it("has nothing before the first dose", () => {
    expect(summarizeCourses(courses, [])).toEqual({
      courses: [],
      lastDoseOn: null,
      nextCourseEarliestOn: null,
      inProgress: false,
    });
  });

  it("groups a complete first course of 5 days and a second of 3, whatever the input order", () => {
    const doses = [...days("2024-03-04", 5), ...days("2025-04-01", 3)].reverse();
    const summary = summarizeCourses(courses, doses);
    expect(summary.courses).toEqual([
      { number: 1, firstDoseOn: "2024-03-04", lastDoseOn: "2024-03-08", daysGiven: 5, daysRequired: 5, complete: true },
      { number: 2, firstDoseOn: "2025-04-01", lastDoseOn: "2025-04-03", daysGiven: 3, daysRequired: 3, complete: true },
    ]);
    expect(summary.lastDoseOn).toBe("2025-04-03");
    expect(summary.nextCourseEarliestOn).toBe("2026-04-03");
    expect(summary.inProgress).toBe(false);
  });

  it("reports a course in progress and no next-course date while it lasts", () => {
    const summary = summarizeCourses(courses, days("2025-06-02", 2));
    expect(summary.inProgress).toBe(true);
    expect(summary.nextCourseEarliestOn).toBeNull();
    expect(summary.courses[0]).toMatchObject({ daysGiven: 2, daysRequired: 5, complete: false });
  });

  it("starts a new course after a full course even on the next day (the data says so; checkNewInfusion refuses it)", () => {
    const summary = summarizeCourses(courses, days("2025-06-02", 6));
    expect(summary.courses.map((c) => c.daysGiven)).toEqual([5, 1]);
  });
});

describe("checkNewInfusion", () => {
  it("accepts the first dose as course 1 day 1, then consecutive days", () => {
    expect(checkNewInfusion(courses, [], "2025-06-02")).toEqual({ ok: true, courseNumber: 1, dayInCourse: 1 });
    expect(checkNewInfusion(courses, days("2025-06-02", 4), "2025-06-06")).toEqual({
      ok: true,
      courseNumber: 1,
      dayInCourse: 5,
    });
  });

  it("refuses a date already recorded", () => {
    expect(checkNewInfusion(courses, days("2025-06-02", 2), "2025-06-03")).toMatchObject({
      ok: false,
      code: "DUPLICATE_DATE",
    });
  });

  it("refuses a date before the last dose", () => {
    expect(checkNewInfusion(courses, days("2025-06-02", 3), "2025-06-01")).toMatchObject({
      ok: false,
      code: "BEFORE_PREVIOUS_DOSE",
    });
  });

  it("refuses a gap inside a course", () => {
    const result = checkNewInfusion(courses, days("2025-06-02", 3), "2025-06-06");
    expect(result).toMatchObject({ ok: false, code: "NOT_CONSECUTIVE" });
    if (!result.ok) expect(result.message).toContain("2025-06-05");
  });

  it("refuses a sixth day and a second course before 12 months", () => {
    const first = days("2025-06-02", 5);
    expect(checkNewInfusion(courses, first, "2025-06-07")).toMatchObject({
      ok: false,
      code: "COURSE_INTERVAL_TOO_SHORT",
    });
    const early = checkNewInfusion(courses, first, "2026-06-05");
    expect(early).toMatchObject({ ok: false, code: "COURSE_INTERVAL_TOO_SHORT" });
    if (!early.ok) expect(early.message).toContain("2026-06-06");
  });

  it("accepts course 2 exactly 12 months after the last dose, for 3 days only", () => {
    const first = days("2025-06-02", 5);
    expect(checkNewInfusion(courses, first, "2026-06-06")).toEqual({ ok: true, courseNumber: 2, dayInCourse: 1 });
    const second = [...first, ...days("2026-06-06", 3)];
    expect(checkNewInfusion(courses, second, "2026-06-09")).toMatchObject({
      ok: false,
      code: "COURSE_INTERVAL_TOO_SHORT",
    });
    expect(checkNewInfusion(courses, second, "2027-06-08")).toEqual({ ok: true, courseNumber: 3, dayInCourse: 1 });
  });

  it("lets an interrupted course be followed by a new course after the interval", () => {
    const interrupted = days("2025-06-02", 2);
    expect(checkNewInfusion(courses, interrupted, "2026-06-03")).toEqual({ ok: true, courseNumber: 2, dayInCourse: 1 });
  });
});

describe("course properties", () => {
  // Candidate doses: a start date and gaps of 1 day (the usual case), a few days, or about a year.
  const gap = fc.oneof(
    { weight: 6, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }) },
    { weight: 2, arbitrary: fc.integer({ min: 330, max: 400 }) },
  );
  const attempts = fc.record({
    start: fc.integer({ min: 0, max: 3650 }).map((n) => addDays("2020-01-01", n)),
    gaps: fc.array(gap, { maxLength: 40 }),
  });

  function replay({ start, gaps }: { start: string; gaps: number[] }) {
    const accepted: { date: string; courseNumber: number; dayInCourse: number }[] = [];
    let candidate = start;
    const candidates = [start, ...gaps.map((g) => (candidate = addDays(candidate, g)))];
    for (const date of candidates) {
      const result = checkNewInfusion(
        courses,
        accepted.map((a) => a.date),
        date,
      );
      if (result.ok) accepted.push({ date, courseNumber: result.courseNumber, dayInCourse: result.dayInCourse });
    }
    return accepted;
  }

  it("never lets two courses start closer than the minimum interval after the previous last dose", () => {
    fc.assert(
      fc.property(attempts, (input) => {
        const summary = summarizeCourses(
          courses,
          replay(input).map((a) => a.date),
        );
        for (let i = 1; i < summary.courses.length; i++) {
          const previous = summary.courses[i - 1];
          const next = summary.courses[i];
          if (!previous || !next) continue;
          expect(next.firstDoseOn >= addMonths(previous.lastDoseOn, courses.minMonthsBetweenCourses)).toBe(true);
        }
      }),
    );
  });

  it("never gives a day in course beyond the course's consecutive days, and agrees with the summary", () => {
    fc.assert(
      fc.property(attempts, (input) => {
        const accepted = replay(input);
        const summary = summarizeCourses(
          courses,
          accepted.map((a) => a.date),
        );
        for (const dose of accepted) {
          const limit = dose.courseNumber === 1 ? courses.first.consecutiveDays : courses.subsequent.consecutiveDays;
          expect(dose.dayInCourse).toBeGreaterThanOrEqual(1);
          expect(dose.dayInCourse).toBeLessThanOrEqual(limit);
          const course = summary.courses[dose.courseNumber - 1];
          expect(course).toBeDefined();
          expect(daysBetween(course?.firstDoseOn ?? dose.date, dose.date)).toBe(dose.dayInCourse - 1);
        }
      }),
    );
  });

  it("never accepts a date already given or before the last dose", () => {
    fc.assert(
      fc.property(attempts, fc.integer({ min: 0, max: 39 }), (input, pick) => {
        const accepted = replay(input).map((a) => a.date);
        const existing = accepted[pick % Math.max(accepted.length, 1)];
        if (!existing) return;
        expect(checkNewInfusion(courses, accepted, existing).ok).toBe(false);
        const last = accepted.at(-1) as string;
        expect(checkNewInfusion(courses, accepted, addDays(last, -1)).ok).toBe(false);
      }),
    );
  });
});
