/**
 * Invitations: a certified pharmacy's pharmacist invites more pharmacists; a certified prescriber
 * invites office staff as delegates. Only the SHA-256 of the token is stored; the token travels in
 * the e-mail (and is shown once to the inviter, who may need to pass it on when the e-mail does not
 * arrive). Accepting creates the account with the invited role and link, once.
 *
 * Services queue e-mail in their transaction; the entry point calls deliverSoon() after commit.
 */
import { formatPersonName } from "../format";
import type { Actor, AuditActor } from "../auth/actor";
import { commonPasswordProblem, hashPassword } from "../auth/password";
import { recordAuthorizationFailure, type RequestContext } from "../auth/service";
import { recordAudit } from "../audit/service";
import { db, type Db, type Tx } from "../db";
import { env } from "../env";
import { isUuid } from "../identifiers/uuid";
import { AppError, fieldErrorsFromZod } from "../errors";
import { Prisma } from "../generated/prisma/client";
import type { Role } from "../generated/prisma/enums";
import { hitRateLimit } from "../http/rate-limit";
import { queueMail } from "../mail/outbox";
import {
  acceptanceNotice,
  acceptedInvitationPath,
  INVITATIONS_PER_HOUR,
  type InvitationState,
  type InvitePolicy,
  invitationEmail,
  invitationExpiry,
  invitationState,
  invitePolicy,
} from "./rules";
import {
  type InvitableRole,
  type InvitationRole,
  type TAcceptInvitation,
  type TCreateInvitation,
  ZAcceptInvitation,
  ZCreateInvitation,
} from "./schema";
import { hashInvitationToken, isWellFormedToken, newInvitationToken } from "./token";

function appUrl(): string {
  return env().APP_URL.replace(/\/$/, "");
}

export function invitationLink(token: string): string {
  return `${appUrl()}/invitations/${token}`;
}

/** The organisation an actor invites into, and whether it is certified (a requirement to invite). */
interface InviteScope {
  policy: InvitePolicy;
  pharmacyId: string | null;
  prescriberId: string | null;
  organisationName: string;
  certified: boolean;
}

/**
 * The organisation the actor invites into. FORBIDDEN (audited) for roles that cannot invite; null
 * when the actor could invite but has no pharmacy or prescriber record yet.
 */
async function resolveScope(actor: Actor, client: Db | Tx): Promise<InviteScope | null> {
  const policy = invitePolicy(actor);
  if (!policy) throw new AppError("FORBIDDEN", "You do not have permission to invite people.");
  if (policy.scope === "pharmacy") {
    const pharmacy = actor.pharmacyId
      ? await client.pharmacy.findUnique({
          where: { id: actor.pharmacyId },
          select: {
            id: true,
            name: true,
            enrollments: { where: { status: "CERTIFIED" }, select: { id: true }, take: 1 },
          },
        })
      : null;
    if (!pharmacy) return null;
    return {
      policy,
      pharmacyId: pharmacy.id,
      prescriberId: null,
      organisationName: pharmacy.name,
      certified: pharmacy.enrollments.length > 0,
    };
  }
  const prescriber = await client.prescriber.findUnique({
    where: { userId: actor.userId },
    select: {
      id: true,
      firstName: true,
      lastName: true,
      enrollments: { where: { status: "CERTIFIED" }, select: { id: true }, take: 1 },
    },
  });
  if (!prescriber) return null;
  return {
    policy,
    pharmacyId: null,
    prescriberId: prescriber.id,
    organisationName: formatPersonName(prescriber),
    certified: prescriber.enrollments.length > 0,
  };
}

function unlinkedMessage(actor: Actor): string {
  return actor.role === "PHARMACIST"
    ? "Your account is not linked to a pharmacy yet. Enroll your pharmacy first."
    : "You can invite office staff once you have enrolled and been certified.";
}

/** resolveScope, writing a refusal to the audit trail before it reaches the caller. */
async function resolveScopeAudited(actor: Actor, client: Db): Promise<InviteScope | null> {
  try {
    return await resolveScope(actor, client);
  } catch (error) {
    if (error instanceof AppError && error.code === "FORBIDDEN") {
      await recordAuthorizationFailure(actor, "invitation:create", "invitation:create", client);
    }
    throw error;
  }
}

function notCertifiedMessage(scope: InviteScope): string {
  return scope.policy.scope === "pharmacy"
    ? "Your pharmacy must be certified before you can invite pharmacists."
    : "You can invite office staff once you are certified.";
}

