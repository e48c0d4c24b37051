import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import {
  type TKnowledgeAssessment,
  type TStakeholderRequirement,
  ZKnowledgeAssessment,
  ZStakeholderRequirement,
} from "../programs/schema";
import {
  checkAnswersComplete,
  enrollmentProgress,
  publicAssessment,
  readEnrollmentData,
  readyToSign,
  type SignedContentInput,
  scoreAssessment,
  signedContent,
} from "./rules";

function requirement(kind: "prescriber" | "pharmacy" | "healthcareSetting"): TStakeholderRequirement {
  const r = lemtrada.stakeholders[kind];
  if (!r) throw new Error(`no ${kind} requirement`);
  return r;
}

const prescriberAssessment = (): TKnowledgeAssessment => {
  const a = requirement("prescriber").knowledgeAssessment;
  if (!a) throw new Error("no assessment");
  return a;
};

function correct(assessment: TKnowledgeAssessment): Record<string, string[]> {
  return Object.fromEntries(assessment.questions.map((q) => [q.id, [...q.correctOptionIds]]));
}

function wrongOption(assessment: TKnowledgeAssessment, index: number): string {
  const q = assessment.questions[index];
  const option = q?.options.find((o) => !q.correctOptionIds.includes(o.id));
  if (!option) throw new Error("no wrong option");
  return option.id;
}

/** A small assessment: four single-answer questions and one with two correct options. */
function smallAssessment(passRule: TKnowledgeAssessment["passRule"]): TKnowledgeAssessment {
  const question = (id: string, topic: string, correctOptionIds: string[], reviewSectionId?: string) => ({
    id,
    topic,
    prompt: `Question ${id}?`,
    options: [
      { id: "a", text: "A" },
      { id: "b", text: "B" },
      { id: "c", text: "C" },
    ],
    correctOptionIds,
    explanation: `Because ${id}.`,
    ...(reviewSectionId ? { reviewSectionId } : {}),
  });
  return ZKnowledgeAssessment.parse({
    passRule,
    questions: [
      question("q1", "One", ["a"], "section-one"),
      question("q2", "Two", ["b"]),
      question("q3", "Three", ["c"], "section-three"),
      question("q4", "Four", ["a", "b"]),
    ],
  });
}

