import { describe, expect, it } from "vitest";
import { lemtrada } from "./lemtrada";
import { DENIAL_REASON_CODES, type TStakeholderRequirement, ZProgramDefinition } from "./schema";

function requirement(kind: keyof typeof lemtrada.stakeholders): TStakeholderRequirement {
  const req = lemtrada.stakeholders[kind];
  if (!req) throw new Error(`LEMTRADA has no ${kind} requirements`);
  return req;
}

const prescriber = requirement("prescriber");
const assessment = prescriber.knowledgeAssessment;
const questions = assessment?.questions ?? [];

/** Text of the single correct option of a question. */
function correctAnswer(questionId: string): string {
  const q = questions.find((x) => x.id === questionId);
  const option = q?.options.find((o) => q.correctOptionIds.includes(o.id));
  if (!option) throw new Error(`no correct option for ${questionId}`);
  return option.text;
}

const fieldIds = (req: TStakeholderRequirement) => req.enrollmentForm.fields.map((f) => f.id);
const field = (req: TStakeholderRequirement, id: string) => req.enrollmentForm.fields.find((f) => f.id === id);

describe("LEMTRADA programme definition", () => {
  it("parses through the schema unchanged", () => {
    expect(ZProgramDefinition.parse(lemtrada)).toEqual(lemtrada);
  });

  it("identifies the drug and its NDC", () => {
    expect(lemtrada.code).toBe("LEMTRADA");
    expect(lemtrada.drug).toMatchObject({ name: "LEMTRADA", genericName: "alemtuzumab", dispenseUnit: "vial" });
    expect(lemtrada.drug.presentation).toContain("12 mg/1.2 mL");
    expect(lemtrada.ndcs).toEqual(["58468-0200-01"]);
  });

  it("has requirements for all four stakeholder kinds", () => {
    expect(Object.keys(lemtrada.stakeholders).sort()).toEqual([
      "healthcareSetting",
      "patient",
      "pharmacy",
      "prescriber",
    ]);
  });

  it("is frozen, so no request can alter the shared definition", () => {
    expect(Object.isFrozen(lemtrada.stakeholders.prescriber?.attestations)).toBe(true);
    expect(() => {
      (lemtrada as { code: string }).code = "OTHER";
    }).toThrow(TypeError);
  });
});

