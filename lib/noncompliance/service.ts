/**
 * Non-compliance cases: open a case against a stakeholder (through its enrollment), gather evidence,
 * and walk the programme's ladder. Every change is an administrator's, checked here (a refusal is
 * audited), and written with its audit row and the stakeholder's e-mail in one transaction.
 * Suspension, decertification and reinstatement go through the certification lifecycle
 * (`applyTransition`), which also revokes open dispense authorizations (decision 007) and writes
 * the certification notice: the case step does not send a second e-mail for those.
 */
import { createHash } from "node:crypto";
import type { Actor, AuditActor } from "../auth/actor";
import { can, type Permission } from "../auth/permissions";
import { recordAuthorizationFailure } from "../auth/service";
import { recordAudit } from "../audit/service";
import { displayName, identifiersOf, listReviewQueue } from "../certification/service";
import { applyTransition, KIND_TO_DEFINITION_KEY } from "../certification/transition";
import { db, type Db, type DbOrTx, type Tx } from "../db";
import { env } from "../env";
import { formatStakeholderKind, formatStatus } from "../format";
import { AppError, fieldErrorsFromZod } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import type { StakeholderKind } from "../generated/prisma/enums";
import { isUuid } from "../identifiers/uuid";
import { queueMail } from "../mail/outbox";
import { getProgramDefinition } from "../programs/registry";
import { type TNonCompliance, type TNonComplianceMeasure, ZProgramDefinition } from "../programs/schema";
import { checkEvidenceFile, safeFileName } from "./evidence";
import {
  allowedSteps,
  CASE_STATE_LABELS,
  type CaseFacts,
  type CaseState,
  type CaseStep,
  decideStep,
  formatCaseNumber,
  isCaseState,
  isOverdue,
  parseCaseNumber,
  type StepOption,
  stepNotice,
  summarizeCases,
} from "./rules";
import {
  ANY_OPEN,
  ANY_STATE,
  CASES_PAGE_SIZE,
  LINK_TYPE_LABELS,
  type LinkType,
  type TAddLink,
  type TAddNote,
  type TOpenCase,
  type TTakeStep,
  ZAddLink,
  ZAddNote,
  ZCaseFilters,
  ZOpenCase,
  ZTakeStep,
} from "./schema";

/** Serializes case-number allocation (one number per case, sequential within a year). */
const CASE_NUMBER_LOCK_KEY = 4_242_011;

// ---------------------------------------------------------------------------
// Guards and small helpers

/** Administrators only; a refusal is written to the audit trail before it is answered. */
export async function requireCaseAccess(actor: Actor, permission: Permission, target: string, client: Db = db()) {
  if (can(actor, permission)) return;
  await recordAuthorizationFailure(actor, permission, target, client);
  throw new AppError("FORBIDDEN", "Only REMS administrators handle non-compliance cases.");
}

function validation(fields: Record<string, string[]>, message = "Check the highlighted fields."): AppError {
  return new AppError("VALIDATION", message, { fields });
}

function notFound(): AppError {
  return new AppError("NOT_FOUND", "There is no such non-compliance case.");
}

