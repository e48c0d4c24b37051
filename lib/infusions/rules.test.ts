import { describe, expect, it } from "vitest";
import { addDays } from "../monitoring/rules";
import type { MonitoringFacts } from "../monitoring/types";
import { lemtrada } from "../programs/lemtrada";
import type { TCourses, TMonitoring } from "../programs/schema";
import { type InfusionToCheck, infusionConcerns, previousCourseLastDoseOn, unacknowledgedConcerns } from "./rules";

const monitoring = lemtrada.monitoring as TMonitoring;
const courses = lemtrada.courses as TCourses;
const BASELINE = monitoring.baseline.testCodes;
const DA = "DA-7K2M-9QXP-4";

function facts(overrides: Partial<MonitoringFacts> = {}): MonitoringFacts {
  return { doseDates: [], results: [], statusFormDates: [], enrolledOn: "2026-01-05", ...overrides };
}

function on(day: string, codes: readonly string[] = BASELINE) {
  return codes.map((testCode) => ({ testCode, collectedOn: day }));
}

function day1(infusedOn: string, overrides: Partial<InfusionToCheck> = {}): InfusionToCheck {
  return { infusedOn, courseNumber: 1, dayInCourse: 1, authorizationNumber: DA, ...overrides };
}

const codes = (list: { code: string }[]) => list.map((c) => c.code);

