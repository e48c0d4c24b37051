/**
 * User administration: the user list and a user's page (administrators only), and the actions on
 * an account — deactivate, reactivate, unlock, end sessions — each with a reason that is audited
 * and e-mailed to the person in the same transaction. Administrators are added by one
 * administrator's request and another's approval (or by `npm run admin:create`).
 *
 * Sessions end at once because every request re-checks its session row and the account
 * (lib/auth/service.ts checkSession): revoking the rows and bumping the session version is enough.
 */
import { isUuid } from "../identifiers/uuid";
import type { Actor } from "../auth/actor";
import { requirePermissionAudited } from "../auth/service";
import { roleRequiresMfa } from "../auth/mfa-rules";
import { recordAudit } from "../audit/service";
import { db, type Db, type Tx } from "../db";
import { env } from "../env";
import { AppError, fieldErrorsFromZod } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import { invitationLink } from "../invitations/service";
import { newInvitationToken } from "../invitations/token";
import { invitationExpiry } from "../invitations/rules";
import { queueMail } from "../mail/outbox";
import {
  type AccountNotice,
  accountNoticeEmail,
  accountState,
  accountThrottleMarkers,
  administratorInvitationEmail,
  administratorRequestExpiry,
  administratorRequestState,
  describeDevice,
  sessionState,
} from "./rules";
import {
  type TAdministratorRequest,
  type TDecideAdministratorRequest,
  type TEndSessions,
  type TUserAction,
  USERS_PAGE_SIZE,
  ZAdministratorRequest,
  ZDecideAdministratorRequest,
  ZEndSessions,
  ZUserAction,
  ZUserFilters,
} from "./schema";

/** requirePermission that writes the refusal to the audit trail before it reaches the caller. */
const authorize = requirePermissionAudited;

function parse<T>(
  schema: {
    safeParse: (
      v: unknown,
    ) => { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  input: unknown,
): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  return parsed.data;
}

function appUrl(): string {
  return env().APP_URL.replace(/\/$/, "");
}

function noSuchUser(): AppError {
  return new AppError("NOT_FOUND", "There is no such user.");
}

// ---------------------------------------------------------------------------
// The list

function searchWhere(q: string): Prisma.UserWhereInput[] {
  return q
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 6)
    .map((term) => ({
      OR: [{ name: { contains: term, mode: "insensitive" } }, { email: { contains: term, mode: "insensitive" } }],
    }));
}

function organisationWhere(kind: string | undefined, org: string | undefined): Prisma.UserWhereInput[] {
  const text = org ? { contains: org, mode: "insensitive" as const } : undefined;
  const pharmacy: Prisma.UserWhereInput = {
    pharmacy: text ? { OR: [{ name: text }, { ncpdpId: text }, { remsId: text }] } : { isNot: null },
  };
  const setting: Prisma.UserWhereInput = {
    healthcareSetting: text ? { OR: [{ name: text }, { remsId: text }, { npi: text }] } : { isNot: null },
  };
  const practiceMatch: Prisma.PrescriberWhereInput = text
    ? { OR: [{ practiceName: text }, { npi: text }, { lastName: text }] }
    : {};
  const practice: Prisma.UserWhereInput = {
    OR: [{ prescriber: { is: practiceMatch } }, { delegateOf: { some: { prescriber: practiceMatch } } }],
  };
  switch (kind) {
    case "PHARMACY":
      return [pharmacy];
    case "HEALTHCARE_SETTING":
      return [setting];
    case "PRACTICE":
      return [practice];
    case "NONE":
      return [{ pharmacyId: null, healthcareSettingId: null, prescriber: { is: null }, delegateOf: { none: {} } }];
    default:
      return text ? [{ OR: [pharmacy, setting, practice] }] : [];
  }
}

/**
 * When each account's sign-in is delayed until (lib/auth/service.ts: failures are counted per
 * hashed e-mail address and client address, so a delay is a throttle row whose key starts with the
 * account's address hash). Only rows whose delay is still running are read; `ids` narrows to a page.
 */
