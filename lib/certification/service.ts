/**
 * Administrator review and certification management: the review queue, one application's full
 * record, claims (so two administrators know about each other), decisions and the recertification
 * job. Every status change goes through `applyTransition` (rules, version check, history, audit,
 * e-mail). Delivering the queued e-mail is the caller's job after the transaction commits.
 */
import { formatDateTime, formatPersonName, formatStatus, humanizeCode, STAKEHOLDER_KIND_LABELS } from "@/lib/format";
import { type AuditActor, type Actor, systemActor } from "../auth/actor";
import { can, requirePermission } from "../auth/permissions";
import { recordAudit } from "../audit/service";
import { verifySignatures } from "../signatures/verify";
import { db, type Db, type DbOrTx } from "../db";
import { readEnrollmentData } from "../enrollment/rules";
import { AppError, fieldErrorsFromZod } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import type { EnrollmentStatus, StakeholderKind } from "../generated/prisma/enums";
import { getProgramDefinition } from "../programs/registry";
import { type TFormField, type TProgramDefinition, ZProgramDefinition } from "../programs/schema";
import { availableEvents, CERTIFICATION_STATUSES, type CertificationStatus, certificationExpiresAt } from "./rules";
import {
  ADMIN_EVENTS,
  type AdminEvent,
  ANY_STATUS,
  QUEUE_PAGE_SIZE,
  REVIEW_EVENTS,
  type TClaim,
  type TSetClaim,
  type TDecision,
  ZClaim,
  ZDecision,
  ZQueueFilters,
  ZSetClaim,
} from "./schema";
import { applyTransition, KIND_TO_DEFINITION_KEY } from "./transition";
import { isUuid } from "../identifiers/uuid";

// ---------------------------------------------------------------------------
// Labels and small helpers

export const KIND_LABELS: Record<StakeholderKind, string> = STAKEHOLDER_KIND_LABELS;

export function statusLabel(status: EnrollmentStatus | string): string {
  return formatStatus(status);
}

function isCertificationStatus(status: string): status is CertificationStatus {
  return (CERTIFICATION_STATUSES as readonly string[]).includes(status);
}

/** A claim says "I am deciding this": it applies only while a review decision is still open. */
function awaitsDecision(actions: readonly AdminEvent[]): boolean {
  return actions.some((event) => REVIEW_EVENTS.includes(event));
}

/** The admin events that apply to a status and that this actor may fire. */
function actionsFor(actor: Actor, status: string): AdminEvent[] {
  if (!isCertificationStatus(status)) return [];
  return availableEvents(status, "admin").filter(
    (event): event is AdminEvent =>
      (ADMIN_EVENTS as readonly string[]).includes(event) &&
      can(actor, REVIEW_EVENTS.includes(event as AdminEvent) ? "enrollment:review:any" : "certification:suspend:any"),
  );
}

function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function notFound(): AppError {
  return new AppError("NOT_FOUND", "There is no such application.");
}

function definitionFor(program: { code: string; definition: unknown }): TProgramDefinition | null {
  const registered = getProgramDefinition(program.code);
  if (registered) return registered;
  const parsed = ZProgramDefinition.safeParse(program.definition);
  return parsed.success ? parsed.data : null;
}

/** A patient enrollment signed by the patient on the paper form (lib/patients/service.ts). */
function signedOnPaper(data: unknown): boolean {
  const signature = (data as { patientSignature?: { onPaper?: unknown } | null } | null)?.patientSignature;
  return signature?.onPaper === true;
}

async function userNames(client: DbOrTx, ids: (string | null | undefined)[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter((id): id is string => isUuid(id)))];
  if (unique.length === 0) return new Map();
  const users = await client.user.findMany({ where: { id: { in: unique } }, select: { id: true, name: true } });
  return new Map(users.map((u) => [u.id, u.name]));
}

