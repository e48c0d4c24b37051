import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import type { TNonComplianceMeasure } from "../programs/schema";
import {
  addDaysIso,
  allowedSteps,
  CASE_STATES,
  CASE_STEPS,
  type CaseFacts,
  type CaseState,
  type CaseStep,
  caseOutcome,
  decideStep,
  evaluateSteps,
  formatCaseNumber,
  isOverdue,
  ladderPosition,
  MAX_DUE_DAYS,
  parseCaseNumber,
  type Rung,
  STEP_TO_STATE,
  stepNotice,
  summarizeCases,
} from "./rules";

const LADDER: readonly Rung[] = lemtrada.nonCompliance?.ladder ?? [];
const TODAY = "2026-06-10";

function facts(overrides: Partial<CaseFacts> = {}): CaseFacts {
  return {
    state: "OPEN",
    taken: [],
    ladder: LADDER,
    certifiable: true,
    certificationStatus: "CERTIFIED",
    ...overrides,
  };
}

const steps = (f: CaseFacts) => allowedSteps(f, TODAY).map((s) => s.step);

describe("the LEMTRADA ladder", () => {
  it("goes notice → corrective action plan (30 days) → suspension → decertification", () => {
    expect(LADDER.map((r) => r.measure)).toEqual(["NOTICE", "CORRECTIVE_ACTION", "SUSPEND", "DECERTIFY"]);
    expect(LADDER.find((r) => r.measure === "CORRECTIVE_ACTION")?.dueDays).toBe(30);
  });
});

