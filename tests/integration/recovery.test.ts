/**
 * Account recovery: reset links by e-mail (single-use, hashed, 30 minutes), the same answer for
 * addresses without an account, a reset that ends every session and tells the person, and a reset
 * forced by an administrator. Delivery is checked over real SMTP; the rest against the outbox.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  forcePasswordReset,
  RESET_REQUESTED_MESSAGE,
  requestPasswordReset,
  resetPassword,
} from "../../lib/auth/recovery";
import { authenticate, checkSession } from "../../lib/auth/service";
import { db, disconnectDb } from "../../lib/db";
import { env } from "../../lib/env";
import { deliverPendingMail } from "../../lib/mail/deliver";
import { startSmtpServer, type TestSmtpServer } from "../setup/smtp";
import {
  createAdmin,
  createUser,
  mailedToken,
  requestContext,
  signIn,
  strongPassword,
  uniqueEmail,
  uniqueIp,
} from "../factories/users";
import { appError } from "../factories/errors";

let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});

afterAll(async () => {
  delete process.env.SMTP_URL;
  await smtp.close();
  await disconnectDb();
});

const resetToken = (email: string) => mailedToken(email, "/reset-password/");

describe("requestPasswordReset", () => {
  it("mails a single-use link over SMTP; only the token's SHA-256 is stored, valid 30 minutes", async () => {
    const { user } = await createUser({ name: "Priya Ramanathan" });
    const now = new Date();
    const answer = await requestPasswordReset({ email: user.email.toUpperCase() }, requestContext(), db(), now);
    expect(answer.message).toBe(RESET_REQUESTED_MESSAGE);
    expect(answer.message).toMatch(/^If an account exists for this address, we sent a link/);

    process.env.SMTP_URL = smtp.url;
    try {
      // Only this test's mail: the outbox is shared with every other test file.
      for (let i = 0; i < 20; i++) if ((await deliverPendingMail(db(), 200, { to: [user.email] })) === 0) break;
    } finally {
      delete process.env.SMTP_URL;
    }
    const mail = await smtp.waitFor(
      (m) => m.envelopeTo.includes(user.email) && m.subject === "Reset your REMS registry password",
    );
    const link = mail.text.match(/http\S+\/reset-password\/([A-Za-z0-9_-]+)/);
    expect(link, mail.text).not.toBeNull();
    const token = link?.[1] as string;
    expect(mail.text).toContain("Dear Priya Ramanathan");
    expect(mail.text).toContain("expires in 30 minutes");

    const row = await db().accountToken.findFirstOrThrow({ where: { userId: user.id, kind: "PASSWORD_RESET" } });
    expect(row.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(30 * 60_000);
  });

  it("answers an unknown address exactly like a known one, and stores and sends nothing for it", async () => {
    const { user } = await createUser();
    const nobody = uniqueEmail("nobody");
    const known = await requestPasswordReset({ email: user.email }, requestContext());
    const unknown = await requestPasswordReset({ email: nobody }, requestContext());
    expect(unknown).toEqual(known);
    expect(await db().mailMessage.count({ where: { to: nobody } })).toBe(0);
    expect(await db().accountToken.count({ where: { email: nobody } })).toBe(0);
    // Both requests are audited, neither with the address.
    const audits = await db().auditEvent.findMany({
      where: { action: "auth.password_reset_requested", entityId: null },
      orderBy: { at: "desc" },
      take: 5,
    });
    expect(JSON.stringify(audits.map((a) => a.after))).not.toContain(nobody);
  });

  it("gives field errors for a malformed address and records nothing", async () => {
    const error = await appError(requestPasswordReset({ email: "not an address" }, requestContext()));
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.fields?.email?.[0]).toMatch(/valid e-mail/);
  });

  it("throttles requests per client address (429), for known and unknown addresses alike", async () => {
    const { RESET_RATE_LIMIT_PER_HOUR: limit } = env();
    const ip = uniqueIp();
    for (let i = 0; i < limit; i++) await requestPasswordReset({ email: uniqueEmail("probe") }, requestContext(ip));
    const { user } = await createUser();
    const mailsBefore = await db().mailMessage.count({ where: { to: user.email } });
    const refused = await appError(requestPasswordReset({ email: user.email }, requestContext(ip)));
    expect(refused.code).toBe("RATE_LIMITED");
    expect(refused.status).toBe(429);
    expect(await db().mailMessage.count({ where: { to: user.email } })).toBe(mailsBefore);
    await expect(requestPasswordReset({ email: user.email }, requestContext(uniqueIp()))).resolves.toEqual({
      message: RESET_REQUESTED_MESSAGE,
    });
  });
});

describe("resetPassword", () => {
  it("sets the new password, ends every session, mails the person, and the link then says it was used", async () => {
    const { user, password } = await createUser();
    const phone = await signIn({ user, password });
    const laptop = await signIn({ user, password });
    await requestPasswordReset({ email: user.email }, requestContext());
    const token = await resetToken(user.email);
    const next = strongPassword();

    await resetPassword({ token, password: next, confirmPassword: next }, requestContext());

    for (const s of [phone, laptop]) {
      const check = await checkSession({ userId: user.id, sessionId: s.sessionId, sessionVersion: s.sessionVersion });
      expect(check).toEqual({ ok: false, reason: "signed-out-everywhere" });
    }
    expect(await db().authSession.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
    const old = await appError(authenticate({ email: user.email, password }, requestContext()));
    expect(old.code).toBe("UNAUTHENTICATED");
    expect((await authenticate({ email: user.email, password: next }, requestContext())).user.id).toBe(user.id);

    const notice = await db().mailMessage.findFirstOrThrow({
      where: { to: user.email, category: "auth.password_changed" },
    });
    expect(notice.subject).toBe("Your REMS registry password was changed");
    expect(notice.text).toContain("every device that was signed in has been signed out");
    expect(await db().auditEvent.count({ where: { entityId: user.id, action: "auth.password_reset" } })).toBe(1);

    const again = strongPassword();
    const used = await appError(resetPassword({ token, password: again, confirmPassword: again }, requestContext()));
    expect(used.code).toBe("BAD_REQUEST");
    expect(used.message).toMatch(/already been used/);
    expect((await authenticate({ email: user.email, password: next }, requestContext())).user.id).toBe(user.id);
  });

  it("refuses an expired link (after 30 minutes) and changes nothing", async () => {
    const { user, password } = await createUser();
    const askedAt = new Date(Date.now() - 31 * 60_000);
    await requestPasswordReset({ email: user.email }, requestContext(), db(), askedAt);
    const token = await resetToken(user.email);
    const next = strongPassword();
    const expired = await appError(resetPassword({ token, password: next, confirmPassword: next }, requestContext()));
    expect(expired.message).toMatch(/expired/);
    expect((await authenticate({ email: user.email, password }, requestContext())).user.id).toBe(user.id);

    const bogus = await appError(
      resetPassword({ token: "x".repeat(43), password: next, confirmPassword: next }, requestContext()),
    );
    expect(bogus.message).toMatch(/not valid/);
  });

  it("applies the password rules field by field and keeps the link usable", async () => {
    const { user } = await createUser({ name: "Morgan Okafor" });
    await requestPasswordReset({ email: user.email }, requestContext());
    const token = await resetToken(user.email);
    const short = await appError(
      resetPassword({ token, password: "short", confirmPassword: "other" }, requestContext()),
    );
    expect(short.details?.fields?.password?.[0]).toMatch(/at least 12/);
    expect(short.details?.fields?.confirmPassword?.[0]).toMatch(/do not match/);
    const common = await appError(
      resetPassword({ token, password: "Password123!", confirmPassword: "Password123!" }, requestContext()),
    );
    expect(common.details?.fields?.password?.[0]).toMatch(/too common/);
    const named = "Okafor walks the long pier";
    const context = await appError(resetPassword({ token, password: named, confirmPassword: named }, requestContext()));
    expect(context.details?.fields?.password?.[0]).toMatch(/name or e-mail/);
    const good = strongPassword();
    await resetPassword({ token, password: good, confirmPassword: good }, requestContext());
  });

  it("uses a link once even when it is submitted twice at the same moment", async () => {
    const { user } = await createUser();
    await requestPasswordReset({ email: user.email }, requestContext());
    const token = await resetToken(user.email);
    const [a, b] = [strongPassword(), strongPassword()];
    const outcomes = await Promise.allSettled([
      resetPassword({ token, password: a, confirmPassword: a }, requestContext()),
      resetPassword({ token, password: b, confirmPassword: b }, requestContext()),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await db().auditEvent.count({ where: { entityId: user.id, action: "auth.password_reset" } })).toBe(1);
  });
});

describe("forcePasswordReset", () => {
  it("ends the sessions, makes the current password unusable, mails a link with the reason, and audits it", async () => {
    const { user: adminUser, password: adminPassword } = await createAdmin();
    const admin = (await signIn({ user: adminUser, password: adminPassword })).actor;
    const { user, password } = await createUser();
    const session = await signIn({ user, password });

    const result = await forcePasswordReset(admin, user.id, "Password seen in a phishing report");
    expect(result.sessionsEnded).toBe(1);

    const check = await checkSession({
      userId: user.id,
      sessionId: session.sessionId,
      sessionVersion: session.sessionVersion,
    });
    expect(check.ok).toBe(false);
    const refused = await appError(authenticate({ email: user.email, password }, requestContext()));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/administrator has required a new password/);

    const mail = await db().mailMessage.findFirstOrThrow({
      where: { to: user.email, category: "auth.password_reset" },
      orderBy: { createdAt: "desc" },
    });
    expect(mail.text).toContain("Reason: Password seen in a phishing report");
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { entityId: user.id, action: "user.password_reset_forced" },
    });
    expect(audit).toMatchObject({ actorId: adminUser.id, after: { reason: "Password seen in a phishing report" } });

    const next = strongPassword();
    await resetPassword(
      { token: await resetToken(user.email), password: next, confirmPassword: next },
      requestContext(),
    );
    expect((await authenticate({ email: user.email, password: next }, requestContext())).user.id).toBe(user.id);
  });

  it("refuses a non-administrator and a missing reason, changing nothing", async () => {
    const { user: someone, password } = await createUser();
    const actor = (await signIn({ user: someone, password })).actor;
    const { user } = await createUser();
    const forbidden = await appError(forcePasswordReset(actor, user.id, "because"));
    expect(forbidden.code).toBe("FORBIDDEN");
    const { user: adminUser, password: adminPassword } = await createAdmin();
    const admin = (await signIn({ user: adminUser, password: adminPassword })).actor;
    const noReason = await appError(forcePasswordReset(admin, user.id, "  "));
    expect(noReason.details?.fields?.reason).toEqual(["A reason is required"]);
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordResetRequired: true } });
    expect(row.passwordResetRequired).toBe(false);
    expect(await db().accountToken.count({ where: { userId: user.id, kind: "PASSWORD_RESET" } })).toBe(0);
  });
});
