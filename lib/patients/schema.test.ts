import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import { validatePatientEnrollment, ZSetPatientStatus, ZTransferPatient } from "./schema";

const requirement = lemtrada.stakeholders.patient;
if (!requirement) throw new Error("LEMTRADA enrolls patients");
const now = new Date("2026-11-25T10:00:00Z");

const complete = {
  values: {
    firstName: "Grace",
    lastName: "Hopper",
    dateOfBirth: "1980-04-02",
    sex: "female",
    addressLine1: "1 Main Street",
    city: "Springfield",
    state: "il",
    zip: "62701",
    phone: "217-555-0142",
    email: "",
  },
  healthcareSettingId: "00000000-0000-4000-8000-000000000001",
  counselledMaterialIds: ["patient-guide", "safety-information-card"],
  signatureMethod: "PAPER",
  coSignature: {
    printedName: "Dr Ada",
    password: "x",
    attestations: ["patient-counselled", "signed-form-on-file"],
  },
};

describe("validatePatientEnrollment", () => {
  it("accepts a complete enrollment and normalizes the values", () => {
    const result = validatePatientEnrollment(requirement, complete, now, { requireCoSignature: true });
    expect(result.fields).toEqual({});
    expect(result.values).toMatchObject({ state: "IL", email: undefined });
  });

  it("reports every problem on its field at once", () => {
    const result = validatePatientEnrollment(
      requirement,
      {
        values: { ...complete.values, lastName: "", dateOfBirth: "2030-01-01" },
        healthcareSettingId: "",
        counselledMaterialIds: ["patient-guide"],
        signatureMethod: "ACCOUNT",
        coSignature: { printedName: "", password: "", attestations: [] },
      },
      now,
      { requireCoSignature: true },
    );
    expect(Object.keys(result.fields).sort()).toEqual(
      [
        "coSignature.attestations",
        "coSignature.password",
        "coSignature.printedName",
        "counselledMaterialIds",
        "dateOfBirth",
        "email",
        "healthcareSettingId",
        "lastName",
      ].sort(),
    );
    expect(result.fields.dateOfBirth).toEqual(["The date of birth cannot be in the future"]);
  });

  it("asks for an override reason under 17, and is satisfied by one", () => {
    const young = { ...complete, values: { ...complete.values, dateOfBirth: "2012-01-01" } };
    const missing = validatePatientEnrollment(requirement, young, now, { requireCoSignature: true });
    expect(missing.fields.ageOverrideReason?.[0]).toMatch(/minimum age of 17/);
    const given = validatePatientEnrollment(requirement, { ...young, ageOverrideReason: "MDT decision" }, now, {
      requireCoSignature: true,
    });
    expect(given.fields).toEqual({});
  });

  it("does not ask a delegate for the co-signature", () => {
    const { coSignature: _omitted, ...prepared } = complete;
    expect(validatePatientEnrollment(requirement, prepared, now, { requireCoSignature: false }).fields).toEqual({});
  });
});

describe("status and transfer inputs", () => {
  const patientId = "00000000-0000-4000-8000-000000000002";
  it("needs a reason code to disenroll and a reason for not authorized", () => {
    expect(ZSetPatientStatus.safeParse({ patientId, status: "DISENROLLED", reason: "" }).success).toBe(false);
    expect(
      ZSetPatientStatus.safeParse({ patientId, status: "DISENROLLED", reasonCode: "deceased", reason: "" }).success,
    ).toBe(true);
    expect(
      ZSetPatientStatus.safeParse({ patientId, status: "DISENROLLED", reasonCode: "other", reason: "" }).success,
    ).toBe(false);
    expect(ZSetPatientStatus.safeParse({ patientId, status: "NOT_AUTHORIZED", reason: " " }).success).toBe(false);
  });
  it("needs a 10-digit NPI and a reason to transfer", () => {
    expect(ZTransferPatient.safeParse({ patientId, toPrescriberNpi: "123", reason: "x" }).success).toBe(false);
    expect(ZTransferPatient.safeParse({ patientId, toPrescriberNpi: "1234567893", reason: "" }).success).toBe(false);
    expect(ZTransferPatient.safeParse({ patientId, toPrescriberNpi: "1234567893", reason: "moved" }).success).toBe(
      true,
    );
  });
});