/** The organisation's team invitations (a prescriber's patient invitations are not part of the team). */
function scopeWhere(scope: InviteScope) {
  return scope.pharmacyId
    ? { pharmacyId: scope.pharmacyId, role: scope.policy.role }
    : { prescriberId: scope.prescriberId ?? "", role: scope.policy.role };
}

export interface CreatedInvitation {
  id: string;
  email: string;
  role: InvitableRole;
  expiresAt: Date;
  /** The acceptance link, returned once so the inviter can pass it on; only its hash is stored. */
  link: string;
}

/**
 * Invites a person by e-mail. Inviting an address that already has a pending invitation to the same
 * organisation cancels the earlier link and sends a new one (a "resend").
 */
export async function createInvitation(
  actor: Actor,
  input: TCreateInvitation,
  client: Db = db(),
  now: Date = new Date(),
): Promise<CreatedInvitation> {
  const scope = await resolveScopeAudited(actor, client);
  if (!scope) throw new AppError("CONFLICT", unlinkedMessage(actor));
  const parsed = ZCreateInvitation.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const { email, role } = parsed.data;
  if (role !== scope.policy.role) {
    await recordAuthorizationFailure(actor, `invitation:create:${role}`, "invitation:create", client);
    throw new AppError("FORBIDDEN", "You cannot invite people to that role.");
  }
  if (!scope.certified) throw new AppError("CONFLICT", notCertifiedMessage(scope));
  if (await client.user.findUnique({ where: { email }, select: { id: true } })) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", {
      fields: { email: ["This person already has an account in the registry."] },
    });
  }
  const limit = await hitRateLimit(client, `invite:${actor.userId}`, INVITATIONS_PER_HOUR, 3600, now);
  if (!limit.allowed) {
    throw new AppError(
      "RATE_LIMITED",
      `You have sent ${INVITATIONS_PER_HOUR} invitations in the last hour. Try again in ${Math.ceil(limit.retryAfterSeconds / 60)} minutes.`,
      { retryAfterSeconds: limit.retryAfterSeconds },
    );
  }

  const { token, tokenHash } = newInvitationToken();
  const expiresAt = invitationExpiry(now);
  const link = invitationLink(token);
  const created = await client.$transaction(async (tx) => {
    const earlier = await tx.invitation.findMany({
      where: { email, ...scopeWhere(scope), acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      select: { id: true },
    });
    for (const old of earlier) {
      await tx.invitation.update({ where: { id: old.id }, data: { revokedAt: now } });
      await recordAudit(tx, actor, {
        action: "invitation.revoked",
        entityType: "Invitation",
        entityId: old.id,
        after: { reason: "replaced by a new invitation to the same address" },
      });
    }
    const invitation = await tx.invitation.create({
      data: {
        tokenHash,
        email,
        role,
        pharmacyId: scope.pharmacyId,
        prescriberId: scope.prescriberId,
        invitedByUserId: actor.userId,
        createdAt: now,
        expiresAt,
      },
      select: { id: true },
    });
    await recordAudit(tx, actor, {
      action: "invitation.created",
      entityType: "Invitation",
      entityId: invitation.id,
      after: {
        email,
        role,
        pharmacyId: scope.pharmacyId,
        prescriberId: scope.prescriberId,
        expiresAt,
        replaces: earlier.map((e) => e.id),
      },
    });
    const mail = invitationEmail({
      inviterName: actor.name,
      role,
      organisationName: scope.organisationName,
      link,
      expiresAt,
    });
    await queueMail(tx, {
      to: email,
      ...mail,
      category: "invitation",
      entityType: "Invitation",
      entityId: invitation.id,
    });
    return invitation;
  });
  return { id: created.id, email, role, expiresAt, link };
}