function auditActor(actor: Actor): AuditActor {
  return { userId: actor.userId, role: actor.role, requestId: actor.requestId };
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function dateOnly(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

function nonComplianceOf(program: { code: string; definition: unknown }): TNonCompliance | null {
  const definition = getProgramDefinition(program.code) ?? ZProgramDefinition.safeParse(program.definition).data;
  return definition?.nonCompliance ?? null;
}

const stakeholderSelect = {
  id: true,
  kind: true,
  status: true,
  programId: true,
  certificationNumber: true,
  program: { select: { code: true, name: true, definition: true } },
  applicant: { select: { name: true, email: true } },
  prescriber: { select: { firstName: true, lastName: true, npi: true, email: true } },
  pharmacy: { select: { name: true, ncpdpId: true, npi: true, contactEmail: true } },
  healthcareSetting: { select: { name: true, npi: true, remsId: true, contactEmail: true } },
  patient: {
    select: { firstName: true, lastName: true, remsId: true, email: true, user: { select: { email: true } } },
  },
} as const satisfies Prisma.EnrollmentSelect;
type StakeholderRow = Prisma.EnrollmentGetPayload<{ select: typeof stakeholderSelect }>;

/** Read outside a transaction: one enrollment with its names, identifiers and where to write. */
async function loadStakeholder(client: DbOrTx, enrollmentId: string) {
  const row = await client.enrollment.findUnique({ where: { id: enrollmentId }, select: stakeholderSelect });
  return row ? describeStakeholder(row) : null;
}

function describeStakeholder(row: StakeholderRow) {
  return {
    enrollmentId: row.id,
    kind: row.kind,
    status: row.status,
    programId: row.programId,
    program: row.program,
    certificationNumber: row.certificationNumber,
    name: displayName(row),
    identifiers: [
      ...identifiersOf(row),
      ...(row.certificationNumber ? [{ label: "Certification", value: row.certificationNumber }] : []),
    ],
    email:
      row.applicant?.email ??
      row.prescriber?.email ??
      row.pharmacy?.contactEmail ??
      row.healthcareSetting?.contactEmail ??
      row.patient?.email ??
      row.patient?.user?.email ??
      null,
    greeting: row.applicant?.name ?? displayName(row),
  };
}

function caseTypeLabel(section: TNonCompliance | null, code: string): string {
  return section?.caseTypes.find((t) => t.code === code)?.label ?? code;
}

/** The label of the stakeholder kind in the programme definition's words ("healthcareSetting"). */
function definitionKind(kind: StakeholderKind) {
  return KIND_TO_DEFINITION_KEY[kind];
}

async function nextCaseNumber(tx: Tx, now: Date): Promise<string> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CASE_NUMBER_LOCK_KEY}::bigint)`;
  const year = now.getUTCFullYear();
  const last = await tx.nonComplianceCase.findFirst({
    where: { caseNumber: { startsWith: `NC-${year}-` } },
    orderBy: { caseNumber: "desc" },
    select: { caseNumber: true },
  });
  const sequence = last ? (parseCaseNumber(last.caseNumber)?.sequence ?? 0) + 1 : 1;
  return formatCaseNumber(year, sequence);
}

// ---------------------------------------------------------------------------
// Finding a stakeholder to open a case against

/** Stakeholders matching a name, NPI, REMS id or certification number (HS-/HC-/…), any status. */
export async function findStakeholders(actor: Actor, q: string, client: Db = db()) {
  await requireCaseAccess(actor, "noncompliance:manage:any", "/admin/non-compliance/new", client);
  const term = q.trim().slice(0, 100);
  if (!term) return [];
  const queue = await listReviewQueue(actor, { q: term, status: "ANY" }, client);
  return queue.rows.map((r) => ({
    enrollmentId: r.id,
    name: r.name,
    kind: r.kind,
    kindLabel: r.kindLabel,
    statusLabel: r.statusLabel,
    programName: r.program.name,
    identifiers: [
      ...r.identifiers,
      ...(r.certificationNumber ? [{ label: "Certification", value: r.certificationNumber }] : []),
    ],
  }));
}

/** What the "open a case" form needs for one stakeholder: who it is and the case types that apply. */
export async function getStakeholderForNewCase(actor: Actor, enrollmentId: string, client: Db = db()) {
  await requireCaseAccess(actor, "noncompliance:manage:any", "/admin/non-compliance/new", client);
  if (!isUuid(enrollmentId)) return null;
  const stakeholder = await loadStakeholder(client, enrollmentId);
  if (!stakeholder) return null;
  const section = nonComplianceOf(stakeholder.program);
  return {
    enrollmentId: stakeholder.enrollmentId,
    name: stakeholder.name,
    kindLabel: formatKind(stakeholder.kind),
    identifiers: stakeholder.identifiers,
    programName: stakeholder.program.name,
    caseTypes: (section?.caseTypes ?? [])
      .filter((t) => t.appliesTo.includes(definitionKind(stakeholder.kind)))
      .map((t) => ({ code: t.code, label: t.label })),
  };
}

function formatKind(kind: StakeholderKind): string {
  return formatStakeholderKind(kind);
}

// ---------------------------------------------------------------------------
// Opening a case

/** Opens a case (state OPEN) with its description; the stakeholder hears of it with the first step. */
export async function openCase(actor: Actor, input: TOpenCase, client: Db = db(), now = new Date()) {
  await requireCaseAccess(actor, "noncompliance:manage:any", "/admin/non-compliance/new", client);
  const parsed = ZOpenCase.safeParse(input);
  if (!parsed.success) throw validation(fieldErrorsFromZod(parsed.error));
  const { enrollmentId, type, description } = parsed.data;
  const stakeholder = await loadStakeholder(client, enrollmentId);
  if (!stakeholder) throw validation({ enrollmentId: ["There is no such stakeholder"] });
  const section = nonComplianceOf(stakeholder.program);
  if (!section) throw validation({ enrollmentId: [`${stakeholder.program.name} defines no non-compliance cases`] });
  const caseType = section.caseTypes.find((t) => t.code === type);
  if (!caseType) throw validation({ type: ["Choose one of the programme's types of non-compliance"] });
  if (!caseType.appliesTo.includes(definitionKind(stakeholder.kind))) {
    throw validation({
      type: [`"${caseType.label}" does not apply to a ${formatKind(stakeholder.kind).toLowerCase()}`],
    });
  }
  return client.$transaction(async (tx) => {
    const caseNumber = await nextCaseNumber(tx, now);
    const created = await tx.nonComplianceCase.create({
      data: {
        caseNumber,
        programId: stakeholder.programId,
        enrollmentId,
        kind: stakeholder.kind,
        type,
        description,
        state: "OPEN",
        openedByUserId: actor.userId,
        openedAt: now,
      },
      select: { id: true, caseNumber: true },
    });
    await tx.nonComplianceStep.create({
      data: {
        caseId: created.id,
        step: "OPEN",
        toState: "OPEN",
        reason: description,
        actorUserId: actor.userId,
        at: now,
      },
    });
    await recordAudit(tx, actor, {
      action: "noncompliance.opened",
      entityType: "NonComplianceCase",
      entityId: created.id,
      after: { caseNumber, enrollmentId, type, state: "OPEN" },
    });
    return created;
  });
}

// ---------------------------------------------------------------------------
// Steps along the ladder

const CERTIFICATION_EVENT = { SUSPEND: "SUSPEND", DECERTIFY: "DECERTIFY", REINSTATE: "REINSTATE" } as const;

function caseFacts(
  c: { state: string; steps: { step: string }[] },
  section: TNonCompliance,
  stakeholder: { kind: StakeholderKind; status: string },
): CaseFacts {
  const measures = new Set<string>(section.ladder.map((r) => r.measure));
  return {
    state: isCaseState(c.state) ? c.state : "OPEN",
    taken: c.steps.map((s) => s.step).filter((s): s is TNonComplianceMeasure => measures.has(s)),
    ladder: section.ladder,
    certifiable: stakeholder.kind !== "PATIENT",
    certificationStatus: stakeholder.status,
  };
}

/**
 * Takes one step on a case. The input carries the version the administrator saw; a stale one
 * changes nothing. Returns the new state and the DA- numbers a suspension or decertification revoked.
 */
export async function takeStep(actor: Actor, input: TTakeStep, client: Db = db(), now = new Date()) {
  await requireCaseAccess(actor, "noncompliance:manage:any", "/admin/non-compliance", client);
  const parsed = ZTakeStep.safeParse(input);
  if (!parsed.success) throw validation(fieldErrorsFromZod(parsed.error));
  const { caseId, version, step, reason, dueOn } = parsed.data;
  const existing = await client.nonComplianceCase.findUnique({
    where: { id: caseId },
    select: { enrollmentId: true, type: true },
  });
  if (!existing) throw notFound();
  const stakeholder = await loadStakeholder(client, existing.enrollmentId);
  if (!stakeholder) throw notFound();
  const section = nonComplianceOf(stakeholder.program);
  if (!section)
    throw new AppError("ILLEGAL_TRANSITION", `${stakeholder.program.name} defines no non-compliance ladder.`);
  const today = dayOf(now);

  return client.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "NonComplianceCase" WHERE "id" = ${caseId}::uuid FOR UPDATE`;
    const current = await tx.nonComplianceCase.findUniqueOrThrow({
      where: { id: caseId },
      select: { id: true, caseNumber: true, state: true, version: true, dueOn: true },
    });
    if (current.version !== version) {
      throw new AppError(
        "CONFLICT",
        "This case was changed by someone else while you were looking at it. Reload it to see the current state.",
      );
    }
    const steps = await tx.nonComplianceStep.findMany({ where: { caseId }, select: { step: true } });
    const enrollment = await tx.enrollment.findUniqueOrThrow({
      where: { id: existing.enrollmentId },
      select: { status: true, kind: true, version: true },
    });
    const decision = decideStep(
      caseFacts({ state: current.state, steps }, section, enrollment),
      { step, reason, dueOn },
      today,
    );
    if (!decision.ok) {
      if (decision.field) throw validation({ [decision.field]: [decision.message] }, decision.message);
      throw new AppError("ILLEGAL_TRANSITION", decision.message, { state: current.state, step });
    }

    const stepLabel =
      section.ladder.find((r) => r.measure === step)?.label ?? (step === "CLOSE" ? "Case closed" : "Reinstatement");
    let revokedAuthorizations: string[] = [];
    if (step === "SUSPEND" || step === "DECERTIFY" || step === "REINSTATE") {
      // The lifecycle decides again, revokes open approvals and tells the stakeholder.
      const transition = await applyTransition(tx, {
        enrollmentId: existing.enrollmentId,
        event: CERTIFICATION_EVENT[step],
        actor: auditActor(actor),
        actorKind: "admin",
        reason: `Non-compliance case ${current.caseNumber}: ${reason}`,
        expectedVersion: enrollment.version,
        now,
      });
      revokedAuthorizations = transition.revokedAuthorizations;
    } else if (stakeholder.email) {
      const typeLabel = caseTypeLabel(section, existing.type);
      const notice = stepNotice({
        step,
        stepLabel,
        programName: stakeholder.program.name,
        stakeholderName: stakeholder.greeting,
        caseNumber: current.caseNumber,
        typeLabel,
        reason,
        dueOn: decision.dueOn,
        appUrl: env().APP_URL,
      });
      await queueMail(tx, {
        to: stakeholder.email,
        ...notice,
        category: `noncompliance.${step}`,
        entityType: "NonComplianceCase",
        entityId: caseId,
      });
    }

    const dueOnDate = decision.dueOn ? dateOnly(decision.dueOn) : null;
    await tx.nonComplianceCase.update({
      where: { id: caseId },
      data: {
        state: decision.to,
        dueOn: dueOnDate,
        version: { increment: 1 },
        ...(step === "CLOSE" ? { closedAt: now } : {}),
      },
    });
    await tx.nonComplianceStep.create({
      data: {
        caseId,
        step,
        fromState: decision.from,
        toState: decision.to,
        reason,
        dueOn: dueOnDate,
        actorUserId: actor.userId,
        at: now,
      },
    });
    await recordAudit(tx, actor, {
      action: `noncompliance.${step.toLowerCase()}`,
      entityType: "NonComplianceCase",
      entityId: caseId,
      before: { state: current.state, version: current.version, dueOn: current.dueOn ? dayOf(current.dueOn) : null },
      after: { state: decision.to, version: current.version + 1, dueOn: decision.dueOn, reason, revokedAuthorizations },
    });
    return { caseNumber: current.caseNumber, state: decision.to, revokedAuthorizations };
  });
}

