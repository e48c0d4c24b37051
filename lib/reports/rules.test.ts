import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import { addAdherence, type AdherenceShare, lostToFollowUpRule, lostToFollowUpSince, share } from "./rules";

const monitoring = lemtrada.monitoring;
if (!monitoring) throw new Error("LEMTRADA has monitoring");

const facts = (doseDates: string[], results: { testCode: string; collectedOn: string }[] = []) => ({
  doseDates,
  results,
  statusFormDates: [],
  enrolledOn: "2024-01-01",
});

describe("lost to follow-up", () => {
  const rule = lostToFollowUpRule(monitoring);
  it("is derived from the most frequent test: twice its interval plus its grace", () => {
    expect(rule).toMatchObject({ thresholdDays: 2 * 31 + 7, intervalDays: 31, graceDays: 7, monthsAfterLastDose: 48 });
    expect(lostToFollowUpRule(null)).toBeNull();
  });

  it("counts a patient only after more than the threshold without contact", () => {
    if (!rule) throw new Error("no rule");
    const f = facts(["2025-01-01"]);
    // 2025-01-01 + 69 days = 2025-03-11: lost from the day after.
    expect(lostToFollowUpSince(rule, monitoring, f, "2025-03-11")).toBeNull();
    expect(lostToFollowUpSince(rule, monitoring, f, "2025-03-12")).toBe("2025-01-01");
    // A result resets the clock; one after the day looked at does not.
    const withResult = facts(["2025-01-01"], [{ testCode: "TSH", collectedOn: "2025-03-01" }]);
    expect(lostToFollowUpSince(rule, monitoring, withResult, "2025-03-12")).toBeNull();
    expect(lostToFollowUpSince(rule, monitoring, withResult, "2025-02-28")).toBeNull();
    expect(lostToFollowUpSince(rule, monitoring, facts([]), "2025-03-12")).toBeNull();
    // After the monitoring period (48 months after the last dose) nobody is lost.
    expect(lostToFollowUpSince(rule, monitoring, f, "2029-01-02")).toBeNull();
  });
});

describe("adherence shares", () => {
  it("counts a patient as on time in a month only when every result due then was on time", () => {
    const totals = new Map<string, AdherenceShare>();
    const monthly = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS"];
    // Due 2025-02-01: two on time, urinalysis late.
    addAdherence(
      totals,
      monitoring,
      facts(
        ["2025-01-01"],
        [
          ...monthly.slice(0, 2).map((testCode) => ({ testCode, collectedOn: "2025-02-02" })),
          { testCode: "URINALYSIS", collectedOn: "2025-02-20" },
        ],
      ),
      "2025-02-28",
    );
    expect(totals.get("2025-02")).toEqual({ month: "2025-02", patientsDue: 1, patientsOnTime: 0 });
    expect(share(1, 3)).toBe(33);
    expect(share(0, 0)).toBeNull();
  });
});
