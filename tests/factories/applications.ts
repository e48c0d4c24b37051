/**
 * Applications for the certification tests, written straight to the database: a programme row,
 * a stakeholder with identifiers no other test uses, its applicant account, and an enrollment in
 * any status with its evidence (form answers, training, attestations, attempts, a signature).
 */
import { randomUUID } from "node:crypto";
import type { Actor } from "../../lib/auth/actor";
import { db, type Db } from "../../lib/db";
import { certificationNumberPrefix } from "../../lib/enrollment/numbers";
import { signedContent } from "../../lib/enrollment/rules";
import type { EnrollmentStatus, Role, StakeholderKind } from "../../lib/generated/prisma/enums";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { getProgramDefinition } from "../../lib/programs/registry";
import type { TProgramDefinition } from "../../lib/programs/schema";
import { uniqueEmail } from "./users";
export { uniqueNpi, uniqueNcpdpId } from "./identifiers";
import { uniqueNpi, uniqueNcpdpId } from "./identifiers";

type CertifiableKind = Exclude<StakeholderKind, "PATIENT">;

function programData(definition: TProgramDefinition) {
  return {
    name: definition.name,
    drugName: definition.drug.name,
    genericName: definition.drug.genericName,
    ndcs: [...definition.ndcs],
    definition: JSON.parse(JSON.stringify(definition)),
    definitionVersion: definition.version,
  };
}

function lemtrada(): TProgramDefinition {
  const definition = getProgramDefinition("LEMTRADA");
  if (!definition) throw new Error("the LEMTRADA definition is not registered");
  return definition;
}

/** The LEMTRADA programme row (integration databases start empty). */
export async function ensureLemtradaProgram(client: Db = db()) {
  const definition = lemtrada();
  return client.program.upsert({
    where: { code: definition.code },
    create: { code: definition.code, ...programData(definition) },
    update: {},
    select: { id: true, code: true, name: true },
  });
}

/**
 * A programme of its own (LEMTRADA's requirements under a unique code and name), so a test can
 * filter the queue down to exactly its rows, or give stakeholders a recertification period.
 */
export async function createTestProgram(options: { recertificationMonths?: number | null; client?: Db } = {}) {
  const client = options.client ?? db();
  const base = lemtrada();
  const suffix = randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase();
  const code = `T_${suffix}`;
  const stakeholders = Object.fromEntries(
    Object.entries(base.stakeholders).map(([kind, requirement]) => [
      kind,
      { ...requirement, recertificationMonths: options.recertificationMonths ?? null },
    ]),
  );
  const definition = { ...base, code, name: `Test programme ${suffix}`, stakeholders } as TProgramDefinition;
  return client.program.create({
    data: { code, ...programData(definition) },
    select: { id: true, code: true, name: true },
  });
}

/** A word no other test uses, for names that a search must find exactly. */
export function uniqueWord(prefix = "Q"): string {
  return `${prefix}${randomUUID()
    .replace(/[^a-f]/g, "")
    .slice(0, 8)}`;
}

export async function createAccount(role: Role, name: string, client: Db = db()) {
  return client.user.create({
    data: { email: uniqueEmail(role.toLowerCase()), name, role, passwordHash: "not-a-real-hash" },
    select: { id: true, email: true, name: true, role: true },
  });
}

/** The actor a signed-in user of that role would be (for calling services directly). */
export function actorFor(user: { id: string; email: string; name: string; role: Role }): Actor {
  return {
    userId: user.id,
    role: user.role,
    email: user.email,
    name: user.name,
    pharmacyId: null,
    healthcareSettingId: null,
    sessionId: null,
    requestId: `test-${randomUUID()}`,
  };
}

export async function createAdminActor(name = "Robin Reviewer", client: Db = db()) {
  return actorFor(await createAccount("ADMIN", name, client));
}

export interface ApplicationOptions {
  kind?: CertifiableKind;
  status?: EnrollmentStatus;
  programId?: string;
  submittedAt?: Date | null;
  certifiedAt?: Date;
  /** Person's names for a prescriber; the organisation's name otherwise. */
  firstName?: string;
  lastName?: string;
  name?: string;
  /** Form answers, training, attestations, two assessment attempts and a signature (default true). */
  withEvidence?: boolean;
  client?: Db;
}