// ---------------------------------------------------------------------------
// Evidence

async function requireOpenCase(tx: Tx, caseId: string) {
  const c = await tx.nonComplianceCase.findUnique({ where: { id: caseId }, select: { id: true, state: true } });
  if (!c) throw notFound();
  if (c.state === "CLOSED") throw new AppError("ILLEGAL_TRANSITION", "The case is closed: no evidence can be added.");
  return c;
}

export async function addNote(actor: Actor, input: TAddNote, client: Db = db()) {
  await requireCaseAccess(actor, "noncompliance:manage:any", "/admin/non-compliance", client);
  const parsed = ZAddNote.safeParse(input);
  if (!parsed.success) throw validation(fieldErrorsFromZod(parsed.error));
  const { caseId, note } = parsed.data;
  return client.$transaction(async (tx) => {
    await requireOpenCase(tx, caseId);
    const row = await tx.nonComplianceEvidence.create({
      data: { caseId, kind: "NOTE", note, addedByUserId: actor.userId },
      select: { id: true },
    });
    await recordAudit(tx, actor, {
      action: "noncompliance.evidence_added",
      entityType: "NonComplianceCase",
      entityId: caseId,
      after: { evidenceId: row.id, kind: "NOTE" },
    });
    return row;
  });
}

/** Finds the record a link names; a field error when there is none. */
async function resolveLink(client: DbOrTx, linkType: LinkType, reference: string) {
  const words = reference.trim().split(/\s+/);
  const missing = (message: string) => validation({ reference: [message] });
  if (linkType === "DISPENSE_AUTHORIZATION") {
    const number = (words[0] ?? "").toUpperCase();
    const row = await client.dispenseAuthorization.findUnique({
      where: { authorizationNumber: number },
      select: { id: true, authorizationNumber: true },
    });
    if (!row) throw missing(`There is no dispense authorization ${number}.`);
    return { linkedId: row.id, linkLabel: `Dispense authorization ${row.authorizationNumber}` };
  }
  const remsId = (words[0] ?? "").toUpperCase();
  const day = words[words.length - 1] ?? "";
  if (words.length < (linkType === "INFUSION" ? 2 : 3) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    throw missing(
      linkType === "INFUSION"
        ? "Write the patient's REMS id and the infusion day."
        : "Write the patient's REMS id, the test code and the day.",
    );
  }
  const patient = await client.patient.findUnique({ where: { remsId }, select: { id: true, remsId: true } });
  if (!patient) throw missing(`There is no patient ${remsId}.`);
  if (linkType === "INFUSION") {
    const infusion = await client.infusion.findUnique({
      where: { patientId_infusedOn: { patientId: patient.id, infusedOn: dateOnly(day) } },
      select: { id: true, courseNumber: true, dayInCourse: true },
    });
    if (!infusion) throw missing(`Patient ${remsId} has no infusion on ${day}.`);
    return {
      linkedId: infusion.id,
      linkLabel: `Infusion of ${remsId} on ${day} (course ${infusion.courseNumber}, day ${infusion.dayInCourse})`,
    };
  }
  const testCode = (words[1] ?? "").toUpperCase();
  const result = await client.labResult.findFirst({
    where: { patientId: patient.id, testCode, collectedOn: dateOnly(day) },
    select: { id: true },
  });
  if (!result) throw missing(`Patient ${remsId} has no ${testCode} result collected on ${day}.`);
  return { linkedId: result.id, linkLabel: `${testCode} result of ${remsId} collected on ${day}` };
}