async function signInDelays(client: Db | Tx, now: Date, ids?: string[]): Promise<Map<string, Date>> {
  const rows = await client.$queryRaw<{ id: string; until: Date }[]>`
    SELECT u."id"::text AS "id", max(t."lockedUntil") AS "until"
      FROM "SignInThrottle" t
      JOIN "User" u ON t."key" LIKE 'acct:' || encode(sha256(convert_to(lower(u."email"), 'UTF8')), 'hex') || ':%'
     WHERE t."lockedUntil" > ${now}
       AND (${ids ?? null}::uuid[] IS NULL OR u."id" = ANY(${ids ?? null}::uuid[]))
     GROUP BY u."id"`;
  return new Map(rows.map((r) => [r.id, new Date(r.until)]));
}

function stateWhere(status: string | undefined, now: Date, delayed: string[]): Prisma.UserWhereInput[] {
  switch (status) {
    case "ACTIVE":
      return [
        { status: "ACTIVE" },
        { OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
        { id: { notIn: delayed } },
      ];
    case "DEACTIVATED":
      return [{ status: "DEACTIVATED" }];
    case "LOCKED":
      return [{ status: "ACTIVE" }, { OR: [{ lockedUntil: { gt: now } }, { id: { in: delayed } }] }];
    default:
      return [];
  }
}

const organisationSelect = {
  pharmacy: { select: { name: true, ncpdpId: true } },
  healthcareSetting: { select: { name: true, remsId: true } },
  prescriber: { select: { practiceName: true, firstName: true, lastName: true, npi: true } },
  delegateOf: {
    select: { prescriber: { select: { practiceName: true, firstName: true, lastName: true, npi: true } } },
    take: 5,
  },
} as const;

type OrganisationRow = {
  pharmacy: { name: string; ncpdpId: string } | null;
  healthcareSetting: { name: string; remsId: string } | null;
  prescriber: { practiceName: string | null; firstName: string; lastName: string; npi: string } | null;
  delegateOf: { prescriber: { practiceName: string | null; firstName: string; lastName: string; npi: string } }[];
};

export interface Organisation {
  kind: "Pharmacy" | "Healthcare setting" | "Prescriber practice";
  name: string;
  identifier: string;
}

function practiceName(p: { practiceName: string | null; firstName: string; lastName: string }): string {
  return p.practiceName?.trim() || `Practice of ${p.firstName} ${p.lastName}`.trim();
}

function organisationsOf(row: OrganisationRow): Organisation[] {
  const orgs: Organisation[] = [];
  if (row.pharmacy)
    orgs.push({ kind: "Pharmacy", name: row.pharmacy.name, identifier: `NCPDP ${row.pharmacy.ncpdpId}` });
  if (row.healthcareSetting) {
    orgs.push({
      kind: "Healthcare setting",
      name: row.healthcareSetting.name,
      identifier: `REMS id ${row.healthcareSetting.remsId}`,
    });
  }
  if (row.prescriber) {
    orgs.push({
      kind: "Prescriber practice",
      name: practiceName(row.prescriber),
      identifier: `NPI ${row.prescriber.npi}`,
    });
  }
  for (const d of row.delegateOf) {
    orgs.push({ kind: "Prescriber practice", name: practiceName(d.prescriber), identifier: `NPI ${d.prescriber.npi}` });
  }
  return orgs;
}

/** Users matching the filters, by name, one page at a time (the database does the paging). */
export async function listUsers(
  actor: Actor,
  input: Record<string, unknown> = {},
  client: Db = db(),
  now: Date = new Date(),
) {
  await authorize(actor, "user:read:any", "/admin/users", client);
  const filters = ZUserFilters.parse(input);
  const and = [
    ...searchWhere(filters.q ?? ""),
    ...(filters.role ? [{ role: filters.role }] : []),
    ...stateWhere(
      filters.status,
      now,
      filters.status === "ACTIVE" || filters.status === "LOCKED" ? [...(await signInDelays(client, now)).keys()] : [],
    ),
    ...organisationWhere(filters.orgKind, filters.org),
  ];
  const where: Prisma.UserWhereInput = and.length ? { AND: and } : {};
  const total = await client.user.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / USERS_PAGE_SIZE));
  const page = Math.min(filters.page, pageCount);
  const rows = await client.user.findMany({
    where,
    select: {
      id: true,
      name: true,
      email: true,
      role: true,
      status: true,
      lockedUntil: true,
      lastSignInAt: true,
      ...organisationSelect,
    },
    orderBy: [{ name: "asc" }, { email: "asc" }],
    skip: (page - 1) * USERS_PAGE_SIZE,
    take: USERS_PAGE_SIZE,
  });
  const delays = await signInDelays(
    client,
    now,
    rows.map((r) => r.id),
  );
  const withDelay = (r: { id: string; lockedUntil: Date | null }) => {
    const delay = delays.get(r.id) ?? null;
    const stored = r.lockedUntil && r.lockedUntil > now ? r.lockedUntil : null;
    return stored && (!delay || stored > delay) ? stored : delay;
  };
  return {
    filters: { ...filters, page },
    total,
    page,
    pageCount,
    rows: rows.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      role: r.role,
      state: accountState({ status: r.status, lockedUntil: withDelay(r) }, now),
      lockedUntil: withDelay(r),
      lastSignInAt: r.lastSignInAt,
      organisations: organisationsOf(r),
    })),
  };
}
export type UserList = Awaited<ReturnType<typeof listUsers>>;

