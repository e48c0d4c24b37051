import { describe, expect, it } from "vitest";
import {
  bundleLookup,
  canonicalNdc,
  medicationCodings,
  programForCodings,
  requesterNpi,
  ZMedicationRequest,
} from "./fhir";
import { enrollmentLink, parseEnrollmentPrefill, prefillFormValues } from "./prefill";

const RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
const NDC = "http://hl7.org/fhir/sid/ndc";

describe("canonicalNdc", () => {
  it.each([
    ["58468-0200-01", "58468-0200-01"],
    ["58468020001", "58468-0200-01"],
    ["5846-0200-01", "05846-0200-01"],
    ["58468-200-01", "58468-0200-01"],
    ["58468-0200-1", "58468-0200-01"],
  ])("%s → %s", (input, out) => expect(canonicalNdc(input)).toBe(out));

  it.each(["5846802000", "58468-02000-01", "abc", "", "58468-0200-01-1"])("refuses %s", (input) =>
    expect(canonicalNdc(input)).toBeNull(),
  );
});

describe("programForCodings", () => {
  it("finds the programme from any coding, not only the first", () => {
    const found = programForCodings([
      { system: "urn:local", code: "X" },
      { system: `${RXNORM}/`, code: "1594663" },
    ]);
    expect(found?.program.code).toBe("LEMTRADA");
    expect(found?.ndc).toBe("58468-0200-01");
    expect(programForCodings([{ system: NDC, code: "58468020001" }])?.matchedBy).toBe("NDC 58468-0200-01");
  });

  it("ignores codes under the wrong system and drugs outside every programme", () => {
    expect(programForCodings([{ system: NDC, code: "1594663" }])).toBeNull();
    expect(programForCodings([{ system: RXNORM, code: "197361" }])).toBeNull();
    expect(programForCodings([{ code: "1594663" }])).toBeNull();
  });
});

describe("medicationCodings and requesterNpi", () => {
  const contained = ZMedicationRequest.parse({
    resourceType: "MedicationRequest",
    contained: [
      { resourceType: "Medication", id: "m", code: { coding: [{ system: NDC, code: "58468-0200-01" }] } },
      {
        resourceType: "Practitioner",
        id: "p",
        identifier: [{ system: "http://hl7.org/fhir/sid/us-npi", value: "1234567893" }],
      },
    ],
    medicationReference: { reference: "#m" },
    requester: { reference: "#p" },
  });

  it("reads a contained Medication and Practitioner", () => {
    expect(medicationCodings(contained)).toEqual([{ system: NDC, code: "58468-0200-01" }]);
    expect(requesterNpi(contained)).toBe("1234567893");
  });

  it("reads a Medication from the bundle by reference, and a requester's identifier", () => {
    const order = ZMedicationRequest.parse({
      resourceType: "MedicationRequest",
      medicationReference: { reference: "Medication/vial" },
      requester: { identifier: { system: "http://hl7.org/fhir/sid/us-npi", value: "1000000004" } },
    });
    const lookup = bundleLookup([
      {
        resourceType: "Bundle",
        entry: [
          {
            resource: {
              resourceType: "Medication",
              id: "vial",
              code: { coding: [{ system: RXNORM, code: "1594660" }] },
            },
          },
        ],
      },
    ]);
    expect(medicationCodings(order, lookup)).toEqual([{ system: RXNORM, code: "1594660" }]);
    expect(medicationCodings(order)).toEqual([]);
    expect(requesterNpi(order)).toBe("1000000004");
  });
});

describe("enrollment prefill", () => {
  it("keeps values that fit their field and drops the rest", () => {
    expect(
      parseEnrollmentPrefill({ given: "Noor", family: ["Haddad", "x"], birthDate: "1990-02-03", sex: "male" }),
    ).toEqual({ given: "Noor", family: "Haddad", birthDate: "1990-02-03", sex: "male" });
    expect(
      parseEnrollmentPrefill({ given: "<script>", family: "a\u0000b", birthDate: "1990-02-30", sex: "robot" }),
    ).toEqual({});
    expect(prefillFormValues({ given: "Noor", sex: "female" })).toEqual({ firstName: "Noor", sex: "female" });
  });

  it("builds the enrollment link from a FHIR Patient", () => {
    const url = new URL(
      enrollmentLink("https://rems.example.org", "LEMTRADA", {
        resourceType: "Patient",
        name: [
          { use: "old", family: "Old", given: ["Name"] },
          { use: "official", family: "Haddad", given: ["Noor", "A."] },
        ],
        birthDate: "1990-02-03",
        gender: "unknown",
      }),
    );
    expect(url.origin + url.pathname).toBe("https://rems.example.org/prescriber/patients/new");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      program: "LEMTRADA",
      given: "Noor",
      family: "Haddad",
      birthDate: "1990-02-03",
    });
  });
});