export async function addLink(actor: Actor, input: TAddLink, client: Db = db()) {
  await requireCaseAccess(actor, "noncompliance:manage:any", "/admin/non-compliance", client);
  const parsed = ZAddLink.safeParse(input);
  if (!parsed.success) throw validation(fieldErrorsFromZod(parsed.error));
  const { caseId, linkType, reference } = parsed.data;
  const link = await resolveLink(client, linkType, reference);
  return client.$transaction(async (tx) => {
    await requireOpenCase(tx, caseId);
    const row = await tx.nonComplianceEvidence.create({
      data: { caseId, kind: "LINK", linkType, ...link, addedByUserId: actor.userId },
      select: { id: true },
    });
    await recordAudit(tx, actor, {
      action: "noncompliance.evidence_added",
      entityType: "NonComplianceCase",
      entityId: caseId,
      after: { evidenceId: row.id, kind: "LINK", linkType, linkedId: link.linkedId, label: link.linkLabel },
    });
    return { id: row.id, label: link.linkLabel };
  });
}

/** Stores an uploaded file after checking its content, name and declared type agree (lib/noncompliance/evidence.ts). */
export async function addFile(
  actor: Actor,
  input: { caseId: string; fileName: string; declaredType: string; bytes: Uint8Array },
  client: Db = db(),
) {
  await requireCaseAccess(actor, "noncompliance:manage:any", "/admin/non-compliance", client);
  if (!isUuid(input.caseId)) throw notFound();
  const check = checkEvidenceFile(input);
  if (!check.ok) {
    const tooLarge = check.message.startsWith("The file is larger");
    throw new AppError(tooLarge ? "PAYLOAD_TOO_LARGE" : "VALIDATION", check.message, {
      fields: { file: [check.message] },
    });
  }
  const fileName = safeFileName(input.fileName);
  const sha256 = createHash("sha256").update(input.bytes).digest("hex");
  return client.$transaction(async (tx) => {
    await requireOpenCase(tx, input.caseId);
    const row = await tx.nonComplianceEvidence.create({
      data: {
        caseId: input.caseId,
        kind: "FILE",
        fileName,
        contentType: check.contentType,
        sizeBytes: input.bytes.byteLength,
        sha256,
        content: Buffer.from(input.bytes),
        addedByUserId: actor.userId,
      },
      select: { id: true },
    });
    await recordAudit(tx, actor, {
      action: "noncompliance.evidence_added",
      entityType: "NonComplianceCase",
      entityId: input.caseId,
      after: {
        evidenceId: row.id,
        kind: "FILE",
        fileName,
        contentType: check.contentType,
        sizeBytes: input.bytes.byteLength,
        sha256,
      },
    });
    return { id: row.id, fileName, contentType: check.contentType };
  });
}

