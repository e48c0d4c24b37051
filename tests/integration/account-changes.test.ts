/**
 * A signed-in person changes their own password or sign-in address: step-up first (password, and a
 * code when a factor is enrolled), field errors for bad input with nothing changed, the old address
 * told at each step, a new address effective only from the link mailed to it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { changePassword, confirmEmailChange, requestEmailChange } from "../../lib/auth/account-changes";
import { checkSession } from "../../lib/auth/service";
import { db, disconnectDb } from "../../lib/db";
import {
  createUser,
  mailedToken,
  requestContext,
  signIn,
  stepUpCode,
  strongPassword,
  uniqueEmail,
} from "../factories/users";
import { appError } from "../factories/errors";

afterAll(async () => {
  await disconnectDb();
});

async function passwordHash(userId: string) {
  return (await db().user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } })).passwordHash;
}

describe("changePassword", () => {
  it("needs the current password, keeps this session, ends the others and tells the person", async () => {
    const account = await createUser({ name: "Tomasz Wieczorek" });
    const here = await signIn(account);
    const elsewhere = await signIn(account);
    const before = await passwordHash(here.actor.userId);
    const next = strongPassword();

    const wrong = await appError(
      changePassword(
        here.actor,
        { currentPassword: "not it", password: next, confirmPassword: next },
        requestContext(),
      ),
    );
    expect(wrong.code).toBe("VALIDATION");
    expect(wrong.details?.fields).toEqual({ currentPassword: ["The password is incorrect"] });
    expect(await passwordHash(here.actor.userId)).toBe(before);

    const result = await changePassword(
      here.actor,
      { currentPassword: account.password, password: next, confirmPassword: next },
      requestContext(),
    );
    expect(result.sessionsEnded).toBe(1);
    expect(await passwordHash(here.actor.userId)).not.toBe(before);

    const claims = (s: { sessionId: string; sessionVersion: number }) => ({
      userId: here.actor.userId,
      sessionId: s.sessionId,
      sessionVersion: s.sessionVersion,
    });
    expect((await checkSession(claims(here))).ok).toBe(true);
    expect(await checkSession(claims(elsewhere))).toEqual({ ok: false, reason: "revoked" });

    // The new password signs in; the old one no longer does.
    await signIn({ user: account.user, password: next });
    await expect(signIn(account)).rejects.toThrow();

    const mail = await db().mailMessage.findFirstOrThrow({
      where: { to: account.user.email, category: "auth.password_changed" },
      orderBy: { createdAt: "desc" },
    });
    expect(mail.text).toContain("Dear Tomasz Wieczorek");
    expect(mail.text).toContain("1 other signed-in session was signed out");
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { entityId: here.actor.userId, action: "auth.password_changed" },
    });
    expect(audit.after).toMatchObject({ otherSessionsEnded: 1 });
    expect(JSON.stringify(audit.after)).not.toContain(next);
  });

  it("refuses a weak, mismatched or unchanged new password field by field, changing nothing", async () => {
    const account = await createUser();
    const { actor } = await signIn(account);
    const before = await passwordHash(actor.userId);
    const cases: [Record<string, string>, string, string][] = [
      [{ password: "short", confirmPassword: "short" }, "password", "Use at least 12 characters"],
      [{ password: "qwerty123456", confirmPassword: "qwerty123456" }, "password", ""],
      [
        { password: strongPassword(), confirmPassword: strongPassword() },
        "confirmPassword",
        "The passwords do not match",
      ],
      [
        { password: account.password, confirmPassword: account.password },
        "password",
        "Choose a password different from your current one",
      ],
    ];
    for (const [fields, field, message] of cases) {
      const error = await appError(
        changePassword(actor, { currentPassword: account.password, ...fields } as never, requestContext()),
      );
      expect(error.code).toBe("VALIDATION");
      const messages = (error.details?.fields as Record<string, string[]> | undefined)?.[field];
      expect(messages?.length, JSON.stringify(error.details)).toBeGreaterThan(0);
      if (message) expect(messages).toContain(message);
    }
    expect(await passwordHash(actor.userId)).toBe(before);
    expect(await db().auditEvent.count({ where: { entityId: actor.userId, action: "auth.password_changed" } })).toBe(0);
  });

  it("asks for the authenticator code when a factor is enrolled", async () => {
    const account = await createUser({ role: "PHARMACIST" });
    // Signed in before the factor was enrolled (the factory's sign-in gives no code).
    const { actor } = await signIn(account);
    const code = await stepUpCode(account.user.id);
    const next = strongPassword();
    const missing = await appError(
      changePassword(
        actor,
        { currentPassword: account.password, password: next, confirmPassword: next },
        requestContext(),
      ),
    );
    expect(missing.details?.fields).toEqual({ code: ["Enter the 6-digit code from your authenticator app"] });
    await changePassword(
      actor,
      { currentPassword: account.password, code, password: next, confirmPassword: next },
      requestContext(),
    );
    // A recovery code works once.
    const again = strongPassword();
    const reused = await appError(
      changePassword(actor, { currentPassword: next, code, password: again, confirmPassword: again }, requestContext()),
    );
    expect(reused.details?.fields).toHaveProperty("code");
  });

  it("stops guessing at the current password after ten tries an hour", async () => {
    const account = await createUser();
    const { actor } = await signIn(account);
    const next = strongPassword();
    const now = new Date();
    for (let i = 0; i < 10; i++) {
      const error = await appError(
        changePassword(
          actor,
          { currentPassword: `guess ${i}`, password: next, confirmPassword: next },
          requestContext(),
          db(),
          now,
        ),
      );
      expect(error.code).toBe("VALIDATION");
    }
    const limited = await appError(
      changePassword(
        actor,
        { currentPassword: account.password, password: next, confirmPassword: next },
        requestContext(),
        db(),
        now,
      ),
    );
    expect(limited.code).toBe("RATE_LIMITED");
    expect(limited.message).toMatch(/Try again in \d+ minutes/);
  });
});

describe("requestEmailChange and confirmEmailChange", () => {
  it("changes the sign-in address only from the link mailed to it, signing every device out", async () => {
    const account = await createUser({ name: "Imani Achterberg" });
    const { actor, sessionId, sessionVersion } = await signIn(account);
    const oldEmail = account.user.email;
    const newEmail = uniqueEmail("moved");

    const answer = await requestEmailChange(
      actor,
      { email: newEmail.toUpperCase(), password: account.password },
      requestContext(),
    );
    expect(answer.message).toContain(`We sent a confirmation link to ${newEmail}`);
    // Nothing changes until the link is opened.
    expect((await db().user.findUniqueOrThrow({ where: { id: actor.userId } })).email).toBe(oldEmail);
    const notice = await db().mailMessage.findFirstOrThrow({
      where: { to: oldEmail, category: "auth.email_change_requested" },
    });
    expect(notice.text).toContain(newEmail);

    const token = await mailedToken(newEmail, "/confirm-email/");
    const done = await confirmEmailChange(token, requestContext());
    expect(done.email).toBe(newEmail);
    expect((await db().user.findUniqueOrThrow({ where: { id: actor.userId } })).email).toBe(newEmail);
    expect(await checkSession({ userId: actor.userId, sessionId, sessionVersion })).toEqual({
      ok: false,
      reason: "signed-out-everywhere",
    });
    const told = await db().mailMessage.findFirstOrThrow({ where: { to: oldEmail, category: "auth.email_changed" } });
    expect(told.text).toContain(`to ${newEmail}`);
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { entityId: actor.userId, action: "auth.email_changed" },
    });
    expect(audit.before).toEqual({ email: oldEmail });
    expect(audit.after).toMatchObject({ email: newEmail });

    // The link works once; the new address signs in and the old one does not.
    const used = await appError(confirmEmailChange(token, requestContext()));
    expect(used.message).toMatch(/already been used/);
    await signIn({ user: { email: newEmail }, password: account.password });
    await expect(signIn({ user: { email: oldEmail }, password: account.password })).rejects.toThrow();
  });

  it("answers the same for an address that already has an account, tells its owner and changes nothing", async () => {
    const account = await createUser();
    const other = await createUser({ name: "Owner Of Address" });
    const { actor } = await signIn(account);
    const free = uniqueEmail("free");
    const takenAnswer = await requestEmailChange(
      actor,
      { email: other.user.email, password: account.password },
      requestContext(),
    );
    const freeAnswer = await requestEmailChange(actor, { email: free, password: account.password }, requestContext());
    expect(takenAnswer.message.replace(other.user.email, "X")).toBe(freeAnswer.message.replace(free, "X"));
    const toOwner = await db().mailMessage.findFirstOrThrow({
      where: { to: other.user.email, category: "auth.email_change_refused" },
    });
    expect(toOwner.text).toContain("nothing was changed");
    expect(await db().accountToken.count({ where: { kind: "EMAIL_CHANGE", email: other.user.email } })).toBe(0);
  });

  it("refuses a wrong password, the current address and a malformed one; a newer request voids the older link", async () => {
    const account = await createUser();
    const { actor } = await signIn(account);
    const wrong = await appError(
      requestEmailChange(actor, { email: uniqueEmail(), password: "nope" }, requestContext()),
    );
    expect(wrong.details?.fields).toEqual({ password: ["The password is incorrect"] });
    const same = await appError(
      requestEmailChange(actor, { email: account.user.email, password: account.password }, requestContext()),
    );
    expect(same.details?.fields).toEqual({ email: ["This is already your sign-in address"] });
    const malformed = await appError(
      requestEmailChange(actor, { email: "not an address", password: account.password }, requestContext()),
    );
    expect(malformed.details?.fields).toHaveProperty("email");
    expect(await db().accountToken.count({ where: { userId: actor.userId, kind: "EMAIL_CHANGE" } })).toBe(0);

    const first = uniqueEmail("first");
    const second = uniqueEmail("second");
    await requestEmailChange(actor, { email: first, password: account.password }, requestContext());
    const firstToken = await mailedToken(first, "/confirm-email/");
    await requestEmailChange(actor, { email: second, password: account.password }, requestContext());
    const voided = await appError(confirmEmailChange(firstToken, requestContext()));
    expect(voided.message).toMatch(/replaced by a newer request/);
    await confirmEmailChange(await mailedToken(second, "/confirm-email/"), requestContext());
    expect((await db().user.findUniqueOrThrow({ where: { id: actor.userId } })).email).toBe(second);
  });

  it("says so when another account took the address before the link was opened", async () => {
    const account = await createUser();
    const { actor } = await signIn(account);
    const wanted = uniqueEmail("wanted");
    await requestEmailChange(actor, { email: wanted, password: account.password }, requestContext());
    const token = await mailedToken(wanted, "/confirm-email/");
    const someoneElse = await createUser();
    await db().user.update({ where: { id: someoneElse.user.id }, data: { email: wanted } });
    const conflict = await appError(confirmEmailChange(token, requestContext()));
    expect(conflict.code).toBe("CONFLICT");
    expect(conflict.message).toContain(`${wanted} now belongs to another account`);
    expect((await db().user.findUniqueOrThrow({ where: { id: actor.userId } })).email).toBe(account.user.email);
  });

  it("refuses an unknown, expired or malformed link", async () => {
    for (const token of ["", "x".repeat(500), "no-such-token"]) {
      const error = await appError(confirmEmailChange(token, requestContext()));
      expect(error.code).toBe("BAD_REQUEST");
    }
    const account = await createUser();
    const { actor } = await signIn(account);
    const later = uniqueEmail("later");
    await requestEmailChange(actor, { email: later, password: account.password }, requestContext());
    const token = await mailedToken(later, "/confirm-email/");
    const expired = await appError(
      confirmEmailChange(token, requestContext(), db(), new Date(Date.now() + 61 * 60_000)),
    );
    expect(expired.message).toMatch(/expired/);
  });
});
