import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateRemsId, isValidRemsId, normalizeRemsId } from "../identifiers/rems-id";
import {
  ageInYears,
  checkDateOfBirth,
  decideStatusChange,
  duplicateReasons,
  findDuplicates,
  normalizeName,
  statusReasonText,
} from "./rules";

const now = new Date("2026-11-25T10:00:00Z");

describe("ageInYears", () => {
  it("counts whole years, the birthday itself included", () => {
    expect(ageInYears("2009-11-25", "2026-11-25")).toBe(17);
    expect(ageInYears("2009-11-26", "2026-11-25")).toBe(16);
    expect(ageInYears("2008-02-29", "2026-02-28")).toBe(17);
    expect(ageInYears("2008-02-29", "2026-03-01")).toBe(18);
  });
});

describe("checkDateOfBirth", () => {
  it("refuses a future date and an impossible date", () => {
    expect(checkDateOfBirth("2026-11-26", now, 17).kind).toBe("future");
    expect(checkDateOfBirth("2026-02-30", now, 17).kind).toBe("invalid");
    expect(checkDateOfBirth("1850-01-01", now, 17).kind).toBe("invalid");
  });
  it("warns under the programme's minimum age, from the 17th birthday on it is fine", () => {
    const young = checkDateOfBirth("2009-11-26", now, 17);
    expect(young).toMatchObject({ kind: "underMinimum", ageYears: 16, minimumAgeYears: 17 });
    expect(checkDateOfBirth("2009-11-25", now, 17)).toEqual({ kind: "ok", ageYears: 17 });
    expect(checkDateOfBirth("2020-01-01", now, undefined).kind).toBe("ok");
  });
});

describe("suspected duplicates", () => {
  const base = { firstName: "Grace", lastName: "O'Brien", dateOfBirth: "1980-04-02", email: "grace@example.org" };
  it("matches the same name and date of birth whatever the case, accents and punctuation", () => {
    expect(normalizeName(" Zoë  O'Brien-Smith ")).toBe("zoeobriensmith");
    expect(
      duplicateReasons(base, { firstName: "GRACE", lastName: "obrien", dateOfBirth: "1980-04-02", email: null }),
    ).toEqual(["name-and-date-of-birth"]);
  });
  it("matches the same e-mail, case-insensitively, and reports both reasons", () => {
    expect(duplicateReasons(base, { ...base, email: " Grace@Example.ORG" })).toEqual([
      "name-and-date-of-birth",
      "email",
    ]);
    expect(
      duplicateReasons(base, {
        firstName: "Ann",
        lastName: "Lee",
        dateOfBirth: "1990-01-01",
        email: "GRACE@example.org",
      }),
    ).toEqual(["email"]);
  });
  it("does not match another date of birth, another first name, or two blank e-mails", () => {
    expect(duplicateReasons(base, { ...base, dateOfBirth: "1980-04-03", email: null })).toEqual([]);
    expect(duplicateReasons(base, { ...base, firstName: "Gracie", email: null })).toEqual([]);
    expect(duplicateReasons({ ...base, email: null }, { ...base, firstName: "X", email: null })).toEqual([]);
  });
  it("returns only the candidates that match", () => {
    const others = [
      { ...base, id: "a" },
      { ...base, id: "b", firstName: "Other", email: null },
    ];
    expect(findDuplicates(base, others).map((m) => m.patient.id)).toEqual(["a"]);
  });
  it("a person always matches themself (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => normalizeName(s) !== ""),
        fc.string(),
        (last, first) => {
          const p = { firstName: first, lastName: last, dateOfBirth: "1970-01-01", email: null };
          expect(duplicateReasons(p, { ...p })).toContain("name-and-date-of-birth");
        },
      ),
    );
  });
});

describe("status changes", () => {
  it("allows enrolled ↔ not authorized and disenrolling, never re-enrolling the deceased", () => {
    expect(decideStatusChange({ from: "ENROLLED", to: "NOT_AUTHORIZED", currentReasonCode: null }).ok).toBe(true);
    expect(decideStatusChange({ from: "NOT_AUTHORIZED", to: "ENROLLED", currentReasonCode: null }).ok).toBe(true);
    expect(decideStatusChange({ from: "ENROLLED", to: "DISENROLLED", currentReasonCode: null }).ok).toBe(true);
    expect(decideStatusChange({ from: "DISENROLLED", to: "ENROLLED", currentReasonCode: "other" }).ok).toBe(true);
    expect(decideStatusChange({ from: "DISENROLLED", to: "ENROLLED", currentReasonCode: "deceased" }).ok).toBe(false);
    expect(decideStatusChange({ from: "ENROLLED", to: "ENROLLED", currentReasonCode: null }).ok).toBe(false);
  });
  it("a pending enrollment is only abandoned by hand, never enrolled", () => {
    expect(decideStatusChange({ from: "DRAFT", to: "ENROLLED", currentReasonCode: null }).ok).toBe(false);
    expect(decideStatusChange({ from: "DRAFT", to: "DISENROLLED", currentReasonCode: null }).ok).toBe(true);
  });
  it("prefixes a disenrollment reason with its label", () => {
    expect(statusReasonText("DISENROLLED", "deceased", "")).toBe("Deceased");
    expect(statusReasonText("DISENROLLED", "other", "moved abroad")).toBe("Other: moved abroad");
    expect(statusReasonText("NOT_AUTHORIZED", undefined, " platelets low ")).toBe("platelets low");
  });
});

describe("REMS patient ids", () => {
  it("are PT ids whose check character catches a typo", () => {
    const id = generateRemsId("PT");
    expect(id).toMatch(/^PT-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
    expect(isValidRemsId(id, "PT")).toBe(true);
    expect(isValidRemsId(id, "HS")).toBe(false);
    const last = id.at(-2) === "0" ? "1" : "0";
    const typo = `${id.slice(0, -2)}${last}${id.slice(-1)}`;
    expect(isValidRemsId(normalizeRemsId(typo) ?? "", "PT")).toBe(false);
    expect(normalizeRemsId(id.toLowerCase().replace(/-/g, " "))).toBe(id);
  });
});