describe("LEMTRADA prescriber requirements", () => {
  it("asks for the enrollment form fields, DEA number optional", () => {
    expect(fieldIds(prescriber)).toEqual([
      "firstName",
      "lastName",
      "credentials",
      "npi",
      "specialty",
      "dea",
      "practiceName",
      "addressLine1",
      "addressLine2",
      "city",
      "state",
      "zip",
      "phone",
      "email",
    ]);
    expect(field(prescriber, "npi")).toMatchObject({ type: "npi", required: true });
    expect(field(prescriber, "dea")).toMatchObject({ type: "dea", required: false });
    expect(field(prescriber, "email")).toMatchObject({ type: "email", required: true });
    expect(field(prescriber, "addressLine2")?.required).toBe(false);
  });

  it("trains on each risk and the REMS process, with every section acknowledged", () => {
    expect(prescriber.training?.sections.map((s) => s.id)).toEqual([
      "programme-overview",
      "autoimmunity",
      "infusion-reactions",
      "stroke",
      "malignancies",
      "monitoring-requirements",
      "rems-process",
    ]);
    expect(prescriber.training?.sections.every((s) => s.requiresAcknowledgement)).toBe(true);
  });

  it("has exactly 8 questions with distinct topics, and needs all 8 right", () => {
    expect(questions).toHaveLength(8);
    expect(new Set(questions.map((q) => q.topic)).size).toBe(8);
    expect(assessment?.passRule).toEqual({ kind: "minCorrect", count: 8 });
    expect(assessment?.maxAttemptsBeforeLockout).toBeUndefined();
  });

  it("gives every question exactly one correct option, found among its options", () => {
    for (const q of questions) {
      expect(q.correctOptionIds, q.id).toHaveLength(1);
      expect(
        q.options.map((o) => o.id),
        q.id,
      ).toContain(q.correctOptionIds[0]);
      expect(q.options.length, q.id).toBeGreaterThanOrEqual(4);
      expect(new Set(q.options.map((o) => o.text)).size, q.id).toBe(q.options.length);
    }
  });

  it("does not put every correct answer in the same position", () => {
    expect(new Set(questions.map((q) => q.correctOptionIds[0])).size).toBeGreaterThan(1);
  });

  it("points every question at an existing training section", () => {
    const sections = new Set(prescriber.training?.sections.map((s) => s.id));
    for (const q of questions) expect(sections.has(q.reviewSectionId ?? ""), q.id).toBe(true);
  });

  it("tests the safety facts the REMS is about", () => {
    expect(correctAnswer("q1-autoimmunity")).toMatch(/thrombocytopenia.*glomerular basement membrane.*thyroid/i);
    expect(correctAnswer("q2-infusion-observation")).toMatch(/2 hours/);
    expect(correctAnswer("q3-premedication")).toMatch(/corticosteroid.*first 3 days of each/i);
    expect(correctAnswer("q4-stroke")).toMatch(/within 3 days.*emergency/i);
    expect(correctAnswer("q5-malignancies")).toMatch(/thyroid cancer, melanoma and lymphoproliferative/i);
    expect(correctAnswer("q6-monitoring-duration")).toMatch(/48 months after the last infusion/);
    expect(correctAnswer("q7-course-schedule")).toMatch(/5 consecutive days.*3 consecutive days at least 12 months/);
    expect(correctAnswer("q8-restricted-distribution")).toMatch(
      /certified pharmacies.*certified healthcare settings.*enrolled patients/i,
    );
  });

  it("attests and signs, without recertification", () => {
    expect(prescriber.attestations.length).toBeGreaterThanOrEqual(5);
    expect(prescriber.signatureMeaning).toMatch(/attest/);
    expect(prescriber.coSignature).toBeNull();
    expect(prescriber.recertificationMonths).toBeNull();
  });
});

describe("LEMTRADA healthcare setting requirements", () => {
  const setting = requirement("healthcareSetting");

  it("asks for name, type, identifier, address and contact", () => {
    expect(fieldIds(setting)).toEqual([
      "settingName",
      "settingType",
      "npi",
      "otherIdentifier",
      "addressLine1",
      "addressLine2",
      "city",
      "state",
      "zip",
      "contactName",
      "contactPhone",
      "contactEmail",
    ]);
    const type = field(setting, "settingType");
    expect(type?.type === "select" ? type.options.map((o) => o.value) : []).toEqual([
      "infusion_center",
      "hospital_outpatient",
      "physician_office",
    ]);
  });

  it("requires the NPI or another identifier", () => {
    expect(setting.enrollmentForm.constraints).toEqual([
      expect.objectContaining({ kind: "atLeastOneOf", fieldIds: ["npi", "otherIdentifier"] }),
    ]);
  });

  it("has training and the four attestations", () => {
    expect(setting.training?.sections.length).toBeGreaterThan(0);
    expect(setting.knowledgeAssessment).toBeNull();
    expect(setting.attestations.map((a) => a.id)).toEqual([
      "emergency-readiness",
      "two-hour-observation",
      "corticosteroid-premedication",
      "verify-authorization",
    ]);
    const text = setting.attestations.map((a) => a.text).join(" ");
    expect(text).toMatch(/anaphylaxis/);
    expect(text).toMatch(/2 hours/);
    expect(text).toMatch(/first 3 days of each treatment course/);
  });
});