type StakeholderRefs = {
  prescriber: { firstName: string; lastName: string } | null;
  pharmacy: { name: string } | null;
  healthcareSetting: { name: string } | null;
  patient: { firstName: string; lastName: string } | null;
  applicant: { name: string } | null;
};

export function displayName(e: StakeholderRefs): string {
  if (e.prescriber) return formatPersonName(e.prescriber);
  if (e.patient) return formatPersonName(e.patient);
  return e.pharmacy?.name ?? e.healthcareSetting?.name ?? e.applicant?.name ?? "Unnamed applicant";
}

export interface ClaimInfo {
  userId: string;
  name: string;
  since: Date;
  mine: boolean;
}

function claimInfo(
  actor: Actor,
  row: { claimedByUserId: string | null; claimedAt: Date | null },
  names: Map<string, string>,
): ClaimInfo | null {
  if (!row.claimedByUserId) return null;
  return {
    userId: row.claimedByUserId,
    name: names.get(row.claimedByUserId) ?? "another administrator",
    since: row.claimedAt ?? new Date(0),
    mine: row.claimedByUserId === actor.userId,
  };
}

// ---------------------------------------------------------------------------
// The review queue

const queueSelect = {
  id: true,
  kind: true,
  status: true,
  version: true,
  submittedAt: true,
  certificationNumber: true,
  claimedByUserId: true,
  claimedAt: true,
  program: { select: { code: true, name: true } },
  prescriber: { select: { firstName: true, lastName: true, npi: true } },
  pharmacy: { select: { name: true, ncpdpId: true, npi: true } },
  healthcareSetting: { select: { name: true, npi: true, remsId: true } },
  patient: { select: { firstName: true, lastName: true, remsId: true } },
  applicant: { select: { name: true, email: true } },
} as const;

function searchTerm(term: string): Prisma.EnrollmentWhereInput {
  const text = { contains: term, mode: "insensitive" as const };
  return {
    OR: [
      { prescriber: { is: { OR: [{ firstName: text }, { lastName: text }, { npi: text }] } } },
      { pharmacy: { is: { OR: [{ name: text }, { ncpdpId: text }, { npi: text }] } } },
      { healthcareSetting: { is: { OR: [{ name: text }, { npi: text }, { remsId: text }] } } },
      { patient: { is: { OR: [{ firstName: text }, { lastName: text }, { remsId: text }] } } },
      { applicant: { is: { OR: [{ name: text }, { email: text }] } } },
      { certificationNumber: text },
    ],
  };
}

function nextUtcDay(day: string): Date {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

/**
 * Applications matching the filters, the oldest submission first (never-submitted ones last), one
 * page at a time. `input` is the raw query (unusable values are ignored; status defaults to
 * SUBMITTED).
 */
export async function listReviewQueue(actor: Actor, input: Record<string, unknown> = {}, client: Db = db()) {
  requirePermission(actor, "enrollment:read:any");
  const filters = ZQueueFilters.parse(input);
  const terms = (filters.q ?? "").split(/\s+/).filter(Boolean).slice(0, 6);
  const submittedAt: Prisma.DateTimeNullableFilter = {};
  if (filters.from) submittedAt.gte = new Date(`${filters.from}T00:00:00.000Z`);
  if (filters.to) submittedAt.lt = nextUtcDay(filters.to);
  const where: Prisma.EnrollmentWhereInput = {
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.status !== ANY_STATUS ? { status: filters.status } : {}),
    ...(filters.program ? { program: { code: filters.program } } : {}),
    ...(filters.from || filters.to ? { submittedAt } : {}),
    ...(filters.monitoring === "overdue" ? { kind: "PATIENT", monitoringOverdueSince: { not: null } } : {}),
    ...(terms.length ? { AND: terms.map(searchTerm) } : {}),
  };
  const total = await client.enrollment.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE));
  const page = Math.min(filters.page, pageCount);
  const rows = await client.enrollment.findMany({
    where,
    select: queueSelect,
    orderBy: [{ submittedAt: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }, { id: "asc" }],
    skip: (page - 1) * QUEUE_PAGE_SIZE,
    take: QUEUE_PAGE_SIZE,
  });
  const names = await userNames(
    client,
    rows.map((r) => r.claimedByUserId),
  );
  return {
    filters: { ...filters, page },
    total,
    page,
    pageCount,
    pageSize: QUEUE_PAGE_SIZE,
    rows: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      kindLabel: KIND_LABELS[r.kind],
      status: r.status,
      statusLabel: statusLabel(r.status),
      version: r.version,
      name: displayName(r),
      program: r.program,
      identifiers: identifiersOf(r),
      submittedAt: r.submittedAt,
      certificationNumber: r.certificationNumber,
      claim: claimInfo(actor, r, names),
    })),
  };
}
export type ReviewQueue = Awaited<ReturnType<typeof listReviewQueue>>;

