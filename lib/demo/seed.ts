/**
 * The demo world: one programme (LEMTRADA), an administrator, prescribers, a pharmacy and a
 * healthcare setting with their representatives. Every enrollment goes through the registry's own
 * services (form, training, assessment, e-signature, administrator decision), so the demo data is
 * what real use produces. Idempotent: a second run changes nothing; an interrupted run resumes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { recordAudit } from "../audit/service";
import { type AuditActor, systemActor } from "../auth/actor";
import { enrolKnownTotpSecret, issueRecoveryCodes } from "../auth/mfa";
import { hashPassword } from "../auth/password";
import type { Actor } from "../auth/actor";
import { decideApplication } from "../certification/service";
import type { Db, Tx } from "../db";
import {
  acknowledgeTrainingSection,
  getEnrollmentWorkspace,
  saveEnrollmentForm,
  signEnrollment,
  submitAssessment,
} from "../enrollment/service";
import type { Role } from "../generated/prisma/enums";
import { NPI_SYSTEM, remsPatientIdSystem } from "../interop/identifiers";
import { deliverPendingMail } from "../mail/deliver";
import { runMonitoringReminders } from "../reminders/service";
import { seedDemoNonCompliance } from "./noncompliance";
import { seedDemoDispensing } from "./dispensing";
import { env } from "../env";
import { NCPDP_SCRIPT_PATH } from "../interop/ncpdp/http";
import { type DemoPatients, seedDemoPatients } from "./patients";
import { listProgramDefinitions } from "../programs/registry";
import type { TProgramDefinition } from "../programs/schema";

export const DEMO_PASSWORD = "Demo-Pass-2026!";

/**
 * Fixed TOTP secrets of the demo accounts (base32), published in the README and the manifest so
 * that anyone can add them to an authenticator app. For the demo only: a real account's secret is
 * random and shown once, at enrolment.
 */
export const DEMO_TOTP_SECRETS = {
  admin: "REMSGATEDEMOADMINTOTPSECRET23456",
  ada: "REMSGATEDEMOPRESCRIBERADA2345672",
  ben: "REMSGATEDEMOPRESCRIBERBEN2345672",
  cora: "REMSGATEDEMOPRESCRIBERCORA234567",
  dan: "REMSGATEDEMOPRESCRIBERDAN2345672",
  pharmacist: "REMSGATEDEMOPHARMACISTTOTP234567",
  infusion: "REMSGATEDEMOINFUSIONTOTP23456723",
} as const satisfies Record<keyof typeof DEMO.accounts, string>;

export const DEMO = {
  programCode: "LEMTRADA",
  ndc: "58468-0200-01",
  accounts: {
    admin: "admin@demo.test",
    ada: "dr.ada@demo.test",
    ben: "dr.ben@demo.test",
    cora: "dr.cora@demo.test",
    dan: "dr.dan@demo.test",
    pharmacist: "pharmacist@demo.test",
    infusion: "infusion@demo.test",
  },
  prescribers: {
    ada: { npi: "1234567893" },
    ben: { npi: "1000000004" },
    cora: { npi: "1000000038" },
    dan: { npi: "1000000046" },
  },
  pharmacy: { ncpdpId: "1234563", npi: "1000000012" },
  setting: { npi: "1000000020" },
} as const;

