import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { makeRemsId } from "./rems-id";
import { CHECK_CHARACTER_MISMATCH, zCheckedNpi, zCheckedRemsId, zDeaNumber, zNcpdpId, zNpi, zRemsId } from "./zod";

/** The messages of a failed parse (empty when it succeeds). */
function messages(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.message);
}

describe("zNpi", () => {
  it("trims and accepts a valid NPI", () => {
    expect(zNpi.parse(" 1234567893 ")).toBe("1234567893");
  });

  it("says what is wrong, one problem at a time", () => {
    expect(messages(zNpi, "12345")).toEqual(["NPI must be 10 digits"]);
    expect(messages(zNpi, "123456789X")).toEqual(["NPI must be 10 digits"]);
    expect(messages(zNpi, "1234567890")).toEqual(["NPI check digit is wrong — check for a typo"]);
    expect(messages(zNpi, undefined)).toEqual(["Enter the NPI"]);
    expect(messages(zNpi, 1234567893)).toEqual(["Enter the NPI"]);
  });
});

describe("zNcpdpId", () => {
  it("trims and accepts a valid NCPDP provider ID", () => {
    expect(zNcpdpId.parse("\t1234563\n")).toBe("1234563");
  });

  it("says what is wrong", () => {
    expect(messages(zNcpdpId, "123456")).toEqual(["NCPDP provider ID must be 7 digits"]);
    expect(messages(zNcpdpId, "1234560")).toEqual(["NCPDP provider ID check digit is wrong — check for a typo"]);
    expect(messages(zNcpdpId, null)).toEqual(["Enter the NCPDP provider ID"]);
  });
});

describe("zDeaNumber", () => {
  it("trims, upper-cases and accepts a valid DEA number", () => {
    expect(zDeaNumber.parse(" ab1234563 ")).toBe("AB1234563");
  });

  it("says what is wrong", () => {
    expect(messages(zDeaNumber, "AB12345")).toEqual(["DEA number must be 2 letters followed by 7 digits"]);
    expect(messages(zDeaNumber, "ZB1234563")).toEqual([
      "DEA number must start with a registrant-type letter (A–H, J–M, P, R–U or X)",
    ]);
    expect(messages(zDeaNumber, "AB1234560")).toEqual(["DEA number check digit is wrong — check for a typo"]);
  });
});

describe("zRemsId", () => {
  const patientId = makeRemsId("PT", "7K4QM2XD");
  const zPatientId = zRemsId("PT");

  it("outputs the canonical id from what a person typed", () => {
    expect(zPatientId.parse(patientId)).toBe(patientId);
    expect(zPatientId.parse(` ${patientId.toLowerCase().replaceAll("-", " ")} `)).toBe(patientId);
  });

  it("says what is wrong", () => {
    expect(messages(zPatientId, "PT-7K4Q")).toEqual([
      "ID must look like PT-XXXX-XXXX-X (2 letters, then 9 letters or digits)",
    ]);
    expect(messages(zPatientId, makeRemsId("HS", "7K4QM2XD"))).toEqual(["ID must start with PT-"]);
    const typo = `${patientId.slice(0, 3)}8${patientId.slice(4)}`;
    expect(messages(zPatientId, typo)).toEqual(["ID check character is wrong — check for a typo"]);
    expect(messages(zPatientId, 42)).toEqual(["Enter the ID"]);
  });

  it("refuses to build a schema for an impossible prefix", () => {
    expect(() => zRemsId("P0")).toThrow(RangeError);
  });
});

describe("zCheckedNpi", () => {
  const schema = zCheckedNpi("prescriber's NPI");
  it("ignores spaces and dashes and accepts a valid NPI", () => {
    expect(schema.parse(" 12345-67893 ")).toBe("1234567893");
  });
  it("tells a typo from a wrong shape", () => {
    expect(messages(schema, "1234567890")).toEqual([CHECK_CHARACTER_MISMATCH]);
    expect(messages(schema, "12345")).toEqual(["The prescriber's NPI is 10 digits"]);
    expect(messages(schema, " ")).toEqual(["Enter the prescriber's NPI"]);
  });
});

describe("zCheckedRemsId", () => {
  const schema = zCheckedRemsId(["PT"], "patient's REMS ID");
  const id = makeRemsId("PT", "7K4QM2XD");
  it("accepts an id as people type it and gives the canonical form", () => {
    expect(schema.parse(id.toLowerCase().replace(/-/g, " "))).toBe(id);
  });
  it("calls every one-character substitution a typo", () => {
    const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    for (let at = 3; at < id.length; at++) {
      if (id.charAt(at) === "-") continue;
      for (const c of alphabet) {
        if (c === id.charAt(at)) continue;
        expect(messages(schema, `${id.slice(0, at)}${c}${id.slice(at + 1)}`)).toEqual([CHECK_CHARACTER_MISMATCH]);
      }
    }
  });
  it("says when the shape or the prefix is wrong, one problem at a time", () => {
    expect(messages(schema, "PT-123")).toEqual(["Enter the patient's REMS ID as PT-XXXX-XXXX-X"]);
    expect(messages(schema, makeRemsId("HS", "7K4QM2XD"))).toEqual(["A patient's REMS ID starts with PT-"]);
    expect(messages(schema, "")).toEqual(["Enter the patient's REMS ID"]);
  });
});
