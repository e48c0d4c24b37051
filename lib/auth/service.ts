/**
 * Accounts and sessions: sign-up, sign-in with database-backed throttling, session validation,
 * sign-out (here and everywhere) and the first administrator. Deactivation lives in lib/users.
 */
import { createHash, randomUUID } from "node:crypto";
import type { AuditAction } from "../audit/action-codes";
import { recordAudit } from "../audit/service";
import { db, type Db } from "../db";
import { env } from "../env";
import { listProgramDefinitions } from "../programs/registry";
import { AppError, fieldErrorsFromZod } from "../errors";
import { isUniqueViolation } from "../db/unique-violation";
import type { Role } from "../generated/prisma/enums";
import type { Actor, AuditActor } from "./actor";
import { hitRateLimit } from "../http/rate-limit";
import { queueMail } from "../mail/outbox";
import { appLink, createAccountToken, hashToken, VERIFICATION_TOKEN_HOURS } from "./account-tokens";
import { checkSignInFactor, WRONG_CODE_MESSAGE } from "./mfa";
import { burnPasswordCheck, commonPasswordProblem, hashPassword, verifyPassword } from "./password";
import { type Permission, requirePermission } from "./permissions";
import { type TSignUp, type TSignUpParsed, ZSignIn, ZSignUp, zEmail, zNewPassword } from "./schema";

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

export const SIGN_UP_MESSAGE =
  "Check your e-mail to continue. We sent a message to the address you gave; open the link in it to activate your account. The link works for 24 hours.";

/**
 * Self-service sign-up as a prescriber or an organisation's authorized representative. The account
 * is created only when the person opens the link mailed to the address, so the answer is the same
 * whether or not the address already has an account (that owner is told by e-mail instead), and the
 * work is the same too: the password is always hashed, and one e-mail is always queued.
 */
export async function signUp(
  input: TSignUp,
  ctx: RequestContext,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ message: string }> {
  const parsed = ZSignUp.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const { name, email, password, enrollingAs } = parsed.data;
  const weak = commonPasswordProblem(password, [email.split("@")[0] ?? "", ...name.split(/\s+/)]);
  if (weak) throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: { password: [weak] } });

  const limit = await hitRateLimit(client, `signup:${ctx.ip}`, env().SIGNUP_RATE_LIMIT_PER_HOUR, 3600, now);
  if (!limit.allowed) {
    throw new AppError(
      "RATE_LIMITED",
      `Too many sign-ups from your network. Try again in ${Math.ceil(limit.retryAfterSeconds / 60)} minutes.`,
      { retryAfterSeconds: limit.retryAfterSeconds },
    );
  }
  const passwordHash = await hashPassword(password);
  const existing = await client.user.findUnique({ where: { email }, select: { id: true, name: true } });
  await client.$transaction(async (tx) => {
    if (existing) {
      await queueMail(tx, {
        to: email,
        subject: "Someone tried to create a REMS registry account with your address",
        text: [
          `Dear ${existing.name},`,
          "",
          "Someone tried to create a new REMS registry account with this e-mail address, which already has an account. No new account was created.",
          "",
          `If it was you: sign in at ${appLink("/sign-in")}, or if you forgot your password, reset it at ${appLink("/forgot-password")}.`,
          "If it was not you, you can ignore this message.",
        ].join("\n"),
        category: "auth.sign_up_existing",
        entityType: "User",
        entityId: existing.id,
      });
    } else {
      const pending: PendingSignUp = { name, role: enrollingAs, passwordHash };
      const token = await createAccountToken(tx, { kind: "EMAIL_VERIFICATION", email, pending: { ...pending } }, now);
      await queueMail(tx, {
        to: email,
        subject: "Activate your REMS registry account",
        text: [
          `Dear ${name},`,
          "",
          "To finish creating your REMS registry account, open this link:",
          "",
          appLink(`/verify-email/${token}`),
          "",
          `The link works once, for ${VERIFICATION_TOKEN_HOURS} hours. If you did not sign up, ignore this message: no account is created.`,
        ].join("\n"),
        category: "auth.verify_email",
      });
    }
    await recordAudit(
      tx,
      { userId: existing?.id ?? null, role: null, requestId: ctx.requestId },
      {
        action: "user.sign_up_requested",
        entityType: "User",
        entityId: existing?.id ?? null,
        after: { ip: ctx.ip, knownAccount: Boolean(existing) },
      },
    );
  });
  return { message: SIGN_UP_MESSAGE };
}

interface PendingSignUp {
  name: string;
  role: TSignUpParsed["enrollingAs"];
  passwordHash: string;
}

const VERIFY_PROBLEMS = {
  invalid: "This activation link is not valid. It may have been copied incompletely. Sign up again to get a new one.",
  used: "This activation link has already been used. Sign in with the address and password you chose.",
  expired: `This activation link has expired (links work for ${VERIFICATION_TOKEN_HOURS} hours). Sign up again to get a new one.`,
} as const;