/** One uploaded file, for an administrator's download (the download is audited). */
export async function getEvidenceFile(actor: Actor, caseId: string, evidenceId: string, client: Db = db()) {
  await requireCaseAccess(
    actor,
    "noncompliance:read:any",
    `/admin/non-compliance/${caseId}/evidence/${evidenceId}`,
    client,
  );
  if (!isUuid(caseId) || !isUuid(evidenceId)) throw notFound();
  const row = await client.nonComplianceEvidence.findFirst({
    where: { id: evidenceId, caseId, kind: "FILE" },
    select: { fileName: true, contentType: true, content: true, sha256: true },
  });
  if (!row?.content || !row.fileName || !row.contentType) throw new AppError("NOT_FOUND", "There is no such file.");
  await client.$transaction(async (tx) => {
    await recordAudit(tx, actor, {
      action: "noncompliance.evidence_downloaded",
      entityType: "NonComplianceCase",
      entityId: caseId,
      after: { evidenceId, fileName: row.fileName, sha256: row.sha256 },
    });
  });
  return { fileName: row.fileName, contentType: row.contentType, bytes: new Uint8Array(row.content) };
}

// ---------------------------------------------------------------------------
// Reading cases

const listSelect = {
  id: true,
  caseNumber: true,
  type: true,
  state: true,
  dueOn: true,
  openedAt: true,
  closedAt: true,
  version: true,
  enrollment: { select: stakeholderSelect },
} as const satisfies Prisma.NonComplianceCaseSelect;
type ListRow = Prisma.NonComplianceCaseGetPayload<{ select: typeof listSelect }>;