describe("allowedSteps", () => {
  it("offers every measure and closing on a new case against a certified stakeholder", () => {
    expect(steps(facts())).toEqual(["NOTICE", "CORRECTIVE_ACTION", "SUSPEND", "DECERTIFY", "CLOSE"]);
  });

  it("suggests the programme's due date for a corrective action plan", () => {
    const plan = allowedSteps(facts(), TODAY).find((s) => s.step === "CORRECTIVE_ACTION");
    expect(plan?.suggestedDueOn).toBe("2026-07-10");
    expect(plan?.label).toBe("Corrective action plan");
  });

  it("only goes up the ladder after a notice", () => {
    expect(steps(facts({ state: "NOTICE", taken: ["NOTICE"] }))).toEqual([
      "CORRECTIVE_ACTION",
      "SUSPEND",
      "DECERTIFY",
      "CLOSE",
    ]);
  });

  it("lets a running corrective action plan be revised", () => {
    expect(steps(facts({ state: "CORRECTIVE_ACTION", taken: ["NOTICE", "CORRECTIVE_ACTION"] }))).toEqual([
      "CORRECTIVE_ACTION",
      "SUSPEND",
      "DECERTIFY",
      "CLOSE",
    ]);
  });

  it("while suspended offers reinstatement and decertification, not closing", () => {
    const suspended = facts({ state: "SUSPENDED", taken: ["NOTICE", "SUSPEND"], certificationStatus: "SUSPENDED" });
    expect(steps(suspended)).toEqual(["DECERTIFY", "REINSTATE"]);
    expect(evaluateSteps(suspended).find((s) => s.step === "CLOSE")?.why).toMatch(/Reinstate or decertify/);
  });

  it("after reinstatement offers decertification and closing", () => {
    expect(
      steps(facts({ state: "REINSTATED", taken: ["NOTICE", "SUSPEND"], certificationStatus: "CERTIFIED" })),
    ).toEqual(["DECERTIFY", "CLOSE"]);
  });

  it("after decertification only closes; a closed case allows nothing", () => {
    expect(steps(facts({ state: "DECERTIFIED", taken: ["DECERTIFY"], certificationStatus: "DECERTIFIED" }))).toEqual([
      "CLOSE",
    ]);
    expect(steps(facts({ state: "CLOSED", taken: ["NOTICE"] }))).toEqual([]);
  });

  it("never suspends or decertifies a patient (their enrollment is not a certification)", () => {
    const patient = facts({ certifiable: false, certificationStatus: "ENROLLED" });
    expect(steps(patient)).toEqual(["NOTICE", "CORRECTIVE_ACTION", "CLOSE"]);
    expect(evaluateSteps(patient).find((s) => s.step === "SUSPEND")?.why).toMatch(/patient's prescriber/);
  });

  it("does not suspend a stakeholder who is not certified", () => {
    expect(steps(facts({ certificationStatus: "EXPIRED" }))).toEqual(["NOTICE", "CORRECTIVE_ACTION", "CLOSE"]);
    // Suspended through another path: decertification is still possible.
    expect(steps(facts({ certificationStatus: "SUSPENDED" }))).toEqual([
      "NOTICE",
      "CORRECTIVE_ACTION",
      "DECERTIFY",
      "CLOSE",
    ]);
  });

  it("does not reinstate a stakeholder reinstated elsewhere, and lets the case close", () => {
    const f = facts({ state: "SUSPENDED", taken: ["SUSPEND"], certificationStatus: "CERTIFIED" });
    expect(steps(f)).toEqual(["DECERTIFY", "CLOSE"]);
    expect(evaluateSteps(f).find((s) => s.step === "REINSTATE")?.why).toBe(
      "The stakeholder's certification is not suspended.",
    );
  });

  it("offers only the measures a shorter ladder defines", () => {
    const ladder: Rung[] = [
      { measure: "NOTICE", label: "Warning letter" },
      { measure: "DECERTIFY", label: "Removal" },
    ];
    expect(steps(facts({ ladder }))).toEqual(["NOTICE", "DECERTIFY", "CLOSE"]);
    expect(allowedSteps(facts({ ladder }), TODAY)[0]?.label).toBe("Warning letter");
  });

  const anyFacts = fc.record({
    state: fc.constantFrom(...CASE_STATES),
    taken: fc.subarray(["NOTICE", "CORRECTIVE_ACTION", "SUSPEND", "DECERTIFY"] as TNonComplianceMeasure[]),
    certifiable: fc.boolean(),
    certificationStatus: fc.constantFrom("CERTIFIED", "SUSPENDED", "DECERTIFIED", "EXPIRED", "ENROLLED"),
  });

  it("never goes back down the ladder, and closed is final (property)", () => {
    fc.assert(
      fc.property(anyFacts, (raw) => {
        const f = facts(raw);
        const position = ladderPosition(LADDER, f.taken);
        for (const step of steps(f)) {
          expect(f.state).not.toBe("CLOSED");
          const index = LADDER.findIndex((r) => r.measure === step);
          if (index !== -1 && !(step === "CORRECTIVE_ACTION" && f.state === "CORRECTIVE_ACTION")) {
            expect(index).toBeGreaterThan(position);
          }
          if (step === "SUSPEND" || step === "DECERTIFY" || step === "REINSTATE") expect(f.certifiable).toBe(true);
        }
      }),
    );
  });

  it("allowedSteps and decideStep agree on every step (property)", () => {
    fc.assert(
      fc.property(anyFacts, fc.constantFrom(...CASE_STEPS), (raw, step) => {
        const f = facts(raw);
        const decision = decideStep(f, { step, reason: "Because", dueOn: "2026-07-01" }, TODAY);
        expect(decision.ok).toBe(steps(f).includes(step));
        if (decision.ok) expect(decision.to).toBe(STEP_TO_STATE[step]);
      }),
    );
  });
});

describe("decideStep", () => {
  it("requires a reason (blank counts as none) as a field error", () => {
    for (const reason of ["", "   ", "\n\t"]) {
      expect(decideStep(facts(), { step: "NOTICE", reason }, TODAY)).toEqual({
        ok: false,
        code: "REASON_REQUIRED",
        message: "Give the reason for this step.",
        field: "reason",
      });
    }
  });

  it("refuses a step the state does not allow, saying why", () => {
    const result = decideStep(facts({ state: "CLOSED" }), { step: "NOTICE", reason: "x" }, TODAY);
    expect(result).toEqual({ ok: false, code: "ILLEGAL_STEP", message: "The case is closed." });
    const back = decideStep(
      facts({ state: "CORRECTIVE_ACTION", taken: ["CORRECTIVE_ACTION"] }),
      { step: "NOTICE", reason: "x" },
      TODAY,
    );
    expect(back.ok === false && back.message).toBe("The case has already gone past this measure.");
  });

  it("takes the suggested due date when none is given, and checks a given one", () => {
    const plan = (dueOn?: string) =>
      decideStep(facts(), { step: "CORRECTIVE_ACTION", reason: "Retrain staff", dueOn }, TODAY);
    expect(plan()).toMatchObject({
      ok: true,
      to: "CORRECTIVE_ACTION",
      dueOn: "2026-07-10",
      measure: "CORRECTIVE_ACTION",
    });
    expect(plan("2026-06-11")).toMatchObject({ ok: true, dueOn: "2026-06-11" });
    expect(plan(addDaysIso(TODAY, MAX_DUE_DAYS))).toMatchObject({ ok: true });
    for (const bad of ["2026-06-10", "2026-06-01", "2026-02-30", "10/06/2026", addDaysIso(TODAY, MAX_DUE_DAYS + 1)]) {
      expect(plan(bad)).toMatchObject({ ok: false, code: "DUE_DATE_INVALID", field: "dueOn" });
    }
  });

  it("sets no due date for other steps and no measure for reinstating or closing", () => {
    expect(decideStep(facts(), { step: "NOTICE", reason: "x", dueOn: "2026-07-01" }, TODAY)).toMatchObject({
      ok: true,
      dueOn: null,
      measure: "NOTICE",
    });
    expect(decideStep(facts(), { step: "CLOSE", reason: "Resolved" }, TODAY)).toMatchObject({
      ok: true,
      to: "CLOSED",
      measure: null,
    });
  });
});

describe("isOverdue", () => {
  it("is true only for a running plan whose due day has passed", () => {
    expect(isOverdue({ state: "CORRECTIVE_ACTION", dueOn: "2026-06-09" }, TODAY)).toBe(true);
    expect(isOverdue({ state: "CORRECTIVE_ACTION", dueOn: TODAY }, TODAY)).toBe(false);
    expect(isOverdue({ state: "CORRECTIVE_ACTION", dueOn: null }, TODAY)).toBe(false);
    expect(isOverdue({ state: "SUSPENDED", dueOn: "2026-01-01" }, TODAY)).toBe(false);
  });
});

describe("case numbers", () => {
  it("format and parse back", () => {
    expect(formatCaseNumber(2026, 42)).toBe("NC-2026-00042");
    expect(parseCaseNumber("nc-2026-00042")).toEqual({ year: 2026, sequence: 42 });
    expect(parseCaseNumber("NC-26-1")).toBeNull();
    expect(parseCaseNumber("DA-2026-00042")).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2999 }), fc.integer({ min: 1, max: 99_999 }), (year, sequence) => {
        expect(parseCaseNumber(formatCaseNumber(year, sequence))).toEqual({ year, sequence });
      }),
    );
  });
});

