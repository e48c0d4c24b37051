import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CERTIFICATION_STATUSES } from "../certification/rules";
import { addDays } from "../monitoring/rules";
import { PATIENT_STATUSES } from "../patients/rules";
import { makeAncProgramInput } from "../programs/example-anc-program.fixture";
import { lemtrada } from "../programs/lemtrada";
import {
  DENIAL_REASON_CODES,
  defineProgram,
  type TDenialReasonCode,
  type TProgramDefinition,
} from "../programs/schema";
import type { DispenseDecision, DispenseFacts, DispensePatientFacts } from "./facts";
import { REASON_ACTORS, REASON_STAKEHOLDERS } from "./messages";
import { currentPartyReasons, partiesFromFacts } from "./revocation";
import {
  answerForPharmacy,
  applyEnforcementDiscretion,
  boundPatientFacts,
  decideDispense,
  NEVER_RELAXED,
  pharmacyMayRequest,
  TOLD_TO_UNCERTIFIED_PHARMACY,
  targetCourse,
} from "./rules";

/** Today is 2026-06-15. */
const NOW = new Date("2026-06-15T10:00:00Z");
const NDC = "58468-0200-01";
const BASELINE = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];

function days(start: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addDays(start, i));
}

function resultsOn(day: string, codes: readonly string[] = BASELINE) {
  return codes.map((testCode) => ({ testCode, collectedOn: day }));
}

/** A compliant patient about to start the first course: every baseline result two weeks old. */
function newPatient(overrides: Partial<DispensePatientFacts> = {}): DispensePatientFacts {
  return {
    id: "pt-1",
    enrollmentStatus: "ENROLLED",
    prescriberId: "pr-1",
    healthcareSettingId: "hs-1",
    doseDates: [],
    results: resultsOn("2026-06-01"),
    statusFormDates: [],
    enrolledOn: "2026-05-01",
    ...overrides,
  };
}

/** A compliant patient due for course 2: course 1 thirteen months ago, monitoring and forms up to date. */
function treatedPatient(overrides: Partial<DispensePatientFacts> = {}): DispensePatientFacts {
  return newPatient({
    doseDates: days("2025-05-05", 5),
    results: resultsOn("2026-06-01"),
    statusFormDates: ["2025-09-01", "2026-03-01"],
    enrolledOn: "2025-04-01",
    ...overrides,
  });
}

function facts(overrides: Partial<DispenseFacts> = {}): DispenseFacts {
  return {
    programCode: "LEMTRADA",
    ndc: NDC,
    quantity: 5,
    pharmacy: { certificationStatus: "CERTIFIED" },
    prescriber: { id: "pr-1", certificationStatus: "CERTIFIED" },
    patient: newPatient(),
    setting: { id: "hs-1", certificationStatus: "CERTIFIED" },
    duplicate: null,
    ...overrides,
  };
}

function codes(result: DispenseDecision): TDenialReasonCode[] {
  return result.reasons.map((r) => r.code);
}

function decide(f: DispenseFacts, program: TProgramDefinition = lemtrada, now: Date = NOW) {
  return decideDispense(f, program, now);
}

function withPolicy(code: TDenialReasonCode, policy: "block" | "warn"): TProgramDefinition {
  return {
    ...lemtrada,
    dispensing: {
      ...lemtrada.dispensing,
      reasonPolicies: { ...lemtrada.dispensing.reasonPolicies, [code]: policy },
    },
  };
}

describe("decideDispense: approvals", () => {
  it("approves a compliant patient starting the first course, valid for the programme's days", () => {
    expect(decide(facts())).toEqual({ decision: "APPROVED", reasons: [], warnings: [], expiresOn: "2026-06-22" });
  });

  it("approves a compliant patient due for the next course", () => {
    const result = decide(facts({ patient: treatedPatient(), quantity: 3 }));
    expect(result.decision).toBe("APPROVED");
    expect(result.expiresOn).toBe("2026-06-22");
  });

  it("approves the rest of a course in progress without asking for baseline results again", () => {
    const patient = newPatient({ doseDates: ["2026-06-14"], results: [] });
    expect(decide(facts({ patient, quantity: 4 })).decision).toBe("APPROVED");
  });

  it("takes today as the UTC calendar day of now", () => {
    const lateEvening = new Date("2026-06-15T23:59:59Z");
    expect(decide(facts(), lemtrada, lateEvening).expiresOn).toBe("2026-06-22");
  });
});

