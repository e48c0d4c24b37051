import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import { ZFormDefinition } from "../programs/schema";
import { buildFormSchema, emptyFormValues } from "./form-schema";

function formOf(kind: "prescriber" | "pharmacy" | "healthcareSetting") {
  const form = lemtrada.stakeholders[kind]?.enrollmentForm;
  if (!form) throw new Error(`no ${kind} form`);
  return form;
}

const prescriber = {
  firstName: "Noor",
  lastName: "Haddad",
  credentials: "md",
  npi: "1234567893",
  specialty: "Neurology",
  dea: "",
  practiceName: "Lakeside Neurology",
  addressLine1: "12 Harbor Street",
  addressLine2: "",
  city: "Madison",
  state: "WI",
  zip: "53703",
  phone: "608-555-0142",
  email: "noor@clinic.test",
};

function errorsOf(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return Object.fromEntries((result.error?.issues ?? []).map((i) => [String(i.path[0]), i.message]));
}

describe("buildFormSchema: the prescriber form", () => {
  const schema = buildFormSchema(formOf("prescriber"));

  it("accepts a complete form, trims values and turns blank optional fields into undefined", () => {
    const result = schema.safeParse({ ...prescriber, city: "  Madison ", state: "wi", dea: "   " });
    expect(result.success).toBe(true);
    expect(result.data).toMatchObject({ city: "Madison", state: "WI", dea: undefined, addressLine2: undefined });
  });

  it("names each required field that is empty", () => {
    const result = schema.safeParse({ ...prescriber, firstName: " ", npi: "", specialty: undefined });
    expect(errorsOf(result)).toEqual({
      firstName: "First name is required",
      npi: "NPI is required",
      specialty: "Specialty is required",
    });
  });

  it("checks the NPI check digit and its shape, one message at a time", () => {
    expect(errorsOf(schema.safeParse({ ...prescriber, npi: "1234567890" }))).toEqual({
      npi: "NPI check digit is wrong — check for a typo",
    });
    expect(errorsOf(schema.safeParse({ ...prescriber, npi: "12345" }))).toEqual({ npi: "NPI must be 10 digits" });
    expect(errorsOf(schema.safeParse({ ...prescriber, npi: " 1234567893 " }))).toEqual({});
  });

  it("validates an optional DEA number only when one is given", () => {
    expect(schema.safeParse({ ...prescriber, dea: "AB1234563" }).success).toBe(true);
    expect(errorsOf(schema.safeParse({ ...prescriber, dea: "AB1234567" }))).toEqual({
      dea: "DEA number check digit is wrong — check for a typo",
    });
  });

  it("checks e-mail, phone, ZIP code, state and the credential choice", () => {
    const result = schema.safeParse({
      ...prescriber,
      email: "noor@",
      phone: "555-0142",
      zip: "5370",
      state: "XX",
      credentials: "phd",
    });
    expect(errorsOf(result)).toEqual({
      email: "Enter a valid e-mail address, like name@example.com",
      phone: "Enter a 10-digit phone number, like 217-555-0100",
      zip: "Enter a 5-digit ZIP code (or ZIP+4, like 62701-1234)",
      state: "Choose a state",
      credentials: "Choose one of the options for Credentials",
    });
    expect(schema.safeParse({ ...prescriber, phone: "+1 (608) 555-0142", zip: "53703-1234" }).success).toBe(true);
  });

  it("enforces the definition's maximum lengths", () => {
    expect(errorsOf(schema.safeParse({ ...prescriber, firstName: "x".repeat(61) }))).toEqual({
      firstName: "Use at most 60 characters",
    });
  });
});

describe("buildFormSchema: pharmacy and healthcare setting forms", () => {
  it("checks the NCPDP provider ID", () => {
    const schema = buildFormSchema(formOf("pharmacy"));
    const pharmacy = {
      pharmacyName: "Riverside Pharmacy",
      pharmacyType: "retail",
      ncpdpId: "1234563",
      npi: "1000000012",
      addressLine1: "40 Elm Avenue",
      city: "Columbus",
      state: "OH",
      zip: "43215",
      contactName: "Jordan Reyes",
      contactPhone: "614-555-0199",
      contactEmail: "jordan@org.test",
    };
    expect(schema.safeParse(pharmacy).success).toBe(true);
    expect(errorsOf(schema.safeParse({ ...pharmacy, ncpdpId: "1234560" }))).toEqual({
      ncpdpId: "NCPDP provider ID check digit is wrong — check for a typo",
    });
  });

  it("needs the setting's NPI or another identifier, and reports the rule on both fields", () => {
    const schema = buildFormSchema(formOf("healthcareSetting"));
    const setting = {
      settingName: "Northside Infusion",
      settingType: "infusion_center",
      addressLine1: "1 Main St",
      city: "Columbus",
      state: "OH",
      zip: "43215",
      contactName: "Jordan Reyes",
      contactPhone: "614-555-0199",
      contactEmail: "jordan@org.test",
    };
    const neither = errorsOf(schema.safeParse({ ...setting, npi: "", otherIdentifier: " " }));
    expect(neither).toEqual({
      npi: "Give the setting's NPI or another identifier.",
      otherIdentifier: "Give the setting's NPI or another identifier.",
    });
    expect(schema.safeParse({ ...setting, otherIdentifier: "LIC-1" }).success).toBe(true);
    expect(schema.safeParse({ ...setting, npi: "1000000020" }).success).toBe(true);
  });
});

describe("buildFormSchema: other field types", () => {
  const form = ZFormDefinition.parse({
    fields: [
      { id: "started", label: "Start date", type: "date", required: true },
      { id: "pregnant", label: "Pregnant", type: "yesNo", required: true },
      { id: "notes", label: "Notes", type: "textarea", required: false, maxLength: 5 },
    ],
  });
  const schema = buildFormSchema(form);

  it("accepts ISO dates and yes/no answers", () => {
    expect(schema.safeParse({ started: "2026-02-01", pregnant: "no" }).success).toBe(true);
    expect(errorsOf(schema.safeParse({ started: "01/02/2026", pregnant: "maybe", notes: "too long" }))).toEqual({
      started: "Enter a date as YYYY-MM-DD",
      pregnant: "Answer yes or no",
      notes: "Use at most 5 characters",
    });
  });

  it("starts every field empty", () => {
    expect(emptyFormValues(form)).toEqual({ started: "", pregnant: "", notes: "" });
    expect(Object.keys(emptyFormValues(formOf("prescriber")))).toEqual(formOf("prescriber").fields.map((f) => f.id));
  });
});