describe("scoreAssessment", () => {
  it("passes LEMTRADA's 8-of-8 rule only with every answer right", () => {
    const assessment = prescriberAssessment();
    expect(assessment.passRule).toEqual({ kind: "minCorrect", count: 8 });
    expect(scoreAssessment(assessment, correct(assessment))).toEqual({
      correctCount: 8,
      questionCount: 8,
      passed: true,
      topicsToReview: [],
    });
    const oneWrong = { ...correct(assessment), [assessment.questions[7]?.id ?? ""]: wrongOption(assessment, 7) };
    const score = scoreAssessment(assessment, oneWrong);
    expect(score).toMatchObject({ correctCount: 7, passed: false });
    expect(score.topicsToReview).toEqual([{ topic: "Restricted distribution", reviewSectionId: "rems-process" }]);
  });

  it("applies minCorrect at the boundary: exactly the count passes, one fewer fails", () => {
    const assessment = smallAssessment({ kind: "minCorrect", count: 3 });
    const answers = { q1: "a", q2: "b", q3: "c", q4: ["a"] };
    expect(scoreAssessment(assessment, answers)).toMatchObject({ correctCount: 3, passed: true });
    expect(scoreAssessment(assessment, { ...answers, q3: "a" })).toMatchObject({ correctCount: 2, passed: false });
  });

  it("applies a percent rule at the boundary: exactly the percentage passes", () => {
    const assessment = smallAssessment({ kind: "percent", value: 75 });
    expect(scoreAssessment(assessment, { q1: "a", q2: "b", q3: "c", q4: "a" })).toMatchObject({
      correctCount: 3,
      passed: true,
    });
    expect(scoreAssessment(assessment, { q1: "a", q2: "b", q3: "a", q4: "a" })).toMatchObject({
      correctCount: 2,
      passed: false,
    });
    const full = smallAssessment({ kind: "percent", value: 100 });
    expect(scoreAssessment(full, { q1: "a", q2: "b", q3: "c", q4: ["b", "a"] }).passed).toBe(true);
    expect(scoreAssessment(full, { q1: "a", q2: "b", q3: "c", q4: ["a"] }).passed).toBe(false);
  });

  it("needs exactly the correct set on a multiple-answer question: not a subset, not a superset", () => {
    const assessment = smallAssessment({ kind: "minCorrect", count: 1 });
    const q4 = (given: string | string[]) => scoreAssessment(assessment, { q4: given }).correctCount;
    expect(q4(["a", "b"])).toBe(1);
    expect(q4(["b", "a"])).toBe(1);
    expect(q4(["a"])).toBe(0);
    expect(q4(["a", "b", "c"])).toBe(0);
    expect(q4("a")).toBe(0);
  });

  it("counts unanswered and unknown answers as wrong and lists their topics in question order", () => {
    const assessment = smallAssessment({ kind: "minCorrect", count: 4 });
    const score = scoreAssessment(assessment, { q2: "b", q3: "z" });
    expect(score).toEqual({
      correctCount: 1,
      questionCount: 4,
      passed: false,
      topicsToReview: [
        { topic: "One", reviewSectionId: "section-one" },
        { topic: "Three", reviewSectionId: "section-three" },
        { topic: "Four", reviewSectionId: null },
      ],
    });
  });

  it("never reports which option was right", () => {
    const assessment = prescriberAssessment();
    const score = scoreAssessment(assessment, {});
    const text = JSON.stringify(score);
    for (const q of assessment.questions) {
      expect(text).not.toContain(q.explanation);
      for (const option of q.options) expect(text).not.toContain(option.text);
    }
  });

  it("scores any subset of right answers as exactly that many correct (property)", () => {
    const assessment = prescriberAssessment();
    const n = assessment.questions.length;
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: n, maxLength: n }), (rights) => {
        const answers = Object.fromEntries(
          assessment.questions.map((q, i) => [
            q.id,
            rights[i] ? (q.correctOptionIds[0] ?? "") : wrongOption(assessment, i),
          ]),
        );
        const score = scoreAssessment(assessment, answers);
        const expected = rights.filter(Boolean).length;
        return (
          score.correctCount === expected &&
          score.topicsToReview.length === n - expected &&
          score.passed === expected >= 8
        );
      }),
    );
  });
});

describe("publicAssessment", () => {
  it("keeps prompts and options and drops correct answers, explanations and review hints", () => {
    const assessment = prescriberAssessment();
    const visible = publicAssessment(assessment);
    const text = JSON.stringify(visible);
    expect(text).not.toContain("correctOptionIds");
    expect(text).not.toContain("explanation");
    expect(text).not.toContain("reviewSectionId");
    for (const q of assessment.questions) expect(text).not.toContain(q.explanation);
    expect(visible.questions).toHaveLength(assessment.questions.length);
    expect(visible.questions[0]).toEqual({
      id: assessment.questions[0]?.id,
      topic: assessment.questions[0]?.topic,
      prompt: assessment.questions[0]?.prompt,
      multiple: false,
      options: assessment.questions[0]?.options,
    });
    for (const q of visible.questions) {
      for (const option of q.options) expect(Object.keys(option).sort()).toEqual(["id", "text"]);
    }
  });

  it("tells the page when a question takes several answers", () => {
    const visible = publicAssessment(smallAssessment({ kind: "minCorrect", count: 1 }));
    expect(visible.questions.map((q) => q.multiple)).toEqual([false, false, false, true]);
  });
});

describe("checkAnswersComplete", () => {
  it("asks for each unanswered question and refuses options that do not exist", () => {
    const assessment = smallAssessment({ kind: "minCorrect", count: 1 });
    expect(checkAnswersComplete(assessment, { q1: "a", q2: [], q3: "zz", q4: ["a", "nope"] })).toEqual({
      q2: ["Answer this question"],
      q3: ["Choose one of the options"],
      q4: ["Choose one of the options"],
    });
    expect(checkAnswersComplete(assessment, { q1: "a", q2: "b", q3: "c", q4: ["a"] })).toEqual({});
  });
});