export function identifiersOf(r: {
  prescriber: { npi: string } | null;
  pharmacy: { ncpdpId: string; npi: string | null } | null;
  healthcareSetting: { npi: string | null; remsId: string } | null;
  patient: { remsId: string } | null;
}): { label: string; value: string }[] {
  const ids: { label: string; value: string }[] = [];
  if (r.prescriber) ids.push({ label: "NPI", value: r.prescriber.npi });
  if (r.pharmacy) {
    ids.push({ label: "NCPDP", value: r.pharmacy.ncpdpId });
    if (r.pharmacy.npi) ids.push({ label: "NPI", value: r.pharmacy.npi });
  }
  if (r.healthcareSetting) {
    if (r.healthcareSetting.npi) ids.push({ label: "NPI", value: r.healthcareSetting.npi });
    ids.push({ label: "REMS id", value: r.healthcareSetting.remsId });
  }
  if (r.patient) ids.push({ label: "REMS id", value: r.patient.remsId });
  return ids;
}

/** What the live queue shows: the queue with its dates and reviewer already in words. */
export function reviewQueueView(queue: ReviewQueue) {
  return {
    filters: queue.filters,
    total: queue.total,
    page: queue.page,
    pageCount: queue.pageCount,
    rows: queue.rows.map((r) => ({
      id: r.id,
      name: r.name,
      kindLabel: r.kindLabel,
      status: r.status,
      statusLabel: r.statusLabel,
      programName: r.program.name,
      identifiers: r.identifiers.map((i) => `${i.label} ${i.value}`).join(", "),
      submitted: formatDateTime(r.submittedAt),
      reviewer: r.claim
        ? r.claim.mine
          ? `You, since ${formatDateTime(r.claim.since)}`
          : `Being reviewed by ${r.claim.name} since ${formatDateTime(r.claim.since)}`
        : null,
    })),
  };
}
export type ReviewQueueView = ReturnType<typeof reviewQueueView>;

/** Who reviews an application now (the claim banner polls this); dates already in words. */
export async function getClaimState(actor: Actor, enrollmentId: string, client: Db = db()) {
  requirePermission(actor, "enrollment:read:any");
  const e = isUuid(enrollmentId)
    ? await client.enrollment.findUnique({
        where: { id: enrollmentId },
        select: { status: true, claimedByUserId: true, claimedAt: true },
      })
    : null;
  if (!e) throw notFound();
  const claim = claimInfo(actor, e, await userNames(client, [e.claimedByUserId]));
  return {
    awaitsDecision: awaitsDecision(actionsFor(actor, e.status)),
    claim: claim ? { name: claim.name, since: formatDateTime(claim.since), mine: claim.mine } : null,
  };
}
export type ClaimState = Awaited<ReturnType<typeof getClaimState>>;

