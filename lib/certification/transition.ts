/**
 * Applies one certification lifecycle transition to an enrollment inside the caller's transaction:
 * the pure rules decide, an optimistic version check makes concurrent decisions safe, and the
 * history row, the audit event and the stakeholder's e-mail are written together.
 */
import type { AuditActor } from "../auth/actor";
import { recordAudit } from "../audit/service";
import type { Tx } from "../db";
import { env } from "../env";
import { formatPersonName } from "../format";
import { AppError } from "../errors";
import { generateRemsId } from "../identifiers/rems-id";
import { certificationNumberPrefix } from "../enrollment/numbers";
import { queueMail } from "../mail/outbox";
import { lockDispenseGate, revokeOpenAuthorizations } from "../dispensing/revoke";
import { ZProgramDefinition } from "../programs/schema";
import { getProgramDefinition } from "../programs/registry";
import type { StakeholderKind } from "../generated/prisma/enums";
import {
  type CertificationEvent,
  type CertificationStatus,
  certificationExpiresAt,
  decideTransition,
  type TransitionActor,
  transitionNotice,
} from "./rules";

export const KIND_TO_DEFINITION_KEY = {
  PRESCRIBER: "prescriber",
  PHARMACY: "pharmacy",
  HEALTHCARE_SETTING: "healthcareSetting",
  PATIENT: "patient",
} as const satisfies Record<StakeholderKind, string>;

const transitionSelect = {
  id: true,
  kind: true,
  status: true,
  version: true,
  certifiedAt: true,
  certificationNumber: true,
  applicantUserId: true,
  programId: true,
  prescriberId: true,
  pharmacyId: true,
  healthcareSettingId: true,
} as const;

/**
 * The enrollment with the names and addresses a notice needs. Read one query at a time: inside an
 * interactive transaction there is one connection, and relation loads would be issued concurrently.
 */
async function loadForTransition(tx: Tx, enrollmentId: string) {
  const enrollment = await tx.enrollment.findUnique({ where: { id: enrollmentId }, select: transitionSelect });
  if (!enrollment) return null;
  const program = await tx.program.findUniqueOrThrow({
    where: { id: enrollment.programId },
    select: { code: true, name: true, definition: true },
  });
  const applicant = enrollment.applicantUserId
    ? await tx.user.findUnique({ where: { id: enrollment.applicantUserId }, select: { email: true, name: true } })
    : null;
  const prescriber = enrollment.prescriberId
    ? await tx.prescriber.findUnique({
        where: { id: enrollment.prescriberId },
        select: { firstName: true, lastName: true, email: true },
      })
    : null;
  const pharmacy = enrollment.pharmacyId
    ? await tx.pharmacy.findUnique({ where: { id: enrollment.pharmacyId }, select: { name: true, contactEmail: true } })
    : null;
  const healthcareSetting = enrollment.healthcareSettingId
    ? await tx.healthcareSetting.findUnique({
        where: { id: enrollment.healthcareSettingId },
        select: { name: true, contactEmail: true },
      })
    : null;
  return { ...enrollment, program, applicant, prescriber, pharmacy, healthcareSetting };
}

export interface TransitionParams {
  enrollmentId: string;
  event: CertificationEvent;
  actor: AuditActor;
  actorKind: TransitionActor;
  reason?: string | null;
  /** The version the actor saw; a different current version means someone else acted first. */
  expectedVersion?: number;
  now?: Date;
}

export function stakeholderName(e: {
  prescriber: { firstName: string; lastName: string } | null;
  pharmacy: { name: string } | null;
  healthcareSetting: { name: string } | null;
}): string {
  if (e.prescriber) return formatPersonName(e.prescriber);
  return e.pharmacy?.name ?? e.healthcareSetting?.name ?? "Applicant";
}

/** Fresh certification numbers until one is free (40 random bits: a retry is a rare event). */
async function newCertificationNumber(tx: Tx, kind: StakeholderKind): Promise<string> {
  for (let i = 0; i < 5; i++) {
    const candidate = generateRemsId(certificationNumberPrefix(kind));
    const taken = await tx.enrollment.findUnique({ where: { certificationNumber: candidate }, select: { id: true } });
    if (!taken) return candidate;
  }
  throw new Error("Could not allocate a unique certification number");
}