// ---------------------------------------------------------------------------
// One user

const SESSIONS_SHOWN = 20;
const AUDIT_EVENTS_SHOWN = 100;

/** Everything the user's page shows: profile, organisations, sessions, sign-in failures, audit events. */
export async function getUserDetail(actor: Actor, userId: string, client: Db = db(), now: Date = new Date()) {
  await authorize(actor, "user:read:any", `/admin/users/${userId}`, client);
  if (!ZUserAction.shape.userId.safeParse(userId).success) throw noSuchUser();
  const user = await client.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      name: true,
      email: true,
      role: true,
      status: true,
      sessionVersion: true,
      failedSignIns: true,
      lockedUntil: true,
      lastSignInAt: true,
      createdAt: true,
      mfaEnabledAt: true,
      _count: { select: { mfaRecoveryCodes: { where: { usedAt: null } } } },
      ...organisationSelect,
      sessions: {
        select: {
          id: true,
          createdAt: true,
          lastSeenAt: true,
          revokedAt: true,
          revokedReason: true,
          sessionVersion: true,
          ip: true,
          userAgent: true,
        },
        orderBy: { createdAt: "desc" },
        take: SESSIONS_SHOWN,
      },
    },
  });
  if (!user) throw noSuchUser();
  const e = env();
  const limits = { idleMinutes: e.SESSION_IDLE_MINUTES, maxHours: e.SESSION_MAX_HOURS };
  const [events, lastFailure] = await Promise.all([
    client.auditEvent.findMany({
      where: { OR: [{ actorId: userId }, { entityType: "User", entityId: userId }] },
      select: { seq: true, at: true, action: true, actorId: true, entityType: true, entityId: true, after: true },
      orderBy: { seq: "desc" },
      take: AUDIT_EVENTS_SHOWN,
    }),
    client.auditEvent.findFirst({
      where: { entityType: "User", entityId: userId, action: "auth.sign_in_failed" },
      select: { at: true },
      orderBy: { seq: "desc" },
    }),
  ]);
  // Accounts only: a pharmacy system's API key is named "apiKey:<id>" and has no account.
  const actorIds = [...new Set(events.map((ev) => ev.actorId).filter((id): id is string => isUuid(id)))];
  const names = new Map(
    (await client.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } })).map((u) => [
      u.id,
      u.name,
    ]),
  );
  const sessions = user.sessions.map((s) => ({
    id: s.id,
    device: describeDevice(s.userAgent),
    ip: s.ip,
    startedAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    state: sessionState(s, user, limits, now),
  }));
  const delay = (await signInDelays(client, now, [user.id])).get(user.id) ?? null;
  const stored = user.lockedUntil && user.lockedUntil > now ? user.lockedUntil : null;
  const lockedUntil = stored && (!delay || stored > delay) ? stored : delay;
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    state: accountState({ status: user.status, lockedUntil }, now),
    createdAt: user.createdAt,
    lastSignInAt: user.lastSignInAt,
    failedSignIns: user.failedSignIns,
    lastFailedSignInAt: lastFailure?.at ?? null,
    lockedUntil,
    mfa: {
      enabledAt: user.mfaEnabledAt,
      recoveryCodesLeft: user._count.mfaRecoveryCodes,
      requiredForRole: roleRequiresMfa(user.role),
    },
    isSelf: user.id === actor.userId,
    organisations: organisationsOf(user),
    sessions,
    openSessions: sessions.filter((s) => s.state.open).length,
    events: events.map((ev) => ({
      seq: ev.seq.toString(),
      at: ev.at,
      action: ev.action,
      byUser: ev.actorId === userId,
      actorName: ev.actorId ? (names.get(ev.actorId) ?? "An unknown account") : "The registry",
      reason: reasonOf(ev.after),
    })),
  };
}
export type UserDetail = Awaited<ReturnType<typeof getUserDetail>>;

