/**
 * Patients: enrollment by a certified prescriber (prepared by a delegate if need be), the two
 * signatures (the patient's, in their account or on paper on file, and the prescriber's
 * co-signature), status changes with reasons, and transfers between certified prescribers.
 *
 * Every service checks the role's permission and the actor's link to the patient; a refusal is
 * audited ("authorization.denied") and answered FORBIDDEN without saying whether the patient exists.
 * Writes go in one transaction with their audit events. Services queue e-mail; entry points call
 * deliverSoon() after commit.
 */
import type { Actor } from "../auth/actor";
import { verifyStepUp } from "../auth/mfa";
import { can, type Permission, requirePermission } from "../auth/permissions";
import { recordAuthorizationFailure } from "../auth/service";
import { canonicalJson, sha256Hex } from "../audit/hash";
import { recordAudit } from "../audit/service";
import { lockDispenseGate, revokeOpenAuthorizations } from "../dispensing/revoke";
import { isCertified } from "../certification/rules";
import { db, type Db, type Tx } from "../db";
import { AppError, type FieldErrors, fieldErrorsFromZod } from "../errors";
import { formatPrescriberName } from "../format";
import type { Prisma } from "../generated/prisma/client";
import type { EnrollmentStatus } from "../generated/prisma/enums";
import { generateRemsId, REMS_ID_PREFIXES } from "../identifiers/rems-id";
import { createPatientInvitation } from "../invitations/service";
import { dayOf } from "../calendar";
import { patientMonitoringSchedule } from "../labs/schedule";

import { getProgramDefinition } from "../programs/registry";
import { type TProgramDefinition, type TStakeholderRequirement, ZProgramDefinition } from "../programs/schema";
import { isUuid } from "../identifiers/uuid";
import { requireOwnPrintedName } from "../signatures/signer";
import {
  checkDateOfBirth,
  type DisenrollReason,
  DUPLICATE_REASON_LABELS,
  decideStatusChange,
  findDuplicates,
  isFullySigned,
  normalizeEmail,
  type SignatureMethod,
  statusReasonText,
} from "./rules";
import {
  type TCoSignPatientEnrollment,
  type TEnrollPatient,
  type TSetPatientStatus,
  type TSignOwnEnrollment,
  type TTransferPatient,
  validatePatientEnrollment,
  ZCoSignPatientEnrollment,
  ZEnrollPatient,
  ZSetPatientStatus,
  ZSignOwnEnrollment,
  ZTransferPatient,
} from "./schema";

// ---------------------------------------------------------------------------
// What a patient enrollment keeps in Enrollment.data

interface PatientEnrollmentData {
  form: Record<string, string>;
  training: Record<string, string>;
  attestations: Record<string, boolean>;
  counselling: { materialIds: string[]; attestedAt: string; byUserId: string };
  signatureMethod: SignatureMethod;
  patientSignature: { signatureId: string | null; signedAt: string; onPaper: boolean } | null;
  prescriberSignature: { signatureId: string; signedAt: string } | null;
  /** The invitation sent to the patient (ACCOUNT method): acceptance links the account by it. */
  invitationId?: string;
  preparedByUserId: string;
  /** Patients the prescriber was shown as possible duplicates and confirmed to be other people. */
  confirmedDifferentFrom?: string[];
  statusReasonCode?: DisenrollReason | null;
}

function readData(value: unknown): PatientEnrollmentData {
  return (value ?? {}) as PatientEnrollmentData;
}

function toJson(data: PatientEnrollmentData): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(data)) as Prisma.InputJsonObject;
}

// ---------------------------------------------------------------------------
// Errors and permissions

function forbidden(message = "You do not have access to this patient."): AppError {
  return new AppError("FORBIDDEN", message);
}

async function denied(actor: Actor, permission: string, target: string, client: Db, message?: string) {
  await recordAuthorizationFailure(actor, permission, target, client);
  return forbidden(message);
}

function validation(fields: FieldErrors, message = "Check the highlighted fields."): AppError {
  return new AppError("VALIDATION", message, { fields });
}

/** The permission a role reads patients with (null: never). */
export function patientReadPermission(role: Actor["role"]): Permission | null {
  switch (role) {
    case "PRESCRIBER":
      return "patient:read:own";
    case "PRESCRIBER_DELEGATE":
      return "patient:read:linked";
    case "SETTING_REP":
      return "patient:read:org";
    case "PATIENT":
      return "patient:read:self";
    case "ADMIN":
      return "enrollment:read:any";
    default:
      return null;
  }
}

/** The prescriber's own row (PRESCRIBER), or null. */
async function ownPrescriber(actor: Actor, client: Db | Tx) {
  return client.prescriber.findUnique({
    where: { userId: actor.userId },
    select: { id: true, firstName: true, lastName: true, npi: true },
  });
}

/** Prescriber ids whose patients the actor handles: their own, or those a delegate works for. */
async function handledPrescriberIds(actor: Actor, client: Db | Tx): Promise<string[]> {
  if (actor.role === "PRESCRIBER") {
    const own = await ownPrescriber(actor, client);
    return own ? [own.id] : [];
  }
  if (actor.role === "PRESCRIBER_DELEGATE") {
    const links = await client.prescriberDelegate.findMany({
      where: { userId: actor.userId },
      select: { prescriberId: true },
    });
    return links.map((l) => l.prescriberId);
  }
  return [];
}

// ---------------------------------------------------------------------------
// Programmes and certification

interface ProgramRow {
  id: string;
  code: string;
  name: string;
  definition: unknown;
}

async function findProgram(client: Db | Tx, code: string): Promise<ProgramRow> {
  const program = await client.program.findUnique({
    where: { code },
    select: { id: true, code: true, name: true, definition: true },
  });
  if (!program) throw new AppError("NOT_FOUND", "There is no such programme.");
  return program;
}

function definitionOf(program: ProgramRow): TProgramDefinition {
  return getProgramDefinition(program.code) ?? ZProgramDefinition.parse(program.definition);
}

