/**
 * Enrollment test data: the programme row, valid form values with identifiers no other test uses,
 * assessment answers, delegates, and helpers that walk an application through its steps the way
 * the application's services do.
 */
import { randomUUID } from "node:crypto";
import type { Actor } from "../../lib/auth/actor";
import { hashPassword } from "../../lib/auth/password";
import { db, type Db } from "../../lib/db";
import {
  acknowledgeTrainingSection,
  getEnrollmentWorkspace,
  saveEnrollmentForm,
  submitAssessment,
} from "../../lib/enrollment/service";
import { lemtrada } from "../../lib/programs/lemtrada";
import type { TKnowledgeAssessment } from "../../lib/programs/schema";
import { strongPassword, uniqueEmail } from "./users";
export { uniqueNcpdpId, uniqueNpi } from "./identifiers";
import { uniqueNcpdpId, uniqueNpi } from "./identifiers";

export const PROGRAM = lemtrada;

/** Makes sure the programme row exists (integration databases start empty). */
export async function ensureProgram(client: Db = db()) {
  const definition = JSON.parse(JSON.stringify(PROGRAM));
  return client.program.upsert({
    where: { code: PROGRAM.code },
    create: {
      code: PROGRAM.code,
      name: PROGRAM.name,
      drugName: PROGRAM.drug.name,
      genericName: PROGRAM.drug.genericName,
      ndcs: [...PROGRAM.ndcs],
      definition,
      definitionVersion: PROGRAM.version,
    },
    update: {},
    select: { id: true, code: true },
  });
}

/** The same NPI with its check digit changed: the right shape, the wrong check digit. */
export function withWrongCheckDigit(npi: string): string {
  const last = Number(npi.at(-1));
  return `${npi.slice(0, -1)}${(last + 1) % 10}`;
}

export function prescriberForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    firstName: "Noor",
    lastName: "Haddad",
    credentials: "md",
    npi: uniqueNpi(),
    specialty: "Neurology",
    dea: "",
    practiceName: "Lakeside Neurology",
    addressLine1: "12 Harbor Street",
    addressLine2: "",
    city: "Madison",
    state: "WI",
    zip: "53703",
    phone: "608-555-0142",
    email: `${randomUUID().slice(0, 8)}@clinic.test`,
    ...overrides,
  };
}

function address() {
  return { addressLine1: "40 Elm Avenue", addressLine2: "", city: "Columbus", state: "OH", zip: "43215" };
}

function contact() {
  return { contactName: "Jordan Reyes", contactPhone: "614-555-0199", contactEmail: "jordan@org.test" };
}

export function pharmacyForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    pharmacyName: `Riverside Specialty Pharmacy ${randomUUID().slice(0, 6)}`,
    pharmacyType: "specialty",
    ncpdpId: uniqueNcpdpId(),
    npi: uniqueNpi(),
    ...address(),
    ...contact(),
    ...overrides,
  };
}

export function settingForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    settingName: `Northside Infusion Center ${randomUUID().slice(0, 6)}`,
    settingType: "infusion_center",
    npi: uniqueNpi(),
    otherIdentifier: "",
    ...address(),
    ...contact(),
    ...overrides,
  };
}

/** Every question answered correctly (tests may read the answers; the browser never gets them). */
export function correctAnswers(assessment: TKnowledgeAssessment): Record<string, string[]> {
  return Object.fromEntries(assessment.questions.map((q) => [q.id, [...q.correctOptionIds]]));
}

/** The first `wrong` questions answered wrongly, the rest correctly. */
export function answersWithWrong(assessment: TKnowledgeAssessment, wrong: number): Record<string, string[]> {
  return Object.fromEntries(
    assessment.questions.map((q, i) => {
      if (i >= wrong) return [q.id, [...q.correctOptionIds]];
      const bad = q.options.find((o) => !q.correctOptionIds.includes(o.id));
      return [q.id, [bad?.id ?? ""]];
    }),
  );
}

export function prescriberAssessment(): TKnowledgeAssessment {
  const assessment = PROGRAM.stakeholders.prescriber?.knowledgeAssessment;
  if (!assessment) throw new Error("the prescriber requirement has no assessment");
  return assessment;
}

export function trainingSectionIds(kind: "prescriber" | "pharmacy" | "healthcareSetting"): string[] {
  return PROGRAM.stakeholders[kind]?.training?.sections.map((s) => s.id) ?? [];
}

/** A prescriber delegate account linked to a prescriber (delegates join by invitation, not sign-up). */
export async function createDelegate(prescriberId: string, client: Db = db()) {
  const password = strongPassword();
  const user = await client.user.create({
    data: {
      email: uniqueEmail("delegate"),
      name: "Sam Okonkwo",
      passwordHash: await hashPassword(password),
      role: "PRESCRIBER_DELEGATE",
      delegateOf: { create: { prescriberId } },
    },
    select: { id: true, email: true },
  });
  return { user, password };
}

/** Saves the form (first save creates the application) and returns the application id. */
export async function startEnrollment(actor: Actor, values: Record<string, string>, client: Db = db()) {
  const saved = await saveEnrollmentForm(actor, { programCode: PROGRAM.code, values }, client);
  return saved.enrollmentId;
}

export async function acknowledgeAllTraining(
  actor: Actor,
  enrollmentId: string,
  kind: "prescriber" | "pharmacy" | "healthcareSetting",
  client: Db = db(),
) {
  for (const sectionId of trainingSectionIds(kind)) {
    await acknowledgeTrainingSection(actor, { enrollmentId, sectionId, acknowledged: true }, client);
  }
}

/** A prescriber application with the form saved, the training acknowledged and the assessment passed. */
export async function prescriberReadyToSign(actor: Actor, client: Db = db()) {
  const enrollmentId = await startEnrollment(actor, prescriberForm(), client);
  await acknowledgeAllTraining(actor, enrollmentId, "prescriber", client);
  await submitAssessment(
    actor,
    { enrollmentId, attemptNumber: 1, answers: correctAnswers(prescriberAssessment()) },
    client,
  );
  return enrollmentId;
}

/** The digest and version the review page would carry for the actor's application. */
export async function reviewState(actor: Actor, client: Db = db()) {
  const view = await getEnrollmentWorkspace(actor, { programCode: PROGRAM.code }, client);
  return { reviewDigest: view.reviewDigest, expectedVersion: view.enrollment?.version ?? 0, view };
}

export function allAttestations(kind: "prescriber" | "pharmacy" | "healthcareSetting"): string[] {
  return PROGRAM.stakeholders[kind]?.attestations.map((a) => a.id) ?? [];
}