function reasonOf(after: unknown): string | null {
  if (after && typeof after === "object" && "reason" in after) {
    const reason = (after as { reason: unknown }).reason;
    return typeof reason === "string" ? reason : null;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Actions on an account

async function notify(
  tx: Tx,
  user: { id: string; email: string; name: string },
  notice: AccountNotice,
  reason: string,
  now: Date,
  sessionsEnded?: number,
) {
  const mail = accountNoticeEmail(notice, { name: user.name, reason, at: now, appUrl: appUrl(), sessionsEnded });
  await queueMail(tx, { to: user.email, ...mail, category: `user.${notice}`, entityType: "User", entityId: user.id });
}

const targetSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  status: true,
  failedSignIns: true,
  lockedUntil: true,
  sessionVersion: true,
} as const;

/**
 * Locks every active administrator's row and returns their ids. Two administrators deactivating
 * each other at once queue here; the second one then sees the first's change (a row that no
 * longer matches is skipped after the wait), so at least one administrator always stays active.
 */
async function lockActiveAdministrators(tx: Tx): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id"::text AS "id" FROM "User" WHERE "role" = 'ADMIN' AND "status" = 'ACTIVE' ORDER BY "id" FOR UPDATE`;
  return rows.map((r) => r.id);
}

/** Deactivates an account: every session ends at once; the last active administrator stays. */
export async function deactivateUser(actor: Actor, input: TUserAction, client: Db = db(), now: Date = new Date()) {
  await authorize(actor, "user:manage:any", "user:deactivate", client);
  const { userId, reason } = parse(ZUserAction, input);
  if (userId === actor.userId) throw new AppError("BAD_REQUEST", "You cannot deactivate your own account.");
  await client.$transaction(async (tx) => {
    const target = await tx.user.findUnique({ where: { id: userId }, select: targetSelect });
    if (!target) throw noSuchUser();
    if (target.role === "ADMIN") {
      const active = await lockActiveAdministrators(tx);
      if (active.includes(userId) && active.length <= 1) {
        throw new AppError("CONFLICT", "The last active administrator cannot be deactivated.");
      }
      if (!active.includes(actor.userId)) {
        throw new AppError("FORBIDDEN", "Your account is no longer an active administrator account.");
      }
    }
    if (target.status !== "ACTIVE") throw new AppError("CONFLICT", `${target.name}'s account is already deactivated.`);
    const updated = await tx.user.update({
      where: { id: userId },
      data: { status: "DEACTIVATED", sessionVersion: { increment: 1 } },
      select: { sessionVersion: true },
    });
    const { count } = await tx.authSession.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: now, revokedReason: "Account deactivated" },
    });
    await recordAudit(tx, actor, {
      action: "user.deactivated",
      entityType: "User",
      entityId: userId,
      before: { status: target.status },
      after: { status: "DEACTIVATED", reason, sessionsEnded: count, sessionVersion: updated.sessionVersion },
    });
    await notify(tx, target, "deactivated", reason, now);
  });
}