function patientRequirement(definition: TProgramDefinition): TStakeholderRequirement {
  const requirement = definition.stakeholders.patient;
  if (!requirement) throw new AppError("NOT_FOUND", `The ${definition.name} does not enroll patients.`);
  return requirement;
}

async function prescriberCertified(client: Db | Tx, programId: string, prescriberId: string): Promise<boolean> {
  const e = await client.enrollment.findUnique({
    where: { programId_prescriberId: { programId, prescriberId } },
    select: { status: true },
  });
  return !!e && isCertified(e.status);
}

async function settingCertified(client: Db | Tx, programId: string, healthcareSettingId: string): Promise<boolean> {
  const e = await client.enrollment.findUnique({
    where: { programId_healthcareSettingId: { programId, healthcareSettingId } },
    select: { status: true },
  });
  return !!e && isCertified(e.status);
}

/** The healthcare settings certified in a programme: the choices for a patient's treating setting. */
export async function listCertifiedSettings(programCode: string, client: Db = db()) {
  const program = await findProgram(client, programCode.toUpperCase());
  const rows = await client.enrollment.findMany({
    where: { programId: program.id, kind: "HEALTHCARE_SETTING", status: "CERTIFIED" },
    select: { healthcareSetting: { select: { id: true, name: true, remsId: true, city: true, state: true } } },
  });
  return rows
    .flatMap((r) => (r.healthcareSetting ? [r.healthcareSetting] : []))
    .sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------------------
// Enrollment

export interface DuplicateMatch {
  /** Only for the actor's own patients; another prescriber's patient is not revealed. */
  patientId: string | null;
  remsId: string | null;
  name: string | null;
  dateOfBirth: string | null;
  ownPatient: boolean;
  reasons: string[];
}

export interface EnrolledPatient {
  patientId: string;
  remsId: string;
  enrollmentId: string;
  status: EnrollmentStatus;
  /** The acceptance link when the patient was invited (shown once, like every invitation link). */
  invitationLink: string | null;
}

/** The date column as "YYYY-MM-DD". */

/** Which prescriber the enrollment is for: the prescriber themself, or the one a delegate names. */
async function resolveEnrollingPrescriber(actor: Actor, prescriberId: string | undefined, client: Db) {
  if (actor.role === "PRESCRIBER" && can(actor, "patient:create:own")) {
    const own = await ownPrescriber(actor, client);
    if (!own) throw new AppError("CONFLICT", "Enroll and get certified as a prescriber before enrolling patients.");
    if (prescriberId && prescriberId !== own.id) {
      throw await denied(actor, "patient:create:own", `prescriber/${prescriberId}`, client);
    }
    return own;
  }
  if (actor.role === "PRESCRIBER_DELEGATE" && can(actor, "enrollment:update:linked")) {
    const ids = await handledPrescriberIds(actor, client);
    const chosen = prescriberId ?? (ids.length === 1 ? ids[0] : undefined);
    if (prescriberId && !ids.includes(prescriberId)) {
      throw await denied(actor, "enrollment:update:linked", `prescriber/${prescriberId}`, client);
    }
    if (!chosen) {
      throw new AppError(
        "BAD_REQUEST",
        ids.length === 0
          ? "Your account is not linked to a prescriber yet. Ask the prescriber you work for to invite you."
          : "Choose the prescriber you are preparing this enrollment for.",
      );
    }
    return client.prescriber.findUniqueOrThrow({
      where: { id: chosen },
      select: { id: true, firstName: true, lastName: true, npi: true },
    });
  }
  throw await denied(actor, "patient:create:own", "patient:create", client, "Your account cannot enroll patients.");
}

/**
 * The signer's printed name is their own name on their account (lib/signatures/signer.ts), then the
 * step-up: password, and the authenticator code where they have one or the programme requires it.
 */
async function checkSigner(
  actor: Actor,
  signer: { printedName: string; password: string; code?: string | undefined },
  prefix: string,
  definition: TProgramDefinition,
  client: Db | Tx,
) {
  await requireOwnPrintedName(actor, signer.printedName, `${prefix}printedName`, client);
  await verifyStepUp(
    actor,
    signer,
    { mfaRequired: definition.esignature.requireMfa, passwordField: `${prefix}password`, codeField: `${prefix}code` },
    client,
  );
}

async function newPatientRemsId(tx: Tx): Promise<string> {
  // 40 random bits per id: a collision is improbable, but the unique index is the authority.
  for (let attempt = 0; attempt < 5; attempt++) {
    const remsId = generateRemsId(REMS_ID_PREFIXES.patient);
    if (!(await tx.patient.findUnique({ where: { remsId }, select: { id: true } }))) return remsId;
  }
  throw new AppError("INTERNAL", "Could not allocate a REMS patient id. Try again.");
}

/** Possible duplicates among every registered patient (the caller decides what to reveal). */
async function findDuplicateCandidates(
  client: Db | Tx,
  identity: { firstName: string; lastName: string; dateOfBirth: string; email: string | null },
) {
  const email = normalizeEmail(identity.email);
  const rows = await client.patient.findMany({
    where: {
      // Same date of birth (names are compared normalized by the rule), or the same e-mail.
      OR: [
        { dateOfBirth: new Date(`${identity.dateOfBirth}T00:00:00Z`) },
        ...(email ? [{ email: { equals: email, mode: "insensitive" as const } }] : []),
      ],
    },
    select: {
      id: true,
      remsId: true,
      firstName: true,
      lastName: true,
      dateOfBirth: true,
      email: true,
      prescriberId: true,
    },
    take: 200,
  });
  return findDuplicates(
    identity,
    rows.map((r) => ({ ...r, dateOfBirth: dayOf(r.dateOfBirth) })),
  );
}

function signedContent(input: Record<string, unknown>): { content: string; sha256: string } {
  const content = canonicalJson(input);
  return { content, sha256: sha256Hex(content) };
}

/**
 * Enrolls a patient (see ZEnrollPatient for the input). The enrolling prescriber and the treating
 * setting must be certified. A suspected duplicate (same name and date of birth, or same e-mail)
 * is refused with CONFLICT and `details.reason = "possible-duplicate"`, `details.matches`, until
 * the input says `confirmDifferentPerson: true`. A prescriber co-signs at once (password again);
 * a delegate prepares it and the prescriber co-signs later. The enrollment is ENROLLED once both
 * the patient (paper on file, or in their account) and the prescriber have signed; until then it
 * is DRAFT ("pending signatures").
 */
export async function enrollPatient(
  actor: Actor,
  input: TEnrollPatient,
  client: Db = db(),
  now: Date = new Date(),
): Promise<EnrolledPatient> {
  const parsed = ZEnrollPatient.safeParse(input);
  if (!parsed.success) throw validation(fieldErrorsFromZod(parsed.error));
  const data = parsed.data;
  const prescriber = await resolveEnrollingPrescriber(actor, data.prescriberId, client);
  const program = await findProgram(client, data.programCode);
  const definition = definitionOf(program);
  const requirement = patientRequirement(definition);
  const isPrescriber = actor.role === "PRESCRIBER";

  const { fields, values } = validatePatientEnrollment(requirement, data, now, { requireCoSignature: isPrescriber });
  if (Object.keys(fields).length > 0) throw validation(fields);

  if (!(await prescriberCertified(client, program.id, prescriber.id))) {
    throw new AppError(
      "CONFLICT",
      `${isPrescriber ? "You are" : `${formatPrescriberName(prescriber)} is`} not certified in the ${definition.name}, so patients cannot be enrolled.`,
    );
  }
  if (!(await settingCertified(client, program.id, data.healthcareSettingId))) {
    throw validation(
      { healthcareSettingId: ["This healthcare setting is not certified in the programme. Choose a certified one."] },
      "The treating healthcare setting must be certified.",
    );
  }
  const underage = checkDateOfBirth(values.dateOfBirth ?? "", now, requirement.minimumAgeYears).kind === "underMinimum";
  const ageOverrideReason = underage ? data.ageOverrideReason?.trim() || null : null;
  const firstName = values.firstName ?? "";
  const lastName = values.lastName ?? "";
  const dateOfBirth = values.dateOfBirth ?? "";
  const email = normalizeEmail(values.email);
  if (data.signatureMethod === "ACCOUNT" && email) {
    if (await client.user.findUnique({ where: { email }, select: { id: true } })) {
      throw validation({
        email: [
          "This e-mail address already has an account in the registry. Use another address, or the paper form on file.",
        ],
      });
    }
  }

  const matches = await findDuplicateCandidates(client, { firstName, lastName, dateOfBirth, email });
  if (matches.length > 0 && !data.confirmDifferentPerson) {
    const handled = await handledPrescriberIds(actor, client);
    const shown: DuplicateMatch[] = matches.map(({ patient, reasons }) => {
      const own = patient.prescriberId !== null && handled.includes(patient.prescriberId);
      return {
        patientId: own ? patient.id : null,
        remsId: own ? patient.remsId : null,
        name: own ? `${patient.firstName} ${patient.lastName}` : null,
        dateOfBirth: own ? patient.dateOfBirth : null,
        ownPatient: own,
        reasons: reasons.map((r) => DUPLICATE_REASON_LABELS[r]),
      };
    });
    throw new AppError(
      "CONFLICT",
      "This may be a patient who is already enrolled. Check the matches before creating a second record.",
      { reason: "possible-duplicate", matches: shown },
    );
  }

  const co = data.coSignature;
  if (co) {
    if (!isPrescriber) {
      throw await denied(
        actor,
        "enrollment:sign:own",
        "patient:create",
        client,
        "Only the prescriber can co-sign a patient enrollment.",
      );
    }
    await checkSigner(actor, co, "coSignature.", definition, client);
  }

  const result = await client.$transaction(async (tx) => {
    const remsId = await newPatientRemsId(tx);
    const patient = await tx.patient.create({
      data: {
        remsId,
        firstName,
        lastName,
        dateOfBirth: new Date(`${dateOfBirth}T00:00:00Z`),
        sex: values.sex ?? null,
        addressLine1: values.addressLine1 ?? null,
        addressLine2: values.addressLine2 ?? null,
        city: values.city ?? null,
        state: values.state ?? null,
        postalCode: values.zip ?? null,
        phone: values.phone ?? null,
        email,
        prescriberId: prescriber.id,
        healthcareSettingId: data.healthcareSettingId,
        signatureMethod: data.signatureMethod,
        counselledAt: now,
        ageOverrideReason: ageOverrideReason,
      },
      select: { id: true },
    });
    const form = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
    const materialIds = (requirement.counselling?.materials ?? []).map((m) => m.id);
    const enrollmentData: PatientEnrollmentData = {
      form,
      training: {},
      attestations: {},
      counselling: { materialIds, attestedAt: now.toISOString(), byUserId: actor.userId },
      signatureMethod: data.signatureMethod,
      patientSignature:
        data.signatureMethod === "PAPER" && co
          ? { signatureId: null, signedAt: now.toISOString(), onPaper: true }
          : null,
      prescriberSignature: null,
      preparedByUserId: actor.userId,
      confirmedDifferentFrom: matches.map((m) => m.patient.id),
      statusReasonCode: null,
    };
    const enrollment = await tx.enrollment.create({
      data: {
        programId: program.id,
        kind: "PATIENT",
        status: "DRAFT",
        patientId: patient.id,
        applicantUserId: actor.userId,
        submittedAt: now,
        data: toJson(enrollmentData),
      },
      select: { id: true },
    });
    await tx.enrollmentEvent.create({
      data: {
        enrollmentId: enrollment.id,
        fromStatus: null,
        toStatus: "DRAFT",
        actorUserId: actor.userId,
        reason: isPrescriber ? "Enrollment started" : "Enrollment prepared for the prescriber to co-sign",
        at: now,
      },
    });
    let invitationLink: string | null = null;
    if (data.signatureMethod === "ACCOUNT" && email) {
      const invitation = await createPatientInvitation(
        tx,
        { ...actor, name: actor.name },
        { email, prescriberId: prescriber.id, prescriberName: formatPrescriberName(prescriber) },
        now,
      );
      enrollmentData.invitationId = invitation.id;
      invitationLink = invitation.link;
      await tx.enrollment.update({ where: { id: enrollment.id }, data: { data: toJson(enrollmentData) } });
    }
    await recordAudit(tx, actor, {
      action: "patient.enrolled",
      entityType: "Patient",
      entityId: patient.id,
      after: {
        remsId,
        enrollmentId: enrollment.id,
        programCode: program.code,
        prescriberId: prescriber.id,
        healthcareSettingId: data.healthcareSettingId,
        signatureMethod: data.signatureMethod,
        counselledMaterialIds: materialIds,
        ageOverrideReason,
        confirmedDifferentFrom: enrollmentData.confirmedDifferentFrom,
        preparedByRole: actor.role,
      },
    });
    let status: EnrollmentStatus = "DRAFT";
    if (co) {
      status = await writeCoSignature(tx, actor, {
        program,
        definition,
        requirement,
        enrollmentId: enrollment.id,
        patientId: patient.id,
        remsId,
        printedName: co.printedName,
        data: enrollmentData,
        prescriberId: prescriber.id,
        healthcareSettingId: data.healthcareSettingId,
        now,
      });
    }
    return { patientId: patient.id, remsId, enrollmentId: enrollment.id, status, invitationLink };
  });
  return result;
}

interface CoSignContext {
  program: ProgramRow;
  definition: TProgramDefinition;
  requirement: TStakeholderRequirement;
  enrollmentId: string;
  patientId: string;
  remsId: string;
  printedName: string;
  data: PatientEnrollmentData;
  prescriberId: string;
  healthcareSettingId: string;
  now: Date;
}

/** The prescriber's co-signature: a Signature row over the exact content, then ENROLLED if the patient has signed. */
async function writeCoSignature(tx: Tx, actor: Actor, c: CoSignContext): Promise<EnrollmentStatus> {
  const co = c.requirement.coSignature;
  const meaning = co?.signatureMeaning ?? c.requirement.signatureMeaning;
  const signedAt = c.now.toISOString();
  const content = signedContent({
    programCode: c.definition.code,
    programVersion: c.definition.version,
    kind: "PATIENT",
    signer: "prescriber",
    enrollmentId: c.enrollmentId,
    remsId: c.remsId,
    form: c.data.form,
    prescriberId: c.prescriberId,
    healthcareSettingId: c.healthcareSettingId,
    signatureMethod: c.data.signatureMethod,
    counselledMaterialIds: [...c.data.counselling.materialIds].sort(),
    attestations: (co?.attestations ?? []).map((a) => ({ id: a.id, text: a.text })),
    meaning,
    printedName: c.printedName,
    signedAt,
  });
  const signature = await tx.signature.create({
    data: {
      signerUserId: actor.userId,
      printedName: c.printedName,
      meaning,
      signedAt: c.now,
      contentSha256: content.sha256,
      entityType: "Enrollment",
      entityId: c.enrollmentId,
      enrollmentId: c.enrollmentId,
    },
    select: { id: true },
  });
  const data: PatientEnrollmentData = {
    ...c.data,
    // Paper: the prescriber's co-signature is the attestation that the signed form is on file.
    patientSignature:
      c.data.patientSignature ??
      (c.data.signatureMethod === "PAPER" ? { signatureId: null, signedAt, onPaper: true } : null),
    prescriberSignature: { signatureId: signature.id, signedAt },
  };
  await recordAudit(tx, actor, {
    action: "patient.enrollment_cosigned",
    entityType: "Enrollment",
    entityId: c.enrollmentId,
    after: {
      patientId: c.patientId,
      signatureId: signature.id,
      printedName: c.printedName,
      meaning,
      signedAt,
      contentSha256: content.sha256,
      signedContent: content.content,
      paperFormOnFile: c.data.signatureMethod === "PAPER",
    },
  });
  return completeIfSigned(tx, actor, c.enrollmentId, c.patientId, data, c.now);
}

/** Saves the data and moves a fully signed pending enrollment to ENROLLED (history + audit). */
async function completeIfSigned(
  tx: Tx,
  actor: Actor,
  enrollmentId: string,
  patientId: string,
  data: PatientEnrollmentData,
  now: Date,
): Promise<EnrollmentStatus> {
  const signed = isFullySigned({
    patientSigned: !!data.patientSignature,
    prescriberSigned: !!data.prescriberSignature,
  });
  const current = await tx.enrollment.findUniqueOrThrow({ where: { id: enrollmentId }, select: { status: true } });
  const to: EnrollmentStatus = signed && current.status === "DRAFT" ? "ENROLLED" : current.status;
  await tx.enrollment.update({
    where: { id: enrollmentId },
    data: {
      data: toJson(data),
      ...(to !== current.status ? { status: to, certifiedAt: now, decidedAt: now, version: { increment: 1 } } : {}),
    },
  });
  if (to !== current.status) {
    const reason = "Signed by the patient and the prescriber";
    await recordPatientStatusChange(
      tx,
      actor,
      { enrollmentId, patientId, from: current.status, to, reason, now },
      {
        reason,
      },
    );
  }
  return to;
}

// ---------------------------------------------------------------------------
// Loading a patient the actor may see

const patientSelect = {
  id: true,
  remsId: true,
  userId: true,
  firstName: true,
  lastName: true,
  dateOfBirth: true,
  sex: true,
  addressLine1: true,
  addressLine2: true,
  city: true,
  state: true,
  postalCode: true,
  phone: true,
  email: true,
  prescriberId: true,
  healthcareSettingId: true,
  signatureMethod: true,
  counselledAt: true,
  ageOverrideReason: true,
  createdAt: true,
} as const;

async function mayRead(
  actor: Actor,
  patient: { prescriberId: string | null; healthcareSettingId: string | null; userId: string | null },
  client: Db | Tx,
) {
  switch (actor.role) {
    case "PRESCRIBER":
    case "PRESCRIBER_DELEGATE":
      return (
        patient.prescriberId !== null && (await handledPrescriberIds(actor, client)).includes(patient.prescriberId)
      );
    case "PATIENT":
      return patient.userId === actor.userId;
    case "SETTING_REP":
      return actor.healthcareSettingId !== null && patient.healthcareSettingId === actor.healthcareSettingId;
    case "ADMIN":
      return true;
    default:
      return false;
  }
}

async function loadPatient(actor: Actor, patientId: string, client: Db) {
  const permission = patientReadPermission(actor.role);
  const target = `patient/${patientId}`;
  if (!permission || !can(actor, permission)) throw await denied(actor, permission ?? "patient:read", target, client);
  const patient = isUuid(patientId)
    ? await client.patient.findUnique({ where: { id: patientId }, select: patientSelect })
    : null;
  if (!patient || !(await mayRead(actor, patient, client))) throw await denied(actor, permission, target, client);
  return patient;
}

export interface PatientDetails {
  id: string;
  remsId: string;
  name: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  sex: string | null;
  address: string;
  phone: string | null;
  email: string | null;
  hasAccount: boolean;
  signatureMethod: SignatureMethod | null;
  counselledAt: Date | null;
  ageOverrideReason: string | null;
  prescriber: { id: string; name: string; npi: string } | null;
  healthcareSetting: { id: string; name: string; remsId: string } | null;
  enrollment: {
    id: string;
    programCode: string;
    programName: string;
    status: EnrollmentStatus;
    statusReason: string | null;
    statusReasonCode: string | null;
    patientSigned: boolean;
    prescriberSigned: boolean;
  } | null;
  history: {
    at: Date;
    fromStatus: EnrollmentStatus | null;
    toStatus: EnrollmentStatus;
    reason: string | null;
    actorName: string | null;
  }[];
  transfers: { at: Date; fromPrescriber: string | null; toPrescriber: string; reason: string | null }[];
  /** What the actor may do here. */
  can: { changeStatus: boolean; transfer: boolean; coSign: boolean; signAsPatient: boolean };
}

/**
 * One patient, for an actor allowed to see them: their prescriber, a delegate of that prescriber,
 * the patient themself, the representative of the treating setting, or an administrator. Anyone
 * else gets FORBIDDEN (audited), whether or not the patient exists.
 */
export async function getPatientForActor(actor: Actor, patientId: string, client: Db = db()): Promise<PatientDetails> {
  const p = await loadPatient(actor, patientId, client);
  const [prescriber, setting, enrollment, transfers] = await Promise.all([
    p.prescriberId
      ? client.prescriber.findUnique({
          where: { id: p.prescriberId },
          select: { id: true, firstName: true, lastName: true, credentials: true, npi: true, userId: true },
        })
      : null,
    p.healthcareSettingId
      ? client.healthcareSetting.findUnique({
          where: { id: p.healthcareSettingId },
          select: { id: true, name: true, remsId: true },
        })
      : null,
    client.enrollment.findFirst({
      where: { patientId: p.id, kind: "PATIENT" },
      select: {
        id: true,
        status: true,
        statusReason: true,
        data: true,
        program: { select: { code: true, name: true } },
        events: {
          select: { at: true, fromStatus: true, toStatus: true, reason: true, actorUserId: true },
          orderBy: { at: "asc" },
        },
      },
      orderBy: { createdAt: "asc" },
    }),
    client.patientTransfer.findMany({
      where: { patientId: p.id },
      select: { at: true, fromPrescriberId: true, toPrescriberId: true, reason: true },
      orderBy: { at: "asc" },
    }),
  ]);
  const userIds = [...new Set((enrollment?.events ?? []).flatMap((e) => (e.actorUserId ? [e.actorUserId] : [])))];
  const prescriberIds = [...new Set(transfers.flatMap((t) => [t.fromPrescriberId, t.toPrescriberId]))].filter(
    (id): id is string => !!id,
  );
  const [users, prescribers] = await Promise.all([
    client.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } }),
    client.prescriber.findMany({
      where: { id: { in: prescriberIds } },
      select: { id: true, firstName: true, lastName: true, credentials: true },
    }),
  ]);
  const userName = new Map(users.map((u) => [u.id, u.name]));
  const prescriberNames = new Map(prescribers.map((x) => [x.id, formatPrescriberName(x)]));
  const data = enrollment ? readData(enrollment.data) : null;
  const isOwnPrescriber = actor.role === "PRESCRIBER" && prescriber?.userId === actor.userId;
  const status = enrollment?.status ?? null;
  return {
    id: p.id,
    remsId: p.remsId,
    name: `${p.firstName} ${p.lastName}`,
    firstName: p.firstName,
    lastName: p.lastName,
    dateOfBirth: dayOf(p.dateOfBirth),
    sex: p.sex,
    address: [p.addressLine1, p.addressLine2, [p.city, p.state, p.postalCode].filter(Boolean).join(" ")]
      .filter(Boolean)
      .join(", "),
    phone: p.phone,
    email: p.email,
    hasAccount: p.userId !== null,
    signatureMethod: (p.signatureMethod as SignatureMethod | null) ?? null,
    counselledAt: p.counselledAt,
    ageOverrideReason: p.ageOverrideReason,
    prescriber: prescriber ? { id: prescriber.id, name: formatPrescriberName(prescriber), npi: prescriber.npi } : null,
    healthcareSetting: setting,
    enrollment:
      enrollment && data
        ? {
            id: enrollment.id,
            programCode: enrollment.program.code,
            programName: enrollment.program.name,
            status: enrollment.status,
            statusReason: enrollment.statusReason,
            statusReasonCode: data.statusReasonCode ?? null,
            patientSigned: !!data.patientSignature,
            prescriberSigned: !!data.prescriberSignature,
          }
        : null,
    history: (enrollment?.events ?? []).map((e) => ({
      at: e.at,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      reason: e.reason,
      actorName: e.actorUserId ? (userName.get(e.actorUserId) ?? null) : null,
    })),
    transfers: transfers.map((t) => ({
      at: t.at,
      fromPrescriber: t.fromPrescriberId ? (prescriberNames.get(t.fromPrescriberId) ?? null) : null,
      toPrescriber: prescriberNames.get(t.toPrescriberId) ?? "",
      reason: t.reason,
    })),
    can: {
      changeStatus: isOwnPrescriber && status !== null,
      transfer: isOwnPrescriber && status !== "DISENROLLED",
      coSign: isOwnPrescriber && status === "DRAFT" && !!data && !data.prescriberSignature,
      signAsPatient: actor.role === "PATIENT" && status === "DRAFT" && !!data && !data.patientSignature,
    },
  };
}

