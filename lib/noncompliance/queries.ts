/**
 * Reading non-compliance cases: the filtered list, the dashboard's counts, a stakeholder's cases,
 * one case in full, and the FDA assessment report's summary.
 */
import type { Actor } from "../auth/actor";
import { db, type Db, type DbOrTx } from "../db";
import { formatStatus } from "../format";
import type { Prisma } from "../generated/prisma/client";
import { isUuid } from "../identifiers/uuid";
import {
  allowedSteps,
  CASE_STATE_LABELS,
  type CaseState,
  type CaseStep,
  isCaseState,
  isOverdue,
  parseCaseNumber,
  type StepOption,
  summarizeCases,
} from "./rules";
import { ANY_OPEN, ANY_STATE, CASES_PAGE_SIZE, LINK_TYPE_LABELS, type LinkType, ZCaseFilters } from "./schema";
import {
  caseFacts,
  caseTypeLabel,
  dateOnly,
  dayOf,
  describeStakeholder,
  formatKind,
  nonComplianceOf,
  notFound,
  requireCaseAccess,
  stakeholderSelect,
} from "./common";

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