/** Lets a deactivated person sign in again (their old sessions stay ended). */
export async function reactivateUser(actor: Actor, input: TUserAction, client: Db = db(), now: Date = new Date()) {
  await authorize(actor, "user:manage:any", "user:reactivate", client);
  const { userId, reason } = parse(ZUserAction, input);
  await client.$transaction(async (tx) => {
    const target = await tx.user.findUnique({ where: { id: userId }, select: targetSelect });
    if (!target) throw noSuchUser();
    if (target.status === "ACTIVE") throw new AppError("CONFLICT", `${target.name}'s account is already active.`);
    const changed = await tx.user.updateMany({
      where: { id: userId, status: "DEACTIVATED" },
      data: { status: "ACTIVE", failedSignIns: 0, lockedUntil: null },
    });
    if (changed.count === 0) throw new AppError("CONFLICT", `${target.name}'s account is already active.`);
    await recordAudit(tx, actor, {
      action: "user.reactivated",
      entityType: "User",
      entityId: userId,
      before: { status: target.status },
      after: { status: "ACTIVE", reason },
    });
    await notify(tx, target, "reactivated", reason, now);
  });
}

/** Clears failed sign-ins and the lock, and the sign-in throttle rows that name the account. */
export async function unlockUser(actor: Actor, input: TUserAction, client: Db = db(), now: Date = new Date()) {
  await authorize(actor, "user:manage:any", "user:unlock", client);
  const { userId, reason } = parse(ZUserAction, input);
  await client.$transaction(async (tx) => {
    const target = await tx.user.findUnique({ where: { id: userId }, select: targetSelect });
    if (!target) throw noSuchUser();
    const markers = accountThrottleMarkers(target);
    const throttle = { OR: markers.map((m) => ({ key: { contains: m } })) };
    const throttleRows = await tx.signInThrottle.count({ where: throttle });
    const locked = Boolean(target.lockedUntil && target.lockedUntil > now);
    if (!locked && target.failedSignIns === 0 && throttleRows === 0) {
      throw new AppError("CONFLICT", `${target.name}'s account is not locked and has no failed sign-ins to clear.`);
    }
    await tx.user.update({ where: { id: userId }, data: { failedSignIns: 0, lockedUntil: null } });
    const cleared = await tx.signInThrottle.deleteMany({ where: throttle });
    await recordAudit(tx, actor, {
      action: "user.unlocked",
      entityType: "User",
      entityId: userId,
      before: { failedSignIns: target.failedSignIns, lockedUntil: target.lockedUntil },
      after: { failedSignIns: 0, lockedUntil: null, throttleRowsCleared: cleared.count, reason },
    });
    await notify(tx, target, "unlocked", reason, now);
  });
}