describe("decideDispense: each reason", () => {
  it("PROGRAM_UNKNOWN: the only reason, nothing else is evaluated", () => {
    const f = facts({ programCode: "NOPE", pharmacy: { certificationStatus: null }, quantity: 0 });
    const result = decideDispense(f, undefined, NOW);
    expect(result).toEqual({
      decision: "DENIED",
      reasons: [
        {
          code: "PROGRAM_UNKNOWN",
          stakeholder: "program",
          actor: "pharmacy",
          message: expect.stringContaining('"NOPE"'),
        },
      ],
      warnings: [],
      expiresOn: null,
    });
  });

  it("NDC_NOT_IN_PROGRAM", () => {
    const result = decide(facts({ ndc: "12345-6789-01" }));
    expect(codes(result)).toEqual(["NDC_NOT_IN_PROGRAM"]);
    expect(result.reasons[0]?.message).toContain("12345-6789-01");
  });

  it.each([null, "SUBMITTED", "SUSPENDED", "DECERTIFIED", "EXPIRED"] as const)(
    "PHARMACY_NOT_CERTIFIED (%s)",
    (status) => {
      const result = decide(facts({ pharmacy: { certificationStatus: status } }));
      expect(result.reasons).toEqual([
        {
          code: "PHARMACY_NOT_CERTIFIED",
          stakeholder: "pharmacy",
          actor: "pharmacy",
          message: expect.stringContaining("LEMTRADA REMS"),
        },
      ]);
    },
  );

  it("PRESCRIBER_NOT_CERTIFIED for an unknown prescriber, without a link reason: the pharmacy checks the NPI", () => {
    const result = decide(facts({ prescriber: null }));
    expect(codes(result)).toEqual(["PRESCRIBER_NOT_CERTIFIED"]);
    expect(result.reasons[0]?.message).toBe(
      "No prescriber with this NPI is registered in the LEMTRADA REMS — check the NPI on the prescription.",
    );
    expect(result.reasons[0]?.actor).toBe("pharmacy");
  });

  it.each(["DRAFT", "REJECTED", "DECERTIFIED", "EXPIRED"] as const)("PRESCRIBER_NOT_CERTIFIED (%s)", (status) => {
    const result = decide(facts({ prescriber: { id: "pr-1", certificationStatus: status } }));
    expect(codes(result)).toEqual(["PRESCRIBER_NOT_CERTIFIED"]);
    expect(result.reasons[0]?.stakeholder).toBe("prescriber");
  });

  it("PRESCRIBER_SUSPENDED, and not also 'not certified'", () => {
    const result = decide(facts({ prescriber: { id: "pr-1", certificationStatus: "SUSPENDED" } }));
    expect(result.reasons).toEqual([
      {
        code: "PRESCRIBER_SUSPENDED",
        stakeholder: "prescriber",
        actor: "prescriber",
        message: "The prescriber's certification is suspended — contact the prescriber.",
      },
    ]);
  });

  it("PATIENT_NOT_ENROLLED for an unknown patient, with nothing else about the patient: the pharmacy checks the id", () => {
    const result = decide(facts({ patient: null }));
    expect(result.reasons).toEqual([
      {
        code: "PATIENT_NOT_ENROLLED",
        stakeholder: "patient",
        actor: "pharmacy",
        message: "No patient with this REMS ID is enrolled in the LEMTRADA REMS — check the ID on the prescription.",
      },
    ]);
  });

  it.each([null, "DRAFT", "NOT_AUTHORIZED", "DISENROLLED"] as const)("PATIENT_NOT_ENROLLED (%s)", (status) => {
    const result = decide(facts({ patient: newPatient({ enrollmentStatus: status }) }));
    expect(codes(result)).toEqual(["PATIENT_NOT_ENROLLED"]);
    expect(result.reasons[0]).toMatchObject({
      actor: "prescriber",
      message: expect.stringContaining("the prescriber must enroll the patient"),
    });
  });

  it("PATIENT_NOT_WITH_PRESCRIBER", () => {
    expect(codes(decide(facts({ patient: newPatient({ prescriberId: "pr-2" }) })))).toEqual([
      "PATIENT_NOT_WITH_PRESCRIBER",
    ]);
    expect(codes(decide(facts({ patient: newPatient({ prescriberId: null }) })))).toEqual([
      "PATIENT_NOT_WITH_PRESCRIBER",
    ]);
  });

  it("SETTING_NOT_CERTIFIED, for a known and an unknown setting", () => {
    const known = decide(facts({ setting: { id: "hs-1", certificationStatus: "SUBMITTED" } }));
    expect(known.reasons).toEqual([
      {
        code: "SETTING_NOT_CERTIFIED",
        stakeholder: "healthcareSetting",
        actor: "healthcareSetting",
        message: expect.any(String),
      },
    ]);
    const unknown = decide(facts({ setting: null }));
    expect(codes(unknown)).toEqual(["SETTING_NOT_CERTIFIED"]);
    expect(unknown.reasons[0]).toMatchObject({
      actor: "pharmacy",
      message: expect.stringMatching(/^No healthcare setting/),
    });
  });

  it("PATIENT_NOT_AT_SETTING", () => {
    expect(codes(decide(facts({ setting: { id: "hs-2", certificationStatus: "CERTIFIED" } })))).toEqual([
      "PATIENT_NOT_AT_SETTING",
    ]);
  });

  it("BASELINE_LABS_MISSING names the missing tests", () => {
    const result = decide(facts({ patient: newPatient({ results: resultsOn("2026-06-01", BASELINE.slice(0, 3)) }) }));
    expect(codes(result)).toEqual(["BASELINE_LABS_MISSING"]);
    expect(result.reasons[0]?.message).toContain("Thyroid function (TSH), Skin examination");
    expect(result.reasons[0]?.stakeholder).toBe("patient");
  });

  it("BASELINE_LABS_STALE: more than 30 days before today; exactly 30 is fine", () => {
    const stale = [...resultsOn("2026-06-01", BASELINE.slice(1)), { testCode: "CBC_DIFF", collectedOn: "2026-05-15" }];
    const result = decide(facts({ patient: newPatient({ results: stale }) }));
    expect(codes(result)).toEqual(["BASELINE_LABS_STALE"]);
    expect(result.reasons[0]?.message).toContain("Complete blood count with differential");
    const onTheEdge = [
      ...resultsOn("2026-06-01", BASELINE.slice(1)),
      { testCode: "CBC_DIFF", collectedOn: "2026-05-16" },
    ];
    expect(decide(facts({ patient: newPatient({ results: onTheEdge }) })).decision).toBe("APPROVED");
  });

  it("reports missing and stale baseline results together", () => {
    const results = [{ testCode: "CBC_DIFF", collectedOn: "2026-01-01" }];
    expect(codes(decide(facts({ patient: newPatient({ results }) })))).toEqual([
      "BASELINE_LABS_MISSING",
      "BASELINE_LABS_STALE",
    ]);
  });

  it("does not check baseline results for a course in progress", () => {
    const patient = newPatient({ doseDates: days("2026-06-13", 2), results: [] });
    expect(decide(facts({ patient, quantity: 3 })).decision).toBe("APPROVED");
  });

  it("MONITORING_OVERDUE names the overdue tests (a course start then also lacks recent baseline results)", () => {
    const results = [
      ...resultsOn("2026-06-01", BASELINE.slice(1)),
      { testCode: "CBC_DIFF", collectedOn: "2026-04-01" },
    ];
    const result = decide(facts({ patient: treatedPatient({ results }), quantity: 3 }));
    expect(codes(result)).toEqual(["BASELINE_LABS_STALE", "MONITORING_OVERDUE"]);
    const overdue = result.reasons.find((r) => r.code === "MONITORING_OVERDUE");
    expect(overdue?.message).toBe(
      "Safety monitoring is overdue (Complete blood count with differential) — contact the prescriber.",
    );
  });

  it("MONITORING_OVERDUE during a course in progress", () => {
    // Course 2 started yesterday; the yearly skin examination has been owed since May.
    const patient = treatedPatient({
      doseDates: [...days("2025-05-05", 5), "2026-06-14"],
      results: [...resultsOn("2026-06-01", BASELINE.slice(0, 4)), { testCode: "SKIN_EXAM", collectedOn: "2025-05-01" }],
    });
    expect(codes(decide(facts({ patient, quantity: 2 })))).toEqual(["MONITORING_OVERDUE"]);
  });

  it("STATUS_FORM_OVERDUE concerns the prescriber", () => {
    const result = decide(facts({ patient: treatedPatient({ statusFormDates: ["2025-10-01"] }), quantity: 3 }));
    expect(result.reasons).toEqual([
      {
        code: "STATUS_FORM_OVERDUE",
        stakeholder: "prescriber",
        actor: "prescriber",
        message: "The Patient Status Form is overdue — the prescriber must submit it.",
      },
    ]);
  });

  it("COURSE_INTERVAL_TOO_SHORT gives the earliest start", () => {
    const patient = treatedPatient({ doseDates: days("2025-09-01", 5), statusFormDates: ["2026-03-01"] });
    const result = decide(facts({ patient, quantity: 3 }));
    expect(codes(result)).toEqual(["COURSE_INTERVAL_TOO_SHORT"]);
    expect(result.reasons[0]?.message).toContain("2026-09-05");
    const onTheDay = decide(facts({ patient, quantity: 3 }), lemtrada, new Date("2026-09-05T00:00:00Z"));
    expect(codes(onTheDay)).not.toContain("COURSE_INTERVAL_TOO_SHORT");
    const dayBefore = decide(facts({ patient, quantity: 3 }), lemtrada, new Date("2026-09-04T23:59:59Z"));
    expect(codes(dayBefore)).toContain("COURSE_INTERVAL_TOO_SHORT");
  });

  it("treats a dispense after an interrupted course as a new course", () => {
    const patient = newPatient({ doseDates: days("2026-06-01", 2) });
    const result = decide(facts({ patient, quantity: 3 }));
    expect(codes(result)).toEqual(["COURSE_INTERVAL_TOO_SHORT"]);
    expect(result.reasons[0]?.message).toContain("course 2");
  });

  it.each([
    [6, newPatient()],
    [4, treatedPatient()],
    [6, newPatient({ doseDates: ["2026-06-14"], results: [] })],
  ])("QUANTITY_EXCEEDS_COURSE above the course maximum (%i vials)", (quantity, patient) => {
    const result = decide(facts({ quantity, patient }));
    expect(codes(result)).toEqual(["QUANTITY_EXCEEDS_COURSE"]);
    expect(result.reasons[0]?.stakeholder).toBe("pharmacy");
  });

  it("QUANTITY_EXCEEDS_COURSE counts the units already committed to the course, from any pharmacy", () => {
    const committed = (on: string, units: number, authorizationNumber = `DA-${on}-${units}`) => ({
      on,
      units,
      authorizationNumber,
    });
    // Course 1 (5 vials): 3 already approved or dispensed since enrollment.
    const patient = newPatient({ committedUnits: [committed("2026-06-10", 2), committed("2026-06-12", 1)] });
    expect(codes(decide(facts({ patient, quantity: 2 })))).toEqual([]);
    const over = decide(facts({ patient, quantity: 3 }));
    expect(codes(over)).toEqual(["QUANTITY_EXCEEDS_COURSE"]);
    expect(over.reasons[0]?.message).toBe(
      "Course 1 allows 5 vials and 3 vials are already authorized or dispensed for it: 3 more would exceed it (at most 2 more) — correct the quantity or contact the prescriber.",
    );
    // Full: none left.
    const full = newPatient({ committedUnits: [committed("2026-06-10", 5)] });
    expect(decide(facts({ patient: full, quantity: 1 })).reasons[0]?.message).toContain(
      "1 more would exceed it (none left for this course)",
    );
    // The approval this request duplicates is reported as the duplicate, not counted again.
    const dup = newPatient({ committedUnits: [committed("2026-06-10", 5, "DA-AAAA-BBBB-C")] });
    expect(
      codes(
        decide(
          facts({
            patient: dup,
            quantity: 5,
            duplicate: { authorizationId: "a-1", authorizationNumber: "DA-AAAA-BBBB-C" },
          }),
        ),
      ),
    ).toEqual(["DUPLICATE_REQUEST"]);
  });

  it("QUANTITY_EXCEEDS_COURSE: units given up to the previous course's last dose belong to that course", () => {
    // Course 1 ended 2025-05-09; course 2 (3 vials) is due. Course 1's 5 vials do not count.
    const before = { on: "2025-05-01", units: 5, authorizationNumber: "DA-OLD" };
    const lastDay = { on: "2025-05-09", units: 1, authorizationNumber: "DA-LAST" };
    const patient = treatedPatient({ committedUnits: [before, lastDay] });
    expect(codes(decide(facts({ patient, quantity: 3 })))).toEqual([]);
    const now = { on: "2026-06-14", units: 1, authorizationNumber: "DA-NEW" };
    const withNew = treatedPatient({ committedUnits: [before, lastDay, now] });
    const over = decide(facts({ patient: withNew, quantity: 3 }));
    expect(over.reasons[0]?.message).toMatch(/^Course 2 allows 3 vials and 1 vial is already authorized/);
    // During course 2 (its first day given yesterday), course 2's approvals still count.
    const during = treatedPatient({
      doseDates: [...days("2025-05-05", 5), "2026-06-14"],
      committedUnits: [before, { on: "2026-06-10", units: 3, authorizationNumber: "DA-C2" }],
    });
    expect(codes(decide(facts({ patient: during, quantity: 1 })))).toEqual(["QUANTITY_EXCEEDS_COURSE"]);
    expect(targetCourse(lemtrada, during.doseDates, "2026-06-15")).toEqual({
      number: 2,
      startsToday: false,
      earliestOn: null,
      after: "2025-05-09",
    });
  });

  it("QUANTITY_EXCEEDS_COURSE for an unknown patient above every course's maximum", () => {
    expect(codes(decide(facts({ patient: null, quantity: 6 })))).toEqual([
      "PATIENT_NOT_ENROLLED",
      "QUANTITY_EXCEEDS_COURSE",
    ]);
    expect(codes(decide(facts({ patient: null, quantity: 5 })))).toEqual(["PATIENT_NOT_ENROLLED"]);
  });

  it.each([0, -1, 2.5])("QUANTITY_EXCEEDS_COURSE for a quantity that is not a positive whole number (%s)", (q) => {
    const result = decide(facts({ quantity: q }));
    expect(codes(result)).toEqual(["QUANTITY_EXCEEDS_COURSE"]);
    expect(result.reasons[0]?.message).toContain("whole number of vials");
  });

  it("DUPLICATE_REQUEST names the existing authorization by its number, never its internal id", () => {
    const result = decide(facts({ duplicate: { authorizationId: "auth-42", authorizationNumber: "DA-7K4Q-M2XD-9" } }));
    expect(codes(result)).toEqual(["DUPLICATE_REQUEST"]);
    expect(result.reasons[0]?.message).toContain("DA-7K4Q-M2XD-9");
    expect(result.reasons[0]?.message).not.toContain("auth-42");
  });

  it("lists every problem, not just the first, in a stable order", () => {
    const result = decide(
      facts({
        ndc: "00000-0000-00",
        quantity: 9,
        pharmacy: { certificationStatus: "EXPIRED" },
        prescriber: { id: "pr-1", certificationStatus: "SUSPENDED" },
        setting: { id: "hs-9", certificationStatus: "DECERTIFIED" },
        patient: newPatient({ prescriberId: "pr-7", results: [], enrolledOn: "2025-01-01" }),
        duplicate: { authorizationId: "auth-1" },
      }),
    );
    expect(result.decision).toBe("DENIED");
    expect(codes(result)).toEqual([
      "NDC_NOT_IN_PROGRAM",
      "PHARMACY_NOT_CERTIFIED",
      "PRESCRIBER_SUSPENDED",
      "PATIENT_NOT_WITH_PRESCRIBER",
      "SETTING_NOT_CERTIFIED",
      "PATIENT_NOT_AT_SETTING",
      "BASELINE_LABS_MISSING",
      "STATUS_FORM_OVERDUE",
      "QUANTITY_EXCEEDS_COURSE",
      "DUPLICATE_REQUEST",
    ]);
    expect(result.expiresOn).toBeNull();
  });

  it("has a stakeholder and an actor for every reason code", () => {
    for (const code of DENIAL_REASON_CODES) {
      expect(REASON_STAKEHOLDERS[code]).toBeDefined();
      expect(REASON_ACTORS[code]).toBeDefined();
    }
  });
});