export async function applyTransition(tx: Tx, params: TransitionParams) {
  const now = params.now ?? new Date();
  const enrollment = await loadForTransition(tx, params.enrollmentId);
  if (!enrollment) throw new AppError("NOT_FOUND", "There is no such application.");
  if (params.expectedVersion !== undefined && params.expectedVersion !== enrollment.version) {
    throw new AppError(
      "CONFLICT",
      "This application was changed by someone else while you were looking at it. Reload it to see the current state.",
      { currentVersion: enrollment.version },
    );
  }
  const definition =
    getProgramDefinition(enrollment.program.code) ?? ZProgramDefinition.parse(enrollment.program.definition);
  const requirement = definition.stakeholders[KIND_TO_DEFINITION_KEY[enrollment.kind]];
  const decision = decideTransition({
    status: enrollment.status as CertificationStatus,
    event: params.event,
    actor: params.actorKind,
    reason: params.reason,
    now,
    certifiedAt: enrollment.certifiedAt,
    recertificationMonths: requirement?.recertificationMonths ?? null,
  });
  if (!decision.ok) {
    if (decision.code === "REASON_REQUIRED") {
      throw new AppError("VALIDATION", decision.message, { fields: { reason: [decision.message] } });
    }
    if (decision.code === "WRONG_ACTOR") throw new AppError("FORBIDDEN", decision.message);
    throw new AppError("ILLEGAL_TRANSITION", decision.message, { status: enrollment.status, event: params.event });
  }

  // Losing certification voids the approvals the dispense gate gave on the strength of it. The gate's
  // lock comes first, before any write (lib/dispensing/revoke.ts explains the ordering).
  const revokedParty = enrollment.kind === "PATIENT" ? null : REVOKING_PARTY[enrollment.kind];
  const revoking =
    revokedParty !== null &&
    (decision.from === "CERTIFIED" || decision.from === "SUSPENDED") &&
    decision.to !== "CERTIFIED";
  if (revoking) await lockDispenseGate(tx, enrollment.programId);

  const reason = params.reason?.trim() || null;
  const certificationNumber =
    decision.issueCertificationNumber && !enrollment.certificationNumber
      ? await newCertificationNumber(tx, enrollment.kind)
      : enrollment.certificationNumber;
  const certifiedAt = params.event === "APPROVE" ? now : enrollment.certifiedAt;
  const updated = await tx.enrollment.updateMany({
    where: { id: enrollment.id, version: enrollment.version },
    data: {
      status: decision.to,
      version: { increment: 1 },
      statusReason: reason,
      claimedByUserId: null,
      claimedAt: null,
      ...(params.event === "SUBMIT" ? { submittedAt: now } : {}),
      ...(["APPROVE", "REJECT", "REQUEST_CHANGES"].includes(params.event) ? { decidedAt: now } : {}),
      ...(params.event === "APPROVE"
        ? {
            certifiedAt,
            certificationNumber,
            expiresAt: certifiedAt ? certificationExpiresAt(certifiedAt, requirement?.recertificationMonths) : null,
          }
        : {}),
    },
  });
  if (updated.count === 0) {
    throw new AppError(
      "CONFLICT",
      "Someone else acted on this application at the same moment. Reload it and try again.",
    );
  }
  const event = await tx.enrollmentEvent.create({
    data: {
      enrollmentId: enrollment.id,
      fromStatus: decision.from,
      toStatus: decision.to,
      actorUserId: params.actor.userId,
      reason,
      at: now,
    },
    select: { id: true },
  });
  const partyId = revokedParty ? enrollment[`${revokedParty}Id`] : null;
  const revoked =
    revoking && revokedParty && partyId && decision.to !== "CERTIFIED"
      ? await revokeOpenAuthorizations(tx, {
          programId: enrollment.programId,
          cause: { party: revokedParty, id: partyId, status: decision.to, reason, eventId: event.id },
          actor: params.actor,
          now,
        })
      : [];
  await recordAudit(tx, params.actor, {
    action: `enrollment.${params.event.toLowerCase() as Lowercase<CertificationEvent>}`,
    entityType: "Enrollment",
    entityId: enrollment.id,
    before: { status: decision.from, version: enrollment.version },
    after: { status: decision.to, version: enrollment.version + 1, reason, certificationNumber },
  });
  const to =
    enrollment.applicant?.email ??
    enrollment.prescriber?.email ??
    enrollment.pharmacy?.contactEmail ??
    enrollment.healthcareSetting?.contactEmail;
  if (to && params.event !== "RESTART") {
    const notice = transitionNotice({
      event: params.event,
      programName: enrollment.program.name,
      stakeholderName: enrollment.applicant?.name ?? stakeholderName(enrollment),
      reason,
      certificationNumber,
      appUrl: env().APP_URL,
    });
    await queueMail(tx, {
      to,
      ...notice,
      category: `certification.${params.event}`,
      entityType: "Enrollment",
      entityId: enrollment.id,
    });
  }
  return {
    id: enrollment.id,
    from: decision.from,
    to: decision.to,
    version: enrollment.version + 1,
    certificationNumber,
    /** Dispense authorizations this change revoked (their DA- numbers). */
    revokedAuthorizations: revoked.map((r) => r.authorizationNumber),
  };
}

/** The dispense-gate party each certified stakeholder kind is. */
const REVOKING_PARTY = {
  PRESCRIBER: "prescriber",
  PHARMACY: "pharmacy",
  HEALTHCARE_SETTING: "healthcareSetting",
} as const;
