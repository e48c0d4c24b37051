import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { makeRemsId } from "./rems-id";
import { zDeaNumber, zNcpdpId, zNpi, zRemsId } from "./zod";

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