describe("readEnrollmentData", () => {
  it("fills in missing parts, drops unknown keys and survives garbage", () => {
    expect(readEnrollmentData(undefined)).toEqual({ form: {}, training: {}, attestations: {} });
    expect(readEnrollmentData({ demo: true })).toEqual({ form: {}, training: {}, attestations: {} });
    expect(readEnrollmentData({ form: { a: "1" }, training: "nope" })).toEqual({
      form: {},
      training: {},
      attestations: {},
    });
    expect(readEnrollmentData({ form: { a: "1" }, attestations: { x: true } })).toEqual({
      form: { a: "1" },
      training: {},
      attestations: { x: true },
    });
  });
});

const validPrescriberForm = {
  firstName: "Noor",
  lastName: "Haddad",
  credentials: "md",
  npi: "1234567893",
  specialty: "Neurology",
  practiceName: "Lakeside Neurology",
  addressLine1: "12 Harbor Street",
  city: "Madison",
  state: "WI",
  zip: "53703",
  phone: "608-555-0142",
  email: "noor@clinic.test",
};

describe("enrollmentProgress", () => {
  const prescriber = requirement("prescriber");
  const allTraining = Object.fromEntries(
    (prescriber.training?.sections ?? []).map((s) => [s.id, "2026-01-01T00:00:00.000Z"]),
  );
  const allAttestations = Object.fromEntries(prescriber.attestations.map((a) => [a.id, true]));

  it("lists the prescriber's four steps, each with what is missing, on an empty application", () => {
    const steps = enrollmentProgress(prescriber, {
      data: { form: {}, training: {}, attestations: {} },
      assessmentPassed: false,
      signed: false,
    });
    expect(steps.map((s) => [s.id, s.complete])).toEqual([
      ["details", false],
      ["training", false],
      ["assessment", false],
      ["sign", false],
    ]);
    const details = steps[0];
    expect(details?.missing).toContain("NPI");
    expect(details?.missing).toContain("First name");
    expect(details?.missing).not.toContain("DEA number");
    expect(steps[1]?.missing).toEqual(prescriber.training?.sections.map((s) => s.title));
    expect(steps[2]?.missing).toEqual(["Pass the knowledge assessment"]);
    expect(steps[3]?.missing).toEqual([
      ...prescriber.attestations.map((a) => a.text),
      "Sign the enrollment electronically",
    ]);
    expect(readyToSign(steps)).toBe(false);
  });

  it("names an invalid field as missing (an NPI with a wrong check digit does not count as filled in)", () => {
    const steps = enrollmentProgress(prescriber, {
      data: { form: { ...validPrescriberForm, npi: "1234567890" }, training: {}, attestations: {} },
      assessmentPassed: false,
      signed: false,
    });
    expect(steps[0]).toMatchObject({ complete: false, missing: ["NPI"] });
  });

  it("is ready to sign once form, training and assessment are done; attestations belong to signing", () => {
    const steps = enrollmentProgress(prescriber, {
      data: { form: validPrescriberForm, training: allTraining, attestations: {} },
      assessmentPassed: true,
      signed: false,
    });
    expect(steps.slice(0, 3).every((s) => s.complete)).toBe(true);
    expect(readyToSign(steps)).toBe(true);
    expect(steps[3]?.complete).toBe(false);

    const signed = enrollmentProgress(prescriber, {
      data: { form: validPrescriberForm, training: allTraining, attestations: allAttestations },
      assessmentPassed: true,
      signed: true,
    });
    expect(signed.every((s) => s.complete)).toBe(true);
    expect(signed[3]?.missing).toEqual([]);
  });

  it("does not count an acknowledgement of a section the programme no longer has", () => {
    const steps = enrollmentProgress(prescriber, {
      data: {
        form: validPrescriberForm,
        training: { "retired-section": "2026-01-01T00:00:00.000Z" },
        attestations: {},
      },
      assessmentPassed: true,
      signed: false,
    });
    expect(steps[1]?.complete).toBe(false);
  });

  it("has no assessment step for a pharmacy and no training step when a programme has none", () => {
    const pharmacy = requirement("pharmacy");
    expect(
      enrollmentProgress(pharmacy, {
        data: { form: {}, training: {}, attestations: {} },
        assessmentPassed: false,
        signed: false,
      }).map((s) => s.id),
    ).toEqual(["details", "training", "sign"]);
    const noTraining = ZStakeholderRequirement.parse({ ...pharmacy, training: null });
    const steps = enrollmentProgress(noTraining, {
      data: { form: {}, training: {}, attestations: {} },
      assessmentPassed: false,
      signed: false,
    });
    expect(steps.map((s) => s.id)).toEqual(["details", "sign"]);
  });

  it("ignores sections that do not ask for an acknowledgement", () => {
    const base = requirement("pharmacy");
    const training = base.training;
    if (!training) throw new Error("no training");
    const relaxed = ZStakeholderRequirement.parse({
      ...base,
      training: {
        ...training,
        sections: training.sections.map((s, i) => ({ ...s, requiresAcknowledgement: i === 0 })),
      },
    });
    const first = training.sections[0]?.id ?? "";
    const steps = enrollmentProgress(relaxed, {
      data: { form: {}, training: { [first]: "2026-01-01T00:00:00.000Z" }, attestations: {} },
      assessmentPassed: false,
      signed: false,
    });
    expect(steps.find((s) => s.id === "training")?.complete).toBe(true);
  });
});

