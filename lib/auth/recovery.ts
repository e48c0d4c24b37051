/**
 * Account recovery: a person asks for a reset link by e-mail and sets a new password with it; an
 * administrator can force a reset. Links are single-use, valid 30 minutes and stored hashed
 * (account-tokens.ts). Asking for a link answers the same, after the same work, whether or not the
 * address has an account.
 */
import { recordAudit } from "../audit/service";
import { db, type Db, type Tx } from "../db";
import { env } from "../env";
import { isUuid } from "../identifiers/uuid";
import { AppError, fieldErrorsFromZod } from "../errors";
import { hitRateLimit } from "../http/rate-limit";
import { queueMail } from "../mail/outbox";
import { appLink, createAccountToken, hashToken, RESET_TOKEN_MINUTES, tokenState } from "./account-tokens";
import type { Actor } from "./actor";
import { commonPasswordProblem, hashPassword } from "./password";
import { requirePermission } from "./permissions";
import { ZRequestPasswordReset, ZResetPassword } from "./schema";
import type { RequestContext } from "./service";

export const RESET_REQUESTED_MESSAGE =
  "If an account exists for this address, we sent a link to reset its password. It works once, for 30 minutes. Check your inbox (and spam folder).";

async function throttleRecovery(client: Db, ctx: RequestContext, now: Date) {
  const limit = await hitRateLimit(client, `reset:${ctx.ip}`, env().RESET_RATE_LIMIT_PER_HOUR, 3600, now);
  if (!limit.allowed) {
    throw new AppError(
      "RATE_LIMITED",
      `Too many password-reset attempts from your network. Try again in ${Math.ceil(limit.retryAfterSeconds / 60)} minutes.`,
      { retryAfterSeconds: limit.retryAfterSeconds },
    );
  }
}

function resetMailText(name: string, link: string, intro: string): string {
  return [
    `Dear ${name},`,
    "",
    intro,
    "",
    link,
    "",
    `The link works once and expires in ${RESET_TOKEN_MINUTES} minutes.`,
    "If you did not ask for this, you can ignore this message: your password stays as it is.",
  ].join("\n");
}

async function queueResetLink(tx: Tx, user: { id: string; email: string; name: string }, intro: string, now: Date) {
  const token = await createAccountToken(tx, { kind: "PASSWORD_RESET", email: user.email, userId: user.id }, now);
  await queueMail(tx, {
    to: user.email,
    subject: "Reset your REMS registry password",
    text: resetMailText(user.name, appLink(`/reset-password/${token}`), intro),
    category: "auth.password_reset",
    entityType: "User",
    entityId: user.id,
  });
}

/**
 * The least time a reset request takes to answer. With an account the request writes a token and
 * a mail (about 20 ms measured, against 13 ms without); answering no sooner than this makes the two
 * indistinguishable by timing.
 */
const RESET_ANSWER_MIN_MS = 250;

/**
 * Mails a reset link when the address has an active account. Unknown addresses get the same answer
 * after the same wait: the request is audited in a transaction either way, and the answer is held
 * back to RESET_ANSWER_MIN_MS.
 */
export async function requestPasswordReset(
  input: { email: unknown },
  ctx: RequestContext,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ message: string }> {
  const parsed = ZRequestPasswordReset.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const started = performance.now();
  await throttleRecovery(client, ctx, now);
  const { email } = parsed.data;
  const user = await client.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, role: true, status: true },
  });
  const account = user?.status === "ACTIVE" ? user : null;
  await client.$transaction(async (tx) => {
    if (account) {
      await queueResetLink(
        tx,
        account,
        "Someone (we hope you) asked to reset the password of your account. To choose a new password, open this link:",
        now,
      );
    }
    await recordAudit(
      tx,
      { userId: account?.id ?? null, role: account?.role ?? null, requestId: ctx.requestId },
      {
        action: "auth.password_reset_requested",
        entityType: "User",
        entityId: account?.id ?? null,
        after: { ip: ctx.ip, knownAccount: Boolean(account) },
      },
    );
  });
  const rest = RESET_ANSWER_MIN_MS - (performance.now() - started);
  if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
  return { message: RESET_REQUESTED_MESSAGE };
}

export { tokenState as resetTokenState };

const LINK_PROBLEMS = {
  invalid: "This reset link is not valid. It may have been copied incompletely. Ask for a new one below.",
  used: "This reset link has already been used. Each link works once. Ask for a new one below.",
  expired: `This reset link has expired (links work for ${RESET_TOKEN_MINUTES} minutes). Ask for a new one below.`,
} as const;

export function resetLinkProblem(state: "invalid" | "used" | "expired"): string {
  return LINK_PROBLEMS[state];
}

/**
 * Sets a new password with a reset link: the link is consumed, every session of the account ends,
 * a forced reset is lifted, and the person is told by e-mail that the password changed.
 */