describe("stepNotice", () => {
  const base = {
    stepLabel: "Corrective action plan",
    programName: "LEMTRADA REMS",
    stakeholderName: "Harbor Pharmacy",
    caseNumber: "NC-2026-00001",
    typeLabel: "Dispensing without a dispense authorization",
    reason: "  Retrain the dispensing staff.  ",
    appUrl: "https://rems.example",
  };

  it("names the case, the type, the reason and the due date", () => {
    const mail = stepNotice({ ...base, step: "CORRECTIVE_ACTION", dueOn: "2026-07-10" });
    expect(mail.subject).toBe("LEMTRADA REMS: corrective action plan (case NC-2026-00001)");
    expect(mail.text).toContain("Hello Harbor Pharmacy,");
    expect(mail.text).toContain("Concerning: Dispensing without a dispense authorization");
    expect(mail.text).toContain("Reason:\nRetrain the dispensing staff.");
    expect(mail.text).toContain("by 2026-07-10");
  });

  it("words a notice and a closing differently", () => {
    expect(stepNotice({ ...base, step: "NOTICE", stepLabel: "Notice of non-compliance" }).text).toContain(
      "This is a notice of non-compliance",
    );
    const closed = stepNotice({ ...base, step: "CLOSE", stepLabel: "Case closed" });
    expect(closed.text).toContain("has been closed");
    expect(closed.text).not.toContain("Complete the plan");
  });
});

