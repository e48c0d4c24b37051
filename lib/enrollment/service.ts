/**
 * The enrollment engine: a stakeholder fills the programme's form, acknowledges its training,
 * passes its knowledge assessment and signs, after which the application is submitted for review.
 * Everything is driven by the programme definition; nothing here names a programme.
 *
 * Every service takes the actor, checks the role's permission and the actor's link to the
 * application (a foreign application is refused and audited), and writes its rows together with
 * an audit event in one transaction.
 */
import { formatPersonName } from "../format";
import type { Actor } from "../auth/actor";
import { verifyStepUp } from "../auth/mfa";
import { can, type Permission } from "../auth/permissions";
import { recordAuthorizationFailure } from "../auth/service";
import { canonicalJson, sha256Hex } from "../audit/hash";
import { recordAudit } from "../audit/service";
import { STATUS_LABELS, type CertificationStatus } from "../certification/rules";
import { applyTransition, KIND_TO_DEFINITION_KEY } from "../certification/transition";
import { db, type Db, type Tx } from "../db";
import { AppError, type FieldErrors, fieldErrorsFromZod } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import { isUniqueViolation } from "../db/unique-violation";
import type {
  EnrollmentStatus,
  HealthcareSettingType,
  PharmacyType,
  Role,
  StakeholderKind,
} from "../generated/prisma/enums";
import { generateRemsId } from "../identifiers/rems-id";
import { deliverSoon } from "../mail/deliver";
import { getProgramDefinition } from "../programs/registry";
import { requireOwnPrintedName } from "../signatures/signer";
import {
  type TFormDefinition,
  type TProgramDefinition,
  type TStakeholderRequirement,
  ZProgramDefinition,
} from "../programs/schema";
import { buildFormSchema, emptyFormValues } from "./form-schema";
import {
  checkAnswersComplete,
  type EnrollmentData,
  enrollmentProgress,
  type PublicAssessment,
  publicAssessment,
  readEnrollmentData,
  readyToSign,
  type StepProgress,
  scoreAssessment,
  signedContent,
} from "./rules";
import {
  type TAcknowledgeTraining,
  type TRestartEnrollment,
  type TSaveEnrollmentForm,
  type TSetAttestation,
  type TSignEnrollment,
  type TSubmitAssessment,
  ZAcknowledgeTraining,
  ZProgramCode,
  ZRestartEnrollment,
  ZSaveEnrollmentForm,
  ZSetAttestation,
  ZSignEnrollment,
  ZSubmitAssessment,
} from "./schema";

// ---------------------------------------------------------------------------
// Who enrolls as what

/** The stakeholder kind each self-service role enrolls (a delegate works on a prescriber's). */
export const ROLE_KIND: Partial<Record<Role, StakeholderKind>> = {
  PRESCRIBER: "PRESCRIBER",
  PRESCRIBER_DELEGATE: "PRESCRIBER",
  PHARMACIST: "PHARMACY",
  SETTING_REP: "HEALTHCARE_SETTING",
};

export const KIND_LABELS: Record<StakeholderKind, string> = {
  PRESCRIBER: "Prescriber",
  PHARMACY: "Pharmacy",
  HEALTHCARE_SETTING: "Healthcare setting",
  PATIENT: "Patient",
};

type Verb = "read" | "update" | "sign";

/** The permission a role needs to read, edit or sign an application (null: the role never may). */
export function enrollmentPermission(role: Role, verb: Verb): Permission | null {
  switch (role) {
    case "PRESCRIBER":
      return `enrollment:${verb}:own`;
    case "PRESCRIBER_DELEGATE":
      return verb === "sign" ? null : `enrollment:${verb}:linked`;
    case "PHARMACIST":
    case "SETTING_REP":
      return `enrollment:${verb}:org`;
    case "ADMIN":
      return verb === "read" ? "enrollment:read:any" : null;
    default:
      return null;
  }
}

/**
 * The permission an applicant's page asks for. Roles that never apply (administrators, patients)
 * get one they lack, so the page answers 403 and the attempt is audited.
 */
export function applicantPagePermission(role: Role, verb: "read" | "update"): Permission {
  return (role === "ADMIN" ? null : enrollmentPermission(role, verb)) ?? `enrollment:${verb}:own`;
}

/** Statuses in which the applicant may still change the application (and must sign again). */
const EDITABLE_STATUSES: readonly EnrollmentStatus[] = ["DRAFT", "CHANGES_REQUESTED"];

export function isEditableStatus(status: EnrollmentStatus): boolean {
  return EDITABLE_STATUSES.includes(status);
}

export function statusLabel(status: EnrollmentStatus): string {
  return STATUS_LABELS[status as CertificationStatus] ?? status;
}

function forbidden(message = "You do not have access to this application."): AppError {
  return new AppError("FORBIDDEN", message);
}

/** Audits the refusal, then returns the error to throw. Call outside any open transaction. */
async function denied(actor: Actor, permission: string, target: string, client: Db, message?: string) {
  await recordAuthorizationFailure(actor, permission, target, client);
  return forbidden(message);
}

/** The role's permission for the verb; a role without it is refused and the attempt audited. */
async function requireRole(actor: Actor, verb: Verb, target: string, client: Db): Promise<Permission> {
  const permission = enrollmentPermission(actor.role, verb);
  if (!permission || !can(actor, permission)) {
    throw await denied(
      actor,
      permission ?? `enrollment:${verb}`,
      target,
      client,
      actor.role === "PRESCRIBER_DELEGATE" && verb === "sign"
        ? "Only the prescriber can sign this enrollment. Ask them to sign in and sign it."
        : "Your account cannot do this.",
    );
  }
  return permission;
}

// ---------------------------------------------------------------------------
// Programmes

interface ProgramRow {
  id: string;
  code: string;
  name: string;
  definition: unknown;
}

function definitionOf(program: ProgramRow): TProgramDefinition {
  return getProgramDefinition(program.code) ?? ZProgramDefinition.parse(program.definition);
}

function requirementOf(definition: TProgramDefinition, kind: StakeholderKind): TStakeholderRequirement {
  const requirement = definition.stakeholders[KIND_TO_DEFINITION_KEY[kind]];
  if (!requirement) {
    throw new AppError("NOT_FOUND", `The ${definition.name} does not enroll ${KIND_LABELS[kind].toLowerCase()}s.`);
  }
  return requirement;
}

async function findProgram(client: Db | Tx, programCode: string): Promise<ProgramRow> {
  const code = ZProgramCode.safeParse(programCode);
  const program = code.success
    ? await client.program.findUnique({
        where: { code: code.data },
        select: { id: true, code: true, name: true, definition: true },
      })
    : null;
  if (!program) throw new AppError("NOT_FOUND", "There is no such programme.");
  return program;
}

// ---------------------------------------------------------------------------
// Loading an application and checking that the actor may touch it

