import { describe, expect, it } from "vitest";
import { CERTIFICATION_EVENTS } from "../certification/rules";
import { CASE_STEPS } from "../noncompliance/rules";
import { AUDIT_ACTION_CHOICES, AUDIT_ACTION_GROUPS, AUDIT_ACTIONS, isAuditAction } from "./action-codes";

describe("the audit action catalogue", () => {
  it("lists each action once, in one group", () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    expect(AUDIT_ACTIONS.length).toBe(AUDIT_ACTION_GROUPS.reduce((n, g) => n + g.actions.length, 0));
    for (const group of AUDIT_ACTION_GROUPS) expect(group.actions.length, group.label).toBeGreaterThan(0);
  });

  it("holds the actions built from the certification events and the non-compliance steps", () => {
    for (const event of CERTIFICATION_EVENTS) expect(isAuditAction(`enrollment.${event.toLowerCase()}`)).toBe(true);
    for (const step of CASE_STEPS) expect(isAuditAction(`noncompliance.${step.toLowerCase()}`)).toBe(true);
  });

  it("knows only its own actions", () => {
    expect(isAuditAction("dispense.approved")).toBe(true);
    for (const other of [
      "",
      "dispense",
      "dispense.approve",
      "DISPENSE.APPROVED",
      "constructor",
      "toString",
      "__proto__",
    ]) {
      expect(isAuditAction(other), other).toBe(false);
    }
  });
});

describe("the action filter's choices", () => {
  const choices = AUDIT_ACTION_CHOICES.flatMap((g) => g.choices);

  it("offers every action once, by its words, no two alike", () => {
    expect(choices.map((c) => c.value).sort()).toEqual([...AUDIT_ACTIONS].sort());
    expect(new Set(choices.map((c) => c.label)).size).toBe(choices.length);
    for (const { value, label } of choices) {
      expect(label, value).not.toContain(".");
      expect(label, value).not.toContain("_");
      expect(label.charAt(0), value).toMatch(/[A-Z]/);
    }
    expect(choices.find((c) => c.value === "dispense.approved")?.label).toBe("Dispense approved");
    expect(choices.find((c) => c.value === "apikey.created")?.label).toBe("API key created");
    expect(choices.find((c) => c.value === "mfa.reset_by_admin")?.label).toBe(
      "Two-step sign-in reset by administrator",
    );
  });

  it("keeps the groups in their order and sorts each group by its words", () => {
    expect(AUDIT_ACTION_CHOICES.map((g) => g.label)).toEqual(AUDIT_ACTION_GROUPS.map((g) => g.label));
    for (const group of AUDIT_ACTION_CHOICES) {
      const labels = group.choices.map((c) => c.label);
      expect(labels, group.label).toEqual([...labels].sort((a, b) => a.localeCompare(b, "en")));
    }
  });
});
