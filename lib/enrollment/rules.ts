/**
 * The enrollment engine's pure rules: assessment scoring, what a stakeholder has left to do, and
 * the exact content an electronic signature covers. Driven entirely by the programme definition.
 */
import { z } from "zod";
import { canonicalJson, sha256Hex } from "../audit/hash";
import type { TKnowledgeAssessment, TStakeholderRequirement } from "../programs/schema";
import { buildFormSchema } from "./form-schema";

/** What an enrollment's `data` column holds. */
export const ZEnrollmentData = z.object({
  form: z.record(z.string(), z.string()).default({}),
  /** Training section id → ISO time it was acknowledged. */
  training: z.record(z.string(), z.string()).default({}),
  /** Attestation id → true once ticked. */
  attestations: z.record(z.string(), z.boolean()).default({}),
});
export type EnrollmentData = z.infer<typeof ZEnrollmentData>;

export function readEnrollmentData(value: unknown): EnrollmentData {
  const parsed = ZEnrollmentData.safeParse(value ?? {});
  return parsed.success ? parsed.data : { form: {}, training: {}, attestations: {} };
}

// ---------------------------------------------------------------------------
// Knowledge assessment

/** Question id → the option id(s) chosen. */
export type AssessmentAnswers = Record<string, string | string[]>;

export interface AssessmentScore {
  correctCount: number;
  questionCount: number;
  passed: boolean;
  /** Topics of the questions answered wrongly (never which answer was right). */
  topicsToReview: { topic: string; reviewSectionId: string | null }[];
}

export function scoreAssessment(assessment: TKnowledgeAssessment, answers: AssessmentAnswers): AssessmentScore {
  let correctCount = 0;
  const topicsToReview: AssessmentScore["topicsToReview"] = [];
  for (const q of assessment.questions) {
    const given = answers[q.id];
    const chosen = new Set(Array.isArray(given) ? given : given ? [given] : []);
    const correct = q.correctOptionIds.length === chosen.size && q.correctOptionIds.every((id) => chosen.has(id));
    if (correct) correctCount++;
    else topicsToReview.push({ topic: q.topic, reviewSectionId: q.reviewSectionId ?? null });
  }
  const questionCount = assessment.questions.length;
  const rule = assessment.passRule;
  const passed =
    rule.kind === "minCorrect" ? correctCount >= rule.count : (correctCount / questionCount) * 100 >= rule.value;
  return { correctCount, questionCount, passed, topicsToReview };
}

/** The assessment as the browser may see it: prompts and options, never the answers or explanations. */
export function publicAssessment(assessment: TKnowledgeAssessment) {
  return {
    passRule: assessment.passRule,
    questions: assessment.questions.map((q) => ({
      id: q.id,
      topic: q.topic,
      prompt: q.prompt,
      multiple: q.correctOptionIds.length > 1,
      options: q.options.map((o) => ({ id: o.id, text: o.text })),
    })),
  };
}
export type PublicAssessment = ReturnType<typeof publicAssessment>;

/** Every question answered with options that exist; field-level problems otherwise. */
export function checkAnswersComplete(
  assessment: TKnowledgeAssessment,
  answers: AssessmentAnswers,
): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  for (const q of assessment.questions) {
    const given = answers[q.id];
    const chosen = Array.isArray(given) ? given : given ? [given] : [];
    if (chosen.length === 0) problems[q.id] = ["Answer this question"];
    else if (!chosen.every((id) => q.options.some((o) => o.id === id))) problems[q.id] = ["Choose one of the options"];
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Progress

export type StepId = "details" | "training" | "assessment" | "sign";

export interface StepProgress {
  id: StepId;
  label: string;
  complete: boolean;
  /** Plain-language list of what is still missing in this step. */
  missing: string[];
}

export interface ProgressFacts {
  data: EnrollmentData;
  /** Whether a passing assessment attempt exists. */
  assessmentPassed: boolean;
  signed: boolean;
}

export function enrollmentProgress(requirement: TStakeholderRequirement, facts: ProgressFacts): StepProgress[] {
  const steps: StepProgress[] = [];
  const form = buildFormSchema(requirement.enrollmentForm).safeParse(facts.data.form);
  const formMissing = form.success
    ? []
    : [
        ...new Set(
          form.error.issues.map((i) => {
            const field = requirement.enrollmentForm.fields.find((f) => f.id === i.path[0]);
            return field ? field.label : i.message;
          }),
        ),
      ];
  steps.push({ id: "details", label: "Enrollment form", complete: form.success, missing: formMissing });

  if (requirement.training) {
    const missing = requirement.training.sections
      .filter((s) => s.requiresAcknowledgement && !facts.data.training[s.id])
      .map((s) => s.title);
    steps.push({ id: "training", label: "Training", complete: missing.length === 0, missing });
  }
  if (requirement.knowledgeAssessment) {
    steps.push({
      id: "assessment",
      label: "Knowledge assessment",
      complete: facts.assessmentPassed,
      missing: facts.assessmentPassed ? [] : ["Pass the knowledge assessment"],
    });
  }
  const attestationsMissing = requirement.attestations.filter((a) => !facts.data.attestations[a.id]).map((a) => a.text);
  steps.push({
    id: "sign",
    label: "Review and sign",
    complete: facts.signed,
    missing: [...attestationsMissing, ...(facts.signed ? [] : ["Sign the enrollment electronically"])],
  });
  return steps;
}

/** Everything before signing is complete (form, training, assessment). */
export function readyToSign(steps: StepProgress[]): boolean {
  return steps.filter((s) => s.id !== "sign").every((s) => s.complete);
}

// ---------------------------------------------------------------------------
// Signature content (21 CFR 11.50 / 11.70)

export interface SignedContentInput {
  programCode: string;
  programVersion: number;
  kind: string;
  enrollmentId: string;
  form: Record<string, string>;
  trainingAcknowledged: string[];
  assessment: { correctCount: number; questionCount: number; attemptNumber: number } | null;
  attestations: { id: string; text: string }[];
  meaning: string;
  printedName: string;
  signedAt: string;
}

/** The exact bytes a signature covers, and their SHA-256. Re-computable from the stored rows. */
export function signedContent(input: SignedContentInput): { content: string; sha256: string } {
  const content = canonicalJson({ ...input, trainingAcknowledged: [...input.trainingAcknowledged].sort() });
  return { content, sha256: sha256Hex(content) };
}