describe("LEMTRADA pharmacy requirements", () => {
  const pharmacy = requirement("pharmacy");

  it("identifies the pharmacy by NCPDP provider ID and NPI", () => {
    expect(field(pharmacy, "ncpdpId")).toMatchObject({ type: "ncpdp", required: true });
    expect(field(pharmacy, "npi")).toMatchObject({ type: "npi", required: true });
    const type = field(pharmacy, "pharmacyType");
    expect(type?.type === "select" ? type.options.map((o) => o.value) : []).toEqual([
      "specialty",
      "hospital",
      "retail",
    ]);
    expect(fieldIds(pharmacy)).toEqual(
      expect.arrayContaining(["pharmacyName", "addressLine1", "zip", "contactName", "contactEmail"]),
    );
  });

  it("attests to the dispensing rules", () => {
    expect(pharmacy.training?.sections.map((s) => s.id)).toContain("dispense-authorization");
    expect(pharmacy.attestations.map((a) => a.id)).toEqual([
      "authorize-every-dispense",
      "certified-settings-enrolled-patients",
      "keep-records",
      "allow-audits",
    ]);
  });
});

describe("LEMTRADA patient requirements", () => {
  const patient = requirement("patient");

  it("asks for demographics and contact details", () => {
    expect(fieldIds(patient)).toEqual(
      expect.arrayContaining(["firstName", "lastName", "dateOfBirth", "sex", "addressLine1", "phone"]),
    );
    expect(field(patient, "dateOfBirth")).toMatchObject({ type: "date", required: true });
  });

  it("is counselled with the Patient Guide and the Safety Information Card, and co-signed by the prescriber", () => {
    expect(patient.counselling?.materials.map((m) => m.title)).toEqual(["Patient Guide", "Safety Information Card"]);
    expect(patient.training).toBeNull();
    expect(patient.knowledgeAssessment).toBeNull();
    expect(patient.coSignature?.by).toBe("prescriber");
  });
});

describe("LEMTRADA monitoring", () => {
  const monitoring = lemtrada.monitoring;

  it("tracks the five test types on their schedules", () => {
    expect(
      monitoring?.testTypes.map(({ code, kind, intervalDays, graceDays }) => ({ code, kind, intervalDays, graceDays })),
    ).toEqual([
      { code: "CBC_DIFF", kind: "lab", intervalDays: 31, graceDays: 7 },
      { code: "SERUM_CREATININE", kind: "lab", intervalDays: 31, graceDays: 7 },
      { code: "URINALYSIS", kind: "lab", intervalDays: 31, graceDays: 7 },
      { code: "TSH", kind: "lab", intervalDays: 92, graceDays: 14 },
      { code: "SKIN_EXAM", kind: "exam", intervalDays: 366, graceDays: 30 },
    ]);
  });

  it("needs every test at baseline within 30 days before the first infusion of a course", () => {
    expect(monitoring?.baseline).toEqual({
      testCodes: ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"],
      withinDaysBeforeFirstDose: 30,
    });
  });

  it("continues for 48 months after the last dose, with a status form every 6 months", () => {
    expect(monitoring?.continueMonthsAfterLastDose).toBe(48);
    expect(monitoring?.statusForm?.periodMonths).toBe(6);
    expect(monitoring?.statusForm?.form.fields.map((f) => f.id)).toEqual(
      expect.arrayContaining(["labsUpToDate", "newAutoimmuneCondition", "seriousInfection", "malignancy", "pregnancy"]),
    );
  });
});

describe("LEMTRADA courses and dispensing", () => {
  it("gives 12 mg/day for 5 days, then 3-day courses at least 12 months apart", () => {
    expect(lemtrada.courses).toEqual({
      doseMgPerDay: 12,
      first: { consecutiveDays: 5, maxUnits: 5 },
      subsequent: { consecutiveDays: 3, maxUnits: 3 },
      minMonthsBetweenCourses: 12,
    });
  });

  it("authorizes for 7 days and blocks on every denial reason", () => {
    expect(lemtrada.dispensing.authorizationValidityDays).toBe(7);
    expect(Object.keys(lemtrada.dispensing.reasonPolicies).sort()).toEqual([...DENIAL_REASON_CODES].sort());
    expect(new Set(Object.values(lemtrada.dispensing.reasonPolicies))).toEqual(new Set(["block"]));
  });
});
