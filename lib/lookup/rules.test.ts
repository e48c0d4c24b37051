import { describe, expect, it } from "vitest";
import { certificationAnswer, classifySearch, prescriberDisplayName, publicStatusText } from "./rules";

describe("certificationAnswer", () => {
  it("names a certified prescriber and gives the certification number", () => {
    expect(
      certificationAnswer({
        kind: "prescriber",
        name: "Ada Lovelace, MD",
        enrollment: { status: "CERTIFIED", certificationNumber: "RX-1234-5678-9" },
      }),
    ).toEqual({
      kind: "prescriber",
      name: "Ada Lovelace, MD",
      certified: true,
      status: "CERTIFIED",
      certificationNumber: "RX-1234-5678-9",
    });
  });

  it.each(["DRAFT", "SUBMITTED", "CHANGES_REQUESTED", "REJECTED", "SUSPENDED", "DECERTIFIED", "EXPIRED"] as const)(
    "says nothing about who a %s prescriber is",
    (status) => {
      const answer = certificationAnswer({
        kind: "prescriber",
        name: "Ben Carson-Reed, MD",
        enrollment: { status, certificationNumber: status === "SUSPENDED" ? "RX-0000-0000-0" : null },
      });
      expect(answer).toEqual({ kind: "prescriber", name: "", certified: false, status, certificationNumber: null });
    },
  );

  it("reports a known stakeholder without an enrollment in the programme as NOT_ENROLLED", () => {
    expect(certificationAnswer({ kind: "pharmacy", name: "Corner Pharmacy", enrollment: null })).toEqual({
      kind: "pharmacy",
      name: "Corner Pharmacy",
      certified: false,
      status: "NOT_ENROLLED",
      certificationNumber: null,
    });
  });

  it("keeps an organisation's name when it is not certified, but never a lapsed certification number", () => {
    const answer = certificationAnswer({
      kind: "healthcareSetting",
      name: "Lakeside Infusion",
      enrollment: { status: "SUSPENDED", certificationNumber: "HC-1111-2222-3" },
    });
    expect(answer).toMatchObject({ name: "Lakeside Infusion", certified: false, status: "SUSPENDED" });
    expect(answer.certificationNumber).toBeNull();
  });
});

describe("prescriberDisplayName", () => {
  it("adds credentials when there are any", () => {
    expect(prescriberDisplayName({ firstName: "Ada", lastName: "Lovelace", credentials: "MD" })).toBe(
      "Ada Lovelace, MD",
    );
    expect(prescriberDisplayName({ firstName: "Ada", lastName: "Lovelace", credentials: " " })).toBe("Ada Lovelace");
    expect(prescriberDisplayName({ firstName: "Ada", lastName: "Lovelace" })).toBe("Ada Lovelace");
  });
});

describe("classifySearch", () => {
  it("reads 10 digits as an NPI and 7 as an NCPDP provider ID, ignoring spaces and dashes", () => {
    expect(classifySearch(" 1234567893 ")).toEqual({ ok: true, query: { by: "npi", npi: "1234567893" } });
    expect(classifySearch("123-456-7893")).toEqual({ ok: true, query: { by: "npi", npi: "1234567893" } });
    expect(classifySearch("123 4563")).toEqual({ ok: true, query: { by: "ncpdpId", ncpdpId: "1234563" } });
  });

  it("reports a wrong check digit instead of searching for it", () => {
    expect(classifySearch("1234567890")).toEqual({ ok: false, message: expect.stringMatching(/check digit/) });
    expect(classifySearch("1234567")).toEqual({ ok: false, message: expect.stringMatching(/check digit/) });
  });

  it("refuses numbers of other lengths with a hint", () => {
    expect(classifySearch("12345")).toEqual({ ok: false, message: expect.stringMatching(/10 digits.*7/) });
  });

  it("treats anything else as part of a name or city", () => {
    expect(classifySearch("  Demo   Specialty ")).toEqual({ ok: true, query: { by: "text", text: "Demo Specialty" } });
    expect(classifySearch("Route 66")).toEqual({ ok: true, query: { by: "text", text: "Route 66" } });
  });

  it("needs at least two characters and at most a hundred", () => {
    expect(classifySearch("a").ok).toBe(false);
    expect(classifySearch("").ok).toBe(false);
    expect(classifySearch("x".repeat(101)).ok).toBe(false);
  });
});

describe("publicStatusText", () => {
  it("explains each status in plain words", () => {
    expect(publicStatusText("NOT_ENROLLED")).toBe("Not enrolled in this programme");
    expect(publicStatusText("SUBMITTED")).toBe("Enrollment in progress");
    expect(publicStatusText("SUSPENDED")).toBe("Certification suspended");
  });
});