export function verificationLinkProblem(state: "invalid" | "used" | "expired"): string {
  return VERIFY_PROBLEMS[state];
}

/** Opens the link mailed at sign-up: the account is created, once, with what was entered then. */
export async function completeSignUp(token: string, ctx: RequestContext, client: Db = db(), now: Date = new Date()) {
  const row =
    token && token.length <= 200
      ? await client.accountToken.findUnique({
          where: { tokenHash: hashToken(token) },
          select: { id: true, kind: true, email: true, pending: true, usedAt: true, expiresAt: true },
        })
      : null;
  const state =
    row?.kind !== "EMAIL_VERIFICATION" || !row.pending
      ? "invalid"
      : row.usedAt
        ? "used"
        : row.expiresAt <= now
          ? "expired"
          : "valid";
  if (state !== "valid" || !row) {
    throw new AppError("BAD_REQUEST", VERIFY_PROBLEMS[state === "valid" ? "invalid" : state], { linkState: state });
  }
  const pending = row.pending as unknown as PendingSignUp;
  try {
    return await client.$transaction(async (tx) => {
      const consumed = await tx.accountToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
      if (consumed.count === 0) throw new AppError("BAD_REQUEST", VERIFY_PROBLEMS.used, { linkState: "used" });
      const user = await tx.user.create({
        data: { email: row.email, name: pending.name, passwordHash: pending.passwordHash, role: pending.role },
        select: userSelect,
      });
      await tx.accountToken.update({ where: { id: row.id }, data: { userId: user.id } });
      await recordAudit(
        tx,
        { userId: user.id, role: user.role, requestId: ctx.requestId },
        {
          action: "user.signed_up",
          entityType: "User",
          entityId: user.id,
          after: { email: user.email, name: user.name, role: user.role, ip: ctx.ip, emailVerified: true },
        },
      );
      return user;
    });
  } catch (error) {
    // Another link for the same address was opened first.
    if (isUniqueViolation(error)) {
      throw new AppError(
        "CONFLICT",
        "An account with this e-mail address already exists. Sign in, or reset your password if you forgot it.",
        { linkState: "used" },
      );
    }
    throw error;
  }
}

function emailTaken() {
  return new AppError("VALIDATION", "Check the highlighted fields.", {
    fields: { email: ["An account with this e-mail address already exists."] },
  });
}

/** Whom a throttled person can call now: each programme's own call centre, from its definition. */
function helpLine(): string {
  const lines = listProgramDefinitions().map((p) => {
    const { phone, email, hours } = p.contact;
    return `the ${p.name} on ${phone}${hours ? ` (${hours})` : ""}${email ? ` or at ${email}` : ""}`;
  });
  return lines.length === 0 ? "" : ` For help before then, call ${lines.join(", or ")}.`;
}

function secondsUntil(date: Date, now: Date): number {
  return Math.max(1, Math.ceil((date.getTime() - now.getTime()) / 1000));
}

