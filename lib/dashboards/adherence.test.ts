import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import type { TMonitoring } from "../programs/schema";
import { monitoringAdherence } from "./adherence";

const monitoring = lemtrada.monitoring as TMonitoring;
const onlyCbc: TMonitoring = { ...monitoring, testTypes: monitoring.testTypes.filter((t) => t.code === "CBC_DIFF") };

describe("monitoringAdherence", () => {
  it("is empty before the first dose", () => {
    expect(monitoringAdherence(monitoring, [], [], "2026-01-01")).toEqual([]);
  });

  it("counts on-time, late and missed results in the month they were due", () => {
    const rows = monitoringAdherence(
      onlyCbc,
      ["2025-01-01"],
      [
        { testCode: "CBC_DIFF", collectedOn: "2025-02-01" }, // due 02-01: on time
        { testCode: "CBC_DIFF", collectedOn: "2025-03-20" }, // due 03-04, grace to 03-11: late
      ],
      "2025-05-15",
    );
    expect(rows.map((r) => r.month)).toEqual(["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]);
    expect(rows.find((r) => r.month === "2025-02")).toMatchObject({ due: 1, onTime: 1 });
    expect(rows.find((r) => r.month === "2025-03")).toMatchObject({ due: 1, late: 1 });
    // Next due 04-20, nothing since: missed once, and not counted again in May.
    expect(rows.find((r) => r.month === "2025-04")).toMatchObject({ due: 1, missed: 1 });
    expect(rows.find((r) => r.month === "2025-05")).toMatchObject({ due: 0 });
  });

  it("never counts more outcomes than dues", () => {
    const rows = monitoringAdherence(monitoring, ["2024-01-01", "2024-01-02"], [], "2026-01-01");
    for (const row of rows) expect(row.onTime + row.late + row.missed).toBe(row.due);
  });
});