export interface DemoWorld {
  baseUrl: string;
  password: string;
  accounts: Record<keyof typeof DEMO.accounts, string>;
  programCode: string;
  ndc: string;
  prescribers: Record<keyof typeof DEMO.prescribers, { npi: string }>;
  pharmacy: { ncpdpId: string; npi: string; apiKey: string | null };
  setting: { id: string; npi: string };
  patients: DemoPatients;
  /** The registry's identifier in NCPDP SCRIPT messages (NCPDP_REGISTRY_ID): pharmacy systems send REMS transactions To it. */
  ncpdp: { registryId: string; endpoint: string };
  /** What EHRs and pharmacy systems need to name the demo world's people (docs/interop.md). */
  interop: {
    /** FHIR identifier system of the REMS patient id (also the REMS case number). */
    remsPatientIdSystem: string;
    npiSystem: string;
    cdsServices: string;
    fhirBase: string;
  };
  /** Each demo account's TOTP secret (base32): the demo accounts have two-step sign-in on. */
  totp: Record<keyof typeof DEMO.accounts, string>;
  /** Internal ids for the URLs tests open (the authorization matrix): enrollments, patients, authorizations. */
  ids: {
    enrollments: { ada: string; ben: string; pharmacy: string; setting: string };
    patients: Record<keyof DemoPatients, string>;
    /** The demo pharmacy's authorizations by prescription id (DEMO-RX-…). */
    authorizations: Record<string, string>;
    /** Account ids (the administrator's user pages). */
    users: { infusion: string };
    /** The demo non-compliance case (against the demo setting) and its evidence file. */
    nonCompliance: { caseId: string; fileId: string };
  };
}

async function ensureProgram(tx: Tx, actor: AuditActor, definition: TProgramDefinition) {
  const existing = await tx.program.findUnique({
    where: { code: definition.code },
    select: { id: true, definitionVersion: true },
  });
  const data = {
    name: definition.name,
    drugName: definition.drug.name,
    genericName: definition.drug.genericName,
    ndcs: [...definition.ndcs],
    definition: JSON.parse(JSON.stringify(definition)),
    definitionVersion: definition.version,
  };
  if (existing) {
    if (existing.definitionVersion === definition.version) return existing.id;
    await tx.program.update({ where: { id: existing.id }, data });
    await recordAudit(tx, actor, {
      action: "program.definition_updated",
      entityType: "Program",
      entityId: existing.id,
      after: { code: definition.code, version: definition.version },
    });
    return existing.id;
  }
  const created = await tx.program.create({ data: { code: definition.code, ...data }, select: { id: true } });
  await recordAudit(tx, actor, {
    action: "program.created",
    entityType: "Program",
    entityId: created.id,
    after: { code: definition.code, version: definition.version },
  });
  return created.id;
}

async function ensureUser(client: Db, input: { email: string; name: string; role: Role; passwordHash: string }) {
  const select = {
    id: true,
    email: true,
    name: true,
    role: true,
    pharmacyId: true,
    healthcareSettingId: true,
  } as const;
  const existing = await client.user.findUnique({ where: { email: input.email }, select });
  if (existing) return existing;
  return client.$transaction(async (tx) => {
    const user = await tx.user.create({ data: input, select });
    await recordAudit(tx, systemActor("seed"), {
      action: "user.created_by_seed",
      entityType: "User",
      entityId: user.id,
      after: { email: user.email, role: user.role },
    });
    return user;
  });
}

/** The account as the services see a signed-in person (re-read: enrolling links an organisation). */
async function actorFor(client: Db, email: string): Promise<Actor> {
  const u = await client.user.findUniqueOrThrow({
    where: { email },
    select: { id: true, email: true, name: true, role: true, pharmacyId: true, healthcareSettingId: true },
  });
  return {
    userId: u.id,
    role: u.role,
    email: u.email,
    name: u.name,
    pharmacyId: u.pharmacyId,
    healthcareSettingId: u.healthcareSettingId,
    sessionId: null,
    requestId: "seed",
  };
}

/**
 * A second-factor code for one of the seed's signatures. The seed signs many times within seconds
 * and a TOTP code works once per 30-second step, so it signs with recovery codes (each works once),
 * issued on first need; the unused ones are never shown and stop working when the account holder
 * regenerates their codes.
 */
const signingCodes = new Map<string, string[]>();
async function signingCode(client: Db, userId: string): Promise<string> {
  let pool = signingCodes.get(userId);
  if (!pool?.length) {
    pool = await issueRecoveryCodes(client, userId, "seed");
    signingCodes.set(userId, pool);
  }
  return pool.pop() ?? "";
}