describe("infusionConcerns", () => {
  it("finds nothing when every baseline is fresh, nothing is overdue and an authorization is named", () => {
    expect(infusionConcerns(monitoring, facts({ results: on("2026-02-01") }), day1("2026-02-10"))).toEqual([]);
  });

  it("with nothing recorded and no authorization: names every missing baseline test and the missing authorization", () => {
    const concerns = infusionConcerns(monitoring, facts(), day1("2026-02-10", { authorizationNumber: null }));
    expect(concerns).toEqual([
      {
        code: "BASELINE_LABS_MISSING",
        message:
          "Baseline tests missing for course 1 (first infusion 10 Feb 2026): Complete blood count with differential, Serum creatinine, Urinalysis with urine cell counts, Thyroid function (TSH) and Skin examination. Each result is needed within 30 days before the first infusion of the course.",
      },
      {
        code: "NO_DISPENSE_AUTHORIZATION",
        message:
          "No dispense authorization for course 1 is named: nothing shows that the drug infused was dispensed for this patient under a registry authorization.",
      },
    ]);
  });

  it("names a baseline result more than 30 days before the course start, with its date", () => {
    const results = [...on("2026-02-01", BASELINE.slice(0, 4)), ...on("2026-01-05", ["SKIN_EXAM"])];
    const concerns = infusionConcerns(monitoring, facts({ results }), day1("2026-02-10"));
    expect(concerns).toEqual([
      {
        code: "BASELINE_LABS_STALE",
        message:
          "Baseline tests too old for course 1, more than 30 days before its first infusion on 10 Feb 2026: Skin examination (last 5 Jan 2026).",
      },
    ]);
    // 30 days before is still fresh.
    const edge = [...on("2026-02-01", BASELINE.slice(0, 4)), ...on("2026-01-11", ["SKIN_EXAM"])];
    expect(infusionConcerns(monitoring, facts({ results: edge }), day1("2026-02-10"))).toEqual([]);
  });

  it("judges every day of a course against the course's first day", () => {
    // Baseline 28 days before day 1: fresh for the whole course, though day 3 is 30 days after it.
    const course = ["2026-02-10", "2026-02-11"];
    const results = on(addDays("2026-02-10", -28));
    const day3 = { infusedOn: "2026-02-12", courseNumber: 1, dayInCourse: 3, authorizationNumber: DA };
    expect(infusionConcerns(monitoring, facts({ results, doseDates: course }), day3)).toEqual([]);
    // A baseline result taken during the course does not make up for a missing one.
    const late = infusionConcerns(monitoring, facts({ doseDates: course, results: on("2026-02-11") }), day3);
    expect(codes(late)).toEqual(["BASELINE_LABS_MISSING"]);
    expect(late[0]?.message).toContain("course 1 (first infusion 10 Feb 2026)");
  });

  it("reads the facts as they stood on the infusion day when an earlier day is recorded", () => {
    const results = on("2026-02-20");
    const statusFormDates = ["2026-02-20"];
    const concerns = infusionConcerns(
      monitoring,
      facts({ results, statusFormDates }),
      day1("2026-02-10", { authorizationNumber: null }),
    );
    expect(codes(concerns)).toEqual(["BASELINE_LABS_MISSING", "NO_DISPENSE_AUTHORIZATION"]);
  });

  it("names overdue monitoring and an overdue Patient Status Form on the day of a later course", () => {
    // Course 1 in February 2026; monthly labs until May, then nothing; no status form ever.
    const course1 = ["2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06"];
    const monthly = ["2026-03-01", "2026-04-01", "2026-05-01"].flatMap((d) =>
      on(d, ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS"]),
    );
    const baseline = on("2027-02-01");
    const concerns = infusionConcerns(monitoring, facts({ doseDates: course1, results: [...monthly, ...baseline] }), {
      infusedOn: "2027-02-10",
      courseNumber: 2,
      dayInCourse: 1,
      authorizationNumber: DA,
    });
    expect(codes(concerns)).toEqual(["STATUS_FORM_OVERDUE"]);
    // The same patient a month before the new baseline draw: monthly labs and TSH were overdue.
    const earlier = infusionConcerns(monitoring, facts({ doseDates: course1, results: monthly }), {
      infusedOn: "2026-09-01",
      courseNumber: 2,
      dayInCourse: 1,
      authorizationNumber: DA,
    });
    expect(codes(earlier)).toEqual([
      "BASELINE_LABS_MISSING",
      "BASELINE_LABS_STALE",
      "MONITORING_OVERDUE",
      "STATUS_FORM_OVERDUE",
    ]);
    expect(earlier[2]?.message).toBe(
      "Safety monitoring overdue on 1 Sep 2026: Complete blood count with differential (was due 1 Jun 2026), Serum creatinine (was due 1 Jun 2026), Urinalysis with urine cell counts (was due 1 Jun 2026) and Thyroid function (TSH) (was due 5 May 2026).",
    );
    expect(earlier[3]?.message).toBe("The Patient Status Form was overdue on 1 Sep 2026 (it was due 5 Jul 2026).");
  });

  it("asks only for an authorization when the programme has no monitoring", () => {
    expect(codes(infusionConcerns(null, facts(), day1("2026-02-10", { authorizationNumber: null })))).toEqual([
      "NO_DISPENSE_AUTHORIZATION",
    ]);
    expect(infusionConcerns(null, facts(), day1("2026-02-10"))).toEqual([]);
  });
});

describe("unacknowledgedConcerns", () => {
  it("leaves the points whose codes were not acknowledged", () => {
    const concerns = infusionConcerns(monitoring, facts(), day1("2026-02-10", { authorizationNumber: null }));
    expect(codes(unacknowledgedConcerns(concerns, []))).toEqual(["BASELINE_LABS_MISSING", "NO_DISPENSE_AUTHORIZATION"]);
    expect(codes(unacknowledgedConcerns(concerns, ["NO_DISPENSE_AUTHORIZATION"]))).toEqual(["BASELINE_LABS_MISSING"]);
    expect(unacknowledgedConcerns(concerns, ["BASELINE_LABS_MISSING", "NO_DISPENSE_AUTHORIZATION"])).toEqual([]);
  });
});

describe("previousCourseLastDoseOn", () => {
  it("is the last dose of the course before, or null in the first course", () => {
    const course1 = ["2025-02-02", "2025-02-03", "2025-02-04", "2025-02-05", "2025-02-06"];
    expect(previousCourseLastDoseOn(courses, course1.slice(0, 2), 1)).toBeNull();
    expect(previousCourseLastDoseOn(courses, course1, 2)).toBe("2025-02-06");
    expect(previousCourseLastDoseOn(courses, [...course1, "2026-03-01"], 2)).toBe("2025-02-06");
  });
});