/** Cancels a pending invitation of the actor's organisation; its link stops working. */
export async function revokeInvitation(actor: Actor, invitationId: string, client: Db = db(), now: Date = new Date()) {
  const scope = await resolveScopeAudited(actor, client);
  // Anything that is not a UUID names no invitation (and must not reach the uuid column).
  if (!scope || !isUuid(invitationId)) throw new AppError("NOT_FOUND", "There is no such invitation.");
  await client.$transaction(async (tx) => {
    const invitation = await tx.invitation.findFirst({
      where: { id: invitationId, ...scopeWhere(scope) },
      select: { id: true, acceptedAt: true, revokedAt: true, expiresAt: true },
    });
    if (!invitation) throw new AppError("NOT_FOUND", "There is no such invitation.");
    if (invitationState(invitation, now) !== "pending") {
      throw new AppError("CONFLICT", "Only a pending invitation can be cancelled.");
    }
    await tx.invitation.update({ where: { id: invitation.id }, data: { revokedAt: now } });
    await recordAudit(tx, actor, {
      action: "invitation.revoked",
      entityType: "Invitation",
      entityId: invitation.id,
      after: { reason: "cancelled by the organisation" },
    });
  });
}

export interface TeamInvitation {
  id: string;
  email: string;
  role: Role;
  state: InvitationState;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  invitedByName: string;
}

export type TeamOverview =
  | { linked: false; message: string }
  | {
      linked: true;
      scope: InvitePolicy["scope"];
      role: InvitableRole;
      organisationName: string;
      canInvite: boolean;
      cannotInviteReason: string | null;
      members: { id: string; name: string; email: string; role: Role; active: boolean }[];
      invitations: TeamInvitation[];
    };

/** The team page: who is in the organisation, and the invitations sent (latest first). */
export async function teamOverview(actor: Actor, client: Db = db(), now: Date = new Date()): Promise<TeamOverview> {
  const scope = await resolveScope(actor, client);
  if (!scope) return { linked: false, message: unlinkedMessage(actor) };
  const [members, invitations] = await Promise.all([
    scope.pharmacyId
      ? client.user.findMany({
          where: { pharmacyId: scope.pharmacyId },
          select: { id: true, name: true, email: true, role: true, status: true },
          orderBy: { name: "asc" },
        })
      : client.prescriberDelegate
          .findMany({
            where: { prescriberId: scope.prescriberId ?? "" },
            select: { user: { select: { id: true, name: true, email: true, role: true, status: true } } },
            orderBy: { createdAt: "asc" },
          })
          .then((rows) => rows.map((r) => r.user)),
    client.invitation.findMany({
      where: scopeWhere(scope),
      select: {
        id: true,
        email: true,
        role: true,
        createdAt: true,
        expiresAt: true,
        acceptedAt: true,
        revokedAt: true,
        invitedByUserId: true,
      },
      orderBy: { createdAt: "desc" },
      take: 100,
    }),
  ]);
  const inviterIds = [...new Set(invitations.map((i) => i.invitedByUserId))];
  const inviters = new Map(
    (await client.user.findMany({ where: { id: { in: inviterIds } }, select: { id: true, name: true } })).map((u) => [
      u.id,
      u.name,
    ]),
  );
  return {
    linked: true,
    scope: scope.policy.scope,
    role: scope.policy.role,
    organisationName: scope.organisationName,
    canInvite: scope.certified,
    cannotInviteReason: scope.certified ? null : notCertifiedMessage(scope),
    members: members.map((m) => ({
      id: m.id,
      name: m.name,
      email: m.email,
      role: m.role,
      active: m.status === "ACTIVE",
    })),
    invitations: invitations.map((i) => ({
      id: i.id,
      email: i.email,
      role: i.role,
      state: invitationState(i, now),
      createdAt: i.createdAt,
      expiresAt: i.expiresAt,
      acceptedAt: i.acceptedAt,
      invitedByName: inviters.get(i.invitedByUserId) ?? "—",
    })),
  };
}

const invitationSelect = {
  id: true,
  email: true,
  role: true,
  pharmacyId: true,
  prescriberId: true,
  healthcareSettingId: true,
  invitedByUserId: true,
  expiresAt: true,
  acceptedAt: true,
  revokedAt: true,
} as const;

async function findByToken(token: string, client: Db) {
  if (!isWellFormedToken(token)) return null;
  return client.invitation.findUnique({ where: { tokenHash: hashInvitationToken(token) }, select: invitationSelect });
}

async function organisationName(
  inv: { pharmacyId: string | null; prescriberId: string | null },
  client: Db | Tx,
): Promise<string> {
  if (inv.pharmacyId) {
    const p = await client.pharmacy.findUnique({ where: { id: inv.pharmacyId }, select: { name: true } });
    return p?.name ?? "a pharmacy";
  }
  if (inv.prescriberId) {
    const p = await client.prescriber.findUnique({
      where: { id: inv.prescriberId },
      select: { firstName: true, lastName: true },
    });
    return p ? formatPersonName(p) : "a prescriber";
  }
  return "the registry";
}

