import { describe, expect, it } from "vitest";
import { lemtrada } from "@/lib/programs/lemtrada";
import { certificationGate } from "./certification-gate";

const program = { code: lemtrada.code, name: lemtrada.name, contact: lemtrada.contact };
const row = (status: string, code = "LEMTRADA") => ({ id: "e1", status, program: { code } });

describe("certificationGate", () => {
  it("lets a certified prescriber through", () => {
    expect(certificationGate([row("CERTIFIED")], program)).toBeNull();
  });

  it("sends a prescriber without an enrollment to start one", () => {
    expect(certificationGate([], program)).toEqual({
      text: "You are not certified in the LEMTRADA REMS yet: you can enroll patients once certified.",
      action: { href: "/enroll/LEMTRADA", label: "Start enrollment" },
    });
    // A certification in another programme does not count.
    expect(certificationGate([row("CERTIFIED", "OTHER")], program)?.action.label).toBe("Start enrollment");
  });

  it("says a submitted application is pending review and links to it", () => {
    expect(certificationGate([row("SUBMITTED")], program)).toEqual({
      text: "Your certification is pending review: you can enroll patients once certified.",
      action: { href: "/enrollment/e1", label: "View your application" },
    });
  });

  it("sends a draft or an application with requested changes back to the enrollment", () => {
    expect(certificationGate([row("DRAFT")], program)?.action).toEqual({
      href: "/enroll/LEMTRADA",
      label: "Continue enrollment",
    });
    expect(certificationGate([row("CHANGES_REQUESTED")], program)?.action.label).toBe("Make the requested changes");
  });

  it("gives a suspended prescriber the programme's phone number", () => {
    expect(certificationGate([row("SUSPENDED")], program)?.text).toContain("suspended");
    expect(certificationGate([row("DECERTIFIED")], program)?.text).toContain("1-855-676-6326");
  });

  it("lets a delegate through when any prescriber they work for is certified", () => {
    expect(certificationGate([row("SUBMITTED"), { ...row("CERTIFIED"), id: "e2" }], program, true)).toBeNull();
    expect(certificationGate([row("SUBMITTED")], program, true)?.text).toMatch(/None of the prescribers/);
  });
});
