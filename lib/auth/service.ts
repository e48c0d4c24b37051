/**
 * Accounts and sessions: sign-up, sign-in with database-backed throttling, session validation,
 * sign-out (here and everywhere) and the first administrator. Deactivation lives in lib/users.
 */
import { createHash, randomUUID } from "node:crypto";
import { recordAudit } from "../audit/service";
import { db, type Db } from "../db";
import { env } from "../env";
import { listProgramDefinitions } from "../programs/registry";
import { AppError, fieldErrorsFromZod } from "../errors";
import { Prisma } from "../generated/prisma/client";
import type { Role } from "../generated/prisma/enums";
import type { Actor, AuditActor } from "./actor";
import { burnPasswordCheck, commonPasswordProblem, hashPassword, verifyPassword } from "./password";
import { requirePermission } from "./permissions";
import { type TSignUp, ZSignIn, ZSignUp, zEmail, zNewPassword } from "./schema";

export interface RequestContext {
  ip: string;
  userAgent?: string | null;
  requestId: string;
}

const userSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  status: true,
  sessionVersion: true,
  pharmacyId: true,
  healthcareSettingId: true,
} as const;

export function newRequestId(): string {
  return randomUUID();
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** Self-service sign-up as a prescriber or an organisation's authorized representative. */
export async function signUp(input: TSignUp, ctx: RequestContext, client: Db = db()) {
  const parsed = ZSignUp.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const { name, email, password, enrollingAs } = parsed.data;
  const weak = commonPasswordProblem(password, [email.split("@")[0] ?? "", ...name.split(/\s+/)]);
  if (weak) throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: { password: [weak] } });

  const existing = await client.user.findUnique({ where: { email }, select: { id: true } });
  if (existing) throw emailTaken();
  const passwordHash = await hashPassword(password);
  try {
    return await client.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email, name, passwordHash, role: enrollingAs },
        select: userSelect,
      });
      await recordAudit(
        tx,
        { userId: user.id, role: user.role, requestId: ctx.requestId },
        {
          action: "user.signed_up",
          entityType: "User",
          entityId: user.id,
          after: { email: user.email, name: user.name, role: user.role, ip: ctx.ip },
        },
      );
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
}

function emailTaken() {
  return new AppError("VALIDATION", "Check the highlighted fields.", {
    fields: { email: ["An account with this e-mail address already exists. Sign in instead, or reset your password."] },
  });
}

/** Whom a locked-out person can call now: each programme's own call centre, from its definition. */
function helpLine(): string {
  const lines = listProgramDefinitions().map((p) => {
    const { phone, email, hours } = p.contact;
    return `the ${p.name} on ${phone}${hours ? ` (${hours})` : ""}${email ? ` or at ${email}` : ""}`;
  });
  return lines.length === 0 ? "" : ` For help before then, call ${lines.join(", or ")}.`;
}

/** Said on the last failures before a lock, so nobody is locked out without warning. */
function attemptsLeftWarning(left: number, lockMinutes: number): string {
  if (left > 2) return "";
  return ` ${left} ${left === 1 ? "attempt" : "attempts"} left before your account is locked for ${lockMinutes} minutes.`;
}

function minutesUntil(date: Date, now: Date): number {
  return Math.max(1, Math.ceil((date.getTime() - now.getTime()) / 60_000));
}

/**
 * Counts a failure under `key` in a rolling window and locks the key when it reaches `max`; returns
 * the failures in the window. Used per IP address, and per address that has no account (so an
 * unknown address is warned and locked exactly like an account, and the messages do not tell
 * whether an account exists).
 */
async function countFailure(client: Db, key: string, max: number, now: Date): Promise<number> {
  const { SIGNIN_LOCK_MINUTES: lockMinutes } = env();
  const windowStart = new Date(now.getTime() - lockMinutes * 60_000);
  const lockUntil = new Date(now.getTime() + lockMinutes * 60_000);
  const rows = await client.$queryRaw<{ failures: number }[]>`
    INSERT INTO "SignInThrottle" ("key", "failures", "windowStart", "lockedUntil", "updatedAt")
    VALUES (${key}, 1, ${now}, ${max <= 1 ? lockUntil : null}, ${now})
    ON CONFLICT ("key") DO UPDATE SET
      "failures" = CASE WHEN "SignInThrottle"."windowStart" < ${windowStart} THEN 1 ELSE "SignInThrottle"."failures" + 1 END,
      "windowStart" = CASE WHEN "SignInThrottle"."windowStart" < ${windowStart} THEN ${now} ELSE "SignInThrottle"."windowStart" END,
      "lockedUntil" = CASE
        WHEN (CASE WHEN "SignInThrottle"."windowStart" < ${windowStart} THEN 1 ELSE "SignInThrottle"."failures" + 1 END) >= ${max}
        THEN ${lockUntil}::timestamptz ELSE "SignInThrottle"."lockedUntil" END,
      "updatedAt" = ${now}
    RETURNING "failures"`;
  return Number(rows[0]?.failures ?? 1);
}