function caseRow(row: ListRow, today: string) {
  const stakeholder = describeStakeholder(row.enrollment);
  const section = nonComplianceOf(row.enrollment.program);
  const dueOn = row.dueOn ? dayOf(row.dueOn) : null;
  return {
    id: row.id,
    caseNumber: row.caseNumber,
    type: row.type,
    typeLabel: caseTypeLabel(section, row.type),
    state: row.state,
    stateLabel: isCaseState(row.state) ? CASE_STATE_LABELS[row.state] : row.state,
    dueOn,
    overdue: isOverdue({ state: row.state, dueOn }, today),
    openedAt: row.openedAt,
    closedAt: row.closedAt,
    version: row.version,
    stakeholder: {
      enrollmentId: stakeholder.enrollmentId,
      name: stakeholder.name,
      kindLabel: formatKind(stakeholder.kind),
      identifiers: stakeholder.identifiers,
      statusLabel: formatStatus(stakeholder.status, stakeholder.kind === "PATIENT" ? "patient" : "certification"),
      programName: stakeholder.program.name,
    },
  };
}

function searchCases(term: string): Prisma.NonComplianceCaseWhereInput {
  const text = { contains: term, mode: "insensitive" as const };
  return {
    OR: [
      { caseNumber: text },
      { enrollment: { is: { certificationNumber: text } } },
      { enrollment: { is: { prescriber: { is: { OR: [{ firstName: text }, { lastName: text }, { npi: text }] } } } } },
      { enrollment: { is: { pharmacy: { is: { OR: [{ name: text }, { ncpdpId: text }, { npi: text }] } } } } },
      { enrollment: { is: { healthcareSetting: { is: { OR: [{ name: text }, { npi: text }, { remsId: text }] } } } } },
      { enrollment: { is: { patient: { is: { OR: [{ firstName: text }, { lastName: text }, { remsId: text }] } } } } },
    ],
  };
}