/** The patient record of a signed-in patient, or null before their prescriber has linked it. */
export async function getOwnPatientRecord(actor: Actor, client: Db = db()): Promise<PatientDetails | null> {
  if (actor.role !== "PATIENT") return null;
  const own = await client.patient.findUnique({ where: { userId: actor.userId }, select: { id: true } });
  return own ? getPatientForActor(actor, own.id, client) : null;
}

export interface PatientListRow {
  id: string;
  remsId: string;
  name: string;
  dateOfBirth: string;
  status: EnrollmentStatus | null;
  healthcareSetting: string | null;
  prescriber: string | null;
}

/** The patients of the prescriber (or, for a delegate, of every prescriber they work for). */
export async function listPatientsForPrescriber(actor: Actor, client: Db = db()): Promise<PatientListRow[]> {
  const permission = actor.role === "PRESCRIBER_DELEGATE" ? "patient:read:linked" : "patient:read:own";
  if (!can(actor, permission) || (actor.role !== "PRESCRIBER" && actor.role !== "PRESCRIBER_DELEGATE")) {
    throw await denied(actor, permission, "patients", client);
  }
  const ids = await handledPrescriberIds(actor, client);
  if (ids.length === 0) return [];
  const rows = await client.patient.findMany({
    where: { prescriberId: { in: ids } },
    select: {
      id: true,
      remsId: true,
      firstName: true,
      lastName: true,
      dateOfBirth: true,
      healthcareSetting: { select: { name: true } },
      prescriber: { select: { firstName: true, lastName: true } },
      enrollments: { select: { status: true }, orderBy: { createdAt: "asc" }, take: 1 },
    },
    orderBy: [{ lastName: "asc" }, { firstName: "asc" }],
    take: 1000,
  });
  return rows.map((r) => ({
    id: r.id,
    remsId: r.remsId,
    name: `${r.firstName} ${r.lastName}`,
    dateOfBirth: dayOf(r.dateOfBirth),
    status: r.enrollments[0]?.status ?? null,
    healthcareSetting: r.healthcareSetting?.name ?? null,
    prescriber: r.prescriber ? formatPrescriberName(r.prescriber) : null,
  }));
}

