import { describe, expect, it } from "vitest";
import { ADMIN_EVENTS, MAX_REASON_LENGTH, ZDecision, ZQueueFilters } from "./schema";

const id = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b";

describe("ZDecision", () => {
  it.each(["REJECT", "REQUEST_CHANGES", "SUSPEND", "REINSTATE", "DECERTIFY"] as const)(
    "%s needs a reason, and blank does not count",
    (event) => {
      for (const reason of [undefined, "", "   \n "]) {
        const result = ZDecision.safeParse({ enrollmentId: id, version: 3, event, reason });
        expect(result.success).toBe(false);
        expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["reason"]);
      }
      expect(ZDecision.parse({ enrollmentId: id, version: 3, event, reason: "  Licence lapsed.  " })).toEqual({
        enrollmentId: id,
        version: 3,
        event,
        reason: "Licence lapsed.",
      });
    },
  );

  it("approves without a reason, and drops a blank one", () => {
    expect(ZDecision.parse({ enrollmentId: id, version: "0", event: "APPROVE", reason: "  " })).toEqual({
      enrollmentId: id,
      version: 0,
      event: "APPROVE",
      reason: undefined,
    });
  });

  it("says what is missing in the words of the action", () => {
    const changes = ZDecision.safeParse({ enrollmentId: id, version: 1, event: "REQUEST_CHANGES" });
    expect(changes.error?.issues[0]?.message).toBe("Say what the applicant needs to change");
    const reject = ZDecision.safeParse({ enrollmentId: id, version: 1, event: "REJECT" });
    expect(reject.error?.issues[0]?.message).toBe("Give the reason for the rejection");
  });

  it("refuses unknown events, negative versions, bad ids and over-long reasons", () => {
    expect(ZDecision.safeParse({ enrollmentId: id, version: 1, event: "EXPIRE" }).success).toBe(false);
    expect(ZDecision.safeParse({ enrollmentId: id, version: 1, event: "SUBMIT" }).success).toBe(false);
    expect(ZDecision.safeParse({ enrollmentId: id, version: -1, event: "APPROVE" }).success).toBe(false);
    expect(ZDecision.safeParse({ enrollmentId: "nope", version: 1, event: "APPROVE" }).success).toBe(false);
    const long = ZDecision.safeParse({
      enrollmentId: id,
      version: 1,
      event: "REJECT",
      reason: "x".repeat(MAX_REASON_LENGTH + 1),
    });
    expect(long.error?.issues.map((i) => i.path.join("."))).toEqual(["reason"]);
  });

  it("covers exactly the administrator's events", () => {
    expect(ADMIN_EVENTS).toEqual(["APPROVE", "REJECT", "REQUEST_CHANGES", "SUSPEND", "REINSTATE", "DECERTIFY"]);
  });
});

describe("ZQueueFilters", () => {
  it("defaults to submitted applications, first page", () => {
    expect(ZQueueFilters.parse({})).toEqual({ status: "SUBMITTED", page: 1 });
  });

  it("reads query parameters as the browser sends them", () => {
    expect(
      ZQueueFilters.parse({
        kind: "PHARMACY",
        status: "ANY",
        program: "LEMTRADA",
        from: "2026-01-01",
        to: "2026-01-31",
        q: "  1000000004 ",
        page: "3",
      }),
    ).toEqual({
      kind: "PHARMACY",
      status: "ANY",
      program: "LEMTRADA",
      from: "2026-01-01",
      to: "2026-01-31",
      q: "1000000004",
      page: 3,
    });
  });

  it("ignores blank and unusable values instead of failing the page", () => {
    expect(
      ZQueueFilters.parse({
        kind: "DENTIST",
        status: "",
        program: "",
        from: "2026-02-30",
        to: "yesterday",
        q: "   ",
        page: "-2",
      }),
    ).toEqual({ status: "SUBMITTED", page: 1 });
    expect(ZQueueFilters.parse({ status: "NOPE", page: "abc" })).toEqual({ status: "SUBMITTED", page: 1 });
  });

  it("takes the first of repeated parameters", () => {
    expect(ZQueueFilters.parse({ kind: ["PRESCRIBER", "PHARMACY"] })).toMatchObject({ kind: "PRESCRIBER" });
  });
});