export type InvitationView =
  | { state: "invalid" }
  | {
      state: InvitationState;
      email: string;
      role: InvitationRole;
      organisationName: string;
      inviterName: string;
      expiresAt: Date;
    };

/** What the acceptance page shows for a token (looking does not use the invitation up). */
export async function describeInvitation(
  token: string,
  client: Db = db(),
  now: Date = new Date(),
): Promise<InvitationView> {
  const inv = await findByToken(token, client);
  if (!inv || !isInvitationRole(inv.role)) return { state: "invalid" };
  const inviter = await client.user.findUnique({ where: { id: inv.invitedByUserId }, select: { name: true } });
  return {
    state: invitationState(inv, now),
    email: inv.email,
    role: inv.role,
    organisationName: await organisationName(inv, client),
    inviterName: inviter?.name ?? "Someone",
    expiresAt: inv.expiresAt,
  };
}

/** The message for an invitation that can no longer be accepted. */
export function unusableInvitationMessage(
  state: Exclude<InvitationState, "pending"> | "invalid",
  inviterName?: string,
): string {
  const again = inviterName ? `ask ${inviterName} to invite you again` : "ask for a new invitation";
  switch (state) {
    case "accepted":
      return "This invitation has already been used. Sign in with the account it created.";
    case "expired":
      return `This invitation has expired. To join, ${again}.`;
    case "revoked":
      return `This invitation was cancelled or replaced by a newer one. Use the link in the most recent invitation e-mail, or ${again}.`;
    default:
      return "This invitation link is not valid. Check that you opened the whole link from the e-mail, or ask for a new invitation.";
  }
}

function isInvitationRole(role: Role): role is InvitationRole {
  return role === "PHARMACIST" || role === "PRESCRIBER_DELEGATE" || role === "PATIENT" || role === "ADMIN";
}

/**
 * The patient enrollment that sent a patient invitation records the invitation's id in its data;
 * accepting links the new account to that patient (Patient.userId), once.
 */
async function linkPatientAccount(tx: Tx, audit: AuditActor, invitationId: string, userId: string) {
  const enrollment = await tx.enrollment.findFirst({
    where: { kind: "PATIENT", data: { path: ["invitationId"], equals: invitationId } },
    select: { patientId: true },
  });
  const linked = enrollment?.patientId
    ? await tx.patient.updateMany({ where: { id: enrollment.patientId, userId: null }, data: { userId } })
    : { count: 0 };
  if (!enrollment?.patientId || linked.count === 0) {
    throw new AppError("CONFLICT", "This invitation is no longer linked to an enrollment. Ask your prescriber.", {
      reason: "revoked",
    });
  }
  await recordAudit(tx, audit, {
    action: "patient.account_linked",
    entityType: "Patient",
    entityId: enrollment.patientId,
    before: { userId: null },
    after: { userId, invitationId },
  });
}

/**
 * Invites a patient to create their own account and sign their enrollment, inside the caller's
 * transaction (the patient enrollment). The caller records the returned id in the enrollment's
 * data, which is how acceptance finds the patient. Returns the link once, like createInvitation.
 */