// ---------------------------------------------------------------------------
// Changes by the patient's prescriber

/** Loads the patient for their own prescriber only (status changes, transfers, co-signature). */
async function loadForOwnPrescriber(actor: Actor, patientId: string, client: Db, what: string) {
  const target = `patient/${patientId}`;
  if (actor.role !== "PRESCRIBER" || !can(actor, "patient:create:own")) {
    throw await denied(actor, "patient:create:own", target, client, `Only the patient's prescriber can ${what}.`);
  }
  const own = await ownPrescriber(actor, client);
  const patient = await client.patient.findUnique({ where: { id: patientId }, select: patientSelect });
  if (!own || !patient || patient.prescriberId !== own.id)
    throw await denied(actor, "patient:create:own", target, client);
  const enrollment = await client.enrollment.findFirst({
    where: { patientId, kind: "PATIENT" },
    select: { id: true, status: true, data: true, programId: true },
    orderBy: { createdAt: "asc" },
  });
  if (!enrollment) throw new AppError("NOT_FOUND", "This patient has no enrollment.");
  return { own, patient, enrollment };
}

/** Serializes changes to one enrollment and returns its current status and data. */
async function lockEnrollment(tx: Tx, enrollmentId: string) {
  await tx.$queryRaw`SELECT "id" FROM "Enrollment" WHERE "id" = ${enrollmentId}::uuid FOR UPDATE`;
  return tx.enrollment.findUniqueOrThrow({
    where: { id: enrollmentId },
    select: { id: true, status: true, data: true, version: true },
  });
}

