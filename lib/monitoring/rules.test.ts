import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import type { TMonitoring } from "../programs/schema";
import {
  addDays,
  addMonths,
  baselineStatus,
  dayFromNumber,
  describeBaseline,
  dayNumber,
  monitoringSchedule,
  stateRank,
  worstState,
} from "./rules";
import { type MonitoringFacts, STATUS_FORM_CODE } from "./types";

const monitoring = lemtrada.monitoring as TMonitoring;
const CODES = monitoring.testTypes.map((t) => t.code);

function facts(overrides: Partial<MonitoringFacts> = {}): MonitoringFacts {
  return { doseDates: [], results: [], statusFormDates: [], enrolledOn: "2025-01-01", ...overrides };
}

function item(schedule: ReturnType<typeof monitoringSchedule>, code: string) {
  const found = schedule.items.find((i) => i.code === code);
  if (!found) throw new Error(`no item ${code}`);
  return found;
}

const course1 = ["2025-02-03", "2025-02-04", "2025-02-05", "2025-02-06", "2025-02-07"];

describe("day arithmetic", () => {
  it("adds days across month and year ends", () => {
    expect(addDays("2024-12-31", 1)).toBe("2025-01-01");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2025-03-01", -1)).toBe("2025-02-28");
  });

  it("adds months, clamping to the end of the month", () => {
    expect(addMonths("2025-01-31", 1)).toBe("2025-02-28");
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2024-02-29", 48)).toBe("2028-02-29");
    expect(addMonths("2024-02-29", 12)).toBe("2025-02-28");
    expect(addMonths("2025-08-15", 6)).toBe("2026-02-15");
    expect(addMonths("2025-11-30", -9)).toBe("2025-02-28");
  });

  it("refuses impossible dates", () => {
    expect(() => dayNumber("2025-02-30")).toThrow(RangeError);
    expect(() => dayNumber("2025-2-3")).toThrow(RangeError);
  });
});

describe("monitoringSchedule", () => {
  it("lists every test type in order, then the status form", () => {
    const schedule = monitoringSchedule(monitoring, facts(), "2025-01-10");
    expect(schedule.items.map((i) => i.code)).toEqual([...CODES, STATUS_FORM_CODE]);
  });

  it("before the first dose tests are not applicable, the status form runs from enrollment", () => {
    const schedule = monitoringSchedule(
      monitoring,
      facts({ results: [{ testCode: "TSH", collectedOn: "2025-01-05" }] }),
      "2025-01-10",
    );
    expect(item(schedule, "TSH")).toMatchObject({ lastOn: "2025-01-05", nextDueOn: null, state: "not_applicable" });
    expect(item(schedule, STATUS_FORM_CODE)).toMatchObject({ nextDueOn: "2025-07-01", state: "ok" });
    expect(schedule.monitoringEndsOn).toBeNull();
    expect(schedule.overall).toBe("ok");
  });

  it("counts the first interval from the first dose when only baseline results exist", () => {
    const schedule = monitoringSchedule(
      monitoring,
      facts({ doseDates: course1, results: [{ testCode: "CBC_DIFF", collectedOn: "2025-01-20" }] }),
      "2025-02-10",
    );
    // 2025-02-03 + 31 days
    expect(item(schedule, "CBC_DIFF")).toMatchObject({ lastOn: "2025-01-20", nextDueOn: "2025-03-06", state: "ok" });
    expect(item(schedule, "TSH").nextDueOn).toBe("2025-05-06");
    expect(item(schedule, "SKIN_EXAM").nextDueOn).toBe("2026-02-04");
    expect(schedule.monitoringEndsOn).toBe("2029-02-07");
  });

  it("moves through ok, due soon (including the grace period) and overdue", () => {
    const f = facts({ doseDates: course1, results: [{ testCode: "CBC_DIFF", collectedOn: "2025-03-01" }] });
    // due 2025-04-01, due soon from 2025-03-25, overdue after 2025-04-08
    expect(item(monitoringSchedule(monitoring, f, "2025-03-24"), "CBC_DIFF").state).toBe("ok");
    expect(item(monitoringSchedule(monitoring, f, "2025-03-25"), "CBC_DIFF").state).toBe("due_soon");
    expect(item(monitoringSchedule(monitoring, f, "2025-04-01"), "CBC_DIFF").state).toBe("due_soon");
    expect(item(monitoringSchedule(monitoring, f, "2025-04-08"), "CBC_DIFF").state).toBe("due_soon");
    const late = monitoringSchedule(monitoring, f, "2025-04-09");
    expect(item(late, "CBC_DIFF")).toMatchObject({ nextDueOn: "2025-04-01", state: "overdue" });
    expect(late.overall).toBe("overdue");
  });

  it("is due from the last status form, six months on", () => {
    const schedule = monitoringSchedule(
      monitoring,
      facts({ enrolledOn: "2025-01-01", statusFormDates: ["2025-06-20", "2025-03-01"] }),
      "2025-12-01",
    );
    expect(item(schedule, STATUS_FORM_CODE)).toMatchObject({
      lastOn: "2025-06-20",
      nextDueOn: "2025-12-20",
      state: "due_soon",
    });
  });

  it("completes 48 months after the last dose, not before", () => {
    const lastDose = "2025-02-07";
    const endsOn = "2029-02-07";
    const results = CODES.map((code) => ({ testCode: code, collectedOn: "2029-01-20" }));
    const f = facts({ doseDates: course1, results, statusFormDates: ["2029-01-20"] });
    const before = monitoringSchedule(monitoring, f, "2029-02-06");
    expect(before.monitoringEndsOn).toBe(endsOn);
    expect(before.items.every((i) => i.state !== "complete")).toBe(true);
    // CBC due 2029-02-20 is after the end: no further result needed.
    expect(item(before, "CBC_DIFF")).toMatchObject({ state: "ok", nextDueOn: null });
    const after = monitoringSchedule(monitoring, f, addDays(lastDose, 4 * 366));
    expect(after.items.map((i) => i.state)).toEqual(Array(CODES.length + 1).fill("complete"));
    expect(after.overall).toBe("complete");
  });

  it("keeps a result missed during the monitoring period overdue after the end", () => {
    const f = facts({ doseDates: ["2020-01-01"], statusFormDates: ["2023-12-20"] });
    const schedule = monitoringSchedule(monitoring, f, "2030-01-01");
    expect(item(schedule, "CBC_DIFF")).toMatchObject({ state: "overdue", nextDueOn: "2020-02-01" });
    expect(item(schedule, STATUS_FORM_CODE).state).toBe("complete");
  });

  it("never completes when the programme monitors for as long as treatment continues", () => {
    const unlimited: TMonitoring = { ...monitoring, continueMonthsAfterLastDose: null };
    const schedule = monitoringSchedule(unlimited, facts({ doseDates: ["2010-01-01"] }), "2030-01-01");
    expect(schedule.monitoringEndsOn).toBeNull();
    expect(schedule.items.every((i) => i.state === "overdue")).toBe(true);
  });
});