/** Claims, takes over or releases (the live claim banner), then answers the new claim state. */
export async function setClaim(actor: Actor, input: TSetClaim, client: Db = db()): Promise<ClaimState> {
  requirePermission(actor, "enrollment:review:any");
  const parsed = ZSetClaim.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Choose claim, take over or release.", {
      fields: fieldErrorsFromZod(parsed.error),
    });
  }
  const { enrollmentId, mode } = parsed.data;
  if (mode === "release") await releaseClaim(actor, { enrollmentId }, client);
  else await claimApplication(actor, { enrollmentId, takeOver: mode === "takeOver" }, client);
  return getClaimState(actor, enrollmentId, client);
}

/** Programmes for the queue's filter. */
export async function listProgramsForReview(actor: Actor, client: Db = db()) {
  requirePermission(actor, "enrollment:read:any");
  return client.program.findMany({ select: { code: true, name: true }, orderBy: { name: "asc" } });
}

/** How many applications wait for a decision (the administrator's dashboard). */
export async function countAwaitingReview(actor: Actor, client: Db = db()) {
  requirePermission(actor, "enrollment:read:any");
  const [submitted, unclaimed] = await Promise.all([
    client.enrollment.count({ where: { status: "SUBMITTED" } }),
    client.enrollment.count({ where: { status: "SUBMITTED", claimedByUserId: null } }),
  ]);
  return { submitted, unclaimed };
}

// ---------------------------------------------------------------------------
// One application, in full

const detailSelect = {
  id: true,
  kind: true,
  status: true,
  version: true,
  data: true,
  statusReason: true,
  certificationNumber: true,
  claimedByUserId: true,
  claimedAt: true,
  submittedAt: true,
  decidedAt: true,
  certifiedAt: true,
  expiresAt: true,
  createdAt: true,
  prescriberId: true,
  pharmacyId: true,
  healthcareSettingId: true,
  patientId: true,
  program: { select: { code: true, name: true, definition: true } },
  applicant: { select: { id: true, name: true, email: true } },
  prescriber: {
    select: {
      firstName: true,
      lastName: true,
      npi: true,
      credentials: true,
      specialty: true,
      practiceName: true,
      addressLine1: true,
      addressLine2: true,
      city: true,
      state: true,
      postalCode: true,
      phone: true,
      email: true,
      deaNumber: true,
      user: { select: { name: true, email: true } },
    },
  },
  pharmacy: {
    select: {
      name: true,
      type: true,
      ncpdpId: true,
      npi: true,
      remsId: true,
      addressLine1: true,
      addressLine2: true,
      city: true,
      state: true,
      postalCode: true,
      phone: true,
      contactName: true,
      contactEmail: true,
    },
  },
  healthcareSetting: {
    select: {
      name: true,
      type: true,
      npi: true,
      remsId: true,
      otherIdentifier: true,
      addressLine1: true,
      addressLine2: true,
      city: true,
      state: true,
      postalCode: true,
      phone: true,
      contactName: true,
      contactEmail: true,
    },
  },
  patient: {
    select: {
      firstName: true,
      lastName: true,
      remsId: true,
      dateOfBirth: true,
      sex: true,
      city: true,
      state: true,
    },
  },
  attempts: {
    select: {
      attemptNumber: true,
      correctCount: true,
      questionCount: true,
      passed: true,
      topicsToReview: true,
      submittedAt: true,
    },
    orderBy: { attemptNumber: "asc" },
  },
  signatures: {
    select: {
      id: true,
      printedName: true,
      meaning: true,
      signedAt: true,
      contentSha256: true,
      signer: { select: { name: true, email: true } },
    },
    orderBy: { signedAt: "asc" },
  },
  events: {
    select: { id: true, fromStatus: true, toStatus: true, actorUserId: true, reason: true, at: true },
    orderBy: { at: "asc" },
  },
} as const satisfies Prisma.EnrollmentSelect;

type Detail = Prisma.EnrollmentGetPayload<{ select: typeof detailSelect }>;

function address(parts: (string | null | undefined)[]): string | null {
  const text = parts.filter((p) => p?.trim()).join(", ");
  return text || null;
}