const enrollmentSelect = {
  id: true,
  kind: true,
  status: true,
  version: true,
  data: true,
  statusReason: true,
  certificationNumber: true,
  submittedAt: true,
  certifiedAt: true,
  decidedAt: true,
  expiresAt: true,
  createdAt: true,
  applicantUserId: true,
  prescriberId: true,
  pharmacyId: true,
  healthcareSettingId: true,
  program: { select: { id: true, code: true, name: true, definition: true } },
  prescriber: { select: { id: true, userId: true, firstName: true, lastName: true, npi: true } },
  pharmacy: { select: { id: true, name: true, ncpdpId: true, remsId: true } },
  healthcareSetting: { select: { id: true, name: true, remsId: true } },
} as const;

type EnrollmentRow = Prisma.EnrollmentGetPayload<{ select: typeof enrollmentSelect }>;

const lockedSelect = { id: true, kind: true, status: true, version: true, data: true } as const;
type LockedRow = Prisma.EnrollmentGetPayload<{ select: typeof lockedSelect }>;

/** Does the actor belong to this application: its prescriber, a linked delegate, or the organisation's representative? */
async function isLinked(client: Db | Tx, actor: Actor, e: EnrollmentRow): Promise<boolean> {
  switch (actor.role) {
    case "PRESCRIBER":
      return e.kind === "PRESCRIBER" && e.prescriber?.userId === actor.userId;
    case "PRESCRIBER_DELEGATE":
      return (
        e.kind === "PRESCRIBER" &&
        e.prescriberId !== null &&
        (await client.prescriberDelegate.count({ where: { prescriberId: e.prescriberId, userId: actor.userId } })) > 0
      );
    case "PHARMACIST":
    case "SETTING_REP": {
      const user = await client.user.findUnique({
        where: { id: actor.userId },
        select: { pharmacyId: true, healthcareSettingId: true },
      });
      if (actor.role === "PHARMACIST")
        return e.kind === "PHARMACY" && !!user?.pharmacyId && e.pharmacyId === user.pharmacyId;
      return (
        e.kind === "HEALTHCARE_SETTING" &&
        !!user?.healthcareSettingId &&
        e.healthcareSettingId === user.healthcareSettingId
      );
    }
    case "ADMIN":
      return true;
    default:
      return false;
  }
}

/**
 * Loads an application the actor may act on. Someone else's application (or one that does not
 * exist: the answer must not reveal which) is refused, and the attempt is audited.
 */
async function loadForActor(actor: Actor, enrollmentId: string, verb: Verb, client: Db): Promise<EnrollmentRow> {
  const permission = await requireRole(actor, verb, `enrollment/${enrollmentId}`, client);
  const enrollment = await client.enrollment.findUnique({ where: { id: enrollmentId }, select: enrollmentSelect });
  if (!enrollment || enrollment.kind === "PATIENT" || !(await isLinked(client, actor, enrollment))) {
    throw await denied(actor, permission, `enrollment/${enrollmentId}`, client);
  }
  return enrollment;
}

/** Training and the knowledge assessment are the stakeholder's own: a delegate cannot do them. */
async function requireLearner(actor: Actor, enrollment: EnrollmentRow, client: Db, what: string) {
  if (actor.role === "PRESCRIBER_DELEGATE" || actor.role === "ADMIN") {
    throw await denied(
      actor,
      "enrollment:update:own",
      `enrollment/${enrollment.id}`,
      client,
      `Only the prescriber can ${what}.`,
    );
  }
}

function requireEditable(status: EnrollmentStatus) {
  if (!isEditableStatus(status)) {
    throw new AppError(
      "ILLEGAL_TRANSITION",
      `This application is ${statusLabel(status).toLowerCase()} and can no longer be changed.`,
      { status },
    );
  }
}

/** Serializes changes to one application's data (training, attestations, signing). */
async function lockEnrollment(tx: Tx, enrollmentId: string) {
  await tx.$queryRaw`SELECT "id" FROM "Enrollment" WHERE "id" = ${enrollmentId}::uuid FOR UPDATE`;
  // Scalars only: inside a transaction, relation reads would share its one connection concurrently.
  const row = await tx.enrollment.findUnique({ where: { id: enrollmentId }, select: lockedSelect });
  if (!row) throw new AppError("NOT_FOUND", "There is no such application.");
  return row;
}

function toJsonData(data: EnrollmentData): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(data)) as Prisma.InputJsonObject;
}

// ---------------------------------------------------------------------------
// The stakeholder behind an application

interface StakeholderRef {
  kind: StakeholderKind;
  /** Null until the first save of the form creates the prescriber / pharmacy / setting. */
  id: string | null;
  /** A delegate's prescriber. */
  forPrescriber: { id: string; name: string } | null;
}

/** The stakeholder an actor enrolls when no application id is given. */
async function resolveStakeholder(
  actor: Actor,
  prescriberId: string | undefined,
  client: Db,
  permission: Permission,
): Promise<StakeholderRef> {
  switch (actor.role) {
    case "PRESCRIBER": {
      const own = await client.prescriber.findUnique({ where: { userId: actor.userId }, select: { id: true } });
      if (prescriberId && prescriberId !== own?.id)
        throw await denied(actor, permission, `prescriber/${prescriberId}`, client);
      return { kind: "PRESCRIBER", id: own?.id ?? null, forPrescriber: null };
    }
    case "PRESCRIBER_DELEGATE": {
      const links = await linkedPrescribers(actor, client);
      const chosen = prescriberId
        ? links.find((p) => p.id === prescriberId)
        : links.length === 1
          ? links[0]
          : undefined;
      if (prescriberId && !chosen) throw await denied(actor, permission, `prescriber/${prescriberId}`, client);
      if (!chosen) {
        throw new AppError(
          "BAD_REQUEST",
          links.length === 0
            ? "Your account is not linked to a prescriber yet. Ask the prescriber you work for to invite you."
            : "Choose the prescriber you are working for.",
        );
      }
      return { kind: "PRESCRIBER", id: chosen.id, forPrescriber: chosen };
    }
    case "PHARMACIST":
    case "SETTING_REP": {
      const user = await client.user.findUniqueOrThrow({
        where: { id: actor.userId },
        select: { pharmacyId: true, healthcareSettingId: true },
      });
      return actor.role === "PHARMACIST"
        ? { kind: "PHARMACY", id: user.pharmacyId, forPrescriber: null }
        : { kind: "HEALTHCARE_SETTING", id: user.healthcareSettingId, forPrescriber: null };
    }
    default:
      throw forbidden("Your account cannot enroll.");
  }
}

/** The prescribers a delegate works for. */
export async function linkedPrescribers(actor: Actor, client: Db = db()) {
  if (actor.role !== "PRESCRIBER_DELEGATE") return [];
  const links = await client.prescriberDelegate.findMany({
    where: { userId: actor.userId },
    select: { prescriber: { select: { id: true, firstName: true, lastName: true } } },
    orderBy: { createdAt: "asc" },
  });
  return links.map((l) => ({ id: l.prescriber.id, name: formatPersonName(l.prescriber) }));
}