/** Ends one session of the user, or all of them (the session version moves on, too). */
export async function endUserSessions(
  actor: Actor,
  input: TEndSessions,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ sessionsEnded: number }> {
  await authorize(actor, "session:revoke:any", "user:end-sessions", client);
  const { userId, sessionId, reason } = parse(ZEndSessions, input);
  const e = env();
  const limits = { idleMinutes: e.SESSION_IDLE_MINUTES, maxHours: e.SESSION_MAX_HOURS };
  return client.$transaction(async (tx) => {
    const target = await tx.user.findUnique({ where: { id: userId }, select: targetSelect });
    if (!target) throw noSuchUser();
    const revokedReason = "Ended by an administrator";
    if (sessionId) {
      const session = await tx.authSession.findFirst({
        where: { id: sessionId, userId },
        select: {
          id: true,
          createdAt: true,
          lastSeenAt: true,
          revokedAt: true,
          revokedReason: true,
          sessionVersion: true,
        },
      });
      if (!session) throw new AppError("NOT_FOUND", "There is no such session.");
      const ended = await tx.authSession.updateMany({
        where: { id: sessionId, revokedAt: null },
        data: { revokedAt: now, revokedReason },
      });
      if (ended.count === 0 || !sessionState(session, target, limits, now).open) {
        throw new AppError("CONFLICT", "This session has already ended.");
      }
      await recordAudit(tx, actor, {
        action: "user.session_ended",
        entityType: "User",
        entityId: userId,
        after: { sessionId, reason },
      });
      await notify(tx, target, "session_ended", reason, now);
      return { sessionsEnded: 1 };
    }
    const open = await tx.authSession.findMany({
      where: { userId, revokedAt: null, sessionVersion: target.sessionVersion },
      select: { createdAt: true, lastSeenAt: true, revokedAt: true, revokedReason: true, sessionVersion: true },
    });
    const sessionsEnded = open.filter((s) => sessionState(s, target, limits, now).open).length;
    if (sessionsEnded === 0) throw new AppError("CONFLICT", `${target.name} has no open sessions.`);
    const updated = await tx.user.update({
      where: { id: userId },
      data: { sessionVersion: { increment: 1 } },
      select: { sessionVersion: true },
    });
    await tx.authSession.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now, revokedReason } });
    await recordAudit(tx, actor, {
      action: "user.sessions_ended",
      entityType: "User",
      entityId: userId,
      after: { sessionsEnded, sessionVersion: updated.sessionVersion, reason },
    });
    await notify(tx, target, "sessions_ended", reason, now, sessionsEnded);
    return { sessionsEnded };
  });
}

// ---------------------------------------------------------------------------
// New administrators: one asks, another approves

/** Asks for a new administrator; another administrator must approve within seven days. */
export async function requestAdministrator(
  actor: Actor,
  input: TAdministratorRequest,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ id: string; expiresAt: Date }> {
  await authorize(actor, "user:manage:any", "administrator:request", client);
  const { name, email, reason } = parse(ZAdministratorRequest, input);
  return client.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email }, select: { id: true } })) {
      throw new AppError("VALIDATION", "Check the highlighted fields.", {
        fields: { email: ["This person already has an account in the registry."] },
      });
    }
    const pending = await tx.administratorRequest.findFirst({
      where: { email, decision: null, expiresAt: { gt: now } },
      select: { id: true },
    });
    if (pending) {
      throw new AppError("VALIDATION", "Check the highlighted fields.", {
        fields: { email: ["A request for this address already awaits approval."] },
      });
    }
    const expiresAt = administratorRequestExpiry(now);
    const created = await tx.administratorRequest.create({
      data: { name, email, reason, requestedByUserId: actor.userId, createdAt: now, expiresAt },
      select: { id: true },
    });
    await recordAudit(tx, actor, {
      action: "administrator.requested",
      entityType: "AdministratorRequest",
      entityId: created.id,
      after: { name, email, reason, expiresAt },
    });
    return { id: created.id, expiresAt };
  });
}

/**
 * A second administrator approves (the invitation to set a password is e-mailed; the account is
 * created when it is accepted) or declines a request. Nobody decides their own request.
 */