describe("signedContent", () => {
  const input: SignedContentInput = {
    programCode: "LEMTRADA",
    programVersion: 1,
    kind: "PRESCRIBER",
    enrollmentId: "7b0c0a55-3c1e-4c3e-9a43-0e9f4c1d2a10",
    form: validPrescriberForm,
    trainingAcknowledged: ["autoimmunity", "programme-overview", "stroke"],
    assessment: { correctCount: 8, questionCount: 8, attemptNumber: 2 },
    attestations: [
      { id: "education-complete", text: "I completed the education." },
      { id: "risks-understood", text: "I understand the risks." },
    ],
    meaning: "By signing I attest that the statements above are true.",
    printedName: "Noor Haddad",
    signedAt: "2026-03-01T10:00:00.000Z",
  };

  it("is a SHA-256 over canonical JSON, stable under key order and training order", () => {
    const { content, sha256 } = signedContent(input);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(content)).toMatchObject({ printedName: "Noor Haddad", enrollmentId: input.enrollmentId });
    const reordered: SignedContentInput = {
      signedAt: input.signedAt,
      printedName: input.printedName,
      meaning: input.meaning,
      attestations: input.attestations,
      assessment: input.assessment,
      trainingAcknowledged: [...input.trainingAcknowledged].reverse(),
      form: Object.fromEntries(Object.entries(input.form).reverse()),
      enrollmentId: input.enrollmentId,
      kind: input.kind,
      programVersion: input.programVersion,
      programCode: input.programCode,
    };
    expect(signedContent(reordered)).toEqual({ content, sha256 });
    expect(signedContent(structuredClone(input)).sha256).toBe(sha256);
  });

  it("changes when any part of the signed content changes", () => {
    const base = signedContent(input).sha256;
    const variants: Partial<SignedContentInput>[] = [
      { programCode: "OTHER" },
      { programVersion: 2 },
      { kind: "PHARMACY" },
      { enrollmentId: "7b0c0a55-3c1e-4c3e-9a43-0e9f4c1d2a11" },
      { form: { ...input.form, npi: "1000000004" } },
      { form: { ...input.form, dea: "AB1234563" } },
      { trainingAcknowledged: ["autoimmunity", "stroke"] },
      { assessment: { correctCount: 8, questionCount: 8, attemptNumber: 3 } },
      { assessment: null },
      { attestations: input.attestations.slice(1) },
      { attestations: [{ id: "education-complete", text: "Changed wording." }, ...input.attestations.slice(1)] },
      { meaning: "Another meaning." },
      { printedName: "Noor  Haddad" },
      { signedAt: "2026-03-01T10:00:00.001Z" },
    ];
    const hashes = new Set([base]);
    for (const variant of variants) {
      const hash = signedContent({ ...input, ...variant }).sha256;
      expect(hash, JSON.stringify(variant)).not.toBe(base);
      hashes.add(hash);
    }
    expect(hashes.size).toBe(variants.length + 1);
  });

  it("gives different hashes to different form values (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        const ha = signedContent({ ...input, form: { ...input.form, specialty: a } }).sha256;
        const hb = signedContent({ ...input, form: { ...input.form, specialty: b } }).sha256;
        return ha !== hb;
      }),
    );
  });
});