function stakeholderDetails(e: Detail): { label: string; value: string | null }[] {
  if (e.prescriber) {
    const p = e.prescriber;
    return [
      { label: "Name", value: formatPersonName(p) },
      { label: "NPI", value: p.npi },
      { label: "Credentials", value: p.credentials },
      { label: "Specialty", value: p.specialty },
      { label: "Practice", value: p.practiceName },
      { label: "Address", value: address([p.addressLine1, p.addressLine2, p.city, p.state, p.postalCode]) },
      { label: "Phone", value: p.phone },
      { label: "E-mail", value: p.email },
      { label: "DEA number", value: p.deaNumber },
      { label: "Account", value: p.user ? `${p.user.name} <${p.user.email}>` : null },
    ];
  }
  if (e.pharmacy) {
    const p = e.pharmacy;
    return [
      { label: "Name", value: p.name },
      { label: "Type", value: p.type ? humanizeCode(p.type) : null },
      { label: "NCPDP provider ID", value: p.ncpdpId },
      { label: "NPI", value: p.npi },
      { label: "REMS id", value: p.remsId },
      { label: "Address", value: address([p.addressLine1, p.addressLine2, p.city, p.state, p.postalCode]) },
      { label: "Phone", value: p.phone },
      { label: "Contact", value: address([p.contactName, p.contactEmail]) },
    ];
  }
  if (e.healthcareSetting) {
    const s = e.healthcareSetting;
    return [
      { label: "Name", value: s.name },
      { label: "Type", value: s.type ? humanizeCode(s.type) : null },
      { label: "NPI", value: s.npi },
      { label: "Other identifier", value: s.otherIdentifier },
      { label: "REMS id", value: s.remsId },
      { label: "Address", value: address([s.addressLine1, s.addressLine2, s.city, s.state, s.postalCode]) },
      { label: "Phone", value: s.phone },
      { label: "Contact", value: address([s.contactName, s.contactEmail]) },
    ];
  }
  if (e.patient) {
    const p = e.patient;
    return [
      { label: "Name", value: formatPersonName(p) },
      { label: "REMS patient id", value: p.remsId },
      { label: "Date of birth", value: p.dateOfBirth.toISOString().slice(0, 10) },
      { label: "Sex", value: p.sex },
      { label: "City", value: address([p.city, p.state]) },
    ];
  }
  return [];
}

function fieldValue(field: TFormField, raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === "") return null;
  if (field.type === "select") return field.options.find((o) => o.value === raw)?.label ?? raw;
  if (field.type === "yesNo") return raw === "yes" ? "Yes" : raw === "no" ? "No" : raw;
  return raw;
}