function overdueWhere(today: string): Prisma.NonComplianceCaseWhereInput {
  return { state: "CORRECTIVE_ACTION", dueOn: { lt: dateOnly(today) } };
}

/** The case list with its filters (state, type, overdue, search), newest first, one page at a time. */
export async function listCases(
  actor: Actor,
  input: Record<string, unknown> = {},
  client: Db = db(),
  now = new Date(),
) {
  await requireCaseAccess(actor, "noncompliance:read:any", "/admin/non-compliance", client);
  const filters = ZCaseFilters.parse(input);
  const today = dayOf(now);
  const terms = (filters.q ?? "").split(/\s+/).filter(Boolean).slice(0, 6);
  const where: Prisma.NonComplianceCaseWhereInput = {
    ...(filters.state === ANY_OPEN
      ? { state: { not: "CLOSED" } }
      : filters.state === ANY_STATE
        ? {}
        : { state: filters.state }),
    ...(filters.type ? { type: filters.type } : {}),
    ...(terms.length || filters.overdue
      ? { AND: [...terms.map(searchCases), ...(filters.overdue ? [overdueWhere(today)] : [])] }
      : {}),
  };
  const total = await client.nonComplianceCase.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / CASES_PAGE_SIZE));
  const page = Math.min(filters.page, pageCount);
  const rows = await client.nonComplianceCase.findMany({
    where,
    select: listSelect,
    orderBy: [{ openedAt: "desc" }, { id: "asc" }],
    skip: (page - 1) * CASES_PAGE_SIZE,
    take: CASES_PAGE_SIZE,
  });
  const types = new Map<string, string>();
  const programs = await client.program.findMany({ select: { code: true, definition: true } });
  for (const program of programs) for (const t of nonComplianceOf(program)?.caseTypes ?? []) types.set(t.code, t.label);
  return {
    filters: { ...filters, page },
    total,
    page,
    pageCount,
    rows: rows.map((r) => caseRow(r, today)),
    caseTypes: [...types.entries()].map(([code, label]) => ({ code, label })),
  };
}
export type CaseList = Awaited<ReturnType<typeof listCases>>;

/** The dashboard's card: cases not closed, and corrective actions past their due day. */
export async function countCases(actor: Actor, client: Db = db(), now = new Date()) {
  await requireCaseAccess(actor, "noncompliance:read:any", "/admin", client);
  const [open, overdue] = await Promise.all([
    client.nonComplianceCase.count({ where: { state: { not: "CLOSED" } } }),
    client.nonComplianceCase.count({ where: overdueWhere(dayOf(now)) }),
  ]);
  return { open, overdue };
}

/** A stakeholder's cases, newest first (the stakeholder page's section). */
export async function casesForStakeholder(actor: Actor, enrollmentId: string, client: Db = db(), now = new Date()) {
  await requireCaseAccess(actor, "noncompliance:read:any", `/admin/stakeholders/${enrollmentId}`, client);
  if (!isUuid(enrollmentId)) return [];
  const rows = await client.nonComplianceCase.findMany({
    where: { enrollmentId },
    select: listSelect,
    orderBy: [{ openedAt: "desc" }, { id: "asc" }],
    take: 100,
  });
  const today = dayOf(now);
  return rows.map((r) => caseRow(r, today));
}

