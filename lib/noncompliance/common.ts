/**
 * What the non-compliance services share: the administrators-only guard (a refusal is audited),
 * field errors, the stakeholder a case is against (names, identifiers, where to write), the
 * programme's nonCompliance section and the facts the rules decide on.
 */
import type { Actor, AuditActor } from "../auth/actor";
import { can, type Permission } from "../auth/permissions";
import { recordAuthorizationFailure } from "../auth/service";
import { displayName, identifiersOf } from "../certification/service";
import { KIND_TO_DEFINITION_KEY } from "../certification/transition";
import { db, type Db, type DbOrTx } from "../db";
import { formatStakeholderKind } from "../format";
import { AppError } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import type { StakeholderKind } from "../generated/prisma/enums";
import { getProgramDefinition } from "../programs/registry";
import { type TNonCompliance, type TNonComplianceMeasure, ZProgramDefinition } from "../programs/schema";
import { type CaseFacts, isCaseState } from "./rules";

// ---------------------------------------------------------------------------
// Guards and small helpers

/** Administrators only; a refusal is written to the audit trail before it is answered. */
export async function requireCaseAccess(actor: Actor, permission: Permission, target: string, client: Db = db()) {
  if (can(actor, permission)) return;
  await recordAuthorizationFailure(actor, permission, target, client);
  throw new AppError("FORBIDDEN", "Only REMS administrators handle non-compliance cases.");
}

export function validation(fields: Record<string, string[]>, message = "Check the highlighted fields."): AppError {
  return new AppError("VALIDATION", message, { fields });
}

export function notFound(): AppError {
  return new AppError("NOT_FOUND", "There is no such non-compliance case.");
}

export function auditActor(actor: Actor): AuditActor {
  return { userId: actor.userId, role: actor.role, requestId: actor.requestId };
}

export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function dateOnly(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

export function nonComplianceOf(program: { code: string; definition: unknown }): TNonCompliance | null {
  const definition = getProgramDefinition(program.code) ?? ZProgramDefinition.safeParse(program.definition).data;
  return definition?.nonCompliance ?? null;
}

export const stakeholderSelect = {
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
export type StakeholderRow = Prisma.EnrollmentGetPayload<{ select: typeof stakeholderSelect }>;

/** Read outside a transaction: one enrollment with its names, identifiers and where to write. */
export async function loadStakeholder(client: DbOrTx, enrollmentId: string) {
  const row = await client.enrollment.findUnique({ where: { id: enrollmentId }, select: stakeholderSelect });
  return row ? describeStakeholder(row) : null;
}

export function describeStakeholder(row: StakeholderRow) {
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

export function caseTypeLabel(section: TNonCompliance | null, code: string): string {
  return section?.caseTypes.find((t) => t.code === code)?.label ?? code;
}

/** The label of the stakeholder kind in the programme definition's words ("healthcareSetting"). */
export function definitionKind(kind: StakeholderKind) {
  return KIND_TO_DEFINITION_KEY[kind];
}

export function formatKind(kind: StakeholderKind): string {
  return formatStakeholderKind(kind);
}

export function caseFacts(
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