function stakeholderWhere(programId: string, ref: StakeholderRef & { id: string }) {
  if (ref.kind === "PRESCRIBER") return { programId_prescriberId: { programId, prescriberId: ref.id } };
  if (ref.kind === "PHARMACY") return { programId_pharmacyId: { programId, pharmacyId: ref.id } };
  return { programId_healthcareSettingId: { programId, healthcareSettingId: ref.id } };
}

// ---------------------------------------------------------------------------
// Form values ↔ stakeholder columns. The identity columns follow the field ids the programme
// definitions use for each kind (npi, ncpdpId, names, address, contact).

type Values = Record<string, string>;

function optionLabel(form: TFormDefinition, fieldId: string, value: string | undefined): string | null {
  if (!value) return null;
  const field = form.fields.find((f) => f.id === fieldId);
  return field?.type === "select" ? (field.options.find((o) => o.value === value)?.label ?? value) : value;
}

const or = (v: string | undefined) => v ?? null;

function addressColumns(v: Values) {
  return {
    addressLine1: or(v.addressLine1),
    addressLine2: or(v.addressLine2),
    city: or(v.city),
    state: or(v.state),
    postalCode: or(v.zip),
  };
}

function prescriberColumns(v: Values, form: TFormDefinition) {
  return {
    firstName: v.firstName ?? "",
    lastName: v.lastName ?? "",
    npi: v.npi ?? "",
    credentials: optionLabel(form, "credentials", v.credentials),
    specialty: or(v.specialty),
    deaNumber: or(v.dea),
    practiceName: or(v.practiceName),
    ...addressColumns(v),
    phone: or(v.phone),
    email: or(v.email),
  };
}

const PHARMACY_TYPES: Record<string, PharmacyType> = { specialty: "SPECIALTY", hospital: "HOSPITAL", retail: "RETAIL" };
const SETTING_TYPES: Record<string, HealthcareSettingType> = {
  infusion_center: "INFUSION_CENTER",
  hospital_outpatient: "HOSPITAL_OUTPATIENT",
  physician_office: "PHYSICIAN_OFFICE",
};

function pharmacyColumns(v: Values) {
  return {
    name: v.pharmacyName ?? "",
    type: v.pharmacyType ? (PHARMACY_TYPES[v.pharmacyType] ?? null) : null,
    ncpdpId: v.ncpdpId ?? "",
    npi: or(v.npi),
    ...addressColumns(v),
    phone: or(v.contactPhone),
    contactName: or(v.contactName),
    contactEmail: or(v.contactEmail),
  };
}

function settingColumns(v: Values) {
  return {
    name: v.settingName ?? "",
    type: v.settingType ? (SETTING_TYPES[v.settingType] ?? null) : null,
    npi: or(v.npi),
    otherIdentifier: or(v.otherIdentifier),
    ...addressColumns(v),
    phone: or(v.contactPhone),
    contactName: or(v.contactName),
    contactEmail: or(v.contactEmail),
  };
}

/** Identifiers another stakeholder of the same kind already holds, as field errors. */
async function duplicateIdentifiers(client: Db | Tx, kind: StakeholderKind, v: Values, ownId: string | null) {
  const fields: FieldErrors = {};
  const notMine = ownId ? { NOT: { id: ownId } } : {};
  if (kind === "PRESCRIBER" && v.npi) {
    if (await client.prescriber.findFirst({ where: { npi: v.npi, ...notMine }, select: { id: true } })) {
      fields.npi = [
        "This NPI is already enrolled by another prescriber. If it is yours, contact the REMS administrator.",
      ];
    }
  }
  if (kind === "PHARMACY") {
    if (
      v.ncpdpId &&
      (await client.pharmacy.findFirst({ where: { ncpdpId: v.ncpdpId, ...notMine }, select: { id: true } }))
    ) {
      fields.ncpdpId = ["This NCPDP provider ID is already enrolled by another pharmacy."];
    }
    if (v.npi && (await client.pharmacy.findFirst({ where: { npi: v.npi, ...notMine }, select: { id: true } }))) {
      fields.npi = ["This NPI is already enrolled by another pharmacy."];
    }
  }
  if (kind === "HEALTHCARE_SETTING" && v.npi) {
    if (await client.healthcareSetting.findFirst({ where: { npi: v.npi, ...notMine }, select: { id: true } })) {
      fields.npi = ["This NPI is already enrolled by another healthcare setting."];
    }
  }
  return fields;
}

function checkFields(fields: FieldErrors) {
  if (Object.keys(fields).length > 0) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields });
  }
}

async function newRemsId(prefix: string, taken: (id: string) => Promise<boolean>): Promise<string> {
  for (let i = 0; i < 5; i++) {
    const candidate = generateRemsId(prefix);
    if (!(await taken(candidate))) return candidate;
  }
  throw new Error(`Could not allocate a unique ${prefix} id`);
}

/** Creates or updates the prescriber / pharmacy / setting row; returns its id. */
async function writeStakeholder(
  tx: Tx,
  actor: Actor,
  ref: StakeholderRef,
  values: Values,
  form: TFormDefinition,
): Promise<string> {
  if (ref.kind === "PRESCRIBER") {
    const columns = prescriberColumns(values, form);
    if (ref.id) {
      const before = await tx.prescriber.findUniqueOrThrow({ where: { id: ref.id }, select: { npi: true } });
      await tx.prescriber.update({ where: { id: ref.id }, data: columns });
      if (before.npi !== columns.npi) {
        await recordAudit(tx, actor, {
          action: "prescriber.updated",
          entityType: "Prescriber",
          entityId: ref.id,
          before,
          after: { npi: columns.npi },
        });
      }
      return ref.id;
    }
    const created = await tx.prescriber.create({ data: { ...columns, userId: actor.userId }, select: { id: true } });
    await recordAudit(tx, actor, {
      action: "prescriber.created",
      entityType: "Prescriber",
      entityId: created.id,
      after: { npi: columns.npi, userId: actor.userId },
    });
    return created.id;
  }

  if (ref.kind === "PHARMACY") {
    const columns = pharmacyColumns(values);
    if (ref.id) {
      await tx.pharmacy.update({ where: { id: ref.id }, data: columns });
      return ref.id;
    }
    const remsId = await newRemsId("PH", async (id) => (await tx.pharmacy.count({ where: { remsId: id } })) > 0);
    const created = await tx.pharmacy.create({ data: { ...columns, remsId }, select: { id: true } });
    await tx.user.update({ where: { id: actor.userId }, data: { pharmacyId: created.id } });
    await recordAudit(tx, actor, {
      action: "pharmacy.created",
      entityType: "Pharmacy",
      entityId: created.id,
      after: { remsId, ncpdpId: columns.ncpdpId, npi: columns.npi, representativeUserId: actor.userId },
    });
    return created.id;
  }

  const columns = settingColumns(values);
  if (ref.id) {
    await tx.healthcareSetting.update({ where: { id: ref.id }, data: columns });
    return ref.id;
  }
  const remsId = await newRemsId("HS", async (id) => (await tx.healthcareSetting.count({ where: { remsId: id } })) > 0);
  const created = await tx.healthcareSetting.create({ data: { ...columns, remsId }, select: { id: true } });
  await tx.user.update({ where: { id: actor.userId }, data: { healthcareSettingId: created.id } });
  await recordAudit(tx, actor, {
    action: "healthcare_setting.created",
    entityType: "HealthcareSetting",
    entityId: created.id,
    after: { remsId, npi: columns.npi, representativeUserId: actor.userId },
  });
  return created.id;
}

