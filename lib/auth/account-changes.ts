/**
 * A signed-in person changes their own password or sign-in address. Both ask for the password
 * again and, when a second factor is enrolled, a code (step-up), so a session left open on a shared
 * computer cannot take the account over. A new address only takes effect from a link mailed to it,
 * and the old address is told at each step.
 */
import { recordAudit } from "../audit/service";
import { db, type Db } from "../db";
import { isUniqueViolation } from "../db/unique-violation";
import { AppError, fieldErrorsFromZod } from "../errors";
import { hitRateLimit } from "../http/rate-limit";
import { queueMail } from "../mail/outbox";
import { appLink, createAccountToken, EMAIL_CHANGE_TOKEN_MINUTES, hashToken } from "./account-tokens";
import type { Actor } from "./actor";
import { verifyStepUp } from "./mfa";
import { commonPasswordProblem, hashPassword } from "./password";
import { requirePermission } from "./permissions";
import { type TChangeEmail, type TChangePassword, ZChangeEmail, ZChangePassword } from "./schema";
import type { RequestContext } from "./service";

/** Wrong passwords at a step-up are guesses at the password: at most this many per account an hour. */
const STEP_UP_ATTEMPTS_PER_HOUR = 10;

function parsed<T>(result: { success: true; data: T } | { success: false; error: import("zod").ZodError }): T {
  if (!result.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(result.error) });
  }
  return result.data;
}

async function throttleStepUp(client: Db, actor: Actor, now: Date) {
  const limit = await hitRateLimit(client, `account-change:${actor.userId}`, STEP_UP_ATTEMPTS_PER_HOUR, 3600, now);
  if (!limit.allowed) {
    throw new AppError(
      "RATE_LIMITED",
      `Too many attempts to change your account. Try again in ${Math.ceil(limit.retryAfterSeconds / 60)} minutes.`,
      { retryAfterSeconds: limit.retryAfterSeconds },
    );
  }
}

/**
 * A new password from the current one: every other session of the account ends (this one stays),
 * reset links already sent stop working, and the person is told by e-mail.
 */
export async function changePassword(
  actor: Actor,
  input: TChangePassword,
  ctx: RequestContext,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ sessionsEnded: number }> {
  requirePermission(actor, "account:update:own");
  const values = parsed(ZChangePassword.safeParse(input));
  await throttleStepUp(client, actor, now);
  await verifyStepUp(
    actor,
    { password: values.currentPassword, code: values.code },
    { passwordField: "currentPassword", action: "change your password" },
    client,
    now,
  );
  const weak = commonPasswordProblem(values.password, [actor.email.split("@")[0] ?? "", ...actor.name.split(/\s+/)]);
  if (weak) throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: { password: [weak] } });
  const passwordHash = await hashPassword(values.password);

  return client.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: actor.userId },
      data: { passwordHash, passwordResetRequired: false, failedSignIns: 0, lockedUntil: null },
    });
    const { count } = await tx.authSession.updateMany({
      where: { userId: actor.userId, revokedAt: null, ...(actor.sessionId ? { id: { not: actor.sessionId } } : {}) },
      data: { revokedAt: now },
    });
    await tx.accountToken.updateMany({
      where: { userId: actor.userId, kind: "PASSWORD_RESET", usedAt: null },
      data: { usedAt: now },
    });
    await queueMail(tx, {
      to: actor.email,
      subject: "Your REMS registry password was changed",
      text: [
        `Dear ${actor.name},`,
        "",
        `The password of your REMS registry account was changed on ${now.toUTCString()} from your account page.`,
        count > 0 ? `${count} other signed-in session${count === 1 ? " was" : "s were"} signed out.` : "",
        "",
        "If you did not do this, reset your password at once and contact the REMS administrator:",
        appLink("/forgot-password"),
      ]
        .filter((line, i, lines) => line !== "" || lines[i - 1] !== "")
        .join("\n"),
      category: "auth.password_changed",
      entityType: "User",
      entityId: actor.userId,
    });
    await recordAudit(tx, actor, {
      action: "auth.password_changed",
      entityType: "User",
      entityId: actor.userId,
      after: { ip: ctx.ip, otherSessionsEnded: count },
    });
    return { sessionsEnded: count };
  });
}

export function emailChangeRequestedMessage(email: string): string {
  return `We sent a confirmation link to ${email}. Your sign-in address changes when you open it (the link works once, for ${EMAIL_CHANGE_TOKEN_MINUTES} minutes). Until then, sign in with your current address.`;
}

/**
 * Mails a confirmation link to the new address and a notice to the current one. The answer is the
 * same whether or not the new address already belongs to an account; that account's owner is told
 * instead, and nothing changes.
 */