describe("approvalExpiresOn: an approval that starts a course ends when its baselines stop being recent", () => {
  it("keeps the programme's validity while every baseline stays recent beyond it", () => {
    expect(decide(facts()).expiresOn).toBe("2026-06-22");
  });

  it("ends on the last day the oldest baseline result is recent enough", () => {
    // Window 30 days: a result of 2026-05-18 is recent enough through 2026-06-17.
    const results = [...resultsOn("2026-06-01", BASELINE.slice(1)), ...resultsOn("2026-05-18", BASELINE.slice(0, 1))];
    const result = decide(facts({ patient: newPatient({ results }) }));
    expect(result.decision).toBe("APPROVED");
    expect(result.expiresOn).toBe("2026-06-17");
  });

  it("does not shorten a dispense within a course, or an approval whose stale baseline only warns", () => {
    const during = newPatient({ doseDates: ["2026-06-14"], results: resultsOn("2026-05-16") });
    expect(decide(facts({ patient: during, quantity: 1 })).expiresOn).toBe("2026-06-22");
    const stale = newPatient({ results: resultsOn("2026-04-01") });
    expect(decide(facts({ patient: stale }), withPolicy("BASELINE_LABS_STALE", "warn")).expiresOn).toBe("2026-06-22");
  });
});

describe("decideDispense: programme policies", () => {
  it("a 'warn' reason approves with the reason attached", () => {
    const program = withPolicy("STATUS_FORM_OVERDUE", "warn");
    const result = decide(facts({ patient: treatedPatient({ statusFormDates: [] }), quantity: 3 }), program);
    expect(result.decision).toBe("APPROVED");
    expect(result.reasons).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(["STATUS_FORM_OVERDUE"]);
    expect(result.expiresOn).toBe("2026-06-22");
  });

  it("a programme without healthcare settings or courses checks neither", () => {
    const anc = defineProgram(makeAncProgramInput());
    const patient = newPatient({ results: [{ testCode: "ANC", collectedOn: "2026-06-12" }] });
    const result = decide(facts({ ndc: "12345-6789-01", setting: null, quantity: 90, patient }), anc);
    expect(result).toMatchObject({ decision: "APPROVED", reasons: [], warnings: [] });
    expect(result.expiresOn).toBe("2026-06-16");
  });

  it("a programme without courses checks baseline results only before the first dose", () => {
    const anc = defineProgram(makeAncProgramInput());
    const started = newPatient({
      doseDates: ["2026-06-10"],
      results: [{ testCode: "ANC", collectedOn: "2026-06-12" }],
    });
    expect(decide(facts({ ndc: "12345-6789-01", patient: started, quantity: 7 }), anc).decision).toBe("APPROVED");
    const untested = newPatient({ results: [] });
    expect(codes(decide(facts({ ndc: "12345-6789-01", patient: untested }), anc))).toEqual(["BASELINE_LABS_MISSING"]);
  });
});