export async function resetPassword(
  input: { token: unknown; password: unknown; confirmPassword: unknown },
  ctx: RequestContext,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ email: string }> {
  const parsed = ZResetPassword.safeParse(input);
  if (!parsed.success) {
    const fields = fieldErrorsFromZod(parsed.error);
    if (fields.token) throw new AppError("BAD_REQUEST", LINK_PROBLEMS.invalid, { linkState: "invalid" });
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields });
  }
  await throttleRecovery(client, ctx, now);
  const { token, password } = parsed.data;
  const tokenHash = hashToken(token);
  const row = await client.accountToken.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      kind: true,
      usedAt: true,
      expiresAt: true,
      user: { select: { id: true, email: true, name: true, role: true, status: true } },
    },
  });
  const state =
    row?.kind !== "PASSWORD_RESET" || !row.user
      ? "invalid"
      : row.usedAt
        ? "used"
        : row.expiresAt <= now
          ? "expired"
          : "valid";
  if (state !== "valid" || !row?.user) {
    throw new AppError("BAD_REQUEST", LINK_PROBLEMS[state === "valid" ? "invalid" : state], { linkState: state });
  }
  const user = row.user;
  if (user.status !== "ACTIVE") {
    throw new AppError("FORBIDDEN", "This account has been deactivated. Contact the REMS administrator.");
  }
  const weak = commonPasswordProblem(password, [user.email.split("@")[0] ?? "", ...user.name.split(/\s+/)]);
  if (weak) throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: { password: [weak] } });
  const passwordHash = await hashPassword(password);

  await client.$transaction(async (tx) => {
    // The conditional update makes the link single-use even when it is submitted twice at once.
    const consumed = await tx.accountToken.updateMany({
      where: { id: row.id, usedAt: null },
      data: { usedAt: now },
    });
    if (consumed.count === 0) throw new AppError("BAD_REQUEST", LINK_PROBLEMS.used, { linkState: "used" });
    const updated = await tx.user.update({
      where: { id: user.id },
      data: {
        passwordHash,
        passwordResetRequired: false,
        failedSignIns: 0,
        lockedUntil: null,
        sessionVersion: { increment: 1 },
      },
      select: { sessionVersion: true },
    });
    const { count } = await tx.authSession.updateMany({
      where: { userId: user.id, revokedAt: null },
      data: { revokedAt: now },
    });
    // Other reset links sent before this one die with the old password.
    await tx.accountToken.updateMany({
      where: { userId: user.id, kind: "PASSWORD_RESET", usedAt: null },
      data: { usedAt: now },
    });
    await queueMail(tx, {
      to: user.email,
      subject: "Your REMS registry password was changed",
      text: [
        `Dear ${user.name},`,
        "",
        `The password of your REMS registry account was changed on ${now.toUTCString()}, and every device that was signed in has been signed out.`,
        "",
        "If you did not do this, reset your password at once and contact the REMS administrator:",
        appLink("/forgot-password"),
      ].join("\n"),
      category: "auth.password_changed",
      entityType: "User",
      entityId: user.id,
    });
    await recordAudit(
      tx,
      { userId: user.id, role: user.role, requestId: ctx.requestId },
      {
        action: "auth.password_reset",
        entityType: "User",
        entityId: user.id,
        after: { ip: ctx.ip, sessionVersion: updated.sessionVersion, sessionsEnded: count },
      },
    );
  });
  return { email: user.email };
}

/**
 * An administrator forces a new password: the person is signed out everywhere, the current
 * password stops working, and a reset link is e-mailed to them with the reason.
 */
export async function forcePasswordReset(actor: Actor, userId: string, reason: string, client: Db = db()) {
  requirePermission(actor, "user:manage:any");
  const why = reason.trim();
  if (!why) throw new AppError("VALIDATION", "Give a reason.", { fields: { reason: ["A reason is required"] } });
  if (why.length > 1000) {
    throw new AppError("VALIDATION", "Check the reason.", { fields: { reason: ["Use at most 1,000 characters"] } });
  }
  if (!isUuid(userId)) throw new AppError("NOT_FOUND", "No such user.");
  const now = new Date();
  return client.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { id: userId },
      select: { id: true, email: true, name: true, status: true, passwordResetRequired: true },
    });
    if (!user) throw new AppError("NOT_FOUND", "No such user.");
    if (user.status !== "ACTIVE") {
      throw new AppError("BAD_REQUEST", "This account is deactivated; reactivate it before forcing a password reset.");
    }
    const updated = await tx.user.update({
      where: { id: userId },
      data: { passwordResetRequired: true, sessionVersion: { increment: 1 } },
      select: { sessionVersion: true },
    });
    const { count } = await tx.authSession.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: now },
    });
    await queueResetLink(
      tx,
      user,
      `A REMS administrator has required a new password for your account and signed it out on every device. Reason: ${why}\n\nYour current password no longer works. To choose a new one, open this link:`,
      now,
    );
    await recordAudit(tx, actor, {
      action: "user.password_reset_forced",
      entityType: "User",
      entityId: userId,
      before: { passwordResetRequired: user.passwordResetRequired },
      after: { passwordResetRequired: true, reason: why, sessionVersion: updated.sessionVersion, sessionsEnded: count },
    });
    return { sessionsEnded: count };
  });
}
