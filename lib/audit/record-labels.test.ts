import { describe, expect, it } from "vitest";
import { AUDIT_RECORD_TYPE_LABELS, formatAuditRecordType } from "../format";
import { npiCheckDigit } from "../identifiers/npi";
import { ncpdpCheckDigit } from "../identifiers/ncpdp";
import { makeRemsId } from "../identifiers/rems-id";
import {
  classifyRecordQuery,
  dispenseAuthorizationLabel,
  enrollmentLabel,
  infusionLabel,
  invitationLabel,
  missingRecordLabel,
  patientLabel,
  prescriberLabel,
  settingLabel,
  shortReference,
  userLabel,
} from "./record-labels";

const UUID_PATTERN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const NPI = `123456789${npiCheckDigit("123456789")}`;
const NCPDP = `123456${ncpdpCheckDigit("123456")}`;
const DA = makeRemsId("DA", "7K4QM2XD");
const PATIENT = makeRemsId("PT", "AB12CD34");
const SETTING = makeRemsId("HS", "ZZ99YY88");
const pharmacy = { name: "Corner Pharmacy", ncpdpId: NCPDP };

describe("record labels", () => {
  it("names an approved authorization by its number, a refused request by prescription and pharmacy", () => {
    expect(dispenseAuthorizationLabel({ authorizationNumber: DA, prescriptionId: "RX-1", pharmacy })).toBe(DA);
    expect(dispenseAuthorizationLabel({ authorizationNumber: null, prescriptionId: "RX-77", pharmacy })).toBe(
      `request for prescription RX-77 from Corner Pharmacy (NCPDP ${NCPDP}), not approved`,
    );
  });

  it("names an enrollment by its stakeholder's identifier, its programme and its certification number", () => {
    const none = { prescriber: null, pharmacy: null, healthcareSetting: null, patient: null };
    expect(
      enrollmentLabel({
        ...none,
        kind: "PRESCRIBER",
        programCode: "LEMTRADA",
        certificationNumber: "RX-0000-0000-0",
        prescriber: { firstName: "Ada", lastName: "Okafor", credentials: "MD", npi: NPI },
      }),
    ).toBe(`Prescriber Ada Okafor, MD (NPI ${NPI}), LEMTRADA, certification RX-0000-0000-0`);
    expect(
      enrollmentLabel({ ...none, kind: "PHARMACY", programCode: "LEMTRADA", certificationNumber: null, pharmacy }),
    ).toBe(`Pharmacy Corner Pharmacy (NCPDP ${NCPDP}), LEMTRADA`);
    expect(
      enrollmentLabel({
        ...none,
        kind: "HEALTHCARE_SETTING",
        programCode: "LEMTRADA",
        certificationNumber: null,
        healthcareSetting: { name: "Lakeside Infusion", remsId: SETTING },
      }),
    ).toBe(`Healthcare setting Lakeside Infusion (REMS id ${SETTING}), LEMTRADA`);
    // A patient is named by REMS id only, never by name.
    expect(
      enrollmentLabel({
        ...none,
        kind: "PATIENT",
        programCode: "LEMTRADA",
        certificationNumber: null,
        patient: { remsId: PATIENT },
      }),
    ).toBe(`Patient REMS id ${PATIENT}, LEMTRADA`);
  });

  it("names people and places by the identifiers the registry uses", () => {
    expect(prescriberLabel({ firstName: "Ada", lastName: "Okafor", credentials: null, npi: NPI })).toBe(
      `Ada Okafor (NPI ${NPI})`,
    );
    expect(settingLabel({ name: "Lakeside", remsId: SETTING })).toBe(`Lakeside (REMS id ${SETTING})`);
    expect(patientLabel({ remsId: PATIENT })).toBe(`REMS id ${PATIENT}`);
    expect(userLabel({ name: "Avery", email: "avery@example.test" })).toBe("avery@example.test (Avery)");
    expect(invitationLabel({ email: "p@example.test", role: "PHARMACIST" })).toBe("for p@example.test (Pharmacy)");
    expect(
      infusionLabel({
        patient: { remsId: PATIENT },
        infusedOn: new Date("2026-05-04T00:00:00Z"),
        courseNumber: 2,
        dayInCourse: 3,
        healthcareSetting: { name: "Lakeside" },
      }),
    ).toBe(`of patient ${PATIENT} on 4 May 2026 (course 2, day 3) at Lakeside`);
  });

  it("says a record is gone with a short reference, never the whole internal id", () => {
    const id = "4b6f0f7e-2d5c-4a57-9d0c-000000000002";
    expect(missingRecordLabel(id)).toBe("record no longer exists (reference 4b6f0f7e)");
    expect(missingRecordLabel(id)).not.toMatch(UUID_PATTERN);
    expect(shortReference("/admin/audit")).toBe("/admin/audit");
    expect(shortReference("x".repeat(100))).toHaveLength(40);
  });

  it("names every record type in words, and turns a type no table knows into words", () => {
    expect(formatAuditRecordType("DispenseAuthorization")).toBe("Dispense authorization");
    expect(formatAuditRecordType("HealthcareSetting")).toBe("Healthcare setting");
    expect(formatAuditRecordType("StatusFormSubmission")).toBe("Patient Status Form");
    expect(formatAuditRecordType("SomethingNew")).toBe("Something new");
    expect(formatAuditRecordType("constructor")).toBe("Constructor");
    for (const [type, label] of Object.entries(AUDIT_RECORD_TYPE_LABELS)) {
      expect(label, type).not.toMatch(/[a-z][A-Z]/);
    }
  });
});

describe("classifyRecordQuery", () => {
  it.each([
    [DA, { kind: "remsId", value: DA }],
    [` ${DA.toLowerCase().replaceAll("-", " ")} `, { kind: "remsId", value: DA }],
    [NPI, { kind: "npi", value: NPI }],
    [NCPDP, { kind: "ncpdp", value: NCPDP }],
    ["Ada@Example.TEST", { kind: "email", value: "ada@example.test" }],
    ["nc-2026-00042", { kind: "case", value: "NC-2026-00042" }],
    ["4B6F0F7E-2D5C-4A57-9D0C-000000000002", { kind: "id", value: "4b6f0f7e-2d5c-4a57-9d0c-000000000002" }],
    ["Okafor", { kind: "unknown" }],
    ["12345", { kind: "unknown" }],
    ["", { kind: "unknown" }],
  ])("reads %j", (text, expected) => {
    expect(classifyRecordQuery(text)).toEqual(expected);
  });
});
