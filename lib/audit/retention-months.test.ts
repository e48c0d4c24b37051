import { describe, expect, it } from "vitest";
import { formatRetentionMonth, parseRetentionMonth, retentionHorizon } from "./retention-months";

describe("retention months", () => {
  it("reads YYYY-MM as the first instant of that month in UTC", () => {
    expect(parseRetentionMonth("2025-01")).toEqual(new Date("2025-01-01T00:00:00.000Z"));
    expect(parseRetentionMonth(" 2025-12 ")).toEqual(new Date("2025-12-01T00:00:00.000Z"));
  });

  it.each(["2025-13", "2025-00", "2025-1", "25-01", "2025-01-01", "January 2025", "", "1999-12"])(
    "refuses %j",
    (text) => {
      expect(parseRetentionMonth(text)).toBeNull();
    },
  );

  it("keeps the current month and the ones before it, counting the current one", () => {
    const now = new Date("2026-11-30T23:59:59.999Z");
    expect(formatRetentionMonth(retentionHorizon(now, 1))).toBe("2026-11");
    expect(formatRetentionMonth(retentionHorizon(now, 12))).toBe("2025-12");
    expect(formatRetentionMonth(retentionHorizon(new Date("2026-01-01T00:00:00.000Z"), 2))).toBe("2025-12");
    expect(formatRetentionMonth(retentionHorizon(now, 84))).toBe("2019-12");
  });
});