/** Form fields whose value changed, for the audit row. */
function changedFields(before: Values, after: Values) {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changed = [...keys].filter((k) => before[k] !== after[k]).sort();
  return {
    before: Object.fromEntries(changed.map((k) => [k, before[k] ?? null])),
    after: Object.fromEntries(changed.map((k) => [k, after[k] ?? null])),
  };
}

// ---------------------------------------------------------------------------
// Step 1: the enrollment form

/**
 * Validates the form with the programme's schema and saves it: the first save creates the
 * stakeholder (prescriber, pharmacy or healthcare setting) and the application. A duplicate
 * identifier or invalid value is refused field by field and nothing is written.
 */
export async function saveEnrollmentForm(actor: Actor, input: TSaveEnrollmentForm, client: Db = db()) {
  const parsed = ZSaveEnrollmentForm.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const { programCode, enrollmentId, prescriberId } = parsed.data;
  const permission = await requireRole(actor, "update", `enroll/${programCode}`, client);

  let ref: StakeholderRef;
  let existing: EnrollmentRow | null = null;
  let program: ProgramRow;
  if (enrollmentId) {
    existing = await loadForActor(actor, enrollmentId, "update", client);
    program = existing.program;
    if (program.code !== programCode)
      throw new AppError("BAD_REQUEST", "This application belongs to another programme.");
    ref = {
      kind: existing.kind,
      id: existing.prescriberId ?? existing.pharmacyId ?? existing.healthcareSettingId,
      forPrescriber: null,
    };
  } else {
    program = await findProgram(client, programCode);
    ref = await resolveStakeholder(actor, prescriberId, client, permission);
  }
  const definition = definitionOf(program);
  const requirement = requirementOf(definition, ref.kind);
  const form = buildFormSchema(requirement.enrollmentForm).safeParse(parsed.data.values);
  if (!form.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(form.error) });
  }
  const values = Object.fromEntries(
    Object.entries(form.data).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );

  const save = () =>
    client.$transaction(async (tx) => {
      let target = ref;
      if (!target.id && target.kind !== "PRESCRIBER") {
        // Two first saves at once (two tabs) must not create two organisations for one representative.
        await tx.$queryRaw`SELECT "id" FROM "User" WHERE "id" = ${actor.userId}::uuid FOR UPDATE`;
        const user = await tx.user.findUniqueOrThrow({
          where: { id: actor.userId },
          select: { pharmacyId: true, healthcareSettingId: true },
        });
        target = { ...target, id: target.kind === "PHARMACY" ? user.pharmacyId : user.healthcareSettingId };
      }
      let current: LockedRow | null = existing ? await lockEnrollment(tx, existing.id) : null;
      if (!current && target.id) {
        const found = await tx.enrollment.findUnique({
          where: stakeholderWhere(program.id, { ...target, id: target.id }),
          select: { id: true },
        });
        if (found) current = await lockEnrollment(tx, found.id);
      }
      if (current) requireEditable(current.status);
      checkFields(await duplicateIdentifiers(tx, target.kind, values, target.id));

      const stakeholderId = await writeStakeholder(tx, actor, target, values, requirement.enrollmentForm);
      if (current) {
        const data = readEnrollmentData(current.data);
        const diff = changedFields(data.form, values);
        if (Object.keys(diff.after).length > 0) {
          // Attestations are made about the content as reviewed: a changed form is attested again.
          await tx.enrollment.update({
            where: { id: current.id },
            data: { data: toJsonData({ ...data, form: values, attestations: {} }) },
          });
          await recordAudit(tx, actor, {
            action: "enrollment.form_saved",
            entityType: "Enrollment",
            entityId: current.id,
            before: { form: diff.before, attestations: data.attestations },
            after: { form: diff.after, attestations: {} },
          });
        }
        return { enrollmentId: current.id, created: false };
      }

      const applicantUserId =
        target.kind === "PRESCRIBER"
          ? ((await tx.prescriber.findUnique({ where: { id: stakeholderId }, select: { userId: true } }))?.userId ??
            actor.userId)
          : actor.userId;
      const created = await tx.enrollment.create({
        data: {
          programId: program.id,
          kind: ref.kind,
          status: "DRAFT",
          prescriberId: ref.kind === "PRESCRIBER" ? stakeholderId : null,
          pharmacyId: ref.kind === "PHARMACY" ? stakeholderId : null,
          healthcareSettingId: ref.kind === "HEALTHCARE_SETTING" ? stakeholderId : null,
          applicantUserId,
          data: toJsonData({ form: values, training: {}, attestations: {} }),
          events: { create: { toStatus: "DRAFT", actorUserId: actor.userId, reason: "Enrollment started" } },
        },
        select: { id: true },
      });
      await recordAudit(tx, actor, {
        action: "enrollment.created",
        entityType: "Enrollment",
        entityId: created.id,
        after: { programCode: program.code, kind: ref.kind, status: "DRAFT", form: values },
      });
      return { enrollmentId: created.id, created: true };
    });

  try {
    return await save();
  } catch (error) {
    // Someone took the identifier between our check and the insert: report it like the check does.
    if (isUniqueViolation(error)) {
      checkFields(await duplicateIdentifiers(client, ref.kind, values, ref.id));
      throw new AppError("CONFLICT", "This application was saved at the same moment elsewhere. Reload and try again.");
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Step 2: training

export async function acknowledgeTrainingSection(actor: Actor, input: TAcknowledgeTraining, client: Db = db()) {
  const parsed = ZAcknowledgeTraining.safeParse(input);
  if (!parsed.success) throw new AppError("BAD_REQUEST", "That training section does not exist.");
  const { enrollmentId, sectionId, acknowledged } = parsed.data;
  const enrollment = await loadForActor(actor, enrollmentId, "update", client);
  await requireLearner(actor, enrollment, client, "complete the training");
  const requirement = requirementOf(definitionOf(enrollment.program), enrollment.kind);
  const section = requirement.training?.sections.find((s) => s.id === sectionId);
  if (!section) throw new AppError("BAD_REQUEST", "That training section does not exist.");

  const now = new Date();
  return client.$transaction(async (tx) => {
    const current = await lockEnrollment(tx, enrollmentId);
    requireEditable(current.status);
    const data = readEnrollmentData(current.data);
    const before = data.training[sectionId] ?? null;
    const training = { ...data.training };
    if (acknowledged) training[sectionId] = before ?? now.toISOString();
    else delete training[sectionId];
    if ((training[sectionId] ?? null) !== before) {
      await tx.enrollment.update({ where: { id: enrollmentId }, data: { data: toJsonData({ ...data, training }) } });
      await recordAudit(tx, actor, {
        action: acknowledged ? "enrollment.training_acknowledged" : "enrollment.training_unacknowledged",
        entityType: "Enrollment",
        entityId: enrollmentId,
        before: { sectionId, acknowledgedAt: before },
        after: { sectionId, acknowledgedAt: training[sectionId] ?? null },
      });
    }
    return { sectionId, acknowledgedAt: training[sectionId] ?? null };
  });
}

// ---------------------------------------------------------------------------
// Step 3: knowledge assessment

export interface TopicToReview {
  topic: string;
  sectionId: string | null;
  sectionTitle: string | null;
}

function topicsWithSections(requirement: TStakeholderRequirement, topics: string[]): TopicToReview[] {
  return topics.map((topic) => {
    const sectionId =
      requirement.knowledgeAssessment?.questions.find((q) => q.topic === topic)?.reviewSectionId ?? null;
    const sectionTitle = requirement.training?.sections.find((s) => s.id === sectionId)?.title ?? null;
    return { topic, sectionId, sectionTitle };
  });
}

/** When the current round of the application began: creation, or the applicant's latest restart. */
async function roundStart(client: Db | Tx, enrollmentId: string): Promise<Date | null> {
  const restart = await client.enrollmentEvent.findFirst({
    where: { enrollmentId, toStatus: "DRAFT", fromStatus: { in: ["REJECTED", "EXPIRED"] } },
    orderBy: { at: "desc" },
    select: { at: true },
  });
  return restart?.at ?? null;
}

function attemptsThisRound<A extends { submittedAt: Date }>(attempts: A[], since: Date | null): A[] {
  return since ? attempts.filter((a) => a.submittedAt >= since) : attempts;
}

const attemptSelect = {
  attemptNumber: true,
  correctCount: true,
  questionCount: true,
  passed: true,
  topicsToReview: true,
  submittedAt: true,
} as const;

export async function submitAssessment(actor: Actor, input: TSubmitAssessment, client: Db = db()) {
  const parsed = ZSubmitAssessment.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Answer every question.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const { enrollmentId, attemptNumber, answers } = parsed.data;
  const enrollment = await loadForActor(actor, enrollmentId, "update", client);
  await requireLearner(actor, enrollment, client, "take the knowledge assessment");
  const requirement = requirementOf(definitionOf(enrollment.program), enrollment.kind);
  const assessment = requirement.knowledgeAssessment;
  if (!assessment) throw new AppError("BAD_REQUEST", "This enrollment has no knowledge assessment.");
  const incomplete = checkAnswersComplete(assessment, answers);
  if (Object.keys(incomplete).length > 0) {
    throw new AppError("VALIDATION", "Answer every question before submitting.", { fields: incomplete });
  }

  try {
    return await client.$transaction(async (tx) => {
      const current = await lockEnrollment(tx, enrollmentId);
      requireEditable(current.status);
      const attempts = await tx.assessmentAttempt.findMany({
        where: { enrollmentId },
        select: attemptSelect,
        orderBy: { attemptNumber: "asc" },
      });
      const last = attempts.at(-1)?.attemptNumber ?? 0;
      if (attemptNumber <= last) throw alreadySubmitted();
      if (attemptNumber !== last + 1) {
        throw new AppError("CONFLICT", "The assessment changed since this page was opened. Reload the page.");
      }
      const round = attemptsThisRound(attempts, await roundStart(tx, enrollmentId));
      if (round.some((a) => a.passed)) {
        throw new AppError("CONFLICT", "You have already passed the knowledge assessment.");
      }
      const max = assessment.maxAttemptsBeforeLockout;
      if (max !== undefined && round.filter((a) => !a.passed).length >= max) {
        throw new AppError(
          "LOCKED",
          `You have used all ${max} attempts at the knowledge assessment. Contact the REMS administrator.`,
        );
      }
      const data = readEnrollmentData(current.data);
      const trainingMissing = enrollmentProgress(requirement, { data, assessmentPassed: false, signed: false }).find(
        (s) => s.id === "training" && !s.complete,
      );
      if (trainingMissing) {
        throw new AppError("VALIDATION", "Acknowledge every training section before taking the assessment.");
      }

      const score = scoreAssessment(assessment, answers);
      const topics = [...new Set(score.topicsToReview.map((t) => t.topic))];
      await tx.assessmentAttempt.create({
        data: {
          enrollmentId,
          attemptNumber,
          answers,
          correctCount: score.correctCount,
          questionCount: score.questionCount,
          passed: score.passed,
          topicsToReview: topics,
          submittedByUserId: actor.userId,
        },
      });
      await recordAudit(tx, actor, {
        action: score.passed ? "enrollment.assessment_passed" : "enrollment.assessment_failed",
        entityType: "Enrollment",
        entityId: enrollmentId,
        after: {
          attemptNumber,
          correctCount: score.correctCount,
          questionCount: score.questionCount,
          passed: score.passed,
          topicsToReview: topics,
        },
      });
      return {
        attemptNumber,
        correctCount: score.correctCount,
        questionCount: score.questionCount,
        passed: score.passed,
        topicsToReview: topicsWithSections(requirement, topics),
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadySubmitted();
    throw error;
  }
}

function alreadySubmitted() {
  return new AppError("CONFLICT", "This attempt was already submitted. Reload the page to see its result.");
}

// ---------------------------------------------------------------------------
// Step 4: attestations and the electronic signature

export async function setAttestation(actor: Actor, input: TSetAttestation, client: Db = db()) {
  const parsed = ZSetAttestation.safeParse(input);
  if (!parsed.success) throw new AppError("BAD_REQUEST", "That statement does not exist.");
  const { enrollmentId, attestationId, checked } = parsed.data;
  const enrollment = await loadSigner(actor, enrollmentId, client);
  const requirement = requirementOf(definitionOf(enrollment.program), enrollment.kind);
  if (!requirement.attestations.some((a) => a.id === attestationId)) {
    throw new AppError("BAD_REQUEST", "That statement does not exist.");
  }
  return client.$transaction(async (tx) => {
    const current = await lockEnrollment(tx, enrollmentId);
    requireEditable(current.status);
    const data = readEnrollmentData(current.data);
    const before = data.attestations[attestationId] === true;
    if (before !== checked) {
      const attestations = { ...data.attestations };
      if (checked) attestations[attestationId] = true;
      else delete attestations[attestationId];
      await tx.enrollment.update({
        where: { id: enrollmentId },
        data: { data: toJsonData({ ...data, attestations }) },
      });
      await recordAudit(tx, actor, {
        action: checked ? "enrollment.attestation_checked" : "enrollment.attestation_unchecked",
        entityType: "Enrollment",
        entityId: enrollmentId,
        before: { attestationId, checked: before },
        after: { attestationId, checked },
      });
    }
    return { attestationId, checked };
  });
}

/** Only the stakeholder signs: the prescriber themself, or the organisation's representative. */
async function loadSigner(actor: Actor, enrollmentId: string, client: Db) {
  if (actor.role === "PRESCRIBER_DELEGATE") {
    // Tell a delegate plainly why, but only about an application they are linked to.
    const enrollment = await loadForActor(actor, enrollmentId, "read", client);
    throw await denied(
      actor,
      "enrollment:sign:own",
      `enrollment/${enrollment.id}`,
      client,
      "Only the prescriber can sign this enrollment. Ask them to sign in and sign it.",
    );
  }
  return loadForActor(actor, enrollmentId, "sign", client);
}

interface PassedAttempt {
  correctCount: number;
  questionCount: number;
  attemptNumber: number;
}

/** A digest of what the review page shows, so a signature never covers content the signer did not see. */
export function reviewDigestOf(data: EnrollmentData, assessment: PassedAttempt | null): string {
  return sha256Hex(
    canonicalJson({ form: data.form, training: Object.keys(data.training).sort(), assessment: assessment ?? null }),
  );
}

async function passedAttemptOf(client: Db | Tx, enrollmentId: string): Promise<PassedAttempt | null> {
  const since = await roundStart(client, enrollmentId);
  const passed = await client.assessmentAttempt.findFirst({
    where: { enrollmentId, passed: true, ...(since ? { submittedAt: { gte: since } } : {}) },
    orderBy: { attemptNumber: "desc" },
    select: { correctCount: true, questionCount: true, attemptNumber: true },
  });
  return passed ?? null;
}

/**
 * Signs and submits the application (21 CFR 11.50 / 11.70): the signer re-enters their password,
 * types their printed name, and the signature records the time, its meaning and the SHA-256 of
 * exactly the content signed. The signed content itself is kept in the (append-only) audit trail.
 */
export async function signEnrollment(actor: Actor, input: TSignEnrollment, client: Db = db()) {
  const parsed = ZSignEnrollment.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const { enrollmentId, printedName, password, code, expectedVersion } = parsed.data;
  const enrollment = await loadSigner(actor, enrollmentId, client);
  requireEditable(enrollment.status);
  if (expectedVersion !== undefined && expectedVersion !== enrollment.version) throw changedSinceReview();
  const definition = definitionOf(enrollment.program);
  const requirement = requirementOf(definition, enrollment.kind);

  await requireOwnPrintedName(actor, printedName, "printedName", client);
  await verifyStepUp(actor, { password, code }, { mfaRequired: definition.esignature.requireMfa }, client);
  const ticked = new Set(parsed.data.attestations);
  const unticked = requirement.attestations.filter((a) => !ticked.has(a.id));
  if (unticked.length > 0) {
    throw new AppError("VALIDATION", "Tick every statement before signing.", {
      fields: { attestations: [`Tick every statement to sign (${unticked.length} not ticked)`] },
    });
  }

  const signedAt = new Date();
  const result = await client.$transaction(async (tx) => {
    const current = await lockEnrollment(tx, enrollmentId);
    requireEditable(current.status);
    if (expectedVersion !== undefined && expectedVersion !== current.version) throw changedSinceReview();
    const data = readEnrollmentData(current.data);
    const passed = await passedAttemptOf(tx, enrollmentId);
    if (reviewDigestOf(data, passed) !== parsed.data.reviewDigest) throw changedSinceReview();
    const steps = enrollmentProgress(requirement, { data, assessmentPassed: passed !== null, signed: false });
    if (!readyToSign(steps)) {
      const missing = steps.filter((s) => s.id !== "sign" && !s.complete).map((s) => s.label.toLowerCase());
      throw new AppError("VALIDATION", `Complete the ${missing.join(", ")} before signing.`);
    }

    const attestations = Object.fromEntries(requirement.attestations.map((a) => [a.id, true]));
    const signedData: EnrollmentData = { ...data, attestations };
    const content = signedContent({
      programCode: definition.code,
      programVersion: definition.version,
      kind: current.kind,
      enrollmentId,
      form: signedData.form,
      trainingAcknowledged: requirement.training?.sections.filter((s) => data.training[s.id]).map((s) => s.id) ?? [],
      assessment: passed,
      attestations: requirement.attestations.map((a) => ({ id: a.id, text: a.text })),
      meaning: requirement.signatureMeaning,
      printedName,
      signedAt: signedAt.toISOString(),
    });
    await tx.enrollment.update({ where: { id: enrollmentId }, data: { data: toJsonData(signedData) } });
    const signature = await tx.signature.create({
      data: {
        signerUserId: actor.userId,
        printedName,
        meaning: requirement.signatureMeaning,
        signedAt,
        contentSha256: content.sha256,
        entityType: "Enrollment",
        entityId: enrollmentId,
        enrollmentId,
      },
      select: { id: true },
    });
    await recordAudit(tx, actor, {
      action: "enrollment.signed",
      entityType: "Enrollment",
      entityId: enrollmentId,
      after: {
        signatureId: signature.id,
        printedName,
        meaning: requirement.signatureMeaning,
        signedAt: signedAt.toISOString(),
        contentSha256: content.sha256,
        signedContent: content.content,
      },
    });
    const transition = await applyTransition(tx, {
      enrollmentId,
      event: "SUBMIT",
      actor,
      actorKind: "applicant",
      expectedVersion: current.version,
      now: signedAt,
    });
    return { signatureId: signature.id, contentSha256: content.sha256, signedAt, status: transition.to };
  });
  deliverSoon(client);
  return result;
}

function changedSinceReview() {
  return new AppError(
    "CONFLICT",
    "The application changed since you opened this page. Review it again before signing.",
  );
}

// ---------------------------------------------------------------------------
// Starting again after a rejection or an expired certification

export async function restartEnrollment(actor: Actor, input: TRestartEnrollment, client: Db = db()) {
  const parsed = ZRestartEnrollment.safeParse(input);
  if (!parsed.success) throw new AppError("BAD_REQUEST", "Unknown application.");
  const enrollment = await loadForActor(actor, parsed.data.enrollmentId, "update", client);
  return client.$transaction(async (tx) => {
    const current = await lockEnrollment(tx, enrollment.id);
    const transition = await applyTransition(tx, {
      enrollmentId: current.id,
      event: "RESTART",
      actor,
      actorKind: "applicant",
      expectedVersion: current.version,
    });
    // Training and attestations are done again; the form stays filled in.
    const data = readEnrollmentData(current.data);
    await tx.enrollment.update({
      where: { id: current.id },
      data: { data: toJsonData({ form: data.form, training: {}, attestations: {} }) },
    });
    await recordAudit(tx, actor, {
      action: "enrollment.progress_reset",
      entityType: "Enrollment",
      entityId: current.id,
      before: { training: data.training, attestations: data.attestations },
      after: { training: {}, attestations: {} },
    });
    return { enrollmentId: current.id, status: transition.to };
  });
}

// ---------------------------------------------------------------------------
// Reading: what the applicant's pages show

const detailSelect = {
  ...enrollmentSelect,
  attempts: { select: attemptSelect, orderBy: { attemptNumber: "asc" } },
  signatures: {
    select: {
      id: true,
      printedName: true,
      meaning: true,
      signedAt: true,
      contentSha256: true,
      signer: { select: { name: true } },
    },
    orderBy: { signedAt: "asc" },
  },
  events: {
    select: { id: true, fromStatus: true, toStatus: true, actorUserId: true, reason: true, at: true },
    orderBy: { at: "asc" },
  },
} as const;

type DetailRow = Prisma.EnrollmentGetPayload<{ select: typeof detailSelect }>;

export interface AttemptView {
  attemptNumber: number;
  correctCount: number;
  questionCount: number;
  passed: boolean;
  submittedAt: Date;
  topicsToReview: TopicToReview[];
}

export interface EnrollmentView {
  program: { id: string; code: string; name: string; version: number };
  kind: StakeholderKind;
  kindLabel: string;
  /** The requirement without its assessment answers (safe to hand to the page). */
  requirement: Omit<TStakeholderRequirement, "knowledgeAssessment">;
  assessment: PublicAssessment | null;
  stakeholderName: string | null;
  /** A delegate's prescriber (links carry it along). */
  forPrescriber: { id: string; name: string } | null;
  /** What this actor may do here. */
  can: { edit: boolean; learn: boolean; sign: boolean; restart: boolean };
  enrollment: {
    id: string;
    status: EnrollmentStatus;
    statusLabel: string;
    version: number;
    statusReason: string | null;
    certificationNumber: string | null;
    submittedAt: Date | null;
    certifiedAt: Date | null;
    decidedAt: Date | null;
    expiresAt: Date | null;
    createdAt: Date;
  } | null;
  editable: boolean;
  /** Saved form values (or a prefill for a new application). */
  formValues: Record<string, string>;
  data: EnrollmentData;
  progress: StepProgress[];
  readyToSign: boolean;
  attempts: AttemptView[];
  /** This round's attempts (after a restart, earlier ones no longer count). */
  latestAttempt: AttemptView | null;
  passedAttempt: AttemptView | null;
  nextAttemptNumber: number;
  assessmentLocked: boolean;
  signatures: {
    id: string;
    printedName: string;
    meaning: string;
    signedAt: Date;
    contentSha256: string;
    signerName: string;
  }[];
  events: {
    id: string;
    fromStatus: EnrollmentStatus | null;
    toStatus: EnrollmentStatus;
    at: Date;
    reason: string | null;
    actorName: string | null;
  }[];
  reviewDigest: string;
  documents: { signedForm: string | null; certificate: string | null };
}

function stakeholderDisplayName(row: Pick<DetailRow, "prescriber" | "pharmacy" | "healthcareSetting">) {
  if (row.prescriber) return formatPersonName(row.prescriber);
  return row.pharmacy?.name ?? row.healthcareSetting?.name ?? null;
}

async function buildView(
  actor: Actor,
  program: ProgramRow,
  kind: StakeholderKind,
  row: DetailRow | null,
  prefill: Record<string, string>,
  forPrescriber: { id: string; name: string } | null,
  client: Db,
): Promise<EnrollmentView> {
  const definition = definitionOf(program);
  const requirement = requirementOf(definition, kind);
  const { knowledgeAssessment, ...rest } = requirement;
  const data = readEnrollmentData(row?.data);
  const since = row ? await roundStart(client, row.id) : null;
  const attempts: AttemptView[] = (row?.attempts ?? []).map((a) => ({
    ...a,
    topicsToReview: topicsWithSections(requirement, a.topicsToReview),
  }));
  const round = attemptsThisRound(attempts, since);
  const passedAttempt = round.findLast((a) => a.passed) ?? null;
  const status = row?.status ?? "DRAFT";
  const editable = isEditableStatus(status);
  const progress = enrollmentProgress(requirement, {
    data,
    assessmentPassed: passedAttempt !== null,
    signed: row !== null && !editable,
  });
  const max = knowledgeAssessment?.maxAttemptsBeforeLockout;
  const actorIds = [...new Set((row?.events ?? []).map((e) => e.actorUserId).filter((id): id is string => !!id))];
  const names = new Map(
    (await client.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } })).map((u) => [
      u.id,
      u.name,
    ]),
  );
  const learner = actor.role !== "PRESCRIBER_DELEGATE" && actor.role !== "ADMIN";
  const canUpdate = !!enrollmentPermission(actor.role, "update");
  const canSign = !!enrollmentPermission(actor.role, "sign");
  const passedForDigest = passedAttempt
    ? {
        correctCount: passedAttempt.correctCount,
        questionCount: passedAttempt.questionCount,
        attemptNumber: passedAttempt.attemptNumber,
      }
    : null;
  return {
    program: { id: program.id, code: program.code, name: program.name, version: definition.version },
    kind,
    kindLabel: KIND_LABELS[kind],
    requirement: rest,
    assessment: knowledgeAssessment ? publicAssessment(knowledgeAssessment) : null,
    stakeholderName: row ? stakeholderDisplayName(row) : null,
    forPrescriber,
    can: {
      edit: canUpdate && editable,
      learn: learner && canUpdate && editable && row !== null,
      sign: canSign && editable && row !== null,
      restart: canUpdate && (status === "REJECTED" || status === "EXPIRED"),
    },
    enrollment: row
      ? {
          id: row.id,
          status: row.status,
          statusLabel: statusLabel(row.status),
          version: row.version,
          statusReason: row.statusReason,
          certificationNumber: row.certificationNumber,
          submittedAt: row.submittedAt,
          certifiedAt: row.certifiedAt,
          decidedAt: row.decidedAt,
          expiresAt: row.expiresAt,
          createdAt: row.createdAt,
        }
      : null,
    editable,
    formValues: row ? { ...emptyFormValues(requirement.enrollmentForm), ...data.form } : prefill,
    data,
    progress,
    readyToSign: readyToSign(progress),
    attempts,
    latestAttempt: round.at(-1) ?? null,
    passedAttempt,
    nextAttemptNumber: (attempts.at(-1)?.attemptNumber ?? 0) + 1,
    assessmentLocked: max !== undefined && !passedAttempt && round.filter((a) => !a.passed).length >= max,
    signatures: (row?.signatures ?? []).map((s) => ({
      id: s.id,
      printedName: s.printedName,
      meaning: s.meaning,
      signedAt: s.signedAt,
      contentSha256: s.contentSha256,
      signerName: s.signer.name,
    })),
    events: (row?.events ?? []).map((e) => ({
      id: e.id,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      at: e.at,
      reason: e.reason,
      actorName: e.actorUserId ? (names.get(e.actorUserId) ?? null) : null,
    })),
    reviewDigest: reviewDigestOf(data, passedForDigest),
    documents: {
      signedForm: row && row.signatures.length > 0 ? `/documents/enrollments/${row.id}/signed-form.pdf` : null,
      certificate: row?.status === "CERTIFIED" ? `/documents/enrollments/${row.id}/certificate.pdf` : null,
    },
  };
}

/** Starting values for a new application: what the registry already knows about the stakeholder. */
async function prefillFor(actor: Actor, ref: StakeholderRef, form: TFormDefinition, client: Db) {
  const values = emptyFormValues(form);
  const set = (id: string, value: string | null | undefined) => {
    if (value && id in values) values[id] = value;
  };
  const optionValue = (id: string, label: string | null) => {
    const field = form.fields.find((f) => f.id === id);
    if (field?.type === "select" && label) {
      set(
        id,
        field.options.find((o) => o.label.toLowerCase() === label.toLowerCase() || o.value === label.toLowerCase())
          ?.value,
      );
    }
  };
  const setAddress = (row: {
    addressLine1: string | null;
    addressLine2: string | null;
    city: string | null;
    state: string | null;
    postalCode: string | null;
  }) => {
    set("addressLine1", row.addressLine1);
    set("addressLine2", row.addressLine2);
    set("city", row.city);
    set("state", row.state);
    set("zip", row.postalCode);
  };
  if (ref.kind === "PRESCRIBER") {
    const p = ref.id ? await client.prescriber.findUnique({ where: { id: ref.id } }) : null;
    if (p) {
      for (const id of ["firstName", "lastName", "npi", "specialty", "practiceName", "phone", "email"] as const)
        set(id, p[id]);
      set("dea", p.deaNumber);
      optionValue("credentials", p.credentials);
      setAddress(p);
    } else if (actor.role === "PRESCRIBER") {
      set("email", actor.email);
    }
  } else if (ref.kind === "PHARMACY" && ref.id) {
    const p = await client.pharmacy.findUnique({ where: { id: ref.id } });
    if (p) {
      set("pharmacyName", p.name);
      set("pharmacyType", p.type?.toLowerCase());
      set("ncpdpId", p.ncpdpId);
      set("npi", p.npi);
      set("contactName", p.contactName);
      set("contactPhone", p.phone);
      set("contactEmail", p.contactEmail);
      setAddress(p);
    }
  } else if (ref.kind === "HEALTHCARE_SETTING" && ref.id) {
    const s = await client.healthcareSetting.findUnique({ where: { id: ref.id } });
    if (s) {
      set("settingName", s.name);
      set("settingType", s.type?.toLowerCase());
      set("npi", s.npi);
      set("otherIdentifier", s.otherIdentifier);
      set("contactName", s.contactName);
      set("contactPhone", s.phone);
      set("contactEmail", s.contactEmail);
      setAddress(s);
    }
  }
  if (ref.kind !== "PRESCRIBER" && !values.contactName && !values.contactEmail) {
    set("contactName", actor.name);
    set("contactEmail", actor.email);
  }
  return values;
}

/** The actor's application in a programme (or what a new one would start from). */
export async function getEnrollmentWorkspace(
  actor: Actor,
  input: { programCode: string; prescriberId?: string },
  client: Db = db(),
): Promise<EnrollmentView> {
  const permission = await requireRole(actor, "read", `enroll/${input.programCode}`, client);
  if (actor.role === "ADMIN") throw forbidden("Administrators review applications in the administration pages.");
  const program = await findProgram(client, input.programCode);
  const ref = await resolveStakeholder(actor, input.prescriberId, client, permission);
  const requirement = requirementOf(definitionOf(program), ref.kind);
  const row = ref.id
    ? await client.enrollment.findUnique({
        where: stakeholderWhere(program.id, { ...ref, id: ref.id }),
        select: detailSelect,
      })
    : null;
  const prefill = row ? {} : await prefillFor(actor, ref, requirement.enrollmentForm, client);
  return buildView(actor, program, ref.kind, row, prefill, ref.forPrescriber, client);
}

/** One application by id, for its applicant (someone else's is refused and audited). */
export async function getEnrollmentForApplicant(actor: Actor, enrollmentId: string, client: Db = db()) {
  const found = await loadForActor(actor, enrollmentId, "read", client);
  const row = await client.enrollment.findUniqueOrThrow({ where: { id: found.id }, select: detailSelect });
  const forPrescriber =
    actor.role === "PRESCRIBER_DELEGATE" && row.prescriber
      ? { id: row.prescriber.id, name: formatPersonName(row.prescriber) }
      : null;
  return buildView(actor, row.program, row.kind, row, {}, forPrescriber, client);
}

/** Every application the actor applies for (or prepares, for a delegate). */
export async function listApplicantEnrollments(actor: Actor, client: Db = db()): Promise<EnrollmentView[]> {
  await requireRole(actor, "read", "enrollment", client);
  let where: Prisma.EnrollmentWhereInput;
  switch (actor.role) {
    case "PRESCRIBER":
      where = { kind: "PRESCRIBER", prescriber: { userId: actor.userId } };
      break;
    case "PRESCRIBER_DELEGATE":
      where = { kind: "PRESCRIBER", prescriber: { delegates: { some: { userId: actor.userId } } } };
      break;
    case "PHARMACIST":
    case "SETTING_REP": {
      const user = await client.user.findUniqueOrThrow({
        where: { id: actor.userId },
        select: { pharmacyId: true, healthcareSettingId: true },
      });
      const orgId = actor.role === "PHARMACIST" ? user.pharmacyId : user.healthcareSettingId;
      if (!orgId) return [];
      where = actor.role === "PHARMACIST" ? { pharmacyId: orgId } : { healthcareSettingId: orgId };
      break;
    }
    default:
      return [];
  }
  const rows = await client.enrollment.findMany({ where, select: detailSelect, orderBy: { createdAt: "asc" } });
  return Promise.all(
    rows.map((row) => {
      const forPrescriber =
        actor.role === "PRESCRIBER_DELEGATE" && row.prescriber
          ? { id: row.prescriber.id, name: formatPersonName(row.prescriber) }
          : null;
      return buildView(actor, row.program, row.kind, row, {}, forPrescriber, client);
    }),
  );
}

/** Programmes that enroll the actor's kind of stakeholder (for the "start enrollment" page). */
export async function programmesForActor(actor: Actor, client: Db = db()) {
  const kind = ROLE_KIND[actor.role];
  if (!kind) return [];
  const programs = await client.program.findMany({
    select: { id: true, code: true, name: true, definition: true },
    orderBy: { code: "asc" },
  });
  return programs
    .filter((p) => definitionOf(p).stakeholders[KIND_TO_DEFINITION_KEY[kind]] !== undefined)
    .map((p) => ({ code: p.code, name: p.name }));
}