describe("applyEnforcementDiscretion", () => {
  it("turns blocking reasons into warnings and approves", () => {
    const denied = decide(facts({ pharmacy: { certificationStatus: null }, patient: newPatient({ results: [] }) }));
    const relaxed = applyEnforcementDiscretion(denied, lemtrada, NOW);
    expect(relaxed).toEqual({
      decision: "APPROVED",
      reasons: [],
      warnings: denied.reasons,
      expiresOn: "2026-06-22",
      enforcementDiscretion: true,
    });
  });

  it.each(["NDC_NOT_IN_PROGRAM", "DUPLICATE_REQUEST"] as const)("never relaxes %s", (code) => {
    const denied = decide(
      facts({
        ndc: code === "NDC_NOT_IN_PROGRAM" ? "00000-0000-00" : NDC,
        duplicate: code === "DUPLICATE_REQUEST" ? { authorizationId: "auth-1" } : null,
        pharmacy: { certificationStatus: null },
      }),
    );
    const relaxed = applyEnforcementDiscretion(denied, lemtrada, NOW);
    expect(relaxed.decision).toBe("DENIED");
    expect(codes(relaxed)).toEqual([code]);
    expect(relaxed.warnings.map((w) => w.code)).toEqual(["PHARMACY_NOT_CERTIFIED"]);
    expect(relaxed.expiresOn).toBeNull();
  });

  it("never relaxes the dosing: a course too soon, or more units than the course holds", () => {
    const tooSoon = decide(
      facts({
        patient: treatedPatient({ doseDates: days("2025-09-01", 5), statusFormDates: ["2026-03-01"] }),
        quantity: 3,
        pharmacy: { certificationStatus: null },
      }),
    );
    const soon = applyEnforcementDiscretion(tooSoon, lemtrada, NOW);
    expect(soon.decision).toBe("DENIED");
    expect(codes(soon)).toEqual(["COURSE_INTERVAL_TOO_SHORT"]);
    expect(soon.warnings.map((w) => w.code)).toEqual(["PHARMACY_NOT_CERTIFIED"]);

    const tooMany = applyEnforcementDiscretion(
      decide(facts({ quantity: 500, patient: newPatient(), pharmacy: { certificationStatus: null } })),
      lemtrada,
      NOW,
    );
    expect(tooMany.decision).toBe("DENIED");
    expect(codes(tooMany)).toEqual(["QUANTITY_EXCEEDS_COURSE"]);
    expect(tooMany.expiresOn).toBeNull();
  });

  it("never relaxes PROGRAM_UNKNOWN", () => {
    const relaxed = applyEnforcementDiscretion(decideDispense(facts(), undefined, NOW), undefined, NOW);
    expect(relaxed.decision).toBe("DENIED");
    expect(codes(relaxed)).toEqual(["PROGRAM_UNKNOWN"]);
    expect(NEVER_RELAXED).toContain("PROGRAM_UNKNOWN");
  });
});