/** The throttle key of an e-mail address that has no account (hashed: no address is stored). */
function unknownAddressKey(email: string): string {
  return `email:${createHash("sha256").update(email.toLowerCase()).digest("hex")}`;
}

export interface SignInResult {
  user: { id: string; email: string; name: string; role: Role; sessionVersion: number };
  sessionId: string;
}

/**
 * Checks an e-mail and password. Failures are counted per account and per IP address in the
 * database; a locked account or IP is refused before the password is even checked, and says so.
 */
export async function authenticate(
  input: { email: unknown; password: unknown },
  ctx: RequestContext,
  client: Db = db(),
  now: Date = new Date(),
): Promise<SignInResult> {
  const parsed = ZSignIn.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const { email, password } = parsed.data;
  const e = env();

  const ipLock = await client.signInThrottle.findUnique({
    where: { key: `ip:${ctx.ip}` },
    select: { lockedUntil: true },
  });
  if (ipLock?.lockedUntil && ipLock.lockedUntil > now) {
    throw new AppError(
      "RATE_LIMITED",
      `Too many failed sign-ins from your network. Try again in ${minutesUntil(ipLock.lockedUntil, now)} minutes.`,
    );
  }

  const user = await client.user.findUnique({
    where: { email },
    select: { ...userSelect, passwordHash: true, lockedUntil: true, failedSignIns: true },
  });
  const lockedUntil = user
    ? user.lockedUntil
    : ((
        await client.signInThrottle.findUnique({
          where: { key: unknownAddressKey(email) },
          select: { lockedUntil: true },
        })
      )?.lockedUntil ?? null);
  if (lockedUntil && lockedUntil > now) {
    throw new AppError(
      "LOCKED",
      `This account is locked after too many failed sign-ins. Try again in ${minutesUntil(lockedUntil, now)} minutes.${helpLine()}`,
    );
  }

  let ok = false;
  if (user) ok = await verifyPassword(user.passwordHash, password);
  else await burnPasswordCheck(password);
  const audit: AuditActor = { userId: user?.id ?? null, role: user?.role ?? null, requestId: ctx.requestId };

  if (!user || !ok) {
    await countFailure(client, `ip:${ctx.ip}`, e.SIGNIN_MAX_FAILURES_IP, now);
    let lockedNow = false;
    let attemptsLeft = Number.POSITIVE_INFINITY;
    if (!user) {
      const failures = await countFailure(client, unknownAddressKey(email), e.SIGNIN_MAX_FAILURES_ACCOUNT, now);
      attemptsLeft = e.SIGNIN_MAX_FAILURES_ACCOUNT - failures;
      lockedNow = attemptsLeft <= 0;
    }
    await client.$transaction(async (tx) => {
      if (user) {
        const updated = await tx.user.update({
          where: { id: user.id },
          data: { failedSignIns: { increment: 1 } },
          select: { failedSignIns: true },
        });
        attemptsLeft = e.SIGNIN_MAX_FAILURES_ACCOUNT - updated.failedSignIns;
        if (attemptsLeft <= 0) {
          lockedNow = true;
          await tx.user.update({
            where: { id: user.id },
            data: { failedSignIns: 0, lockedUntil: new Date(now.getTime() + e.SIGNIN_LOCK_MINUTES * 60_000) },
          });
          await recordAudit(tx, audit, {
            action: "user.locked",
            entityType: "User",
            entityId: user.id,
            after: { reason: "too many failed sign-ins", minutes: e.SIGNIN_LOCK_MINUTES },
          });
        }
      }
      await recordAudit(tx, audit, {
        action: "auth.sign_in_failed",
        entityType: "User",
        entityId: user?.id ?? null,
        after: { email, ip: ctx.ip, knownAccount: Boolean(user) },
      });
    });
    if (lockedNow) {
      throw new AppError(
        "LOCKED",
        `This account is now locked after too many failed sign-ins. Try again in ${e.SIGNIN_LOCK_MINUTES} minutes.${helpLine()}`,
      );
    }
    throw new AppError(
      "UNAUTHENTICATED",
      `The e-mail address or password is incorrect.${attemptsLeftWarning(attemptsLeft, e.SIGNIN_LOCK_MINUTES)}`,
    );
  }

  if (user.status !== "ACTIVE") {
    throw new AppError("FORBIDDEN", "This account has been deactivated. Contact the REMS administrator.");
  }

  return client.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: user.id },
      data: { failedSignIns: 0, lockedUntil: null, lastSignInAt: now },
    });
    const session = await tx.authSession.create({
      data: {
        userId: user.id,
        sessionVersion: user.sessionVersion,
        createdAt: now,
        lastSeenAt: now,
        ip: ctx.ip,
        userAgent: ctx.userAgent?.slice(0, 400) ?? null,
      },
      select: { id: true },
    });
    await recordAudit(tx, audit, {
      action: "auth.signed_in",
      entityType: "User",
      entityId: user.id,
      after: { sessionId: session.id, ip: ctx.ip },
    });
    return {
      user: { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion },
      sessionId: session.id,
    };
  });
}