const APPLICANT_ROLE: Record<CertifiableKind, Role> = {
  PRESCRIBER: "PRESCRIBER",
  PHARMACY: "PHARMACIST",
  HEALTHCARE_SETTING: "SETTING_REP",
};

const ADDRESS = { addressLine1: "12 Harbor Street", city: "Madison", state: "WI", zip: "53703" };

export async function createApplication(options: ApplicationOptions = {}) {
  const client = options.client ?? db();
  const kind = options.kind ?? "PRESCRIBER";
  const status = options.status ?? "SUBMITTED";
  const programId = options.programId ?? (await ensureLemtradaProgram(client)).id;
  const program = await client.program.findUniqueOrThrow({ where: { id: programId }, select: { code: true } });
  const withEvidence = options.withEvidence ?? true;
  const npi = uniqueNpi();
  const ncpdpId = uniqueNcpdpId();
  const firstName = options.firstName ?? "Noor";
  const lastName = options.lastName ?? `Haddad-${uniqueWord("")}`;
  const orgName = options.name ?? `${kind === "PHARMACY" ? "Harbor Pharmacy" : "Harbor Infusion"} ${uniqueWord("")}`;
  const personName = kind === "PRESCRIBER" ? `Dr. ${firstName} ${lastName}` : `Rep ${uniqueWord("")}`;
  const applicant = await createAccount(APPLICANT_ROLE[kind], personName, client);
  const contactEmail = uniqueEmail("contact");

  let stakeholder: { prescriberId?: string; pharmacyId?: string; healthcareSettingId?: string };
  let form: Record<string, string>;
  if (kind === "PRESCRIBER") {
    const prescriber = await client.prescriber.create({
      data: {
        userId: applicant.id,
        npi,
        firstName,
        lastName,
        credentials: "MD",
        specialty: "Neurology",
        practiceName: "Lakeside Neurology",
        addressLine1: ADDRESS.addressLine1,
        city: ADDRESS.city,
        state: ADDRESS.state,
        postalCode: ADDRESS.zip,
        phone: "608-555-0142",
        email: applicant.email,
      },
      select: { id: true },
    });
    stakeholder = { prescriberId: prescriber.id };
    form = {
      firstName,
      lastName,
      credentials: "md",
      npi,
      specialty: "Neurology",
      dea: "",
      practiceName: "Lakeside Neurology",
      ...ADDRESS,
      addressLine2: "",
      phone: "608-555-0142",
      email: applicant.email,
    };
  } else if (kind === "PHARMACY") {
    const pharmacy = await client.pharmacy.create({
      data: {
        remsId: generateRemsId("PH"),
        name: orgName,
        type: "SPECIALTY",
        ncpdpId,
        npi,
        addressLine1: ADDRESS.addressLine1,
        city: ADDRESS.city,
        state: ADDRESS.state,
        postalCode: ADDRESS.zip,
        contactName: personName,
        contactEmail,
      },
      select: { id: true },
    });
    await client.user.update({ where: { id: applicant.id }, data: { pharmacyId: pharmacy.id } });
    stakeholder = { pharmacyId: pharmacy.id };
    form = {
      pharmacyName: orgName,
      pharmacyType: "specialty",
      ncpdpId,
      npi,
      ...ADDRESS,
      contactName: personName,
      contactPhone: "608-555-0199",
      contactEmail,
    };
  } else {
    const setting = await client.healthcareSetting.create({
      data: {
        remsId: generateRemsId("HS"),
        name: orgName,
        type: "INFUSION_CENTER",
        npi,
        addressLine1: ADDRESS.addressLine1,
        city: ADDRESS.city,
        state: ADDRESS.state,
        postalCode: ADDRESS.zip,
        contactName: personName,
        contactEmail,
      },
      select: { id: true },
    });
    await client.user.update({ where: { id: applicant.id }, data: { healthcareSettingId: setting.id } });
    stakeholder = { healthcareSettingId: setting.id };
    form = {
      settingName: orgName,
      settingType: "infusion_center",
      npi,
      otherIdentifier: "",
      ...ADDRESS,
      contactName: personName,
      contactPhone: "608-555-0199",
      contactEmail,
    };
  }

  const definitionKey = kind === "PRESCRIBER" ? "prescriber" : kind === "PHARMACY" ? "pharmacy" : "healthcareSetting";
  const requirement = lemtrada().stakeholders[definitionKey];
  const acknowledged = "2026-01-05T09:15:00.000Z";
  const training = Object.fromEntries((requirement?.training?.sections ?? []).map((s) => [s.id, acknowledged]));
  const attestations = Object.fromEntries((requirement?.attestations ?? []).map((a) => [a.id, true]));
  // Without evidence the row looks like the demo seed's: no form data at all.
  const data = withEvidence ? { form, training, attestations } : { demo: true };

  const submittedAt =
    options.submittedAt === undefined ? (status === "DRAFT" ? null : new Date()) : options.submittedAt;
  const certified = ["CERTIFIED", "SUSPENDED", "DECERTIFIED", "EXPIRED"].includes(status);
  const certifiedAt = certified ? (options.certifiedAt ?? new Date()) : null;
  const enrollment = await client.enrollment.create({
    data: {
      programId,
      kind,
      status,
      ...stakeholder,
      applicantUserId: applicant.id,
      data,
      submittedAt,
      certifiedAt,
      certificationNumber: certified ? generateRemsId(certificationNumberPrefix(kind)) : null,
      events: {
        create: [
          ...(submittedAt ? [{ toStatus: "SUBMITTED" as const, actorUserId: applicant.id, at: submittedAt }] : []),
          ...(certifiedAt
            ? [{ fromStatus: "SUBMITTED" as const, toStatus: "CERTIFIED" as const, at: certifiedAt }]
            : []),
          ...(status !== "CERTIFIED" && certifiedAt
            ? [{ fromStatus: "CERTIFIED" as const, toStatus: status, at: certifiedAt, reason: "Set up by a test" }]
            : []),
        ],
      },
    },
    select: { id: true, version: true, status: true, certificationNumber: true },
  });

  if (withEvidence) {
    if (requirement?.knowledgeAssessment) {
      const questionCount = requirement.knowledgeAssessment.questions.length;
      await client.assessmentAttempt.createMany({
        data: [
          {
            enrollmentId: enrollment.id,
            attemptNumber: 1,
            answers: {},
            correctCount: questionCount - 2,
            questionCount,
            passed: false,
            topicsToReview: ["Stroke", "Malignancies"],
            submittedByUserId: applicant.id,
            submittedAt: new Date("2026-01-05T09:40:00.000Z"),
          },
          {
            enrollmentId: enrollment.id,
            attemptNumber: 2,
            answers: {},
            correctCount: questionCount,
            questionCount,
            passed: true,
            topicsToReview: [],
            submittedByUserId: applicant.id,
            submittedAt: new Date("2026-01-05T10:05:00.000Z"),
          },
        ],
      });
    }
    const signedAt = "2026-01-05T10:20:00.000Z";
    const meaning = requirement?.signatureMeaning ?? "I attest.";
    const content = signedContent({
      programCode: program.code,
      programVersion: 1,
      kind,
      enrollmentId: enrollment.id,
      form,
      trainingAcknowledged: Object.keys(training),
      assessment: requirement?.knowledgeAssessment ? { correctCount: 8, questionCount: 8, attemptNumber: 2 } : null,
      attestations: (requirement?.attestations ?? []).map((a) => ({ id: a.id, text: a.text })),
      meaning,
      printedName: personName,
      signedAt,
    });
    await client.signature.create({
      data: {
        signerUserId: applicant.id,
        printedName: personName,
        meaning,
        signedAt: new Date(signedAt),
        contentSha256: content.sha256,
        entityType: "Enrollment",
        entityId: enrollment.id,
        enrollmentId: enrollment.id,
      },
    });
  }

  return {
    enrollment,
    applicant,
    npi,
    ncpdpId: kind === "PHARMACY" ? ncpdpId : null,
    firstName,
    lastName,
    orgName: kind === "PRESCRIBER" ? null : orgName,
    displayName: kind === "PRESCRIBER" ? `${firstName} ${lastName}` : orgName,
    contactEmail: kind === "PRESCRIBER" ? applicant.email : contactEmail,
  };
}