// ---------------------------------------------------------------------------
// Properties

const CERT = fc.constantFrom(null, ...CERTIFICATION_STATUSES);
const CODES = [...BASELINE, "OTHER"];

/** A day number offset from today (negative = past). */
const past = (maxDays: number) => fc.integer({ min: -maxDays, max: 0 });

const arbNow = fc
  .integer({ min: 0, max: 4 * 365 })
  .chain((d) => fc.integer({ min: 0, max: 86_399 }).map((s) => new Date(Date.UTC(2025, 0, 1 + d, 0, 0, s))));

function arbPatient(today: string): fc.Arbitrary<DispensePatientFacts> {
  const day = (maxDays: number) => past(maxDays).map((n) => addDays(today, n));
  // Dose dates mostly in runs, so courses (complete, in progress, interrupted) all occur.
  const run = fc
    .tuple(past(800), fc.integer({ min: 1, max: 5 }))
    .map(([start, length]) => days(addDays(today, start), length).filter((d) => d <= today));
  return fc.record({
    id: fc.constant("pt-1"),
    enrollmentStatus: fc.constantFrom(null, ...PATIENT_STATUSES),
    prescriberId: fc.constantFrom(null, "pr-1", "pr-2"),
    healthcareSettingId: fc.constantFrom(null, "hs-1", "hs-2"),
    doseDates: fc.array(run, { maxLength: 3 }).map((runs) => runs.flat()),
    results: fc.array(fc.record({ testCode: fc.constantFrom(...CODES), collectedOn: day(500) }), { maxLength: 12 }),
    statusFormDates: fc.array(day(500), { maxLength: 4 }),
    enrolledOn: day(900),
  });
}