/**
 * Sets a patient's status: ENROLLED, NOT_AUTHORIZED (reason required) or DISENROLLED (reason code:
 * treatment stopped, transferred, deceased, other). Recorded in the history and the audit trail.
 */
export async function setPatientStatus(
  actor: Actor,
  input: TSetPatientStatus,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ status: EnrollmentStatus }> {
  const parsed = ZSetPatientStatus.safeParse(input);
  if (!parsed.success) throw validation(fieldErrorsFromZod(parsed.error));
  const { patientId, status: to, reasonCode, reason } = parsed.data;
  const { enrollment } = await loadForOwnPrescriber(actor, patientId, client, "change their status");
  const text = statusReasonText(to, reasonCode, reason);
  return client.$transaction(async (tx) => {
    // A patient who may no longer receive the drug voids the approvals given for them; the gate's
    // lock comes before any write (lib/dispensing/revoke.ts).
    const revoking = to === "NOT_AUTHORIZED" || to === "DISENROLLED";
    if (revoking) await lockDispenseGate(tx, enrollment.programId);
    const current = await lockEnrollment(tx, enrollment.id);
    const data = readData(current.data);
    const decision = decideStatusChange({ from: current.status, to, currentReasonCode: data.statusReasonCode ?? null });
    if (!decision.ok) throw new AppError("ILLEGAL_TRANSITION", decision.message);
    const next: PatientEnrollmentData = {
      ...data,
      statusReasonCode: to === "DISENROLLED" ? (reasonCode ?? null) : null,
    };
    await tx.enrollment.update({
      where: { id: current.id },
      data: {
        status: to,
        statusReason: text || null,
        decidedAt: now,
        version: { increment: 1 },
        data: toJson(next),
      },
    });
    const eventId = await recordPatientStatusChange(
      tx,
      actor,
      { enrollmentId: current.id, patientId, from: current.status, to, reason: text || null, now },
      { reasonCode: reasonCode ?? null, reason: text || null },
    );
    if (revoking) {
      await revokeOpenAuthorizations(tx, {
        programId: enrollment.programId,
        cause: { party: "patient", id: patientId, status: to, reason: text || null, eventId },
        actor,
        now,
      });
    }
    return { status: to };
  });
}

