/**
 * Non-compliance cases: find the stakeholder, open a case against it (through its enrollment), and
 * walk the programme's ladder. Every change is an administrator's, checked here (a refusal is
 * audited), and written with its audit row and the stakeholder's e-mail in one transaction.
 * Suspension, decertification and reinstatement go through the certification lifecycle
 * (`applyTransition`), which also revokes open dispense authorizations (decision 007) and writes
 * the certification notice: the case step does not send a second e-mail for those. Evidence:
 * evidence-service.ts; reading: queries.ts.
 */
import type { Actor } from "../auth/actor";
import { recordAudit } from "../audit/service";
import { listReviewQueue } from "../certification/service";
import { applyTransition } from "../certification/transition";
import { db, type Db, type Tx } from "../db";
import { env } from "../env";
import { AppError, fieldErrorsFromZod } from "../errors";
import { isUuid } from "../identifiers/uuid";
import { queueMail } from "../mail/outbox";
import { type CaseStep, decideStep, formatCaseNumber, parseCaseNumber, stepNotice } from "./rules";
import { type TOpenCase, type TTakeStep, ZOpenCase, ZTakeStep } from "./schema";
import {
  auditActor,
  caseFacts,
  caseTypeLabel,
  dateOnly,
  dayOf,
  definitionKind,
  formatKind,
  loadStakeholder,
  nonComplianceOf,
  notFound,
  requireCaseAccess,
  validation,
} from "./common";

const CASE_NUMBER_LOCK_KEY = 4_242_011;

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
      action: `noncompliance.${step.toLowerCase() as Lowercase<CaseStep>}`,
      entityType: "NonComplianceCase",
      entityId: caseId,
      before: { state: current.state, version: current.version, dueOn: current.dueOn ? dayOf(current.dueOn) : null },
      after: { state: decision.to, version: current.version + 1, dueOn: decision.dueOn, reason, revokedAuthorizations },
    });
    return { caseNumber: current.caseNumber, state: decision.to, revokedAuthorizations };
  });
}