function arbFacts(today: string): fc.Arbitrary<DispenseFacts> {
  return fc.record({
    programCode: fc.constant("LEMTRADA"),
    ndc: fc.constantFrom(NDC, NDC, "00000-0000-00"),
    quantity: fc.integer({ min: -1, max: 7 }),
    pharmacy: fc.record({ certificationStatus: CERT }),
    prescriber: fc.option(fc.record({ id: fc.constantFrom("pr-1", "pr-2"), certificationStatus: CERT })),
    patient: fc.option(arbPatient(today), { freq: 8 }),
    setting: fc.option(fc.record({ id: fc.constantFrom("hs-1", "hs-2"), certificationStatus: CERT })),
    duplicate: fc.option(fc.record({ authorizationId: fc.constant("auth-1") })),
  });
}

const arbCase = arbNow.chain((now) => arbFacts(now.toISOString().slice(0, 10)).map((f) => ({ now, f })));

function codeSet(result: DispenseDecision): Set<TDenialReasonCode> {
  return new Set([...result.reasons, ...result.warnings].map((r) => r.code));
}

function isSubset<T>(a: Set<T>, b: Set<T>): boolean {
  return [...a].every((x) => b.has(x));
}

/** Deterministic shuffle from a seed (a small LCG), so failures replay. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("decideDispense: properties", () => {
  it("any uncertified party (pharmacy, prescriber, setting) means DENIED under LEMTRADA", () => {
    fc.assert(
      fc.property(arbCase, ({ now, f }) => {
        const uncertified =
          f.pharmacy.certificationStatus !== "CERTIFIED" ||
          f.prescriber?.certificationStatus !== "CERTIFIED" ||
          f.setting?.certificationStatus !== "CERTIFIED";
        fc.pre(uncertified);
        expect(decide(f, lemtrada, now).decision).toBe("DENIED");
      }),
      { numRuns: 300 },
    );
  });

  it("APPROVED exactly when there is no blocking reason, with an expiry exactly then", () => {
    const program = withPolicy("MONITORING_OVERDUE", "warn");
    fc.assert(
      fc.property(arbCase, fc.boolean(), fc.boolean(), ({ now, f }, warnProgram, discretion) => {
        const decided = decide(f, warnProgram ? program : lemtrada, now);
        const result = discretion ? applyEnforcementDiscretion(decided, lemtrada, now) : decided;
        expect(result.decision === "APPROVED").toBe(result.reasons.length === 0);
        expect(result.expiresOn !== null).toBe(result.decision === "APPROVED");
      }),
      { numRuns: 300 },
    );
  });

  it("fixing a party, the patient's links or enrollment, or the duplicate never adds a reason", () => {
    const fixes: ((f: DispenseFacts) => DispenseFacts)[] = [
      (f) => ({ ...f, pharmacy: { certificationStatus: "CERTIFIED" } }),
      (f) => ({ ...f, prescriber: f.prescriber && { ...f.prescriber, certificationStatus: "CERTIFIED" } }),
      (f) => ({ ...f, setting: f.setting && { ...f.setting, certificationStatus: "CERTIFIED" } }),
      (f) => ({ ...f, patient: f.patient && { ...f.patient, enrollmentStatus: "ENROLLED" } }),
      (f) => ({ ...f, patient: f.patient && { ...f.patient, prescriberId: f.prescriber?.id ?? null } }),
      (f) => ({ ...f, patient: f.patient && { ...f.patient, healthcareSettingId: f.setting?.id ?? null } }),
      (f) => ({ ...f, duplicate: null }),
      (f) => ({ ...f, ndc: NDC }),
    ];
    fc.assert(
      fc.property(arbCase, fc.nat({ max: fixes.length - 1 }), ({ now, f }, which) => {
        const fixed = (fixes[which] as (f: DispenseFacts) => DispenseFacts)(f);
        const before = codeSet(decide(f, lemtrada, now));
        expect(isSubset(codeSet(decide(fixed, lemtrada, now)), before)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("adding a status form or a recent result never adds a reason", () => {
    const within = lemtrada.monitoring?.baseline.withinDaysBeforeFirstDose ?? 0;
    fc.assert(
      fc.property(
        arbCase,
        fc.constantFrom(...CODES),
        fc.integer({ min: -within, max: 0 }),
        fc.boolean(),
        ({ now, f }, testCode, offset, form) => {
          fc.pre(f.patient !== null);
          const patient = f.patient as DispensePatientFacts;
          const day = addDays(now.toISOString().slice(0, 10), offset);
          const more = form
            ? { ...patient, statusFormDates: [...patient.statusFormDates, day] }
            : { ...patient, results: [...patient.results, { testCode, collectedOn: day }] };
          const before = codeSet(decide(f, lemtrada, now));
          expect(isSubset(codeSet(decide({ ...f, patient: more }, lemtrada, now)), before)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("adding an old result can only turn a missing baseline result into a stale one", () => {
    fc.assert(
      fc.property(arbCase, fc.constantFrom(...CODES), past(500), ({ now, f }, testCode, offset) => {
        fc.pre(f.patient !== null);
        const patient = f.patient as DispensePatientFacts;
        const collectedOn = addDays(now.toISOString().slice(0, 10), offset);
        const before = codeSet(decide(f, lemtrada, now));
        const after = codeSet(
          decide(
            { ...f, patient: { ...patient, results: [...patient.results, { testCode, collectedOn }] } },
            lemtrada,
            now,
          ),
        );
        const added = [...after].filter((c) => !before.has(c));
        expect(added.every((c) => c === "BASELINE_LABS_STALE")).toBe(true);
        if (added.length > 0) expect(before.has("BASELINE_LABS_MISSING")).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("does not depend on the order of dose dates, results or status forms", () => {
    fc.assert(
      fc.property(arbCase, fc.integer(), ({ now, f }, seed) => {
        fc.pre(f.patient !== null);
        const patient = f.patient as DispensePatientFacts;
        const shuffled: DispenseFacts = {
          ...f,
          patient: {
            ...patient,
            doseDates: shuffle(patient.doseDates, seed),
            results: shuffle(patient.results, seed + 1),
            statusFormDates: shuffle(patient.statusFormDates, seed + 2),
          },
        };
        expect(decide(shuffled, lemtrada, now)).toEqual(decide(f, lemtrada, now));
      }),
      { numRuns: 300 },
    );
  });

  it("under LEMTRADA every reason blocks: warnings are always empty", () => {
    fc.assert(
      fc.property(arbCase, ({ now, f }) => {
        expect(decide(f, lemtrada, now).warnings).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("boundPatientFacts: the facts stored with a request do not grow with the patient's history", () => {
  /** Results up to 30 days after today too, so "latest" and "latest on or before today" differ. */
  const arbHistory = arbNow.chain((now) => {
    const today = now.toISOString().slice(0, 10);
    const around = fc.integer({ min: -900, max: 30 }).map((n) => addDays(today, n));
    return fc
      .record({
        facts: arbFacts(today),
        results: fc.array(fc.record({ testCode: fc.constantFrom(...CODES), collectedOn: around }), { maxLength: 60 }),
        forms: fc.array(around, { maxLength: 10 }),
      })
      .map(({ facts, results, forms }) => ({
        now,
        today,
        f: facts.patient ? { ...facts, patient: { ...facts.patient, results, statusFormDates: forms } } : facts,
      }));
  });

  it("decides exactly as on the whole history", () => {
    fc.assert(
      fc.property(arbHistory, ({ now, today, f }) => {
        fc.pre(f.patient !== null);
        const patient = f.patient as DispensePatientFacts;
        const bounded = { ...f, patient: boundPatientFacts(patient, lemtrada, today) };
        expect(decideDispense(bounded, lemtrada, now)).toEqual(decideDispense(f, lemtrada, now));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps at most two results per monitored test and one status form, however long the history", () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({
      testCode: BASELINE[i % BASELINE.length] as string,
      collectedOn: addDays("2020-01-01", i % 2_000),
    }));
    const patient: DispensePatientFacts = {
      id: "pt-1",
      enrollmentStatus: "ENROLLED",
      prescriberId: "pr-1",
      healthcareSettingId: "hs-1",
      doseDates: [],
      results: [...many, { testCode: "OTHER", collectedOn: "2026-06-01" }],
      statusFormDates: days("2024-01-01", 40),
      enrolledOn: "2019-01-01",
    };
    const bounded = boundPatientFacts(patient, lemtrada, "2026-06-15");
    expect(bounded.results.length).toBeLessThanOrEqual(2 * BASELINE.length);
    expect(bounded.results.some((r) => r.testCode === "OTHER")).toBe(false);
    expect(bounded.statusFormDates).toEqual(["2024-02-09"]);
  });
});

