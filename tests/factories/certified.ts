/**
 * Stakeholders with enrollments in the LEMTRADA programme, written straight to the database: a
 * prescriber (with their account), a pharmacy or a healthcare setting (with a representative's
 * account), a filled-in form, acknowledged training, a passed assessment where the programme has
 * one, ticked attestations and a Signature row over `signedContent()`. Every identifier is unique,
 * so tests never share rows.
 */
import { randomUUID } from "node:crypto";
import { type Db, db } from "../../lib/db";
import { type EnrollmentData, signedContent } from "../../lib/enrollment/rules";
import { certificationNumberPrefix } from "../../lib/enrollment/numbers";
import { Prisma } from "../../lib/generated/prisma/client";
import type { EnrollmentStatus, StakeholderKind } from "../../lib/generated/prisma/enums";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { lemtrada } from "../../lib/programs/lemtrada";
import type { TStakeholderRequirement } from "../../lib/programs/schema";
import { createUser } from "./users";
export { uniqueNpi, uniqueNcpdpId } from "./identifiers";
import { uniqueNpi, uniqueNcpdpId } from "./identifiers";

export const PROGRAM = lemtrada;

/** The LEMTRADA programme row (created once per database; safe when test files race). */
export async function ensureProgram(client: Db = db()): Promise<{ id: string; code: string; name: string }> {
  const select = { id: true, code: true, name: true } as const;
  const existing = await client.program.findUnique({ where: { code: PROGRAM.code }, select });
  if (existing) return existing;
  try {
    return await client.program.create({
      data: {
        code: PROGRAM.code,
        name: PROGRAM.name,
        drugName: PROGRAM.drug.name,
        genericName: PROGRAM.drug.genericName,
        ndcs: [...PROGRAM.ndcs],
        definition: JSON.parse(JSON.stringify(PROGRAM)),
        definitionVersion: PROGRAM.version,
      },
      select,
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      return client.program.findUniqueOrThrow({ where: { code: PROGRAM.code }, select });
    }
    throw error;
  }
}

/** A word no other test uses, for names and cities that searches must find only here. */
export function uniqueWord(prefix = "Zed"): string {
  return `${prefix}${randomUUID().replace(/-/g, "").slice(0, 10)}`;
}

const DEFINITION_KEY = {
  PRESCRIBER: "prescriber",
  PHARMACY: "pharmacy",
  HEALTHCARE_SETTING: "healthcareSetting",
  PATIENT: "patient",
} as const;

function requirementFor(kind: StakeholderKind): TStakeholderRequirement {
  const requirement = PROGRAM.stakeholders[DEFINITION_KEY[kind]];
  if (!requirement) throw new Error(`LEMTRADA has no ${kind} requirements`);
  return requirement;
}

/** Answers for every field of the form; `overrides` win. */
function formAnswers(requirement: TStakeholderRequirement, overrides: Record<string, string>): Record<string, string> {
  const sample: Record<string, string> = {
    text: "Sample",
    textarea: "Sample text",
    email: "office@example.org",
    tel: "217-555-0199",
    date: "2026-01-15",
    yesNo: "yes",
    usState: "IL",
    zip: "62701",
    npi: uniqueNpi(),
    ncpdp: uniqueNcpdpId(),
    dea: "AB1234563",
  };
  const answers: Record<string, string> = {};
  for (const field of requirement.enrollmentForm.fields) {
    if (!field.required) continue;
    answers[field.id] = field.type === "select" ? (field.options[0]?.value ?? "") : (sample[field.type] ?? "Sample");
  }
  return { ...answers, ...overrides };
}

interface EnrollmentOptions {
  status?: EnrollmentStatus;
  /** Write a Signature row (default true). */
  signed?: boolean;
  client?: Db;
  now?: Date;
}

async function writeEnrollment(
  kind: StakeholderKind,
  stakeholder: { prescriberId?: string; pharmacyId?: string; healthcareSettingId?: string },
  applicant: { id: string; name: string },
  form: Record<string, string>,
  options: EnrollmentOptions,
) {
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const program = await ensureProgram(client);
  const requirement = requirementFor(kind);
  const status = options.status ?? "CERTIFIED";
  const certified = ["CERTIFIED", "SUSPENDED", "DECERTIFIED", "EXPIRED"].includes(status);
  const acknowledgedAt = new Date(now.getTime() - 3_600_000).toISOString();
  const data: EnrollmentData = {
    form,
    training: Object.fromEntries((requirement.training?.sections ?? []).map((s) => [s.id, acknowledgedAt])),
    attestations: Object.fromEntries(requirement.attestations.map((a) => [a.id, true])),
  };
  const enrollment = await client.enrollment.create({
    data: {
      programId: program.id,
      kind,
      status,
      ...stakeholder,
      applicantUserId: applicant.id,
      data: JSON.parse(JSON.stringify(data)),
      submittedAt: status === "DRAFT" ? null : now,
      certifiedAt: certified ? now : null,
      certificationNumber: certified ? generateRemsId(certificationNumberPrefix(kind)) : null,
    },
    select: { id: true, status: true, certificationNumber: true },
  });
  let assessment: { correctCount: number; questionCount: number; attemptNumber: number } | null = null;
  if (requirement.knowledgeAssessment) {
    const questionCount = requirement.knowledgeAssessment.questions.length;
    await client.assessmentAttempt.create({
      data: {
        enrollmentId: enrollment.id,
        attemptNumber: 1,
        answers: {},
        correctCount: questionCount - 2,
        questionCount,
        passed: false,
        topicsToReview: ["Autoimmunity", "Stroke"],
        submittedByUserId: applicant.id,
        submittedAt: new Date(now.getTime() - 1_800_000),
      },
    });
    await client.assessmentAttempt.create({
      data: {
        enrollmentId: enrollment.id,
        attemptNumber: 2,
        answers: {},
        correctCount: questionCount,
        questionCount,
        passed: true,
        topicsToReview: [],
        submittedByUserId: applicant.id,
        submittedAt: new Date(now.getTime() - 900_000),
      },
    });
    assessment = { correctCount: questionCount, questionCount, attemptNumber: 2 };
  }
  let signature: { contentSha256: string; printedName: string } | null = null;
  if (options.signed ?? true) {
    const signedAt = new Date(now.getTime() - 600_000);
    const { sha256 } = signedContent({
      programCode: PROGRAM.code,
      programVersion: PROGRAM.version,
      kind,
      enrollmentId: enrollment.id,
      form,
      trainingAcknowledged: Object.keys(data.training),
      assessment,
      attestations: requirement.attestations.map((a) => ({ id: a.id, text: a.text })),
      meaning: requirement.signatureMeaning,
      printedName: applicant.name,
      signedAt: signedAt.toISOString(),
    });
    await client.signature.create({
      data: {
        signerUserId: applicant.id,
        printedName: applicant.name,
        meaning: requirement.signatureMeaning,
        signedAt,
        contentSha256: sha256,
        entityType: "Enrollment",
        entityId: enrollment.id,
        enrollmentId: enrollment.id,
      },
    });
    signature = { contentSha256: sha256, printedName: applicant.name };
  }
  return { ...enrollment, program, signature, data };
}

/** A prescriber with an account and an enrollment (certified and signed unless told otherwise). */
export async function createPrescriberEnrollment(
  options: EnrollmentOptions & { firstName?: string; lastName?: string; enrolled?: boolean } = {},
) {
  const client = options.client ?? db();
  const firstName = options.firstName ?? "Rosalind";
  const lastName = options.lastName ?? uniqueWord("Franklin");
  const account = await createUser({ role: "PRESCRIBER", name: `${firstName} ${lastName}`, client });
  const npi = uniqueNpi();
  const prescriber = await client.prescriber.create({
    data: { userId: account.user.id, npi, firstName, lastName, credentials: "MD", specialty: "Neurology" },
    select: { id: true, npi: true, firstName: true, lastName: true },
  });
  const enrollment =
    options.enrolled === false
      ? null
      : await writeEnrollment(
          "PRESCRIBER",
          { prescriberId: prescriber.id },
          account.user,
          formAnswers(requirementFor("PRESCRIBER"), { firstName, lastName, npi, credentials: "md" }),
          options,
        );
  return { ...account, prescriber, enrollment };
}

/** A pharmacy, its representative's account (linked by User.pharmacyId) and its enrollment. */
export async function createPharmacyEnrollment(
  options: EnrollmentOptions & { name?: string; city?: string; enrolled?: boolean } = {},
) {
  const client = options.client ?? db();
  const name = options.name ?? `${uniqueWord("Pharmacy")} Pharmacy`;
  const city = options.city ?? uniqueWord("City");
  const pharmacy = await client.pharmacy.create({
    data: {
      remsId: generateRemsId("PH"),
      name,
      type: "SPECIALTY",
      ncpdpId: uniqueNcpdpId(),
      npi: uniqueNpi(),
      city,
      state: "IL",
    },
    select: { id: true, name: true, ncpdpId: true, npi: true, city: true },
  });
  const account = await createUser({ role: "PHARMACIST", name: "Priya Raman", client });
  await client.user.update({ where: { id: account.user.id }, data: { pharmacyId: pharmacy.id } });
  const enrollment =
    options.enrolled === false
      ? null
      : await writeEnrollment(
          "PHARMACY",
          { pharmacyId: pharmacy.id },
          account.user,
          formAnswers(requirementFor("PHARMACY"), {
            pharmacyName: name,
            ncpdpId: pharmacy.ncpdpId,
            npi: pharmacy.npi ?? "",
            city,
          }),
          options,
        );
  return { ...account, user: { ...account.user, pharmacyId: pharmacy.id }, pharmacy, enrollment };
}

/** A healthcare setting, its representative's account (User.healthcareSettingId) and its enrollment. */
export async function createSettingEnrollment(
  options: EnrollmentOptions & { name?: string; city?: string; enrolled?: boolean } = {},
) {
  const client = options.client ?? db();
  const name = options.name ?? `${uniqueWord("Infusion")} Infusion Center`;
  const city = options.city ?? uniqueWord("City");
  const setting = await client.healthcareSetting.create({
    data: { remsId: generateRemsId("HS"), name, type: "INFUSION_CENTER", npi: uniqueNpi(), city, state: "IL" },
    select: { id: true, name: true, npi: true, city: true },
  });
  const account = await createUser({ role: "SETTING_REP", name: "Idris Okoye", client });
  await client.user.update({ where: { id: account.user.id }, data: { healthcareSettingId: setting.id } });
  const enrollment =
    options.enrolled === false
      ? null
      : await writeEnrollment(
          "HEALTHCARE_SETTING",
          { healthcareSettingId: setting.id },
          account.user,
          formAnswers(requirementFor("HEALTHCARE_SETTING"), { settingName: name, npi: setting.npi ?? "", city }),
          options,
        );
  return { ...account, user: { ...account.user, healthcareSettingId: setting.id }, setting, enrollment };
}