/**
 * Hands the patient to another certified prescriber (found by NPI). The patient, their enrollment
 * and its history stay as they are; a PatientTransfer row and a history entry record the change.
 * The new prescriber sees the patient from now on, the former one no longer does.
 */
export async function transferPatient(
  actor: Actor,
  input: TTransferPatient,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ toPrescriberId: string }> {
  const parsed = ZTransferPatient.safeParse(input);
  if (!parsed.success) throw validation(fieldErrorsFromZod(parsed.error));
  const { patientId, toPrescriberNpi, reason } = parsed.data;
  const { own, enrollment } = await loadForOwnPrescriber(actor, patientId, client, "transfer them");
  const target = await client.prescriber.findUnique({
    where: { npi: toPrescriberNpi },
    select: { id: true, firstName: true, lastName: true, credentials: true },
  });
  if (!target || !(await prescriberCertified(client, enrollment.programId, target.id))) {
    throw validation({ toPrescriberNpi: ["No prescriber with this NPI is certified in the programme"] });
  }
  if (target.id === own.id) throw validation({ toPrescriberNpi: ["This is already the patient's prescriber"] });
  return client.$transaction(async (tx) => {
    // Approvals given for the patient under the former prescriber are voided with the transfer.
    await lockDispenseGate(tx, enrollment.programId);
    const current = await lockEnrollment(tx, enrollment.id);
    if (current.status === "DISENROLLED") {
      throw new AppError("ILLEGAL_TRANSITION", "A disenrolled patient cannot be transferred.");
    }
    const moved = await tx.patient.updateMany({
      where: { id: patientId, prescriberId: own.id },
      data: { prescriberId: target.id },
    });
    if (moved.count === 0) throw new AppError("CONFLICT", "The patient was changed meanwhile. Reload the page.");
    const transfer = await tx.patientTransfer.create({
      data: {
        patientId,
        fromPrescriberId: own.id,
        toPrescriberId: target.id,
        reason,
        actorUserId: actor.userId,
        at: now,
      },
      select: { id: true },
    });
    const event = await tx.enrollmentEvent.create({
      data: {
        enrollmentId: current.id,
        fromStatus: current.status,
        toStatus: current.status,
        actorUserId: actor.userId,
        reason: `Transferred from ${formatPrescriberName(own)} to ${formatPrescriberName(target)}: ${reason}`,
        at: now,
      },
      select: { id: true },
    });
    await revokeOpenAuthorizations(tx, {
      programId: enrollment.programId,
      cause: { party: "patient", id: patientId, status: "TRANSFERRED", reason, eventId: event.id },
      actor,
      now,
    });
    await recordAudit(tx, actor, {
      action: "patient.transferred",
      entityType: "Patient",
      entityId: patientId,
      before: { prescriberId: own.id },
      after: { prescriberId: target.id, transferId: transfer.id, reason },
    });
    return { toPrescriberId: target.id };
  });
}