/** Everything an administrator needs to decide: the application, its evidence, its history. */
export async function getApplicationForReview(actor: Actor, enrollmentId: string, client: Db = db()) {
  requirePermission(actor, "enrollment:read:any");
  if (!isUuid(enrollmentId)) throw notFound();
  const e = await client.enrollment.findUnique({ where: { id: enrollmentId }, select: detailSelect });
  if (!e) throw notFound();

  const definition = definitionFor(e.program);
  const requirement = definition?.stakeholders[KIND_TO_DEFINITION_KEY[e.kind]] ?? null;
  const data = readEnrollmentData(e.data);
  const signatureChecks = await verifySignatures(
    e.signatures.map((s) => s.id),
    client,
  );
  const known = new Set(requirement?.enrollmentForm.fields.map((f) => f.id) ?? []);

  const groups: { title: string; fields: { id: string; label: string; value: string | null }[] }[] = [];
  for (const field of requirement?.enrollmentForm.fields ?? []) {
    const title = field.group ?? "Details";
    let group = groups.find((g) => g.title === title);
    if (!group) {
      group = { title, fields: [] };
      groups.push(group);
    }
    group.fields.push({ id: field.id, label: field.label, value: fieldValue(field, data.form[field.id]) });
  }
  const otherAnswers = Object.entries(data.form)
    .filter(([id]) => !known.has(id))
    .map(([id, value]) => ({ id, label: id, value }));

  const auditRows = can(actor, "audit:read:any")
    ? await client.auditEvent.findMany({
        where: { entityType: "Enrollment", entityId: e.id },
        orderBy: { seq: "asc" },
        select: { seq: true, at: true, action: true, actorId: true, actorRole: true },
      })
    : [];
  const names = await userNames(client, [
    e.claimedByUserId,
    ...e.events.map((ev) => ev.actorUserId),
    ...auditRows.map((a) => a.actorId),
  ]);

  const stakeholderWhere = e.prescriberId
    ? { prescriberId: e.prescriberId }
    : e.pharmacyId
      ? { pharmacyId: e.pharmacyId }
      : e.healthcareSettingId
        ? { healthcareSettingId: e.healthcareSettingId }
        : e.patientId
          ? { patientId: e.patientId }
          : null;
  const otherEnrollments = stakeholderWhere
    ? await client.enrollment.findMany({
        where: { ...stakeholderWhere, id: { not: e.id } },
        select: { id: true, status: true, certificationNumber: true, program: { select: { name: true } } },
      })
    : [];

  return {
    id: e.id,
    kind: e.kind,
    kindLabel: KIND_LABELS[e.kind],
    status: e.status,
    statusLabel: statusLabel(e.status),
    statusReason: e.statusReason,
    version: e.version,
    name: displayName({ ...e, applicant: e.applicant }),
    program: { code: e.program.code, name: e.program.name },
    certificationNumber: e.certificationNumber,
    submittedAt: e.submittedAt,
    decidedAt: e.decidedAt,
    certifiedAt: e.certifiedAt,
    expiresAt: e.expiresAt,
    createdAt: e.createdAt,
    applicant: e.applicant ? { name: e.applicant.name, email: e.applicant.email } : null,
    stakeholder: stakeholderDetails(e).filter((d) => d.value !== null) as { label: string; value: string }[],
    definitionFound: requirement !== null,
    form: {
      hasAnswers: Object.keys(data.form).length > 0,
      groups,
      otherAnswers,
    },
    training: requirement?.training
      ? {
          title: requirement.training.title,
          sections: requirement.training.sections.map((s) => ({
            id: s.id,
            title: s.title,
            required: s.requiresAcknowledgement,
            acknowledgedAt: data.training[s.id] ?? null,
          })),
        }
      : null,
    attestations: (requirement?.attestations ?? []).map((a) => ({
      id: a.id,
      text: a.text,
      ticked: data.attestations[a.id] === true,
      // A patient who signed the paper form made the statements on it (kept by the prescriber).
      onPaper: signedOnPaper(e.data),
    })),
    assessment: requirement?.knowledgeAssessment
      ? {
          passRule: requirement.knowledgeAssessment.passRule,
          questionCount: requirement.knowledgeAssessment.questions.length,
        }
      : null,
    attempts: e.attempts,
    signatures: e.signatures.map((s) => ({
      id: s.id,
      printedName: s.printedName,
      meaning: s.meaning,
      signedAt: s.signedAt,
      contentSha256: s.contentSha256,
      signer: s.signer,
      verification: signatureChecks.get(s.id) ?? "missing",
    })),
    history: e.events.map((ev) => ({
      id: ev.id,
      at: ev.at,
      from: ev.fromStatus,
      fromLabel: ev.fromStatus ? statusLabel(ev.fromStatus) : null,
      to: ev.toStatus,
      toLabel: statusLabel(ev.toStatus),
      reason: ev.reason,
      by: ev.actorUserId ? (names.get(ev.actorUserId) ?? "Unknown user") : "The registry",
    })),
    audit: auditRows.map((a) => ({
      seq: a.seq.toString(),
      at: a.at,
      action: a.action,
      by: a.actorId ? (names.get(a.actorId) ?? a.actorId) : "The registry",
      role: a.actorRole,
    })),
    otherEnrollments: otherEnrollments.map((o) => ({
      id: o.id,
      programName: o.program.name,
      statusLabel: statusLabel(o.status),
      certificationNumber: o.certificationNumber,
    })),
    claim: claimInfo(actor, e, names),
    actions: actionsFor(actor, e.status),
    awaitsDecision: awaitsDecision(actionsFor(actor, e.status)),
  };
}
export type ApplicationForReview = Awaited<ReturnType<typeof getApplicationForReview>>;