/** One case in full, by its number (NC-…) or id: ladder position, next steps, evidence, history. */
export async function getCase(actor: Actor, ref: string, client: Db = db(), now = new Date()) {
  await requireCaseAccess(actor, "noncompliance:read:any", `/admin/non-compliance/${ref}`, client);
  const byNumber = parseCaseNumber(ref);
  const where = byNumber ? { caseNumber: ref.trim().toUpperCase() } : isUuid(ref) ? { id: ref } : null;
  if (!where) throw notFound();
  const row = await client.nonComplianceCase.findUnique({
    where,
    select: {
      ...listSelect,
      description: true,
      openedByUserId: true,
      steps: {
        select: {
          id: true,
          step: true,
          fromState: true,
          toState: true,
          reason: true,
          dueOn: true,
          actorUserId: true,
          at: true,
        },
        orderBy: { at: "asc" },
      },
      evidence: {
        select: {
          id: true,
          kind: true,
          note: true,
          linkType: true,
          linkLabel: true,
          fileName: true,
          contentType: true,
          sizeBytes: true,
          sha256: true,
          addedByUserId: true,
          addedAt: true,
        },
        orderBy: { addedAt: "asc" },
      },
    },
  });
  if (!row) throw notFound();
  const today = dayOf(now);
  const section = nonComplianceOf(row.enrollment.program);
  const userIds = [
    ...new Set([
      row.openedByUserId,
      ...row.steps.map((s) => s.actorUserId),
      ...row.evidence.map((e) => e.addedByUserId),
    ]),
  ];
  const users = await client.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } });
  const names = new Map(users.map((u) => [u.id, u.name]));
  const facts = section ? caseFacts(row, section, row.enrollment) : null;
  const position = facts ? facts.ladder.reduce((p, r, i) => (facts.taken.includes(r.measure) ? i : p), -1) : -1;
  const steps: StepOption[] = facts ? allowedSteps(facts, today) : [];
  return {
    ...caseRow(row, today),
    description: row.description,
    certificationStatus: row.enrollment.status,
    ladder: (section?.ladder ?? []).map((r, i) => ({
      measure: r.measure,
      label: r.label,
      reached: i <= position,
      current: i === position,
    })),
    nextSteps: steps,
    history: row.steps.map((s) => ({
      id: s.id,
      step: s.step as CaseStep | "OPEN",
      label:
        s.step === "OPEN"
          ? "Case opened"
          : (section?.ladder.find((r) => r.measure === s.step)?.label ?? stepWord(s.step)),
      toLabel: isCaseState(s.toState) ? CASE_STATE_LABELS[s.toState as CaseState] : s.toState,
      reason: s.reason,
      dueOn: s.dueOn ? dayOf(s.dueOn) : null,
      by: names.get(s.actorUserId) ?? "Unknown user",
      at: s.at,
    })),
    evidence: row.evidence.map((e) => ({
      id: e.id,
      kind: e.kind as "NOTE" | "LINK" | "FILE",
      note: e.note,
      link: e.linkType
        ? { typeLabel: LINK_TYPE_LABELS[e.linkType as LinkType] ?? e.linkType, label: e.linkLabel }
        : null,
      file: e.fileName
        ? { name: e.fileName, contentType: e.contentType, sizeBytes: e.sizeBytes, sha256: e.sha256 }
        : null,
      by: names.get(e.addedByUserId) ?? "Unknown user",
      at: e.addedAt,
    })),
  };
}
export type CaseDetail = Awaited<ReturnType<typeof getCase>>;

function stepWord(step: string): string {
  return step === "REINSTATE" ? "Reinstated" : step === "CLOSE" ? "Case closed" : step;
}

// ---------------------------------------------------------------------------
// The FDA assessment report

/**
 * Cases opened in [from, to) in a programme, by type and by outcome as of `to`, and the cases open
 * at `to` (whenever opened). Pure data for the report, which authorizes its reader itself.
 */
export async function nonComplianceSummary(input: { programId: string; from: Date; to: Date }, client: DbOrTx = db()) {
  const cases = await client.nonComplianceCase.findMany({
    where: {
      programId: input.programId,
      openedAt: { lt: input.to },
      OR: [{ closedAt: null }, { closedAt: { gte: input.from } }, { openedAt: { gte: input.from } }],
    },
    select: { type: true, openedAt: true, steps: { select: { step: true, at: true } } },
  });
  const program = await client.program.findUnique({
    where: { id: input.programId },
    select: { code: true, definition: true },
  });
  const section = program ? nonComplianceOf(program) : null;
  const counts = summarizeCases(
    cases.map((c) => ({
      type: c.type,
      openedAt: c.openedAt,
      steps: c.steps.map((s) => ({ step: s.step as CaseStep, at: s.at })),
    })),
    input.from,
    input.to,
  );
  return {
    ...counts,
    byType: counts.byType.map((t) => ({ ...t, label: caseTypeLabel(section, t.type) })),
  };
}
