import { describe, expect, it } from "vitest";
import { auditFilterParams, changeLines, parseAuditQuery, periodBounds } from "./schema";

describe("parseAuditQuery", () => {
  it("keeps well-formed filters, trimmed, and the first of repeated values", () => {
    const { query, errors } = parseAuditQuery({
      actor: "  ada@example.test ",
      entityType: "Enrollment",
      entityId: ["abc", "def"],
      record: "  DA-7K4Q-M2XD-9 ",
      action: "enrollment.approved",
      from: "2026-01-01",
      to: "2026-01-31",
      before: "120",
    });
    expect(errors).toEqual({});
    expect(query).toEqual({
      actor: "ada@example.test",
      entityType: "Enrollment",
      entityId: "abc",
      record: "DA-7K4Q-M2XD-9",
      action: "enrollment.approved",
      from: "2026-01-01",
      to: "2026-01-31",
      before: 120n,
    });
  });

  it.each([
    [{ actor: "a".repeat(201) }, "actor"],
    [{ entityType: "Enroll ment" }, "entityType"],
    [{ entityId: "i".repeat(201) }, "entityId"],
    [{ record: "r".repeat(201) }, "record"],
    [{ action: "drop table" }, "action"],
    [{ from: "2026-02-29" }, "from"],
    [{ to: "31/01/2026" }, "to"],
    [{ from: "1999-12-31" }, "from"],
    [{ from: "2026-03-02", to: "2026-03-01" }, "to"],
  ])("names the field of %j", (raw, field) => {
    expect(parseAuditQuery(raw).errors[field]).toHaveLength(1);
  });

  it("takes an action in the form of a code, leaving whether the trail knows it to the viewer", () => {
    expect(parseAuditQuery({ action: "user.locked" })).toEqual({ query: { action: "user.locked" }, errors: {} });
    for (const action of ["drop table", "a".repeat(101), ".approved"]) {
      expect(parseAuditQuery({ action }).errors.action, action).toEqual(["Choose an action from the list."]);
    }
  });

  it("names a field holding text no field can hold, and reads nothing else", () => {
    const { query, errors } = parseAuditQuery({ actor: "a\u0000b", entityId: "x\ud800", action: "ok.action" });
    expect(errors.actor?.[0]).toMatch(/NUL/);
    expect(errors.entityId).toHaveLength(1);
    expect(query).toEqual({});
  });

  it("ignores cursors that are not positive 64-bit numbers", () => {
    for (const before of ["-1", "0", "1e3", "9223372036854775808", "x"]) {
      expect(parseAuditQuery({ before }).query.before).toBeUndefined();
    }
    expect(parseAuditQuery({ before: "5", after: "3" }).query).toEqual({ before: 5n });
    expect(parseAuditQuery({ after: "3" }).query).toEqual({ after: 3n });
  });
});

describe("periodBounds and auditFilterParams", () => {
  it("covers whole UTC days, the last one included", () => {
    expect(periodBounds({ from: "2026-01-31", to: "2026-02-28" })).toEqual({
      gte: new Date("2026-01-31T00:00:00.000Z"),
      lt: new Date("2026-03-01T00:00:00.000Z"),
    });
    expect(periodBounds({})).toEqual({});
  });

  it("writes only the filters back into the address", () => {
    expect(auditFilterParams({ actor: "a b", from: "2026-01-01" }).toString()).toBe("actor=a+b&from=2026-01-01");
  });
});

describe("changeLines", () => {
  it("lines up keys from both sides and marks what changed", () => {
    expect(changeLines({ status: "SUBMITTED", n: 1 }, { status: "CERTIFIED", n: 1, reason: "ok" })).toEqual([
      { key: "n", before: "1", after: "1", changed: false },
      { key: "reason", before: null, after: "ok", changed: true },
      { key: "status", before: "SUBMITTED", after: "CERTIFIED", changed: true },
    ]);
  });

  it("shows nested values as JSON and tells null from absent", () => {
    expect(changeLines({ a: null }, { a: { b: [1] } })).toEqual([
      { key: "a", before: "null", after: '{\n  "b": [\n    1\n  ]\n}', changed: true },
    ]);
    expect(changeLines(null, null)).toEqual([]);
    expect(changeLines(null, "x")).toEqual([{ key: "value", before: null, after: "x", changed: true }]);
  });
});
