import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import type { TMonitoring } from "../programs/schema";
import { decideDispense } from "../dispensing/rules";
import type { DispenseFacts } from "../dispensing/facts";
import {
  addDays,
  addMonths,
  attentionItems,
  baselineStatus,
  dayFromNumber,
  describeAttention,
  describeBaseline,
  dayNumber,
  monitoringSchedule,
  STATE_LABELS,
  STATE_ORDER,
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

  it("before the first dose a fresh baseline test is not applicable, the status form runs from enrollment", () => {
    const schedule = monitoringSchedule(
      monitoring,
      facts({ results: CODES.map((testCode) => ({ testCode, collectedOn: "2025-01-05" })) }),
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
    // A fresh baseline leaves nothing to do: monitoring itself begins with the first dose.
    expect(item(schedule, "CBC_DIFF").state).toBe("not_applicable");
    expect(item(schedule, "SERUM_CREATININE").state).toBe("baseline_stale");
    expect(item(schedule, "URINALYSIS").state).toBe("baseline_missing");
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

describe("the overall state of a patient not yet dosed", () => {
  const ENROLLED = "2025-01-01";
  const TODAY = "2025-01-20";

  it("with nothing recorded at all: baseline tests missing, each listed in words, never up to date", () => {
    const schedule = monitoringSchedule(monitoring, facts({ enrolledOn: ENROLLED }), TODAY);
    expect(schedule.overall).toBe("baseline_missing");
    expect(STATE_LABELS[schedule.overall]).toBe("Baseline tests missing");
    const attention = attentionItems(schedule);
    expect(attention.map((i) => i.code)).toEqual(monitoring.baseline.testCodes);
    expect(attention.map(describeAttention)).toEqual([
      "Complete blood count with differential (baseline missing)",
      "Serum creatinine (baseline missing)",
      "Urinalysis with urine cell counts (baseline missing)",
      "Thyroid function (TSH) (baseline missing)",
      "Skin examination (baseline missing)",
    ]);
    // The status form is not due for months: on its own it would read "Up to date".
    expect(item(schedule, STATUS_FORM_CODE).state).toBe("ok");
  });

  it("with some baseline results: missing while any is missing, too old once only old ones are left", () => {
    const some = [
      { testCode: "CBC_DIFF", collectedOn: "2025-01-15" },
      { testCode: "TSH", collectedOn: "2025-01-15" },
      { testCode: "SKIN_EXAM", collectedOn: "2024-11-01" },
    ];
    const schedule = monitoringSchedule(monitoring, facts({ enrolledOn: ENROLLED, results: some }), TODAY);
    expect(schedule.overall).toBe("baseline_missing");
    expect(attentionItems(schedule).map(describeAttention)).toEqual([
      "Serum creatinine (baseline missing)",
      "Urinalysis with urine cell counts (baseline missing)",
      "Skin examination (baseline too old, last 1 Nov 2024)",
    ]);
    const rest = [
      { testCode: "SERUM_CREATININE", collectedOn: "2025-01-15" },
      { testCode: "URINALYSIS", collectedOn: "2025-01-15" },
    ];
    const onlyStale = monitoringSchedule(
      monitoring,
      facts({ enrolledOn: ENROLLED, results: [...some, ...rest] }),
      TODAY,
    );
    expect(onlyStale.overall).toBe("baseline_stale");
    expect(STATE_LABELS[onlyStale.overall]).toBe("Baseline tests too old");
    expect(attentionItems(onlyStale).map((i) => i.code)).toEqual(["SKIN_EXAM"]);
  });

  it("with every baseline result fresh and no dose yet: up to date, nothing to act on", () => {
    const all = CODES.map((testCode) => ({ testCode, collectedOn: "2025-01-15" }));
    const schedule = monitoringSchedule(monitoring, facts({ enrolledOn: ENROLLED, results: all }), TODAY);
    expect(schedule.overall).toBe("ok");
    expect(attentionItems(schedule)).toEqual([]);
    // The same results 31 days on no longer do for a first dose.
    const later = monitoringSchedule(monitoring, facts({ enrolledOn: ENROLLED, results: all }), "2025-02-15");
    expect(later.overall).toBe("baseline_stale");
    expect(attentionItems(later)).toHaveLength(CODES.length);
  });

  it("after the first dose: monitoring runs from the dose and the baseline states are gone", () => {
    // The day before, the same patient with nothing recorded could not start.
    const before = monitoringSchedule(monitoring, facts({ enrolledOn: ENROLLED }), "2025-01-17");
    expect(before.overall).toBe("baseline_missing");
    const dosed = monitoringSchedule(
      monitoring,
      facts({ enrolledOn: ENROLLED, doseDates: ["2025-01-18", "2025-01-19"] }),
      TODAY,
    );
    expect(dosed.items.every((i) => i.state !== "baseline_missing" && i.state !== "baseline_stale")).toBe(true);
    expect(dosed.items.every((i) => i.baseline === undefined)).toBe(true);
    expect(item(dosed, "CBC_DIFF")).toMatchObject({ state: "ok", nextDueOn: "2025-02-18" });
    expect(dosed.overall).toBe("ok");
    expect(attentionItems(dosed)).toEqual([]);
  });

  it("lists overdue before missing baselines, which sort before due-soon items", () => {
    expect(STATE_ORDER.indexOf("overdue")).toBeLessThan(STATE_ORDER.indexOf("baseline_missing"));
    expect(STATE_ORDER.indexOf("baseline_missing")).toBeLessThan(STATE_ORDER.indexOf("baseline_stale"));
    expect(STATE_ORDER.indexOf("baseline_stale")).toBeLessThan(STATE_ORDER.indexOf("due_soon"));
    // Enrolled seven months ago, no status form, no baseline: the overdue form comes first.
    const late = monitoringSchedule(monitoring, facts({ enrolledOn: "2024-06-01" }), TODAY);
    expect(late.overall).toBe("overdue");
    expect(attentionItems(late).map((i) => i.code)).toEqual([STATUS_FORM_CODE, ...monitoring.baseline.testCodes]);
    expect(describeAttention(item(late, STATUS_FORM_CODE))).toBe("Patient Status Form (overdue, was due 1 Dec 2024)");
  });
});

describe("the schedule and the dispense gate agree on baselines before the first dose", () => {
  function gateFacts(f: MonitoringFacts): DispenseFacts {
    return {
      programCode: "LEMTRADA",
      ndc: lemtrada.ndcs[0] ?? "",
      quantity: 1,
      pharmacy: { certificationStatus: "CERTIFIED" },
      prescriber: { id: "pr-1", certificationStatus: "CERTIFIED" },
      patient: { id: "pt-1", enrollmentStatus: "ENROLLED", prescriberId: "pr-1", healthcareSettingId: "hs-1", ...f },
      setting: { id: "hs-1", certificationStatus: "CERTIFIED" },
      duplicate: null,
    };
  }

  it("a test the schedule calls missing or too old is one the gate refuses a first dispense for", () => {
    const base = dayNumber("2025-01-01");
    const day = fc.integer({ min: 0, max: 120 }).map((n) => dayFromNumber(base + n));
    const result = fc.record({ testCode: fc.constantFrom(...CODES), collectedOn: day });
    fc.assert(
      fc.property(fc.array(result, { maxLength: 12 }), day, (results, today) => {
        const f = facts({ enrolledOn: "2025-01-01", results });
        const schedule = monitoringSchedule(monitoring, f, today);
        const decision = decideDispense(gateFacts(f), lemtrada, new Date(`${today}T12:00:00Z`));
        const reason = (code: string) => decision.reasons.find((r) => r.code === code)?.message ?? null;
        for (const [state, code] of [
          ["baseline_missing", "BASELINE_LABS_MISSING"],
          ["baseline_stale", "BASELINE_LABS_STALE"],
        ] as const) {
          const names = schedule.items.filter((i) => i.state === state).map((i) => i.name);
          const message = reason(code);
          expect(message === null, `${code} on ${today}`).toBe(names.length === 0);
          for (const name of names) expect(message).toContain(name);
        }
        // "Up to date" (or due soon) before the first dose only when the gate has no baseline reason.
        if (schedule.overall === "ok" || schedule.overall === "due_soon") {
          expect(reason("BASELINE_LABS_MISSING")).toBeNull();
          expect(reason("BASELINE_LABS_STALE")).toBeNull();
        }
      }),
      { numRuns: 300 },
    );
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