// ---------------------------------------------------------------------------
// Claims

function claimedByOtherError(name: string, since: Date | null): AppError {
  return new AppError(
    "CONFLICT",
    `Being reviewed by ${name} since ${since ? utcMinute(since) : "earlier"}. Take over the review before acting on it.`,
    { claimedBy: name },
  );
}

/**
 * Marks the application as being reviewed by the actor. Taken by someone else → CONFLICT naming
 * them, unless the actor explicitly takes over. Claims are advisory and do not change the version.
 */
export async function claimApplication(actor: Actor, input: TClaim, client: Db = db(), now = new Date()) {
  requirePermission(actor, "enrollment:review:any");
  const parsed = ZClaim.safeParse(input);
  if (!parsed.success) throw notFound();
  const { enrollmentId, takeOver } = parsed.data;
  return client.$transaction(async (tx) => {
    const e = await tx.enrollment.findUnique({
      where: { id: enrollmentId },
      select: { id: true, status: true, claimedByUserId: true, claimedAt: true },
    });
    if (!e) throw notFound();
    if (!awaitsDecision(actionsFor(actor, e.status))) {
      throw new AppError(
        "ILLEGAL_TRANSITION",
        `There is nothing to review on an application that is ${statusLabel(e.status).toLowerCase()}.`,
      );
    }
    const previous = e.claimedByUserId;
    if (previous === actor.userId) return { claimedAt: e.claimedAt ?? now, tookOverFrom: null };
    if (previous && !takeOver) {
      const names = await userNames(tx, [previous]);
      throw claimedByOtherError(names.get(previous) ?? "another administrator", e.claimedAt);
    }
    const updated = await tx.enrollment.updateMany({
      where: { id: e.id, claimedByUserId: previous },
      data: { claimedByUserId: actor.userId, claimedAt: now },
    });
    if (updated.count === 0) {
      throw new AppError("CONFLICT", "Another administrator claimed this application at the same moment. Reload it.");
    }
    await recordAudit(tx, actor, {
      action: previous ? "enrollment.claim_taken_over" : "enrollment.claimed",
      entityType: "Enrollment",
      entityId: e.id,
      before: { claimedByUserId: previous },
      after: { claimedByUserId: actor.userId },
    });
    return { claimedAt: now, tookOverFrom: previous };
  });
}

/** Gives up the actor's own claim; nothing happens when the actor does not hold it. */
export async function releaseClaim(actor: Actor, input: TClaim, client: Db = db()) {
  requirePermission(actor, "enrollment:review:any");
  const parsed = ZClaim.safeParse(input);
  if (!parsed.success) throw notFound();
  return client.$transaction(async (tx) => {
    const updated = await tx.enrollment.updateMany({
      where: { id: parsed.data.enrollmentId, claimedByUserId: actor.userId },
      data: { claimedByUserId: null, claimedAt: null },
    });
    if (updated.count === 0) return { released: false };
    await recordAudit(tx, actor, {
      action: "enrollment.claim_released",
      entityType: "Enrollment",
      entityId: parsed.data.enrollmentId,
      before: { claimedByUserId: actor.userId },
      after: { claimedByUserId: null },
    });
    return { released: true };
  });
}

// ---------------------------------------------------------------------------
// Decisions