function waitPhrase(seconds: number): string {
  if (seconds < 120) return `${seconds} ${seconds === 1 ? "second" : "seconds"}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/**
 * The wait earned by the `failures`-th failure in a row under one key: none before `free`
 * failures, then 1, 2, 4, … seconds, at most `capSeconds`.
 */
export function signInDelaySeconds(failures: number, free: number, capSeconds: number): number {
  if (failures < free) return 0;
  return Math.min(capSeconds, 2 ** Math.min(30, failures - free));
}

/**
 * Counts a failure under `key` and sets the time before which the key's next attempt is refused;
 * returns that wait in seconds. A streak ends after SIGNIN_LOCK_MINUTES without failures beyond the
 * longest wait, so waiting out the cap does not start a fresh set of free attempts.
 */
async function countFailure(client: Db, key: string, free: number, now: Date): Promise<number> {
  const e = env();
  const quietSince = new Date(now.getTime() - (e.SIGNIN_LOCK_MINUTES * 60 + e.SIGNIN_MAX_DELAY_SECONDS) * 1000);
  const rows = await client.$queryRaw<{ failures: number }[]>`
    INSERT INTO "SignInThrottle" ("key", "failures", "windowStart", "lockedUntil", "updatedAt")
    VALUES (${key}, 1, ${now}, NULL, ${now})
    ON CONFLICT ("key") DO UPDATE SET
      "failures" = CASE WHEN "SignInThrottle"."updatedAt" < ${quietSince} THEN 1 ELSE "SignInThrottle"."failures" + 1 END,
      "windowStart" = CASE WHEN "SignInThrottle"."updatedAt" < ${quietSince} THEN ${now} ELSE "SignInThrottle"."windowStart" END,
      "updatedAt" = ${now}
    RETURNING "failures"`;
  const failures = Number(rows[0]?.failures ?? 1);
  const wait = signInDelaySeconds(failures, free, e.SIGNIN_MAX_DELAY_SECONDS);
  await client.signInThrottle.update({
    where: { key },
    data: { lockedUntil: wait > 0 ? new Date(now.getTime() + wait * 1000) : null, updatedAt: now },
  });
  return wait;
}

/** The hashed form of an address, for throttle keys (no address is stored there). */
function addressKey(email: string): string {
  return createHash("sha256").update(email.toLowerCase()).digest("hex");
}

/** Throttle keys: one per (e-mail address, client address), one per client address. */
function throttleKeys(email: string, ip: string) {
  return { account: `acct:${addressKey(email)}:${ip}`, ip: `ip:${ip}` };
}

/** Ends the sign-in delays earned by failures on an address, from every network (an administrator's "unlock"). */
export async function clearSignInThrottles(email: string, client: Db = db()): Promise<number> {
  const { count } = await client.signInThrottle.deleteMany({
    where: { key: { startsWith: `acct:${addressKey(email)}:` } },
  });
  return count;
}

export interface SignInResult {
  user: { id: string; email: string; name: string; role: Role; sessionVersion: number };
  sessionId: string;
}

/**
 * Checks an e-mail and password. Failures are counted per (address, client address) and per client
 * address; past a few, each next attempt from there must wait a growing delay (429). Nothing locks
 * the account itself, so failures from one network never keep the owner out on another, and an
 * address without an account is counted, delayed and answered exactly like one with.
 */
export async function authenticate(
  input: { email: unknown; password: unknown; code?: unknown },
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
  const keys = throttleKeys(email, ctx.ip);

  const throttles = await client.signInThrottle.findMany({
    where: { key: { in: [keys.account, keys.ip] }, lockedUntil: { gt: now } },
    select: { key: true, lockedUntil: true },
  });
  if (throttles.length > 0) {
    const wait = Math.max(...throttles.map((t) => secondsUntil(t.lockedUntil as Date, now)));
    const fromNetwork = throttles.some((t) => t.key === keys.ip);
    throw new AppError(
      "RATE_LIMITED",
      `Too many failed sign-ins${fromNetwork ? " from your network" : ""}. Try again in ${waitPhrase(wait)}.${wait >= 60 ? helpLine() : ""}`,
      { retryAfterSeconds: wait },
    );
  }

  const user = await client.user.findUnique({
    where: { email },
    select: { ...userSelect, passwordHash: true, passwordResetRequired: true },
  });

  let ok = false;
  if (user) ok = await verifyPassword(user.passwordHash, password);
  else await burnPasswordCheck(password);
  // The second factor (lib/auth/mfa.ts): without a code it asks for one; a wrong code is a failed sign-in.
  const factor = user && ok ? await checkSignInFactor(user.id, parsed.data.code, ctx.requestId, client, now) : "ok";
  if (factor === "wrong") ok = false;
  const audit: AuditActor = { userId: user?.id ?? null, role: user?.role ?? null, requestId: ctx.requestId };

  if (!user || !ok) {
    const ipWait = await countFailure(client, keys.ip, e.SIGNIN_MAX_FAILURES_IP, now);
    const accountWait = await countFailure(client, keys.account, e.SIGNIN_MAX_FAILURES_ACCOUNT, now);
    await client.$transaction(async (tx) => {
      // Shown to administrators; it no longer locks anything.
      if (user) await tx.user.update({ where: { id: user.id }, data: { failedSignIns: { increment: 1 } } });
      await recordAudit(tx, audit, {
        action: "auth.sign_in_failed",
        entityType: "User",
        entityId: user?.id ?? null,
        after: { email, ip: ctx.ip, knownAccount: Boolean(user) },
      });
    });
    const wait = Math.max(ipWait, accountWait);
    throw new AppError(
      "UNAUTHENTICATED",
      `${factor === "wrong" ? WRONG_CODE_MESSAGE : "The e-mail address or password is incorrect."}${wait > 0 ? ` Wait ${waitPhrase(wait)} before trying again.` : ""}`,
      wait > 0 ? { retryAfterSeconds: wait } : undefined,
    );
  }

  if (user.status !== "ACTIVE") {
    throw new AppError("FORBIDDEN", "This account has been deactivated. Contact the REMS administrator.");
  }
  if (user.passwordResetRequired) {
    throw new AppError(
      "FORBIDDEN",
      "An administrator has required a new password for this account. Use the link we e-mailed you, or ask for a new one under “Forgot password?”.",
    );
  }

  return client.$transaction(async (tx) => {
    await tx.signInThrottle.deleteMany({ where: { key: keys.account } });
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

async function revokeAllSessions(actor: Actor, userId: string, action: AuditAction, client: Db) {
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

/** requirePermission that writes a refusal to the audit trail before it reaches the caller. */
export async function requirePermissionAudited(
  actor: Actor,
  permission: Permission,
  target: string,
  client: Db = db(),
): Promise<void> {
  try {
    requirePermission(actor, permission);
  } catch (error) {
    if (error instanceof AppError && error.code === "FORBIDDEN") {
      await recordAuthorizationFailure(actor, permission, target, client);
    }
    throw error;
  }
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