type DefinitionKind = "prescriber" | "pharmacy" | "healthcareSetting";

/**
 * Walks one applicant through the enrollment engine exactly as the browser would: form, training,
 * knowledge assessment, attestations and the e-signature. Resumes an unfinished draft.
 */
async function enrollThroughEngine(
  client: Db,
  email: string,
  kind: DefinitionKind,
  definition: TProgramDefinition,
  form: Record<string, string>,
) {
  let actor = await actorFor(client, email);
  let view = await getEnrollmentWorkspace(actor, { programCode: definition.code }, client);
  if (view.enrollment && view.enrollment.status !== "DRAFT") return view.enrollment.id;
  const requirement = definition.stakeholders[kind];
  if (!requirement) throw new Error(`${definition.code} has no ${kind} requirements`);

  const saved = await saveEnrollmentForm(
    actor,
    { programCode: definition.code, enrollmentId: view.enrollment?.id, values: form },
    client,
  );
  const enrollmentId = saved.enrollmentId;
  actor = await actorFor(client, email);
  for (const section of requirement.training?.sections ?? []) {
    await acknowledgeTrainingSection(actor, { enrollmentId, sectionId: section.id, acknowledged: true }, client);
  }
  const assessment = requirement.knowledgeAssessment;
  if (assessment) {
    const attempts = await client.assessmentAttempt.count({ where: { enrollmentId } });
    const answers = Object.fromEntries(assessment.questions.map((q) => [q.id, [...q.correctOptionIds]]));
    await submitAssessment(actor, { enrollmentId, attemptNumber: attempts + 1, answers }, client);
  }
  view = await getEnrollmentWorkspace(actor, { programCode: definition.code }, client);
  await signEnrollment(
    actor,
    {
      enrollmentId,
      printedName: actor.name,
      password: DEMO_PASSWORD,
      code: await signingCode(client, actor.userId),
      attestations: requirement.attestations.map((a) => a.id),
      reviewDigest: view.reviewDigest,
      expectedVersion: view.enrollment?.version,
    },
    client,
  );
  return enrollmentId;
}

/** An administrator's decision on a submitted application, through the review service. */
async function decide(
  client: Db,
  admin: Actor,
  enrollmentId: string,
  event: "APPROVE" | "REJECT" | "REQUEST_CHANGES",
  reason?: string,
) {
  const current = await client.enrollment.findUniqueOrThrow({
    where: { id: enrollmentId },
    select: { status: true, version: true },
  });
  if (current.status !== "SUBMITTED") return;
  await decideApplication(admin, { enrollmentId, version: current.version, event, reason }, client);
}

const ADDRESS = { addressLine1: "300 Medical Plaza", addressLine2: "", city: "Springfield", state: "IL", zip: "62703" };

function prescriberForm(firstName: string, lastName: string, npi: string, email: string): Record<string, string> {
  return {
    firstName,
    lastName,
    credentials: "md",
    npi,
    specialty: "Neurology",
    dea: "",
    practiceName: "Springfield Neurology Associates",
    ...ADDRESS,
    phone: "217-555-0300",
    email,
  };
}