export type SessionCheck =
  | { ok: true; actor: Omit<Actor, "requestId"> }
  | { ok: false; reason: "missing" | "revoked" | "signed-out-everywhere" | "deactivated" | "idle" | "expired" };

/** Re-validates the session on every request: the token alone is never enough. */
export async function checkSession(
  claims: { userId: string; sessionId: string; sessionVersion: number },
  client: Db = db(),
  now: Date = new Date(),
): Promise<SessionCheck> {
  const e = env();
  const session = await client.authSession.findUnique({
    where: { id: claims.sessionId },
    select: {
      userId: true,
      createdAt: true,
      lastSeenAt: true,
      revokedAt: true,
      sessionVersion: true,
      user: { select: userSelect },
    },
  });
  if (!session || session.userId !== claims.userId) return { ok: false, reason: "missing" };
  const { user } = session;
  if (user.status !== "ACTIVE") return { ok: false, reason: "deactivated" };
  if (user.sessionVersion !== claims.sessionVersion || session.sessionVersion !== user.sessionVersion) {
    return { ok: false, reason: "signed-out-everywhere" };
  }
  if (session.revokedAt) return { ok: false, reason: "revoked" };
  if (now.getTime() - session.createdAt.getTime() > e.SESSION_MAX_HOURS * 3_600_000)
    return { ok: false, reason: "expired" };
  if (now.getTime() - session.lastSeenAt.getTime() > e.SESSION_IDLE_MINUTES * 60_000)
    return { ok: false, reason: "idle" };
  // Record activity, at most every 30 seconds per session.
  if (now.getTime() - session.lastSeenAt.getTime() > 30_000) {
    await client.authSession.update({ where: { id: claims.sessionId }, data: { lastSeenAt: now } });
  }
  return {
    ok: true,
    actor: {
      userId: user.id,
      role: user.role,
      email: user.email,
      name: user.name,
      pharmacyId: user.pharmacyId,
      healthcareSettingId: user.healthcareSettingId,
      sessionId: claims.sessionId,
    },
  };
}

export async function endSession(actor: Actor, client: Db = db()) {
  if (!actor.sessionId) return;
  await client.$transaction(async (tx) => {
    await tx.authSession.updateMany({
      where: { id: actor.sessionId ?? "", userId: actor.userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await recordAudit(tx, actor, { action: "auth.signed_out", entityType: "User", entityId: actor.userId });
  });
}

/** Ends every session of the actor's own account, on every device, at once. */
export async function signOutEverywhere(actor: Actor, client: Db = db()) {
  requirePermission(actor, "session:revoke:own");
  await revokeAllSessions(actor, actor.userId, "auth.signed_out_everywhere", client);
}

async function revokeAllSessions(actor: Actor, userId: string, action: string, client: Db) {
  await client.$transaction(async (tx) => {
    const user = await tx.user.update({
      where: { id: userId },
      data: { sessionVersion: { increment: 1 } },
      select: { sessionVersion: true },
    });
    const { count } = await tx.authSession.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await recordAudit(tx, actor, {
      action,
      entityType: "User",
      entityId: userId,
      after: { sessionVersion: user.sessionVersion, sessionsEnded: count },
    });
  });
}

/** Writes an authorization failure to the audit trail (a signed-in user reached another role's page). */
export async function recordAuthorizationFailure(actor: Actor, permission: string, path: string, client: Db = db()) {
  await client.$transaction(async (tx) => {
    await recordAudit(tx, actor, {
      action: "authorization.denied",
      entityType: "Route",
      entityId: path,
      after: { permission, role: actor.role },
    });
  });
}

/** Creates an administrator (CLI only: administrators never self-register). */
export async function createAdministrator(
  input: { email: string; name: string; password: string },
  requestId: string,
  client: Db = db(),
) {
  const email = zEmail.safeParse(input.email);
  const password = zNewPassword.safeParse(input.password);
  const fields: Record<string, string[]> = {};
  if (!email.success) fields.email = email.error.issues.map((i) => i.message);
  if (!password.success) fields.password = password.error.issues.map((i) => i.message);
  const weak = password.success ? commonPasswordProblem(input.password, [input.name]) : null;
  if (weak) fields.password = [weak];
  if (!input.name.trim()) fields.name = ["Enter a name"];
  if (Object.keys(fields).length || !email.success)
    throw new AppError("VALIDATION", "Invalid administrator details.", { fields });
  const passwordHash = await hashPassword(input.password);
  try {
    return await client.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email: email.data, name: input.name.trim(), passwordHash, role: "ADMIN" },
        select: userSelect,
      });
      await recordAudit(
        tx,
        { userId: null, role: null, requestId },
        {
          action: "user.admin_created",
          entityType: "User",
          entityId: user.id,
          after: { email: user.email, name: user.name, role: user.role },
        },
      );
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
}
