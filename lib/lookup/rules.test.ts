import { describe, expect, it } from "vitest";
import { generateRemsId, makeRemsId } from "../identifiers/rems-id";
import { certificationAnswer, classifySearch, prescriberDisplayName } from "./rules";

describe("certificationAnswer", () => {
  it("names a certified prescriber and gives the certification number and its dates", () => {
    expect(
      certificationAnswer({
        kind: "prescriber",
        name: "Ada Lovelace, MD",
        enrollment: {
          status: "CERTIFIED",
          certificationNumber: "RX-1234-5678-9",
          certifiedAt: new Date("2026-01-15T10:00:00Z"),
          expiresAt: new Date("2028-01-14T23:59:59Z"),
        },
      }),
    ).toEqual({
      kind: "prescriber",
      name: "Ada Lovelace, MD",
      certified: true,
      certificationNumber: "RX-1234-5678-9",
      certifiedOn: "2026-01-15",
      expiresOn: "2028-01-14",
      remsId: null,
    });
  });

  const notCertified = [
    "DRAFT",
    "SUBMITTED",
    "CHANGES_REQUESTED",
    "REJECTED",
    "SUSPENDED",
    "DECERTIFIED",
    "EXPIRED",
  ] as const;

  it.each(notCertified)("says only 'not certified' about a %s prescriber, and nothing about who it is", (status) => {
    const answer = certificationAnswer({
      kind: "prescriber",
      name: "Ben Carson-Reed, MD",
      enrollment: {
        status,
        certificationNumber: status === "SUSPENDED" ? "RX-0000-0000-0" : null,
        certifiedAt: new Date("2025-01-01T00:00:00Z"),
        expiresAt: new Date("2027-01-01T00:00:00Z"),
      },
    });
    expect(answer).toEqual({
      kind: "prescriber",
      name: "",
      certified: false,
      certificationNumber: null,
      certifiedOn: null,
      expiresOn: null,
      remsId: null,
    });
  });

  it.each(notCertified)("gives the same answer for a %s organisation as for one never enrolled", (status) => {
    const facts = { kind: "pharmacy" as const, name: "Corner Pharmacy" };
    const enrolled = certificationAnswer({
      ...facts,
      enrollment: { status, certificationNumber: "DP-1111-2222-3", certifiedAt: new Date("2025-01-01") },
    });
    expect(enrolled).toEqual(certificationAnswer({ ...facts, enrollment: null }));
    expect(enrolled).toEqual({
      kind: "pharmacy",
      name: "Corner Pharmacy",
      certified: false,
      certificationNumber: null,
      certifiedOn: null,
      expiresOn: null,
      remsId: null,
    });
    expect(Object.keys(enrolled)).not.toContain("status");
  });

  it("gives a healthcare setting's REMS ID, certified or not", () => {
    const setting = { kind: "healthcareSetting" as const, name: "Lakeside Infusion", remsId: "HS-1111-2222-3" };
    expect(
      certificationAnswer({ ...setting, enrollment: { status: "CERTIFIED", certificationNumber: "HC-4444-5555-6" } }),
    ).toMatchObject({ certified: true, remsId: "HS-1111-2222-3", certificationNumber: "HC-4444-5555-6" });
    expect(
      certificationAnswer({ ...setting, enrollment: { status: "SUSPENDED", certificationNumber: "HC-4444-5555-6" } }),
    ).toMatchObject({
      name: "Lakeside Infusion",
      certified: false,
      remsId: "HS-1111-2222-3",
      certificationNumber: null,
    });
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

  it("reads a pharmacy's or setting's REMS id or certification number, typed loosely, as that id", () => {
    for (const prefix of ["PH", "HS", "DP", "HC"]) {
      const id = generateRemsId(prefix);
      expect(classifySearch(id)).toEqual({ ok: true, query: { by: "remsId", remsId: id } });
      const typed = id.replace(/-/g, "").toLowerCase();
      expect(classifySearch(` ${typed} `)).toEqual({
        ok: true,
        query: /\d/.test(typed) ? { by: "remsId", remsId: id } : { by: "remsId", remsId: id, text: typed },
      });
    }
    // An id of letters only, typed without dashes, is searched as the id and as a word of a name or city.
    const lettersOnly = ["ABCDEFGH", "BCDEFGHJ", "CDEFGHJK", "DEFGHJKM", "EFGHJKMN"]
      .map((body) => makeRemsId("HS", body))
      .find((id) => !/\d/.test(id));
    expect(lettersOnly).toBeDefined();
    const word = (lettersOnly ?? "").replace(/-/g, "").toLowerCase();
    expect(classifySearch(word)).toEqual({ ok: true, query: { by: "remsId", remsId: lettersOnly, text: word } });
    expect(classifySearch(lettersOnly ?? "")).toEqual({ ok: true, query: { by: "remsId", remsId: lettersOnly } });
    // A patient's id, an id with a wrong check character, and a word that folds to an id stay text.
    const patient = generateRemsId("PT");
    expect(classifySearch(patient).ok && classifySearch(patient)).toMatchObject({ query: { by: "text" } });
    const setting = generateRemsId("HS");
    const typo = `${setting.slice(0, -1)}${setting.endsWith("0") ? "1" : "0"}`;
    expect(classifySearch(typo)).toMatchObject({ ok: true, query: { by: "text" } });
    expect(classifySearch("Springfield")).toEqual({ ok: true, query: { by: "text", text: "Springfield" } });
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