/** The prescriber co-signs an enrollment a delegate prepared (or one awaiting the co-signature). */
export async function coSignPatientEnrollment(
  actor: Actor,
  input: TCoSignPatientEnrollment,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ status: EnrollmentStatus }> {
  const parsed = ZCoSignPatientEnrollment.safeParse(input);
  if (!parsed.success) throw validation(fieldErrorsFromZod(parsed.error));
  const { patientId, printedName, password, code, attestations } = parsed.data;
  const { patient, enrollment, own } = await loadForOwnPrescriber(actor, patientId, client, "co-sign the enrollment");
  const program = await client.program.findUniqueOrThrow({
    where: { id: enrollment.programId },
    select: { id: true, code: true, name: true, definition: true },
  });
  const definition = definitionOf(program);
  const requirement = patientRequirement(definition);
  const ticked = new Set(attestations);
  if ((requirement.coSignature?.attestations ?? []).some((a) => !ticked.has(a.id))) {
    throw validation({ attestations: ["Tick every statement to co-sign"] });
  }
  if (!(await prescriberCertified(client, program.id, own.id))) {
    throw new AppError("CONFLICT", `You are not certified in the ${definition.name}.`);
  }
  await checkSigner(actor, { printedName, password, code }, "", definition, client);
  return client.$transaction(async (tx) => {
    const current = await lockEnrollment(tx, enrollment.id);
    const data = readData(current.data);
    if (current.status !== "DRAFT" || data.prescriberSignature) {
      throw new AppError("CONFLICT", "This enrollment has already been co-signed.");
    }
    const status = await writeCoSignature(tx, actor, {
      program,
      definition,
      requirement,
      enrollmentId: current.id,
      patientId,
      remsId: patient.remsId,
      printedName,
      data,
      prescriberId: own.id,
      healthcareSettingId: patient.healthcareSettingId ?? "",
      now,
    });
    return { status };
  });
}