describe("the confirmation re-check and the gate agree on the parties", () => {
  const PARTY_CODES: readonly TDenialReasonCode[] = [
    "PHARMACY_NOT_CERTIFIED",
    "PRESCRIBER_NOT_CERTIFIED",
    "PRESCRIBER_SUSPENDED",
    "PATIENT_NOT_ENROLLED",
    "PATIENT_NOT_WITH_PRESCRIBER",
    "SETTING_NOT_CERTIFIED",
    "PATIENT_NOT_AT_SETTING",
  ];

  it("a party reason the gate would give now is exactly a reason not to dispense now", () => {
    fc.assert(
      fc.property(arbCase, ({ now, f }) => {
        const gate = decideDispense(f, lemtrada, now)
          .reasons.map((r) => r.code)
          .filter((c) => PARTY_CODES.includes(c));
        const recheck = currentPartyReasons(partiesFromFacts(f), lemtrada).map((r) => r.code);
        expect(new Set(recheck)).toEqual(new Set(gate));
      }),
      { numRuns: 500 },
    );
  });
});

describe("answerForPharmacy: a pharmacy that may not take part is told nothing about the patient", () => {
  /** Everything wrong with the patient, the prescriber and the setting at once. */
  const troubled = facts({
    quantity: 9,
    prescriber: { id: "pr-1", certificationStatus: "SUSPENDED" },
    setting: { id: "hs-9", certificationStatus: "DECERTIFIED" },
    patient: treatedPatient({
      prescriberId: "pr-7",
      doseDates: days("2025-12-01", 5),
      results: [],
      statusFormDates: [],
    }),
  });
  const UNCERTIFIED = ["DRAFT", "SUBMITTED", "CHANGES_REQUESTED", "REJECTED", "SUSPENDED", "DECERTIFIED", "EXPIRED"];
  const STATUS_WORDS: Record<string, RegExp> = {
    null: /not enrolled in the LEMTRADA REMS/,
    DRAFT: /has not been submitted yet/,
    SUBMITTED: /is awaiting review by the REMS administrator/,
    CHANGES_REQUESTED: /asked for changes to your pharmacy's enrollment/,
    REJECTED: /was rejected/,
    SUSPENDED: /is suspended — contact the REMS administrator/,
    DECERTIFIED: /was withdrawn \(decertified\)/,
    EXPIRED: /has expired/,
  };

  it.each([null, ...UNCERTIFIED] as const)("a %s pharmacy is told only its own standing, in words", (status) => {
    const full = decide({ ...troubled, pharmacy: { certificationStatus: status as never } });
    expect(codes(full).length).toBeGreaterThan(5);
    const { answer, withheld } = answerForPharmacy(full);
    expect(answer).toEqual({
      decision: "DENIED",
      reasons: [
        {
          code: "PHARMACY_NOT_CERTIFIED",
          stakeholder: "pharmacy",
          actor: "pharmacy",
          message: expect.stringMatching(STATUS_WORDS[String(status)] as RegExp),
        },
      ],
      warnings: [],
      expiresOn: null,
    });
    expect(answer.reasons[0]?.message).not.toMatch(/[A-Z]{2,}_[A-Z]/);
    expect(withheld).toEqual(codes(full).filter((c) => c !== "PHARMACY_NOT_CERTIFIED"));
  });

  it("keeps a wrong NDC (it says nothing about the patient), and withholds warnings too", () => {
    const program = withPolicy("STATUS_FORM_OVERDUE", "warn");
    const full = decide({ ...troubled, ndc: "00000-0000-00", pharmacy: { certificationStatus: "SUBMITTED" } }, program);
    expect(full.warnings.map((w) => w.code)).toEqual(["STATUS_FORM_OVERDUE"]);
    const { answer, withheld } = answerForPharmacy(full);
    expect(codes(answer)).toEqual(["NDC_NOT_IN_PROGRAM", "PHARMACY_NOT_CERTIFIED"]);
    expect(answer.warnings).toEqual([]);
    expect(withheld).toContain("STATUS_FORM_OVERDUE");
    expect(withheld).toContain("PATIENT_NOT_WITH_PRESCRIBER");
  });

  it("tells a certified pharmacy the whole decision", () => {
    const full = decide(troubled);
    expect(answerForPharmacy(full)).toEqual({ answer: full, withheld: [] });
  });

  it("tells a pharmacy excused by enforcement discretion the whole decision, patient reasons included", () => {
    const relaxed = applyEnforcementDiscretion(
      decide({ ...troubled, pharmacy: { certificationStatus: "SUBMITTED" } }),
      lemtrada,
      NOW,
    );
    // Still denied (the dosing is never relaxed), and the pharmacy's own reason only warns.
    expect(codes(relaxed)).toEqual(["COURSE_INTERVAL_TOO_SHORT", "QUANTITY_EXCEEDS_COURSE"]);
    expect(answerForPharmacy(relaxed)).toEqual({ answer: relaxed, withheld: [] });
  });

  it("tells a pharmacy the programme only warns about the whole decision", () => {
    const full = decide(
      { ...troubled, pharmacy: { certificationStatus: null } },
      withPolicy("PHARMACY_NOT_CERTIFIED", "warn"),
    );
    expect(full.warnings.map((w) => w.code)).toContain("PHARMACY_NOT_CERTIFIED");
    expect(answerForPharmacy(full)).toEqual({ answer: full, withheld: [] });
  });

  it("the answer to a pharmacy that may not take part depends on nothing but the pharmacy and the NDC", () => {
    fc.assert(
      fc.property(arbCase, arbCase, fc.boolean(), ({ now, f }, { f: other }, discretion) => {
        const tell = (x: DispenseFacts) => {
          const decided = decide(x, lemtrada, now);
          return answerForPharmacy(discretion ? applyEnforcementDiscretion(decided, lemtrada, now) : decided).answer;
        };
        fc.pre(!pharmacyMayRequest(lemtrada, f.pharmacy.certificationStatus, discretion));
        // Another patient, prescriber, setting, quantity and duplicate; the same pharmacy and product.
        const probe = { ...other, pharmacy: f.pharmacy, ndc: f.ndc };
        const answer = tell(f);
        expect(tell(probe)).toEqual(answer);
        expect(answer.decision).toBe("DENIED");
        for (const r of [...answer.reasons, ...answer.warnings]) expect(TOLD_TO_UNCERTIFIED_PHARMACY).toContain(r.code);
      }),
      { numRuns: 500 },
    );
  });

  it("pharmacyMayRequest is exactly when the pharmacy is told the whole decision", () => {
    const warnProgram = withPolicy("PHARMACY_NOT_CERTIFIED", "warn");
    fc.assert(
      fc.property(arbCase, fc.boolean(), fc.boolean(), ({ now, f }, discretion, warns) => {
        const program = warns ? warnProgram : lemtrada;
        const decided = decide(f, program, now);
        const result = discretion ? applyEnforcementDiscretion(decided, program, now) : decided;
        const { answer, withheld } = answerForPharmacy(result);
        const told = answer === result && withheld.length === 0;
        expect(pharmacyMayRequest(program, f.pharmacy.certificationStatus, discretion)).toBe(
          !result.reasons.some((r) => r.code === "PHARMACY_NOT_CERTIFIED"),
        );
        if (pharmacyMayRequest(program, f.pharmacy.certificationStatus, discretion)) expect(told).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