describe("caseOutcome and summarizeCases", () => {
  it("takes the strictest measure", () => {
    const cases: [CaseStep[], string][] = [
      [[], "NO_MEASURE"],
      [["CLOSE"], "NO_MEASURE"],
      [["NOTICE"], "NOTICE"],
      [["NOTICE", "CORRECTIVE_ACTION", "CLOSE"], "CORRECTIVE_ACTION"],
      [["SUSPEND"], "SUSPENDED"],
      [["SUSPEND", "REINSTATE", "CLOSE"], "SUSPENDED_REINSTATED"],
      [["SUSPEND", "REINSTATE", "DECERTIFY"], "DECERTIFIED"],
    ];
    for (const [stepsTaken, outcome] of cases) expect(caseOutcome(stepsTaken)).toBe(outcome);
  });

  const at = (day: string) => new Date(`${day}T12:00:00.000Z`);
  const from = new Date("2026-01-01T00:00:00.000Z");
  const to = new Date("2026-04-01T00:00:00.000Z");

  it("counts cases opened in the period by type and by outcome as of the end (hand-computed)", () => {
    const cases = [
      // Before the period, still open at the end: counted only as open at the end.
      { type: "OTHER", openedAt: at("2025-12-20"), steps: [{ step: "NOTICE" as CaseStep, at: at("2025-12-21") }] },
      // Before the period and closed before it: nowhere.
      { type: "OTHER", openedAt: at("2025-11-01"), steps: [{ step: "CLOSE" as CaseStep, at: at("2025-11-30") }] },
      // In the period, suspended then reinstated then closed within it.
      {
        type: "DISPENSE_WITHOUT_AUTHORIZATION",
        openedAt: at("2026-01-05"),
        steps: (["NOTICE", "SUSPEND", "REINSTATE", "CLOSE"] as CaseStep[]).map((step, i) => ({
          step,
          at: at(`2026-01-${10 + i}`),
        })),
      },
      // In the period, plan running at the end; its suspension after the period does not count.
      {
        type: "DISPENSE_WITHOUT_AUTHORIZATION",
        openedAt: at("2026-02-01"),
        steps: [
          { step: "CORRECTIVE_ACTION" as CaseStep, at: at("2026-02-02") },
          { step: "SUSPEND" as CaseStep, at: at("2026-04-15") },
        ],
      },
      // In the period, nothing done yet.
      { type: "MONITORING_NOT_DONE", openedAt: at("2026-03-31"), steps: [] },
      // On the end instant: outside (the period is half-open).
      { type: "OTHER", openedAt: to, steps: [] },
    ];
    expect(summarizeCases(cases, from, to)).toEqual({
      opened: 3,
      byType: [
        { type: "DISPENSE_WITHOUT_AUTHORIZATION", count: 2 },
        { type: "MONITORING_NOT_DONE", count: 1 },
      ],
      byOutcome: [
        { outcome: "SUSPENDED_REINSTATED", closed: 1, open: 0 },
        { outcome: "CORRECTIVE_ACTION", closed: 0, open: 1 },
        { outcome: "NO_MEASURE", closed: 0, open: 1 },
      ],
      openAtEnd: 3,
    });
  });

  it("outcome counts add up to the cases opened (property)", () => {
    const anyCase = fc.record({
      type: fc.constantFrom("A", "B", "C"),
      openedAt: fc.date({ min: new Date("2025-10-01"), max: new Date("2026-06-01"), noInvalidDate: true }),
      steps: fc.array(
        fc.record({
          step: fc.constantFrom(...CASE_STEPS),
          at: fc.date({ min: new Date("2025-10-01"), max: new Date("2026-06-01"), noInvalidDate: true }),
        }),
        { maxLength: 5 },
      ),
    });
    fc.assert(
      fc.property(fc.array(anyCase, { maxLength: 20 }), (cases) => {
        const summary = summarizeCases(cases, from, to);
        expect(summary.byType.reduce((n, t) => n + t.count, 0)).toBe(summary.opened);
        expect(summary.byOutcome.reduce((n, o) => n + o.closed + o.open, 0)).toBe(summary.opened);
        expect(summary.openAtEnd).toBeLessThanOrEqual(cases.filter((c) => c.openedAt < to).length);
      }),
    );
  });
});

describe("states", () => {
  it("every step leads to a known state", () => {
    for (const step of CASE_STEPS) expect(CASE_STATES).toContain(STEP_TO_STATE[step] as CaseState);
  });
});