/**
 * Approve, reject, request changes, suspend, reinstate or decertify. The input carries the version
 * the administrator saw: when it is stale, or another administrator holds the claim, nothing
 * changes and the error says why. Returns the new status, version and certification number.
 */
export async function decideApplication(actor: Actor, input: TDecision, client: Db = db(), now = new Date()) {
  requirePermission(actor, "enrollment:review:any");
  const parsed = ZDecision.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const { enrollmentId, version, event, reason } = parsed.data;
  requirePermission(actor, REVIEW_EVENTS.includes(event) ? "enrollment:review:any" : "certification:suspend:any");

  return client.$transaction(async (tx) => {
    const current = await tx.enrollment.findUnique({
      where: { id: enrollmentId },
      select: { version: true, claimedByUserId: true, claimedAt: true },
    });
    if (!current) throw notFound();
    // A stale version is reported by applyTransition; a claim only matters for the current state.
    if (current.version === version && current.claimedByUserId && current.claimedByUserId !== actor.userId) {
      const names = await userNames(tx, [current.claimedByUserId]);
      throw claimedByOtherError(names.get(current.claimedByUserId) ?? "another administrator", current.claimedAt);
    }
    const auditActor: AuditActor = { userId: actor.userId, role: actor.role, requestId: actor.requestId };
    return applyTransition(tx, {
      enrollmentId,
      event,
      actor: auditActor,
      actorKind: "admin",
      reason: reason ?? null,
      expectedVersion: version,
      now,
    });
  });
}

// ---------------------------------------------------------------------------
// Recertification

/**
 * The scheduled job: every CERTIFIED enrollment whose programme asks for recertification and whose
 * period has passed at `now` becomes EXPIRED, as the registry (system actor), with history, audit
 * and an e-mail. One transaction per enrollment, so one failure does not hold back the rest.
 */
export async function expireDueCertifications(now: Date = new Date(), client: Db = db()) {
  const actor = systemActor(`recertification-${now.toISOString()}`);
  const programs = await client.program.findMany({ select: { id: true, code: true, definition: true } });
  const expired: string[] = [];
  let skipped = 0;
  for (const program of programs) {
    const definition = definitionFor(program);
    if (!definition) continue;
    for (const kind of Object.keys(KIND_TO_DEFINITION_KEY) as StakeholderKind[]) {
      const months = definition.stakeholders[KIND_TO_DEFINITION_KEY[kind]]?.recertificationMonths;
      if (!months) continue;
      // Month-end clamping moves an expiry date by at most 3 days: over-select, then let the rules decide.
      const cutoff = new Date(
        Date.UTC(
          now.getUTCFullYear(),
          now.getUTCMonth() - months,
          now.getUTCDate() + 4,
          now.getUTCHours(),
          now.getUTCMinutes(),
          now.getUTCSeconds(),
          now.getUTCMilliseconds(),
        ),
      );
      const candidates = await client.enrollment.findMany({
        where: { programId: program.id, kind, status: "CERTIFIED", certifiedAt: { lte: cutoff } },
        select: { id: true, version: true, certifiedAt: true },
        orderBy: { certifiedAt: "asc" },
      });
      for (const candidate of candidates) {
        const expiresAt = candidate.certifiedAt ? certificationExpiresAt(candidate.certifiedAt, months) : null;
        if (!expiresAt || expiresAt > now) continue;
        try {
          await client.$transaction((tx) =>
            applyTransition(tx, {
              enrollmentId: candidate.id,
              event: "EXPIRE",
              actor,
              actorKind: "system",
              expectedVersion: candidate.version,
              now,
            }),
          );
          expired.push(candidate.id);
        } catch (error) {
          // Someone acted on it in the meantime (suspended it, say): the next run sees the new state.
          if (error instanceof AppError && (error.code === "CONFLICT" || error.code === "ILLEGAL_TRANSITION")) {
            skipped++;
            continue;
          }
          throw error;
        }
      }
    }
  }
  return { expired, skipped };
}