describe("baselineStatus", () => {
  it("needs every baseline test within 30 days before the course start", () => {
    const checks = baselineStatus(
      monitoring,
      [
        { testCode: "CBC_DIFF", collectedOn: "2025-01-04" },
        { testCode: "SERUM_CREATININE", collectedOn: "2025-01-03" },
        { testCode: "URINALYSIS", collectedOn: "2025-02-05" },
        { testCode: "TSH", collectedOn: "2025-02-03" },
      ],
      "2025-02-03",
    );
    expect(checks.map((c) => [c.code, c.ok, c.problem, c.lastOn])).toEqual([
      ["CBC_DIFF", true, null, "2025-01-04"],
      ["SERUM_CREATININE", false, "stale", "2025-01-03"],
      ["URINALYSIS", false, "missing", null],
      ["TSH", true, null, "2025-02-03"],
      ["SKIN_EXAM", false, "missing", null],
    ]);
    expect(checks[0]?.name).toBe("Complete blood count with differential");
  });
});

describe("baseline state in the schedule before the first dose", () => {
  const results = [
    { testCode: "CBC_DIFF", collectedOn: "2025-01-04" },
    { testCode: "SERUM_CREATININE", collectedOn: "2024-11-20" },
    { testCode: "TSH", collectedOn: "2025-01-20" },
    { testCode: "TSH", collectedOn: "2024-10-01" },
  ];

  it("gives each baseline test fresh-until, stale or missing for a course starting today", () => {
    const schedule = monitoringSchedule(monitoring, facts({ results }), "2025-01-25");
    expect(item(schedule, "CBC_DIFF").baseline).toEqual({
      state: "fresh",
      lastOn: "2025-01-04",
      freshUntil: "2025-02-03",
    });
    expect(item(schedule, "SERUM_CREATININE").baseline).toEqual({
      state: "stale",
      lastOn: "2024-11-20",
      freshUntil: "2024-12-20",
    });
    expect(item(schedule, "URINALYSIS").baseline).toEqual({ state: "missing", lastOn: null, freshUntil: null });
    expect(item(schedule, "TSH").baseline).toEqual({ state: "fresh", lastOn: "2025-01-20", freshUntil: "2025-02-19" });
    // The state stays "not started": monitoring itself begins with the first dose.
    expect(item(schedule, "CBC_DIFF").state).toBe("not_applicable");
  });

  it("turns fresh into stale the day after the result stops counting", () => {
    const onLastDay = monitoringSchedule(monitoring, facts({ results }), "2025-02-03");
    expect(item(onLastDay, "CBC_DIFF").baseline?.state).toBe("fresh");
    const dayAfter = monitoringSchedule(monitoring, facts({ results }), "2025-02-04");
    expect(item(dayAfter, "CBC_DIFF").baseline?.state).toBe("stale");
  });

  it("agrees with baselineStatus for a course starting today", () => {
    const today = "2025-01-25";
    const schedule = monitoringSchedule(monitoring, facts({ results }), today);
    for (const check of baselineStatus(monitoring, results, today)) {
      const state = item(schedule, check.code).baseline?.state;
      expect(state, check.code).toBe(check.ok ? "fresh" : check.problem);
    }
  });

  it("is absent once dosing has started, and for tests that are not baseline tests", () => {
    const dosed = monitoringSchedule(monitoring, facts({ results, doseDates: course1 }), "2025-02-10");
    for (const i of dosed.items) expect(i.baseline, i.code).toBeUndefined();
    const before = monitoringSchedule(monitoring, facts({ results }), "2025-01-25");
    const baselineCodes = new Set(monitoring.baseline.testCodes);
    for (const i of before.items.filter((x) => !baselineCodes.has(x.code))) expect(i.baseline, i.code).toBeUndefined();
  });

  it("says it in words with the formatted date", () => {
    expect(describeBaseline({ state: "fresh", lastOn: "2025-01-04", freshUntil: "2025-02-03" })).toBe(
      "Baseline fresh until 3 Feb 2025",
    );
    expect(describeBaseline({ state: "stale", lastOn: "2024-11-20", freshUntil: "2024-12-20" })).toBe(
      "Baseline too old (last 20 Nov 2024): repeat before the first dose",
    );
    expect(describeBaseline({ state: "missing", lastOn: null, freshUntil: null })).toBe("Baseline missing");
  });
});