export async function createPatientInvitation(
  tx: Tx,
  actor: AuditActor & { name: string },
  input: { email: string; prescriberId: string; prescriberName: string },
  now: Date = new Date(),
): Promise<{ id: string; link: string; expiresAt: Date }> {
  const email = input.email.trim().toLowerCase();
  const { token, tokenHash } = newInvitationToken();
  const expiresAt = invitationExpiry(now);
  const link = invitationLink(token);
  if (!actor.userId) throw new AppError("FORBIDDEN", "Only a signed-in user can invite a patient.");
  const invitation = await tx.invitation.create({
    data: {
      tokenHash,
      email,
      role: "PATIENT",
      prescriberId: input.prescriberId,
      invitedByUserId: actor.userId,
      createdAt: now,
      expiresAt,
    },
    select: { id: true },
  });
  await recordAudit(tx, actor, {
    action: "invitation.created",
    entityType: "Invitation",
    entityId: invitation.id,
    after: { email, role: "PATIENT", prescriberId: input.prescriberId, expiresAt },
  });
  const mail = invitationEmail({
    inviterName: actor.name,
    role: "PATIENT",
    organisationName: input.prescriberName,
    link,
    expiresAt,
  });
  await queueMail(tx, {
    to: email,
    ...mail,
    category: "invitation",
    entityType: "Invitation",
    entityId: invitation.id,
  });
  return { id: invitation.id, link, expiresAt };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * Creates the invited person's account (argon2id password, same rules as sign-up) with the invited
 * role and link to the pharmacy or prescriber, and uses the invitation up. Unknown, used, cancelled
 * and expired tokens are refused with a message that says which.
 */
export async function acceptInvitation(
  token: string,
  input: TAcceptInvitation,
  ctx: RequestContext,
  client: Db = db(),
  now: Date = new Date(),
) {
  const inv = await findByToken(token, client);
  if (!inv || !isInvitationRole(inv.role)) {
    throw new AppError("NOT_FOUND", unusableInvitationMessage("invalid"), { reason: "invalid" });
  }
  const state = invitationState(inv, now);
  if (state !== "pending") {
    const inviter = await client.user.findUnique({ where: { id: inv.invitedByUserId }, select: { name: true } });
    throw new AppError("CONFLICT", unusableInvitationMessage(state, inviter?.name), { reason: state });
  }
  const parsed = ZAcceptInvitation.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const { name, password } = parsed.data;
  const weak = commonPasswordProblem(password, [inv.email.split("@")[0] ?? "", ...name.split(/\s+/)]);
  if (weak) throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: { password: [weak] } });
  const emailTaken = () =>
    new AppError("CONFLICT", "An account with this e-mail address already exists. Sign in instead.", {
      reason: "email-taken",
    });
  if (await client.user.findUnique({ where: { email: inv.email }, select: { id: true } })) throw emailTaken();

  const passwordHash = await hashPassword(password);
  const role: InvitationRole = inv.role;
  try {
    const user = await client.$transaction(async (tx) => {
      const created = await tx.user.create({
        data: {
          email: inv.email,
          name,
          passwordHash,
          role,
          pharmacyId: role === "PHARMACIST" ? inv.pharmacyId : null,
          healthcareSettingId: null,
        },
        select: { id: true, email: true, name: true, role: true, pharmacyId: true },
      });
      // Single use, even when two people open the link at the same moment.
      const claimed = await tx.invitation.updateMany({
        where: { id: inv.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
        data: { acceptedAt: now, acceptedUserId: created.id },
      });
      if (claimed.count === 0) {
        throw new AppError("CONFLICT", unusableInvitationMessage("accepted"), { reason: "accepted" });
      }
      const audit: AuditActor = { userId: created.id, role: created.role, requestId: ctx.requestId };
      await recordAudit(tx, audit, {
        action: "user.created_by_invitation",
        entityType: "User",
        entityId: created.id,
        after: {
          email: created.email,
          name: created.name,
          role,
          pharmacyId: created.pharmacyId,
          invitationId: inv.id,
          ip: ctx.ip,
        },
      });
      await recordAudit(tx, audit, {
        action: "invitation.accepted",
        entityType: "Invitation",
        entityId: inv.id,
        before: { acceptedAt: null },
        after: { acceptedAt: now, acceptedUserId: created.id },
      });
      if (role === "PATIENT") await linkPatientAccount(tx, audit, inv.id, created.id);
      if (role === "PRESCRIBER_DELEGATE" && inv.prescriberId) {
        const link = await tx.prescriberDelegate.create({
          data: { prescriberId: inv.prescriberId, userId: created.id },
          select: { id: true },
        });
        await recordAudit(tx, audit, {
          action: "prescriber_delegate.linked",
          entityType: "PrescriberDelegate",
          entityId: link.id,
          after: { prescriberId: inv.prescriberId, userId: created.id, invitationId: inv.id },
        });
      }
      const inviter = await tx.user.findUnique({
        where: { id: inv.invitedByUserId },
        select: { name: true, email: true, status: true },
      });
      if (inviter && inviter.status === "ACTIVE") {
        const notice = acceptanceNotice({
          inviterName: inviter.name,
          acceptedName: created.name,
          acceptedEmail: created.email,
          role,
          organisationName: await organisationName(inv, tx),
          appUrl: appUrl(),
          teamPath: acceptedInvitationPath(role),
        });
        await queueMail(tx, {
          to: inviter.email,
          ...notice,
          category: "invitation.accepted",
          entityType: "Invitation",
          entityId: inv.id,
        });
      }
      return created;
    });
    return user;
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
}