export async function requestEmailChange(
  actor: Actor,
  input: TChangeEmail,
  ctx: RequestContext,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ message: string }> {
  requirePermission(actor, "account:update:own");
  const values = parsed(ZChangeEmail.safeParse(input));
  if (values.email === actor.email.toLowerCase()) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", {
      fields: { email: ["This is already your sign-in address"] },
    });
  }
  await throttleStepUp(client, actor, now);
  await verifyStepUp(
    actor,
    { password: values.password, code: values.code },
    { action: "change your e-mail address" },
    client,
    now,
  );

  await client.$transaction(async (tx) => {
    // One pending change at a time: a newer request voids the links of older ones.
    await tx.accountToken.updateMany({
      where: { userId: actor.userId, kind: "EMAIL_CHANGE", usedAt: null },
      data: { usedAt: now },
    });
    const taken = await tx.user.findUnique({ where: { email: values.email }, select: { id: true } });
    if (taken) {
      await queueMail(tx, {
        to: values.email,
        subject: "This address already has a REMS registry account",
        text: [
          "Someone signed in to the REMS registry asked to use this e-mail address for their account.",
          "It already belongs to an account, so nothing was changed.",
          "",
          "If you asked for this, sign in with this address instead. Otherwise you can ignore this message.",
        ].join("\n"),
        category: "auth.email_change_refused",
        entityType: "User",
        entityId: taken.id,
      });
    } else {
      const token = await createAccountToken(
        tx,
        { kind: "EMAIL_CHANGE", email: values.email, userId: actor.userId, pending: { email: values.email } },
        now,
      );
      await queueMail(tx, {
        to: values.email,
        subject: "Confirm your new REMS registry sign-in address",
        text: [
          `Dear ${actor.name},`,
          "",
          "Open this link to make this address the one you sign in to the REMS registry with:",
          "",
          appLink(`/confirm-email/${token}`),
          "",
          `The link works once and expires in ${EMAIL_CHANGE_TOKEN_MINUTES} minutes. If you did not ask for this, ignore this message.`,
        ].join("\n"),
        category: "auth.email_change",
        entityType: "User",
        entityId: actor.userId,
      });
    }
    await queueMail(tx, {
      to: actor.email,
      subject: "A change of your REMS registry sign-in address was requested",
      text: [
        `Dear ${actor.name},`,
        "",
        `On ${now.toUTCString()} someone signed in to your account asked to change its sign-in address to ${values.email}.`,
        "The change happens only when the link sent to that address is opened.",
        "",
        "If this was not you, reset your password at once and contact the REMS administrator:",
        appLink("/forgot-password"),
      ].join("\n"),
      category: "auth.email_change_requested",
      entityType: "User",
      entityId: actor.userId,
    });
    await recordAudit(tx, actor, {
      action: "auth.email_change_requested",
      entityType: "User",
      entityId: actor.userId,
      after: { requestedEmail: values.email, ip: ctx.ip },
    });
  });
  return { message: emailChangeRequestedMessage(values.email) };
}

const LINK_PROBLEMS = {
  invalid: "This confirmation link is not valid. Copy the whole link from the e-mail, or ask for a new one.",
  used: "This confirmation link has already been used or was replaced by a newer request.",
  expired: `This confirmation link has expired (links work for ${EMAIL_CHANGE_TOKEN_MINUTES} minutes). Ask for a new one from your account page.`,
} as const;

export function emailChangeLinkProblem(state: "invalid" | "used" | "expired"): string {
  return LINK_PROBLEMS[state];
}

/**
 * Opens the link sent to the new address: the account's sign-in address becomes it, every session
 * ends (sign in again with the new address), and the old address is told.
 */
export async function confirmEmailChange(
  token: string,
  ctx: RequestContext,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ email: string }> {
  if (typeof token !== "string" || token.length === 0 || token.length > 200) {
    throw new AppError("BAD_REQUEST", LINK_PROBLEMS.invalid, { linkState: "invalid" });
  }
  const row = await client.accountToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      kind: true,
      email: true,
      usedAt: true,
      expiresAt: true,
      user: { select: { id: true, email: true, name: true, role: true, status: true } },
    },
  });
  const state =
    row?.kind !== "EMAIL_CHANGE" || !row.user
      ? "invalid"
      : row.usedAt
        ? "used"
        : row.expiresAt <= now
          ? "expired"
          : null;
  if (state || !row?.user) throw new AppError("BAD_REQUEST", LINK_PROBLEMS[state ?? "invalid"], { linkState: state });
  const user = row.user;
  if (user.status !== "ACTIVE") {
    throw new AppError("FORBIDDEN", "This account has been deactivated. Contact the REMS administrator.");
  }
  const newEmail = row.email;
  try {
    await client.$transaction(async (tx) => {
      const consumed = await tx.accountToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
      if (consumed.count === 0) throw new AppError("BAD_REQUEST", LINK_PROBLEMS.used, { linkState: "used" });
      const updated = await tx.user.update({
        where: { id: user.id },
        data: { email: newEmail, sessionVersion: { increment: 1 } },
        select: { sessionVersion: true },
      });
      const { count } = await tx.authSession.updateMany({
        where: { userId: user.id, revokedAt: null },
        data: { revokedAt: now },
      });
      await queueMail(tx, {
        to: user.email,
        subject: "Your REMS registry sign-in address was changed",
        text: [
          `Dear ${user.name},`,
          "",
          `On ${now.toUTCString()} the sign-in address of your REMS registry account was changed from this address to ${newEmail}. Every device that was signed in has been signed out.`,
          "",
          "If you did not do this, contact the REMS administrator at once.",
        ].join("\n"),
        category: "auth.email_changed",
        entityType: "User",
        entityId: user.id,
      });
      await recordAudit(
        tx,
        { userId: user.id, role: user.role, requestId: ctx.requestId },
        {
          action: "auth.email_changed",
          entityType: "User",
          entityId: user.id,
          before: { email: user.email },
          after: { email: newEmail, sessionVersion: updated.sessionVersion, sessionsEnded: count, ip: ctx.ip },
        },
      );
    });
  } catch (error) {
    // Another account took the address between the request and the link.
    if (isUniqueViolation(error)) {
      throw new AppError("CONFLICT", `${newEmail} now belongs to another account, so your address was not changed.`);
    }
    throw error;
  }
  return { email: newEmail };
}