// ---------------------------------------------------------------------------
// Properties

const BASE = dayNumber("2024-01-01");
const arbDay = fc.integer({ min: 0, max: 3650 }).map((n) => dayFromNumber(BASE + n));
const arbResult = fc.record({ testCode: fc.constantFrom(...CODES), collectedOn: arbDay });
const arbFacts = fc.record({
  doseDates: fc.array(arbDay, { maxLength: 8 }),
  results: fc.array(arbResult, { maxLength: 20 }),
  statusFormDates: fc.array(arbDay, { maxLength: 4 }),
  enrolledOn: arbDay,
});

describe("monitoringSchedule properties", () => {
  it("never calls anything complete before monitoring ends (48 months after the last dose)", () => {
    fc.assert(
      fc.property(arbFacts, arbDay, (f, today) => {
        const schedule = monitoringSchedule(monitoring, f, today);
        if (schedule.items.some((i) => i.state === "complete")) {
          const lastDose = [...f.doseDates].sort().at(-1) ?? "";
          expect(today >= addMonths(lastDose, 48)).toBe(true);
          expect(schedule.monitoringEndsOn).toBe(addMonths(lastDose, 48));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("adding a result never makes a state worse", () => {
    fc.assert(
      fc.property(arbFacts, arbResult, arbDay, (f, extra, today) => {
        const before = monitoringSchedule(monitoring, f, today);
        const after = monitoringSchedule(monitoring, { ...f, results: [...f.results, extra] }, today);
        before.items.forEach((item, i) => {
          expect(stateRank(after.items[i]?.state ?? "overdue")).toBeGreaterThanOrEqual(stateRank(item.state));
        });
        expect(stateRank(after.overall)).toBeGreaterThanOrEqual(stateRank(before.overall));
      }),
      { numRuns: 500 },
    );
  });

  it("adding a status form never makes a state worse", () => {
    fc.assert(
      fc.property(arbFacts, arbDay, arbDay, (f, extra, today) => {
        const before = monitoringSchedule(monitoring, f, today);
        const after = monitoringSchedule(monitoring, { ...f, statusFormDates: [...f.statusFormDates, extra] }, today);
        expect(stateRank(after.overall)).toBeGreaterThanOrEqual(stateRank(before.overall));
      }),
    );
  });

  it("an ok item's due date is never before today", () => {
    fc.assert(
      fc.property(arbFacts, arbDay, (f, today) => {
        for (const item of monitoringSchedule(monitoring, f, today).items) {
          if (item.state === "ok" && item.nextDueOn !== null) expect(item.nextDueOn > today).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("the overall state is the worst item state", () => {
    fc.assert(
      fc.property(arbFacts, arbDay, (f, today) => {
        const schedule = monitoringSchedule(monitoring, f, today);
        expect(schedule.overall).toBe(worstState(schedule.items.map((i) => i.state)));
        for (const item of schedule.items)
          expect(stateRank(schedule.overall)).toBeLessThanOrEqual(stateRank(item.state));
      }),
    );
  });

  it("addMonths lands in the right month, on the same day or the month's last day", () => {
    fc.assert(
      fc.property(arbDay, fc.integer({ min: -60, max: 60 }), (day, months) => {
        const result = addMonths(day, months);
        const [y, m] = day.split("-").map(Number) as [number, number];
        const index = y * 12 + m - 1 + months;
        expect(result.slice(0, 7)).toBe(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`);
        const d = Number(day.slice(8));
        const rd = Number(result.slice(8));
        expect(rd === d || (rd < d && addDays(result, 1).slice(8) === "01")).toBe(true);
      }),
    );
  });
});
