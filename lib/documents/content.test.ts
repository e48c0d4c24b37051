import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import {
  answerText,
  certificateDocument,
  documentText,
  formatUtc,
  type SignedFormInput,
  signedFormDocument,
} from "./content";

const prescriber = lemtrada.stakeholders.prescriber;
if (!prescriber) throw new Error("LEMTRADA defines prescribers");
const generatedAt = new Date("2026-12-01T09:30:00Z");
const hash = "a".repeat(64);

function input(overrides: Partial<SignedFormInput> = {}): SignedFormInput {
  return {
    program: { code: "LEMTRADA", name: "LEMTRADA REMS", definitionVersion: 1 },
    requirement: prescriber,
    enrollment: {
      id: "0b6f7c1e-1111-4222-8333-444455556666",
      kind: "PRESCRIBER",
      status: "CERTIFIED",
      submittedAt: new Date("2026-11-20T10:00:00Z"),
      certificationNumber: "RX-7K4Q-M2XD-9",
    },
    stakeholderName: "Ada Lovelace, MD",
    identifiers: [{ label: "NPI", value: "1234567893" }],
    data: {
      form: { firstName: "Ada", lastName: "Lovelace", credentials: "md", npi: "1234567893", legacyField: "kept" },
      training: { autoimmunity: "2026-11-19T08:15:00.000Z" },
      attestations: { "education-complete": true },
    },
    attempts: [
      {
        attemptNumber: 1,
        correctCount: 6,
        questionCount: 8,
        passed: false,
        submittedAt: new Date("2026-11-19T09:00:00Z"),
      },
      {
        attemptNumber: 2,
        correctCount: 8,
        questionCount: 8,
        passed: true,
        submittedAt: new Date("2026-11-19T09:20:00Z"),
      },
    ],
    signatures: [
      {
        printedName: "Ada Lovelace",
        meaning: prescriber?.signatureMeaning ?? "",
        signedAt: new Date("2026-11-20T09:59:00Z"),
        contentSha256: hash,
        signerEmail: "ada@example.org",
      },
    ],
    generatedAt,
    ...overrides,
  };
}

describe("signedFormDocument", () => {
  const text = documentText(signedFormDocument(input()));

  it("names the programme, the stakeholder, the enrollment and its status", () => {
    expect(text).toContain("LEMTRADA REMS: prescriber enrollment form");
    expect(text).toContain("Prescriber: Ada Lovelace, MD");
    expect(text).toContain("NPI: 1234567893");
    expect(text).toContain("Status: Certified");
    expect(text).toContain("Certification number: RX-7K4Q-M2XD-9");
    expect(text).toContain("generated 1 Dec 2026, 09:30 UTC");
  });

  it("names the enrollment by what people quote, never by its internal id (kept in the metadata only)", () => {
    const certified = signedFormDocument(input());
    const uuid = "0b6f7c1e-1111-4222-8333-444455556666";
    expect(`${documentText(certified)}\n${certified.footer}`).not.toContain(uuid);
    expect(certified.footer).toBe("LEMTRADA REMS · prescriber enrollment · Certification number RX-7K4Q-M2XD-9");
    expect(certified.subject).toContain(uuid);
    expect(certified.blocks.slice(0, 2)).toEqual([
      { kind: "field", label: "Prescriber", value: "Ada Lovelace, MD" },
      { kind: "field", label: "NPI", value: "1234567893" },
    ]);

    const submitted = signedFormDocument(
      input({
        enrollment: { ...input().enrollment, status: "SUBMITTED", certificationNumber: null },
        stakeholderName: "Northside Pharmacy",
        identifiers: [
          { label: "NCPDP", value: "1234567" },
          { label: "REMS id", value: "PH-7K3M-9Q2D-X" },
        ],
      }),
    );
    expect(submitted.footer).toBe("LEMTRADA REMS · prescriber enrollment · NCPDP 1234567");
    expect(documentText(submitted)).toContain("REMS id: PH-7K3M-9Q2D-X");
    expect(`${documentText(submitted)}\n${submitted.footer}`).not.toContain(uuid);
  });

  it("lists every form field with its label, option labels instead of values, and a dash for blanks", () => {
    for (const field of prescriber?.enrollmentForm.fields ?? []) expect(text).toContain(`${field.label}: `);
    expect(text).toContain("First name: Ada");
    expect(text).toContain("Credentials: MD");
    expect(text).toContain("NPI: 1234567893");
    expect(text).toContain("DEA number: —");
    expect(text).toContain("Practice address");
    expect(text).toContain("legacyField: kept");
  });

  it("shows each training section with the time it was acknowledged", () => {
    expect(text).toContain("Autoimmunity: Acknowledged 19 Nov 2026, 08:15 UTC");
    expect(text).toContain("Stroke: Not acknowledged");
  });

  it("gives the assessment result from the passing attempt and the number of attempts", () => {
    expect(text).toContain("Result: Passed: 8 of 8 correct on attempt 2, 19 Nov 2026, 09:20 UTC");
    expect(text).toContain("Attempts: 2");
    expect(text).toContain("Pass mark: At least 8 of 8 correct");
  });

  it("ticks attested statements and marks the others", () => {
    expect(text).toContain(`[x] ${prescriber?.attestations[0]?.text}`);
    expect(text).toContain(`[ ] ${prescriber?.attestations[1]?.text} (not attested)`);
  });

  it("carries the electronic signature record: printed name, time, meaning and SHA-256", () => {
    expect(text).toContain("Printed name: Ada Lovelace");
    expect(text).toContain("Signed: 20 Nov 2026, 09:59 UTC");
    expect(text).toContain(`Meaning: ${prescriber?.signatureMeaning}`);
    expect(text).toContain(`SHA-256 of signed content: ${hash}`);
    expect(text).toContain("Signer's account: ada@example.org");
  });

  it("says when the programme asks for no training or assessment", () => {
    const pharmacy = lemtrada.stakeholders.pharmacy;
    const doc = signedFormDocument(
      input({
        requirement: pharmacy ? { ...pharmacy, training: null } : undefined,
        enrollment: { ...input().enrollment, kind: "PHARMACY" },
        attempts: [],
      }),
    );
    const t = documentText(doc);
    expect(t).toContain("LEMTRADA REMS: pharmacy enrollment form");
    expect(t).toContain("requires no training");
    expect(t).toContain("requires no knowledge assessment");
  });

  it("says 'Not passed' when no attempt passed", () => {
    const t = documentText(signedFormDocument(input({ attempts: [] })));
    expect(t).toContain("Result: Not passed");
  });
});

