import { describe, expect, it } from "vitest";
import { makeAncProgramInput } from "./example-anc-program.fixture";
import { lemtrada } from "./lemtrada";
import {
  DENIAL_REASON_CODES,
  defineProgram,
  STAKEHOLDER_KINDS,
  type TProgramDefinition,
  ZProgramDefinition,
} from "./schema";

type Issue = { path: string; message: string };

/** Issues of a failed parse as "a.b.0.c" paths; fails the test if the input parses. */
function issuesOf(input: unknown): Issue[] {
  const result = ZProgramDefinition.safeParse(input);
  expect(result.success, "the definition was expected to be rejected").toBe(false);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

/** A mutable copy of LEMTRADA with its prescriber requirement, for building invalid variants. */
function lemtradaCopy(): TProgramDefinition & {
  stakeholders: { prescriber: NonNullable<TProgramDefinition["stakeholders"]["prescriber"]> };
} {
  const copy = structuredClone(lemtrada);
  if (!copy.stakeholders.prescriber) throw new Error("LEMTRADA has prescriber requirements");
  return copy as ReturnType<typeof lemtradaCopy>;
}

function assessmentOf(def: ReturnType<typeof lemtradaCopy>) {
  const assessment = def.stakeholders.prescriber.knowledgeAssessment;
  if (!assessment) throw new Error("LEMTRADA has a prescriber assessment");
  return assessment;
}

function monitoringOf(def: TProgramDefinition) {
  if (!def.monitoring) throw new Error("LEMTRADA has monitoring");
  return def.monitoring;
}

const PRESCRIBER = "stakeholders.prescriber";
const ASSESSMENT = `${PRESCRIBER}.knowledgeAssessment`;

describe("constants", () => {
  it("lists the stakeholder kinds and the denial reason codes", () => {
    expect(STAKEHOLDER_KINDS).toEqual(["prescriber", "pharmacy", "healthcareSetting", "patient"]);
    expect(DENIAL_REASON_CODES).toHaveLength(16);
    expect(new Set(DENIAL_REASON_CODES).size).toBe(16);
    expect(DENIAL_REASON_CODES).toContain("BASELINE_LABS_STALE");
  });
});

describe("a second programme", () => {
  it("parses: an ANC-monitoring programme without settings or courses", () => {
    const anc = ZProgramDefinition.parse(makeAncProgramInput());
    expect(STAKEHOLDER_KINDS.filter((k) => anc.stakeholders[k])).toEqual(["prescriber", "pharmacy", "patient"]);
    expect(anc.stakeholders.healthcareSetting).toBeUndefined();
    expect(anc.courses).toBeNull();
    expect(anc.monitoring?.testTypes.map((t) => t.code)).toEqual(["ANC"]);
    expect(anc.stakeholders.prescriber?.knowledgeAssessment?.passRule).toEqual({ kind: "percent", value: 80 });
    expect(anc.stakeholders.prescriber?.recertificationMonths).toBe(24);
    expect(anc.dispensing.reasonPolicies.MONITORING_OVERDUE).toBe("warn");
  });
});

describe("ZProgramDefinition rejects", () => {
  it("duplicate question ids", () => {
    const def = lemtradaCopy();
    const questions = assessmentOf(def).questions;
    const [first, second] = questions;
    if (!first || !second) throw new Error("need two questions");
    second.id = first.id;
    expect(issuesOf(def)).toEqual([
      { path: `${ASSESSMENT}.questions.1.id`, message: `Duplicate question id "${first.id}"` },
    ]);
  });

  it("a correct option that is not among the options", () => {
    const def = lemtradaCopy();
    const q = assessmentOf(def).questions[2];
    if (!q) throw new Error("need a third question");
    q.correctOptionIds = ["z"];
    expect(issuesOf(def)).toEqual([
      {
        path: `${ASSESSMENT}.questions.2.correctOptionIds.0`,
        message: `Correct option "z" is not one of the question's options`,
      },
    ]);
  });

  it("duplicate option ids within a question, repeated correct ids and all-correct questions", () => {
    const def = lemtradaCopy();
    const [o0, o1] = assessmentOf(def).questions[0]?.options ?? [];
    if (!o0 || !o1) throw new Error("need options");
    o1.id = o0.id;
    expect(issuesOf(def)).toContainEqual({
      path: `${ASSESSMENT}.questions.0.options.1.id`,
      message: 'Duplicate option id "a"',
    });

    const repeated = lemtradaCopy();
    const q2 = assessmentOf(repeated).questions[0];
    if (!q2) throw new Error("need a question");
    q2.correctOptionIds = ["b", "b"];
    expect(issuesOf(repeated)).toEqual([
      { path: `${ASSESSMENT}.questions.0.correctOptionIds`, message: "Correct option ids repeat" },
    ]);

    const allCorrect = lemtradaCopy();
    const q3 = assessmentOf(allCorrect).questions[0];
    if (!q3) throw new Error("need a question");
    q3.correctOptionIds = q3.options.map((o) => o.id);
    expect(issuesOf(allCorrect)).toEqual([
      { path: `${ASSESSMENT}.questions.0.correctOptionIds`, message: "At least one option must be wrong" },
    ]);
  });

  it("a pass rule needing more correct answers than there are questions", () => {
    const def = lemtradaCopy();
    assessmentOf(def).passRule = { kind: "minCorrect", count: 9 };
    expect(issuesOf(def)).toEqual([
      {
        path: `${ASSESSMENT}.passRule.count`,
        message: "Pass rule needs 9 correct answers but there are only 8 questions",
      },
    ]);
  });

  it("pass rules out of range", () => {
    for (const passRule of [
      { kind: "minCorrect", count: 0 },
      { kind: "percent", value: 0 },
      { kind: "percent", value: 101 },
      { kind: "allOfThem" },
    ]) {
      const def = lemtradaCopy();
      Object.assign(assessmentOf(def), { passRule });
      expect(issuesOf(def).map((i) => i.path)).toEqual([
        expect.stringMatching(new RegExp(`^${ASSESSMENT.replaceAll(".", "\\.")}\\.passRule`)),
      ]);
    }
  });

  it("a review section that is not a training section", () => {
    const def = lemtradaCopy();
    const q = assessmentOf(def).questions[4];
    if (!q) throw new Error("need a fifth question");
    q.reviewSectionId = "nowhere";
    expect(issuesOf(def)).toEqual([
      {
        path: `${ASSESSMENT}.questions.4.reviewSectionId`,
        message: 'Review section "nowhere" is not a training section of this stakeholder',
      },
    ]);
  });

  it("a missing denial reason policy", () => {
    const def = lemtradaCopy();
    const policies: Partial<typeof def.dispensing.reasonPolicies> = def.dispensing.reasonPolicies;
    delete policies.DUPLICATE_REQUEST;
    expect(issuesOf(def)).toEqual([
      {
        path: "dispensing.reasonPolicies.DUPLICATE_REQUEST",
        message: "No policy for this denial reason: set block or warn",
      },
    ]);
  });

  it("an unknown denial reason or policy", () => {
    const def = lemtradaCopy();
    Object.assign(def.dispensing.reasonPolicies, { PATIENT_TOO_TALL: "block" });
    expect(issuesOf(def)).toEqual([
      { path: "dispensing.reasonPolicies", message: expect.stringContaining("PATIENT_TOO_TALL") },
    ]);

    const badPolicy = lemtradaCopy();
    Object.assign(badPolicy.dispensing.reasonPolicies, { MONITORING_OVERDUE: "ignore" });
    expect(issuesOf(badPolicy)).toEqual([
      { path: "dispensing.reasonPolicies.MONITORING_OVERDUE", message: "Policy must be block or warn" },
    ]);
  });

  it("a baseline test that is not a monitoring test type", () => {
    const def = lemtradaCopy();
    monitoringOf(def).baseline.testCodes.push("HBA1C");
    expect(issuesOf(def)).toEqual([
      {
        path: "monitoring.baseline.testCodes.5",
        message: 'Baseline test "HBA1C" is not one of the monitoring test types',
      },
    ]);
  });

  it("duplicate test types and repeated baseline codes", () => {
    const def = lemtradaCopy();
    const monitoring = monitoringOf(def);
    const [cbc] = monitoring.testTypes;
    if (!cbc) throw new Error("need a test type");
    monitoring.testTypes.push({ ...cbc });
    monitoring.baseline.testCodes.push("TSH");
    expect(issuesOf(def)).toEqual([
      { path: "monitoring.testTypes.5.code", message: 'Duplicate test code "CBC_DIFF"' },
      { path: "monitoring.baseline.testCodes", message: "Baseline test codes repeat" },
    ]);
  });

  it("test type windows as long as the interval", () => {
    const def = lemtradaCopy();
    const [cbc] = monitoringOf(def).testTypes;
    if (!cbc) throw new Error("need a test type");
    cbc.graceDays = 31;
    cbc.dueSoonDays = 40;
    expect(issuesOf(def)).toEqual([
      { path: "monitoring.testTypes.0.graceDays", message: "Grace period must be shorter than the interval" },
      { path: "monitoring.testTypes.0.dueSoonDays", message: "Due-soon window must be shorter than the interval" },
    ]);
  });

  it.each(["58468-200-01", "58468020001", "5846-80200-01", "58468-0200-1", "ABCDE-0200-01", ""])(
    "a badly formatted NDC %j",
    (ndc) => {
      const def = lemtradaCopy();
      def.ndcs = [ndc];
      expect(issuesOf(def)).toEqual([{ path: "ndcs.0", message: "NDC must be in 5-4-2 format, e.g. 58468-0200-01" }]);
    },
  );

  it("no NDC and a repeated NDC", () => {
    const none = lemtradaCopy();
    none.ndcs = [];
    expect(issuesOf(none).map((i) => i.path)).toEqual(["ndcs"]);

    const twice = lemtradaCopy();
    twice.ndcs = ["58468-0200-01", "58468-0200-01"];
    expect(issuesOf(twice)).toEqual([{ path: "ndcs.1", message: 'Duplicate NDC "58468-0200-01"' }]);
  });

  it("duplicate form field ids", () => {
    const def = lemtradaCopy();
    const fields = def.stakeholders.prescriber.enrollmentForm.fields;
    const email = fields.findIndex((f) => f.id === "email");
    const field = fields[email];
    if (!field) throw new Error("need the email field");
    field.id = "phone";
    expect(issuesOf(def)).toEqual([
      { path: `${PRESCRIBER}.enrollmentForm.fields.${email}.id`, message: 'Duplicate field id "phone"' },
    ]);
  });

  it("a select field without options, options on a text field and a bad field id", () => {
    const noOptions = lemtradaCopy();
    const fields = noOptions.stakeholders.prescriber.enrollmentForm.fields;
    const credentials = fields.findIndex((f) => f.id === "credentials");
    Object.assign(fields[credentials] ?? {}, { options: undefined });
    expect(issuesOf(noOptions)).toEqual([
      {
        path: `${PRESCRIBER}.enrollmentForm.fields.${credentials}.options`,
        message: "A select field needs its options",
      },
    ]);

    const extraOptions = lemtradaCopy();
    Object.assign(extraOptions.stakeholders.prescriber.enrollmentForm.fields[0] ?? {}, {
      options: [{ value: "x", label: "X" }],
    });
    expect(issuesOf(extraOptions)).toEqual([
      { path: `${PRESCRIBER}.enrollmentForm.fields.0`, message: 'Unrecognized key: "options"' },
    ]);

    const badId = lemtradaCopy();
    Object.assign(badId.stakeholders.prescriber.enrollmentForm.fields[0] ?? {}, { id: "first-name" });
    expect(issuesOf(badId)).toEqual([
      { path: `${PRESCRIBER}.enrollmentForm.fields.0.id`, message: "Field ids are camelCase (they become form keys)" },
    ]);
  });

  it("a form constraint over unknown or already required fields", () => {
    const def = lemtradaCopy();
    const setting = def.stakeholders.healthcareSetting;
    if (!setting) throw new Error("LEMTRADA has settings");
    setting.enrollmentForm.constraints = [
      { kind: "atLeastOneOf", fieldIds: ["npi", "taxId"], message: "Give one" },
      { kind: "atLeastOneOf", fieldIds: ["npi", "settingName"], message: "Give one" },
    ];
    expect(issuesOf(def)).toEqual([
      {
        path: "stakeholders.healthcareSetting.enrollmentForm.constraints.0.fieldIds.1",
        message: 'Unknown field "taxId"',
      },
      {
        path: "stakeholders.healthcareSetting.enrollmentForm.constraints.1.fieldIds.1",
        message: 'Field "settingName" is already required; "at least one of" needs optional fields',
      },
    ]);
  });

  it("duplicate training section and attestation ids", () => {
    const def = lemtradaCopy();
    const sections = def.stakeholders.prescriber.training?.sections ?? [];
    const [s0, s1] = sections;
    if (!s0 || !s1) throw new Error("need sections");
    s1.id = s0.id;
    const [a0, a1] = def.stakeholders.prescriber.attestations;
    if (!a0 || !a1) throw new Error("need attestations");
    a1.id = a0.id;
    const paths = issuesOf(def).map((i) => i.path);
    expect(paths).toContain(`${PRESCRIBER}.training.sections.1.id`);
    expect(paths).toContain(`${PRESCRIBER}.attestations.1.id`);
  });

  it("blank text", () => {
    const def = lemtradaCopy();
    const q = assessmentOf(def).questions[0];
    if (!q) throw new Error("need a question");
    q.prompt = "   ";
    expect(issuesOf(def)).toEqual([{ path: `${ASSESSMENT}.questions.0.prompt`, message: "Must not be blank" }]);
  });

  it("misspelt keys anywhere", () => {
    const top = { ...lemtradaCopy(), recertifcationMonths: 12 };
    expect(issuesOf(top)).toEqual([{ path: "", message: 'Unrecognized key: "recertifcationMonths"' }]);

    const nested = lemtradaCopy();
    Object.assign(nested.stakeholders, { prescribers: nested.stakeholders.prescriber });
    expect(issuesOf(nested)).toEqual([{ path: "stakeholders", message: 'Unrecognized key: "prescribers"' }]);
  });

  it("a programme code that is not UPPER_SNAKE_CASE", () => {
    const def = lemtradaCopy();
    def.code = "lemtrada";
    expect(issuesOf(def).map((i) => i.path)).toEqual(["code"]);
  });

  it("a programme without stakeholders", () => {
    const def = makeAncProgramInput();
    def.stakeholders = {};
    expect(issuesOf(def)).toEqual([
      { path: "stakeholders", message: "A programme needs at least one stakeholder kind" },
    ]);
  });

  it("a co-signer that is not a stakeholder of the programme, or signs its own enrollment", () => {
    const def = makeAncProgramInput();
    const patient = def.stakeholders.patient;
    if (!patient?.coSignature) throw new Error("fixture patient is co-signed");
    patient.coSignature.by = "healthcareSetting";
    expect(issuesOf(def)).toEqual([
      {
        path: "stakeholders.patient.coSignature.by",
        message: 'Co-signer "healthcareSetting" is not a stakeholder of this programme',
      },
    ]);
    patient.coSignature.by = "patient";
    expect(issuesOf(def)).toEqual([
      { path: "stakeholders.patient.coSignature.by", message: "A stakeholder cannot co-sign its own enrollment" },
    ]);
  });
});

describe("defineProgram", () => {
  it("returns the parsed definition, deeply frozen", () => {
    const anc = defineProgram(makeAncProgramInput());
    expect(anc.code).toBe("ANC_EXAMPLE");
    expect(Object.isFrozen(anc)).toBe(true);
    expect(Object.isFrozen(anc.monitoring?.testTypes[0])).toBe(true);
    expect(() => {
      (anc.ndcs as string[]).push("00000-0000-00");
    }).toThrow(TypeError);
  });

  it("throws an error that names the programme and every problem", () => {
    const input = makeAncProgramInput();
    input.ndcs = ["bad"];
    input.dispensing.authorizationValidityDays = 0;
    expect(() => defineProgram(input)).toThrow(
      /Programme definition ANC_EXAMPLE is invalid:[\s\S]*ndcs\[0\][\s\S]*authorizationValidityDays/,
    );
  });
});

describe("programme contact", () => {
  it("gives LEMTRADA's published call-centre number", () => {
    expect(lemtrada.contact.phone).toBe("1-855-676-6326");
  });

  it("is required, and its phone number must be one people can dial", () => {
    const { contact: _omitted, ...withoutContact } = lemtradaCopy();
    expect(issuesOf(withoutContact).map((i) => i.path)).toContain("contact");
    const badPhone = { ...lemtradaCopy(), contact: { phone: "call us" } };
    expect(issuesOf(badPhone)).toEqual([
      { path: "contact.phone", message: "Write the phone number as people dial it" },
    ]);
    const badEmail = { ...lemtradaCopy(), contact: { phone: "1-855-676-6326", email: "not-an-address" } };
    expect(issuesOf(badEmail).map((i) => i.path)).toEqual(["contact.email"]);
  });
});
