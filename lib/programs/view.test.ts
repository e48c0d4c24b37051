import { describe, expect, it } from "vitest";
import { NEVER_RELAXED } from "../dispensing/rules";
import { lemtrada } from "./lemtrada";
import { DENIAL_REASON_CODES } from "./schema";
import { passRuleText, programKey, programReasonRows } from "./view";

describe("the programme view's reason table", () => {
  const rows = programReasonRows(lemtrada);

  it("lists every reason code once, with the programme's policy", () => {
    expect(rows.map((r) => r.code).sort()).toEqual([...DENIAL_REASON_CODES].sort());
    for (const row of rows) expect(row.policy).toBe(lemtrada.dispensing.reasonPolicies[row.code]);
  });

  it("says which reasons enforcement discretion never relaxes", () => {
    expect(rows.filter((r) => !r.relaxedUnderDiscretion).map((r) => r.code)).toEqual(
      DENIAL_REASON_CODES.filter((c) => NEVER_RELAXED.includes(c)),
    );
  });

  it("quotes the dispensing module's messages with the programme's own values", () => {
    const stale = rows.find((r) => r.code === "BASELINE_LABS_STALE");
    expect(stale?.message).toContain(`older than ${lemtrada.monitoring?.baseline.withinDaysBeforeFirstDose} days`);
    const quantity = rows.find((r) => r.code === "QUANTITY_EXCEEDS_COURSE");
    expect(quantity?.message).toContain(`(${lemtrada.courses?.first.maxUnits} vials)`);
    for (const row of rows) expect(row.message).not.toMatch(/\(\)|undefined/);
  });
});

describe("programme view helpers", () => {
  it("address a programme by its code in lower case", () => {
    expect(programKey("LEMTRADA")).toBe("lemtrada");
  });

  it("state pass rules as sentences", () => {
    expect(passRuleText({ kind: "minCorrect", count: 8 }, 10)).toBe("At least 8 of 10 answers correct");
    expect(passRuleText({ kind: "percent", value: 80 }, 10)).toBe("At least 80% of 10 answers correct");
  });
});