/** The patient signs their own pending enrollment in their account (password again, every statement). */
export async function signOwnEnrollment(
  actor: Actor,
  input: TSignOwnEnrollment,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ status: EnrollmentStatus }> {
  const parsed = ZSignOwnEnrollment.safeParse(input);
  if (!parsed.success) throw validation(fieldErrorsFromZod(parsed.error));
  if (actor.role !== "PATIENT" || !can(actor, "patient:read:self")) {
    throw await denied(actor, "patient:read:self", "patient:sign", client, "Only the patient can sign here.");
  }
  const patient = await client.patient.findUnique({ where: { userId: actor.userId }, select: patientSelect });
  if (!patient) throw new AppError("NOT_FOUND", "Your account is not linked to an enrollment.");
  const enrollment = await client.enrollment.findFirst({
    where: { patientId: patient.id, kind: "PATIENT" },
    select: { id: true, programId: true },
    orderBy: { createdAt: "asc" },
  });
  if (!enrollment) throw new AppError("NOT_FOUND", "Your account is not linked to an enrollment.");
  const program = await client.program.findUniqueOrThrow({
    where: { id: enrollment.programId },
    select: { id: true, code: true, name: true, definition: true },
  });
  const definition = definitionOf(program);
  const requirement = patientRequirement(definition);
  const ticked = new Set(parsed.data.attestations);
  const unticked = requirement.attestations.filter((a) => !ticked.has(a.id));
  if (unticked.length > 0) throw validation({ attestations: ["Tick every statement to sign"] });
  await checkSigner(actor, parsed.data, "", definition, client);
  return client.$transaction(async (tx) => {
    const current = await lockEnrollment(tx, enrollment.id);
    const data = readData(current.data);
    if (current.status !== "DRAFT" || data.patientSignature) {
      throw new AppError("CONFLICT", "Your enrollment has already been signed.");
    }
    const signedAt = now.toISOString();
    const content = signedContent({
      programCode: definition.code,
      programVersion: definition.version,
      kind: "PATIENT",
      signer: "patient",
      enrollmentId: current.id,
      remsId: patient.remsId,
      form: data.form,
      prescriberId: patient.prescriberId,
      healthcareSettingId: patient.healthcareSettingId,
      attestations: requirement.attestations.map((a) => ({ id: a.id, text: a.text })),
      meaning: requirement.signatureMeaning,
      printedName: parsed.data.printedName,
      signedAt,
    });
    const signature = await tx.signature.create({
      data: {
        signerUserId: actor.userId,
        printedName: parsed.data.printedName,
        meaning: requirement.signatureMeaning,
        signedAt: now,
        contentSha256: content.sha256,
        entityType: "Enrollment",
        entityId: current.id,
        enrollmentId: current.id,
      },
      select: { id: true },
    });
    await recordAudit(tx, actor, {
      action: "patient.enrollment_signed",
      entityType: "Enrollment",
      entityId: current.id,
      after: {
        patientId: patient.id,
        signatureId: signature.id,
        printedName: parsed.data.printedName,
        meaning: requirement.signatureMeaning,
        signedAt,
        contentSha256: content.sha256,
        signedContent: content.content,
      },
    });
    const next: PatientEnrollmentData = {
      ...data,
      attestations: Object.fromEntries(requirement.attestations.map((a) => [a.id, true])),
      patientSignature: { signatureId: signature.id, signedAt, onPaper: false },
    };
    const status = await completeIfSigned(tx, actor, current.id, patient.id, next, now);
    return { status };
  });
}

/** What the patient's signing form shows: the statements and the meaning of the signature. */
export function patientSigningText(programCode: string) {
  const definition = getProgramDefinition(programCode);
  const requirement = definition?.stakeholders.patient;
  if (!requirement) return null;
  return { attestations: requirement.attestations, meaning: requirement.signatureMeaning };
}

/** What the prescriber's co-signature shows. */
export function coSignatureText(programCode: string) {
  const requirement = getProgramDefinition(programCode)?.stakeholders.patient;
  if (!requirement?.coSignature) return null;
  return { attestations: requirement.coSignature.attestations, meaning: requirement.coSignature.signatureMeaning };
}

/**
 * What is due next for the signed-in patient: their own monitoring schedule (tests and the status
 * form), or null when they have no enrollment with monitoring.
 */
export async function getOwnMonitoring(actor: Actor, client: Db = db(), now: Date = new Date()) {
  requirePermission(actor, "patient:read:self");
  const own = await client.patient.findUnique({
    where: { userId: actor.userId },
    select: {
      id: true,
      enrollments: {
        where: { kind: "PATIENT" },
        select: {
          programId: true,
          certifiedAt: true,
          createdAt: true,
          status: true,
          program: { select: { code: true } },
        },
      },
    },
  });
  if (!own) return null;
  return patientMonitoringSchedule(client, own, dayOf(now));
}

/** A patient's status change: its history row and its audit event, in the caller's transaction. */
async function recordPatientStatusChange(
  tx: Tx,
  actor: Actor,
  change: {
    enrollmentId: string;
    patientId: string;
    from: EnrollmentStatus;
    to: EnrollmentStatus;
    reason: string | null;
    now: Date;
  },
  auditDetails: Record<string, unknown>,
): Promise<string> {
  const event = await tx.enrollmentEvent.create({
    data: {
      enrollmentId: change.enrollmentId,
      fromStatus: change.from,
      toStatus: change.to,
      actorUserId: actor.userId,
      reason: change.reason,
      at: change.now,
    },
    select: { id: true },
  });
  await recordAudit(tx, actor, {
    action: "patient.status_changed",
    entityType: "Patient",
    entityId: change.patientId,
    before: { status: change.from },
    after: { status: change.to, ...auditDetails },
  });
  return event.id;
}