describe("answerText", () => {
  const select = prescriber?.enrollmentForm.fields.find((f) => f.id === "credentials");
  it("uses option labels, and the raw value for an option the definition no longer has", () => {
    if (!select) throw new Error("credentials field");
    expect(answerText(select, "do")).toBe("DO");
    expect(answerText(select, "retired")).toBe("retired");
    expect(answerText(select, "  ")).toBe("—");
  });
});

describe("certificateDocument", () => {
  const setting = {
    program: { code: "LEMTRADA", name: "LEMTRADA REMS" },
    kind: "HEALTHCARE_SETTING" as const,
    stakeholderName: "Lakeside Infusion Center",
    certificationNumber: "HC-1111-2222-3",
    certifiedAt: new Date("2026-10-05T16:00:00Z"),
    expiresAt: null,
    identifiers: [
      { label: "NPI", value: "1234567893" },
      { label: "REMS id", value: "HS-AAAA-BBBB-C" },
    ],
    status: "CERTIFIED" as const,
    verifyUrl: "https://registry.example.org/lookup",
    generatedAt,
  };

  it("states who is certified, in which programme, the number, the identifiers, the date and the status", () => {
    const text = documentText(certificateDocument(setting));
    expect(text).toContain("Certificate of REMS certification");
    expect(text).toContain("Lakeside Infusion Center");
    expect(text).toContain("is certified in the LEMTRADA REMS as a healthcare setting.");
    expect(text).toContain("Certification number: HC-1111-2222-3");
    expect(text).toContain("NPI: 1234567893");
    expect(text).toContain("REMS id: HS-AAAA-BBBB-C");
    expect(text).toContain("Certified on: 5 Oct 2026");
    expect(text).toContain("Status: Certified (as of 1 Dec 2026, 09:30 UTC)");
    expect(text).toContain("https://registry.example.org/lookup");
  });

  it("says there is no expiry when the programme has no recertification", () => {
    const text = documentText(certificateDocument(setting));
    expect(text).toContain("Expiry: none. The certification remains valid until suspended or decertified.");
    expect(text).not.toContain("Recertification due");
  });

  it("gives the recertification date when the certification expires", () => {
    const text = documentText(
      certificateDocument({
        ...setting,
        kind: "PHARMACY",
        identifiers: [{ label: "NCPDP", value: "1234563" }],
        expiresAt: new Date("2028-10-05T16:00:00Z"),
      }),
    );
    expect(text).toContain("NCPDP: 1234563");
    expect(text).toContain("Recertification due by: 5 Oct 2028");
    expect(text).not.toContain("Expiry: none");
  });
});

describe("formatUtc", () => {
  it("formats dates and ISO strings in UTC and leaves unreadable values alone", () => {
    expect(formatUtc(new Date("2026-02-03T04:05:06Z"))).toBe("3 Feb 2026, 04:05 UTC");
    expect(formatUtc("2026-02-03T23:59:59.999-05:00")).toBe("4 Feb 2026, 04:59 UTC");
    expect(formatUtc("yesterday")).toBe("yesterday");
  });
});