/** Seeds the demo world and returns its manifest (also written to `.data/demo-world.json`). */
export async function seedDemoWorld(
  client: Db,
  options: { baseUrl: string; manifestPath?: string },
): Promise<DemoWorld> {
  const actor = systemActor("seed");
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await client.$transaction(async (tx) => {
    for (const definition of listProgramDefinitions()) await ensureProgram(tx, actor, definition);
  });
  const definition = listProgramDefinitions().find((d) => d.code === DEMO.programCode);
  if (!definition) throw new Error(`The ${DEMO.programCode} programme definition is missing`);

  await ensureUser(client, { email: DEMO.accounts.admin, name: "Avery Admin", role: "ADMIN", passwordHash });
  const people = [
    { key: "ada", name: "Dr. Ada Lovelace", role: "PRESCRIBER" as const },
    { key: "ben", name: "Dr. Ben Carson-Reed", role: "PRESCRIBER" as const },
    { key: "cora", name: "Dr. Cora Whitfield", role: "PRESCRIBER" as const },
    { key: "dan", name: "Dr. Dan Okafor", role: "PRESCRIBER" as const },
    { key: "pharmacist", name: "Pat Pharmacist", role: "PHARMACIST" as const },
    { key: "infusion", name: "Ivy Infusion", role: "SETTING_REP" as const },
  ] as const;
  for (const p of people) {
    await ensureUser(client, { email: DEMO.accounts[p.key], name: p.name, role: p.role, passwordHash });
  }
  // Every demo account has two-step sign-in: the administrator and the pharmacist must, and the
  // others e-sign in LEMTRADA, which requires it of signers.
  for (const key of Object.keys(DEMO.accounts) as (keyof typeof DEMO.accounts)[]) {
    const user = await actorFor(client, DEMO.accounts[key]);
    await enrolKnownTotpSecret(client, user.userId, DEMO_TOTP_SECRETS[key], "seed");
  }
  const admin = await actorFor(client, DEMO.accounts.admin);

  const ada = await enrollThroughEngine(
    client,
    DEMO.accounts.ada,
    "prescriber",
    definition,
    prescriberForm("Ada", "Lovelace", DEMO.prescribers.ada.npi, DEMO.accounts.ada),
  );
  await decide(client, admin, ada, "APPROVE");

  const pharmacy = await enrollThroughEngine(client, DEMO.accounts.pharmacist, "pharmacy", definition, {
    pharmacyName: "Demo Specialty Pharmacy",
    pharmacyType: "specialty",
    ncpdpId: DEMO.pharmacy.ncpdpId,
    npi: DEMO.pharmacy.npi,
    addressLine1: "100 Main Street",
    addressLine2: "",
    city: "Springfield",
    state: "IL",
    zip: "62701",
    contactName: "Pat Pharmacist",
    contactPhone: "217-555-0100",
    contactEmail: DEMO.accounts.pharmacist,
  });
  await decide(client, admin, pharmacy, "APPROVE");

  const setting = await enrollThroughEngine(client, DEMO.accounts.infusion, "healthcareSetting", definition, {
    settingName: "Demo Infusion Center",
    settingType: "infusion_center",
    npi: DEMO.setting.npi,
    otherIdentifier: "",
    addressLine1: "200 Clinic Road",
    addressLine2: "",
    city: "Springfield",
    state: "IL",
    zip: "62702",
    contactName: "Ivy Infusion",
    contactPhone: "217-555-0200",
    contactEmail: DEMO.accounts.infusion,
  });
  await decide(client, admin, setting, "APPROVE");

  // dr.ben's application waits in the review queue.
  const ben = await enrollThroughEngine(
    client,
    DEMO.accounts.ben,
    "prescriber",
    definition,
    prescriberForm("Ben", "Carson-Reed", DEMO.prescribers.ben.npi, DEMO.accounts.ben),
  );

  const cora = await enrollThroughEngine(
    client,
    DEMO.accounts.cora,
    "prescriber",
    definition,
    prescriberForm("Cora", "Whitfield", DEMO.prescribers.cora.npi, DEMO.accounts.cora),
  );
  await decide(
    client,
    admin,
    cora,
    "REJECT",
    "The NPI registry lists this NPI under a different practice address; the enrollment cannot be verified.",
  );

  const dan = await enrollThroughEngine(
    client,
    DEMO.accounts.dan,
    "prescriber",
    definition,
    prescriberForm("Dan", "Okafor", DEMO.prescribers.dan.npi, DEMO.accounts.dan),
  );
  await decide(
    client,
    admin,
    dan,
    "REQUEST_CHANGES",
    "Please give the practice's full street address, including the suite number.",
  );

  const settingRow = await client.enrollment.findUniqueOrThrow({
    where: { id: setting },
    select: { healthcareSetting: { select: { id: true, remsId: true } } },
  });
  const patients = await seedDemoPatients(client, {
    definition,
    prescriber: await actorFor(client, DEMO.accounts.ada),
    prescriberPassword: DEMO_PASSWORD,
    prescriberCode: async () => signingCode(client, (await actorFor(client, DEMO.accounts.ada)).userId),
    settingRep: await actorFor(client, DEMO.accounts.infusion),
    settingId: settingRow.healthcareSetting?.id ?? "",
  });
  const manifestPath = options.manifestPath ?? path.resolve(".data/demo-world.json");
  const settingRemsId = settingRow.healthcareSetting?.remsId ?? "";
  const { apiKey } = await seedDemoDispensing(client, {
    pharmacist: await actorFor(client, DEMO.accounts.pharmacist),
    programCode: DEMO.programCode,
    ndc: DEMO.ndc,
    prescriberNpi: DEMO.prescribers.ada.npi,
    settingRemsId,
    patients,
    manifestPath,
    pharmacistStepUp: async () => ({
      password: DEMO_PASSWORD,
      code: await signingCode(client, (await actorFor(client, DEMO.accounts.pharmacist)).userId),
    }),
  });
  // The daily monitoring check's overdue marks, for the dashboard (no reminder e-mails from the seed).
  await runMonitoringReminders(new Date(), client, { remind: false });
  const nonCompliance = await seedDemoNonCompliance(client, admin, setting);
  const patientRows = await client.patient.findMany({
    where: { remsId: { in: Object.values(patients).map((p) => p.remsId) } },
    select: { id: true, remsId: true },
  });
  const patientId = (key: keyof DemoPatients) => patientRows.find((p) => p.remsId === patients[key].remsId)?.id ?? "";
  const authorizations = await client.dispenseAuthorization.findMany({
    where: { pharmacy: { ncpdpId: DEMO.pharmacy.ncpdpId }, prescriptionId: { startsWith: "DEMO-RX-" } },
    select: { id: true, prescriptionId: true },
  });
  const world: DemoWorld = {
    baseUrl: options.baseUrl,
    password: DEMO_PASSWORD,
    accounts: { ...DEMO.accounts },
    programCode: DEMO.programCode,
    ndc: DEMO.ndc,
    prescribers: { ...DEMO.prescribers },
    pharmacy: { ncpdpId: DEMO.pharmacy.ncpdpId, npi: DEMO.pharmacy.npi, apiKey },
    setting: { id: settingRemsId, npi: DEMO.setting.npi },
    patients,
    ncpdp: { registryId: env().NCPDP_REGISTRY_ID, endpoint: `${options.baseUrl}${NCPDP_SCRIPT_PATH}` },
    interop: {
      remsPatientIdSystem: remsPatientIdSystem(options.baseUrl),
      npiSystem: NPI_SYSTEM,
      cdsServices: new URL("/cds-services", options.baseUrl).href,
      fhirBase: new URL("/fhir", options.baseUrl).href,
    },
    totp: { ...DEMO_TOTP_SECRETS },
    ids: {
      enrollments: { ada, ben, pharmacy, setting },
      patients: {
        compliant: patientId("compliant"),
        overdueLabs: patientId("overdueLabs"),
        betweenCourses: patientId("betweenCourses"),
        firstCourse: patientId("firstCourse"),
        disenrolled: patientId("disenrolled"),
      },
      authorizations: Object.fromEntries(authorizations.map((a) => [a.prescriptionId, a.id])),
      users: {
        infusion: (
          await client.user.findUniqueOrThrow({ where: { email: DEMO.accounts.infusion }, select: { id: true } })
        ).id,
      },
      nonCompliance,
    },
  };
  // Send (or, without SMTP_URL, log) the notices the enrollments produced.
  await deliverPendingMail(client);
  await mkdir(path.dirname(manifestPath), { recursive: true });
  await writeFile(manifestPath, `${JSON.stringify(world, null, 2)}\n`);
  return world;
}