export async function decideAdministratorRequest(
  actor: Actor,
  input: TDecideAdministratorRequest,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ decision: "APPROVED" | "DECLINED"; link?: string }> {
  await authorize(actor, "user:manage:any", "administrator:decide", client);
  const parsed = parse(ZDecideAdministratorRequest, input);
  return client.$transaction(async (tx) => {
    const request = await tx.administratorRequest.findUnique({
      where: { id: parsed.requestId },
      select: { id: true, name: true, email: true, requestedByUserId: true, decision: true, expiresAt: true },
    });
    if (!request) throw new AppError("NOT_FOUND", "There is no such request.");
    if (request.requestedByUserId === actor.userId && parsed.decision === "APPROVE") {
      throw new AppError("FORBIDDEN", "Another administrator must approve your request.");
    }
    const state = administratorRequestState(request, now);
    if (state !== "pending") {
      throw new AppError(
        "CONFLICT",
        `This request has already been ${state === "expired" ? "left to expire" : state}.`,
      );
    }
    const decision = parsed.decision === "APPROVE" ? "APPROVED" : "DECLINED";
    const claimed = await tx.administratorRequest.updateMany({
      where: { id: request.id, decision: null },
      data: {
        decision,
        decidedAt: now,
        decidedByUserId: actor.userId,
        decisionReason: parsed.reason?.trim() || null,
      },
    });
    if (claimed.count === 0) throw new AppError("CONFLICT", "Another administrator has just decided this request.");
    if (decision === "DECLINED") {
      await recordAudit(tx, actor, {
        action: "administrator.request_declined",
        entityType: "AdministratorRequest",
        entityId: request.id,
        after: { reason: parsed.reason },
      });
      return { decision };
    }
    if (await tx.user.findUnique({ where: { email: request.email }, select: { id: true } })) {
      throw new AppError("CONFLICT", "This person already has an account in the registry.");
    }
    const requester = await tx.user.findUnique({ where: { id: request.requestedByUserId }, select: { name: true } });
    const { token, tokenHash } = newInvitationToken();
    const expiresAt = invitationExpiry(now);
    const invitation = await tx.invitation.create({
      data: {
        tokenHash,
        email: request.email,
        role: "ADMIN",
        invitedByUserId: request.requestedByUserId,
        createdAt: now,
        expiresAt,
      },
      select: { id: true },
    });
    await tx.administratorRequest.update({ where: { id: request.id }, data: { invitationId: invitation.id } });
    await recordAudit(tx, actor, {
      action: "administrator.request_approved",
      entityType: "AdministratorRequest",
      entityId: request.id,
      after: { invitationId: invitation.id, reason: parsed.reason?.trim() || null },
    });
    await recordAudit(tx, actor, {
      action: "invitation.created",
      entityType: "Invitation",
      entityId: invitation.id,
      after: { email: request.email, role: "ADMIN", administratorRequestId: request.id, expiresAt },
    });
    const link = invitationLink(token);
    const mail = administratorInvitationEmail({
      name: request.name,
      requestedBy: requester?.name ?? "An administrator",
      approvedBy: actor.name,
      link,
      expiresAt,
    });
    await queueMail(tx, {
      to: request.email,
      ...mail,
      category: "invitation",
      entityType: "Invitation",
      entityId: invitation.id,
    });
    return { decision, link };
  });
}

/** Administrator requests, newest first: pending ones can be decided, the rest are history. */
export async function listAdministratorRequests(actor: Actor, client: Db = db(), now: Date = new Date()) {
  await authorize(actor, "user:read:any", "/admin/users", client);
  const rows = await client.administratorRequest.findMany({
    select: {
      id: true,
      name: true,
      email: true,
      reason: true,
      requestedByUserId: true,
      createdAt: true,
      expiresAt: true,
      decision: true,
      decidedAt: true,
      decidedByUserId: true,
      decisionReason: true,
    },
    orderBy: { createdAt: "desc" },
    take: 50,
  });
  const ids = [
    ...new Set(rows.flatMap((r) => [r.requestedByUserId, r.decidedByUserId]).filter((v): v is string => !!v)),
  ];
  const names = new Map(
    (await client.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((u) => [
      u.id,
      u.name,
    ]),
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    reason: r.reason,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    state: administratorRequestState(r, now),
    requestedBy: names.get(r.requestedByUserId) ?? "—",
    mine: r.requestedByUserId === actor.userId,
    decidedBy: r.decidedByUserId ? (names.get(r.decidedByUserId) ?? "—") : null,
    decidedAt: r.decidedAt,
    decisionReason: r.decisionReason,
  }));
}
