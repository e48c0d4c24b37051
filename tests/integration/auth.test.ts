import { afterAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  authenticate,
  checkSession,
  completeSignUp,
  SIGN_UP_MESSAGE,
  endSession,
  signOutEverywhere,
  signUp,
} from "../../lib/auth/service";
import { db, disconnectDb } from "../../lib/db";
import { env } from "../../lib/env";
import {
  createUser,
  mailedToken,
  requestContext,
  signIn,
  strongPassword,
  uniqueEmail,
  uniqueIp,
} from "../factories/users";
import { appError } from "../factories/errors";

afterAll(async () => {
  await disconnectDb();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function userRow(id: string) {
  return db().user.findUniqueOrThrow({
    where: { id },
    select: { status: true, sessionVersion: true, failedSignIns: true, lockedUntil: true, passwordHash: true },
  });
}

describe("signUp", () => {
  it("asks the person to check their e-mail, and creates the account only from the mailed single-use link", async () => {
    const email = uniqueEmail("Signup").replace("@test.local", "@Test.Local");
    const password = strongPassword();
    const ctx = requestContext();
    const answer = await signUp(
      { name: "Imani Castellanos", email, password, confirmPassword: password, enrollingAs: "PHARMACIST" },
      ctx,
    );
    expect(answer.message).toBe(SIGN_UP_MESSAGE);
    expect(answer.message).toMatch(/^Check your e-mail to continue/);
    expect(await db().user.count({ where: { email: email.toLowerCase() } })).toBe(0);

    const mail = await db().mailMessage.findFirstOrThrow({ where: { to: email.toLowerCase() } });
    expect(mail.subject).toBe("Activate your REMS registry account");
    const token = await mailedToken(email, "/verify-email/");
    expect(token.length).toBeGreaterThanOrEqual(43);
    // Only the token's hash is stored, and the password only as an argon2id hash.
    const row = await db().accountToken.findFirstOrThrow({ where: { email: email.toLowerCase() } });
    expect(row.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(password);

    const user = await completeSignUp(token, ctx);
    expect(user).toMatchObject({
      email: email.toLowerCase(),
      name: "Imani Castellanos",
      role: "PHARMACIST",
      status: "ACTIVE",
    });
    const stored = await userRow(user.id);
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await authenticate({ email, password }, requestContext())).user.id).toBe(user.id);

    const audit = await db().auditEvent.findMany({ where: { entityType: "User", entityId: user.id } });
    expect(audit.find((a) => a.action === "user.signed_up")).toMatchObject({
      actorId: user.id,
      actorRole: "PHARMACIST",
      requestId: ctx.requestId,
      after: { email: email.toLowerCase(), name: "Imani Castellanos", role: "PHARMACIST", ip: ctx.ip },
    });
    expect(JSON.stringify(audit.map((a) => [a.before, a.after]))).not.toContain(password);

    const again = await appError(completeSignUp(token, requestContext()));
    expect(again.code).toBe("BAD_REQUEST");
    expect(again.message).toMatch(/already been used/);
    expect(await db().user.count({ where: { email: email.toLowerCase() } })).toBe(1);
  });

  it("answers an existing address (any letter case) exactly like a new one, and mails its owner instead", async () => {
    const { user } = await createUser();
    const password = strongPassword();
    const input = (email: string) => ({
      name: "Someone Else",
      email,
      password,
      confirmPassword: password,
      enrollingAs: "PRESCRIBER" as const,
    });
    const existing = await signUp(input(user.email.toUpperCase()), requestContext());
    const fresh = await signUp(input(uniqueEmail("fresh")), requestContext());
    expect(existing).toEqual(fresh);
    expect(await db().user.count({ where: { email: { equals: user.email, mode: "insensitive" } } })).toBe(1);

    const mails = await db().mailMessage.findMany({ where: { to: user.email }, orderBy: { createdAt: "asc" } });
    const notice = mails.at(-1);
    expect(notice?.subject).toBe("Someone tried to create a REMS registry account with your address");
    expect(notice?.text).toContain("/forgot-password");
    expect(notice?.text).toContain("/sign-in");
    expect(notice?.text).not.toContain("/verify-email/");
    expect(
      await db().accountToken.count({ where: { email: user.email, kind: "EMAIL_VERIFICATION", usedAt: null } }),
    ).toBe(0);
  });

  it("says clearly when an activation link has expired or is not valid, and creates nothing", async () => {
    const email = uniqueEmail("late");
    const password = strongPassword();
    const signedUpAt = new Date(Date.now() - 25 * HOUR);
    await signUp(
      { name: "Late Larkin", email, password, confirmPassword: password, enrollingAs: "PRESCRIBER" },
      requestContext(),
      db(),
      signedUpAt,
    );
    const error = await appError(completeSignUp(await mailedToken(email, "/verify-email/"), requestContext()));
    expect(error.message).toMatch(/expired/);
    const bogus = await appError(completeSignUp("not-a-real-token", requestContext()));
    expect(bogus.message).toMatch(/not valid/);
    expect(await db().user.count({ where: { email } })).toBe(0);
  });

  it("throttles sign-ups per client address (429), without affecting other addresses", async () => {
    const { SIGNUP_RATE_LIMIT_PER_HOUR: limit } = env();
    const ip = uniqueIp();
    const password = strongPassword();
    const attempt = (at: string) =>
      signUp(
        {
          name: "Flood Fennimore",
          email: uniqueEmail("flood"),
          password,
          confirmPassword: password,
          enrollingAs: "PRESCRIBER",
        },
        requestContext(at),
      );
    for (let i = 0; i < limit; i++) await attempt(ip);
    const before = await db().accountToken.count();
    const refused = await appError(attempt(ip));
    expect(refused.code).toBe("RATE_LIMITED");
    expect(refused.status).toBe(429);
    expect(refused.message).toMatch(/Too many sign-ups from your network\. Try again in \d+ minutes\./);
    expect(await db().accountToken.count()).toBe(before);
    await expect(attempt(uniqueIp())).resolves.toEqual({ message: SIGN_UP_MESSAGE });
  });

  it("refuses a common password on the password field and creates nothing", async () => {
    const email = uniqueEmail("common");
    const error = await appError(
      signUp(
        {
          name: "Rafael Nguyen",
          email,
          password: "Password123!",
          confirmPassword: "Password123!",
          enrollingAs: "PRESCRIBER",
        },
        requestContext(),
      ),
    );
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.fields).toEqual({ password: [expect.stringMatching(/too common/)] });
    expect(await db().user.count({ where: { email } })).toBe(0);
    expect(await db().accountToken.count({ where: { email } })).toBe(0);
  });

  it("refuses a password containing the person's name", async () => {
    const email = uniqueEmail("context");
    const password = "Castellanos rides the quiet tram";
    const error = await appError(
      signUp(
        { name: "Imani Castellanos", email, password, confirmPassword: password, enrollingAs: "SETTING_REP" },
        requestContext(),
      ),
    );
    expect(error.details?.fields?.password?.[0]).toMatch(/name or e-mail/);
    expect(await db().user.count({ where: { email } })).toBe(0);
  });

  it("returns field messages for malformed input and creates nothing", async () => {
    const error = await appError(
      signUp(
        { name: "", email: "not-an-email", password: "short", confirmPassword: "", enrollingAs: "ADMIN" } as never,
        requestContext(),
      ),
    );
    expect(error.code).toBe("VALIDATION");
    expect(Object.keys(error.details?.fields ?? {}).sort()).toEqual([
      "confirmPassword",
      "email",
      "enrollingAs",
      "name",
      "password",
    ]);
  });
});

describe("authenticate", () => {
  it("signs in, creates an AuthSession and resets the failure counter", async () => {
    const { user, password } = await createUser();
    const ip = uniqueIp();
    for (let i = 0; i < 2; i++) {
      const error = await appError(
        authenticate({ email: user.email, password: "wrong password entirely" }, requestContext(ip)),
      );
      expect(error.code).toBe("UNAUTHENTICATED");
    }
    expect((await userRow(user.id)).failedSignIns).toBe(2);

    const now = new Date();
    const result = await authenticate(
      { email: user.email.toUpperCase(), password },
      { ...requestContext(ip), userAgent: "Firefox" },
      db(),
      now,
    );
    expect(result.user).toMatchObject({ id: user.id, email: user.email, role: "PRESCRIBER", sessionVersion: 0 });

    const session = await db().authSession.findUniqueOrThrow({ where: { id: result.sessionId } });
    expect(session).toMatchObject({ userId: user.id, sessionVersion: 0, revokedAt: null, ip, userAgent: "Firefox" });
    expect(session.createdAt.getTime()).toBe(now.getTime());
    expect(await userRow(user.id)).toMatchObject({ failedSignIns: 0, lockedUntil: null });
    expect(await db().auditEvent.count({ where: { entityId: user.id, action: "auth.signed_in" } })).toBe(1);
    expect(await db().auditEvent.count({ where: { entityId: user.id, action: "auth.sign_in_failed" } })).toBe(2);
  });

  it("gives the same answer for an unknown e-mail as for a wrong password", async () => {
    const { user } = await createUser();
    const ip = uniqueIp();
    const wrong = await appError(authenticate({ email: user.email, password: "not the password" }, requestContext(ip)));
    const unknown = await appError(
      authenticate({ email: uniqueEmail("nobody"), password: "not the password" }, requestContext(ip)),
    );
    expect([wrong.code, wrong.message]).toEqual([unknown.code, unknown.message]);
  });

  it("after N failures from one address, each next attempt there must wait 1, 2, 4 … seconds (429); then the right password works", async () => {
    const { SIGNIN_MAX_FAILURES_ACCOUNT: free } = env();
    const { user, password } = await createUser();
    const ip = uniqueIp();
    const seconds = (n: number) => `${n} ${n === 1 ? "second" : "seconds"}`;
    let t = Date.now();
    for (let i = 1; i < free; i++) {
      const error = await appError(
        authenticate({ email: user.email, password: `wrong ${i}` }, requestContext(ip), db(), new Date(t)),
      );
      expect([error.code, error.message], `attempt ${i}`).toEqual([
        "UNAUTHENTICATED",
        "The e-mail address or password is incorrect.",
      ]);
    }
    for (const wait of [1, 2, 4, 8]) {
      const error = await appError(
        authenticate({ email: user.email, password: "wrong" }, requestContext(ip), db(), new Date(t)),
      );
      expect(error.code).toBe("UNAUTHENTICATED");
      expect(error.message).toBe(
        `The e-mail address or password is incorrect. Wait ${seconds(wait)} before trying again.`,
      );
      // Even the right password is not checked during the wait.
      const early = await appError(
        authenticate({ email: user.email, password }, requestContext(ip), db(), new Date(t + wait * 1000 - 300)),
      );
      expect(early.code).toBe("RATE_LIMITED");
      expect(early.status).toBe(429);
      expect(early.message).toBe(`Too many failed sign-ins. Try again in ${seconds(1)}.`);
      const atStart = await appError(
        authenticate({ email: user.email, password }, requestContext(ip), db(), new Date(t)),
      );
      expect(atStart.message).toBe(`Too many failed sign-ins. Try again in ${seconds(wait)}.`);
      t += wait * 1000;
    }
    expect(await db().authSession.count({ where: { userId: user.id } })).toBe(0);
    // Nothing locks the account itself.
    expect((await userRow(user.id)).lockedUntil).toBeNull();

    const result = await authenticate({ email: user.email, password }, requestContext(ip), db(), new Date(t));
    expect(result.user.id).toBe(user.id);
    // Success from that address ends its delays there.
    const fresh = await appError(
      authenticate({ email: user.email, password: "wrong" }, requestContext(ip), db(), new Date(t)),
    );
    expect(fresh.message).toBe("The e-mail address or password is incorrect.");
  });

  it("caps the growing delay at SIGNIN_MAX_DELAY_SECONDS, and a long wait names the call centre", async () => {
    const { SIGNIN_MAX_FAILURES_ACCOUNT: free, SIGNIN_MAX_DELAY_SECONDS: cap } = env();
    const { user } = await createUser();
    const ip = uniqueIp();
    let t = Date.now();
    const waits: number[] = [];
    for (let i = 1; i <= free + 12; i++) {
      const error = await appError(
        authenticate({ email: user.email, password: `wrong ${i}` }, requestContext(ip), db(), new Date(t)),
      );
      const wait = Number(error.details?.retryAfterSeconds ?? 0);
      waits.push(wait);
      t += wait * 1000;
    }
    expect(waits.at(-1)).toBe(cap);
    expect(waits.at(-2)).toBe(cap);
    const long = await appError(
      authenticate({ email: user.email, password: "x" }, requestContext(ip), db(), new Date(t - cap * 1000 + 1000)),
    );
    expect(long.code).toBe("RATE_LIMITED");
    expect(long.message).toContain(`Try again in ${Math.ceil((cap - 1) / 60)} minutes.`);
    expect(long.message).toContain("call the LEMTRADA REMS on 1-855-676-6326");
  });

  it("does not keep the owner out: an attacker's failures from one network leave the owner's sign-in from another untouched", async () => {
    const { SIGNIN_MAX_FAILURES_ACCOUNT: free } = env();
    const { user, password } = await createUser();
    const attacker = uniqueIp();
    const now = new Date();
    for (let i = 0; i < free + 3; i++) {
      await appError(authenticate({ email: user.email, password: `guess ${i}` }, requestContext(attacker), db(), now));
    }
    const blocked = await appError(authenticate({ email: user.email, password }, requestContext(attacker), db(), now));
    expect(blocked.code).toBe("RATE_LIMITED");

    const owner = await authenticate({ email: user.email, password }, requestContext(uniqueIp()), db(), now);
    expect(owner.user.id).toBe(user.id);
    expect(await db().authSession.count({ where: { userId: user.id, revokedAt: null } })).toBe(1);
  });

  it("answers an address without an account exactly as an account: the same messages, the same delays", async () => {
    const { SIGNIN_MAX_FAILURES_ACCOUNT: free } = env();
    const { user } = await createUser();
    const nobody = uniqueEmail("nobody");
    const t0 = Date.now();
    const sequence = async (email: string) => {
      const ip = uniqueIp();
      const seen: { code: string; message: string }[] = [];
      for (let i = 1; i <= free + 3; i++) {
        const at = new Date(t0 + i * 500);
        const error = await appError(authenticate({ email, password: `wrong ${i}` }, requestContext(ip), db(), at));
        seen.push({ code: error.code, message: error.message });
      }
      return seen;
    };
    const known = await sequence(user.email);
    const unknown = await sequence(nobody);
    expect(unknown).toEqual(known);
    expect(unknown.map((s) => s.code)).toContain("RATE_LIMITED");
    expect(unknown.map((s) => s.code)).not.toContain("LOCKED");
  });

  it("throttles an IP after many failures against unknown accounts, without affecting other IPs", async () => {
    const { SIGNIN_MAX_FAILURES_IP: max } = env();
    const { user, password } = await createUser();
    const ip = uniqueIp();
    const now = new Date();

    for (let i = 0; i < max; i++) {
      const error = await appError(
        authenticate({ email: uniqueEmail("stuffing"), password: "guess guess guess" }, requestContext(ip), db(), now),
      );
      expect(error.code, `attempt ${i + 1}`).toBe("UNAUTHENTICATED");
    }

    const throttled = await appError(authenticate({ email: user.email, password }, requestContext(ip), db(), now));
    expect(throttled.code).toBe("RATE_LIMITED");
    expect(throttled.status).toBe(429);
    // The IP lock is checked before the account: the real account's counter is untouched.
    expect((await userRow(user.id)).failedSignIns).toBe(0);

    const elsewhere = await authenticate({ email: user.email, password }, requestContext(uniqueIp()), db(), now);
    expect(elsewhere.user.id).toBe(user.id);
  });
});

describe("checkSession", () => {
  it("returns the actor for a live session", async () => {
    const { user, password } = await createUser({ role: "SETTING_REP" });
    const t0 = new Date();
    const result = await authenticate({ email: user.email, password }, requestContext(), db(), t0);
    const check = await checkSession(
      { userId: user.id, sessionId: result.sessionId, sessionVersion: result.user.sessionVersion },
      db(),
      new Date(t0.getTime() + MINUTE),
    );
    expect(check).toEqual({
      ok: true,
      actor: {
        userId: user.id,
        role: "SETTING_REP",
        email: user.email,
        name: user.name,
        pharmacyId: null,
        healthcareSettingId: null,
        sessionId: result.sessionId,
      },
    });
    // Activity is recorded, which is what keeps the session from going idle.
    const session = await db().authSession.findUniqueOrThrow({ where: { id: result.sessionId } });
    expect(session.lastSeenAt.getTime()).toBe(t0.getTime() + MINUTE);
  });

  it('ends a session idle for longer than SESSION_IDLE_MINUTES with "idle", and activity keeps it alive', async () => {
    const { SESSION_IDLE_MINUTES: idle } = env();
    const { user, password } = await createUser();
    const t0 = new Date();
    const result = await authenticate({ email: user.email, password }, requestContext(), db(), t0);
    const claims = { userId: user.id, sessionId: result.sessionId, sessionVersion: 0 };

    const beforeIdle = new Date(t0.getTime() + (idle - 1) * MINUTE);
    expect((await checkSession(claims, db(), beforeIdle)).ok).toBe(true);
    // Still alive one idle period after the last request, not after sign-in.
    expect((await checkSession(claims, db(), new Date(beforeIdle.getTime() + (idle - 1) * MINUTE))).ok).toBe(true);

    const other = await authenticate({ email: user.email, password }, requestContext(), db(), t0);
    const idleCheck = await checkSession(
      { ...claims, sessionId: other.sessionId },
      db(),
      new Date(t0.getTime() + idle * MINUTE + 1000),
    );
    expect(idleCheck).toEqual({ ok: false, reason: "idle" });
  });

  it('ends a session older than SESSION_MAX_HOURS with "expired", however active it was', async () => {
    const { SESSION_MAX_HOURS: maxHours, SESSION_IDLE_MINUTES: idle } = env();
    const { user, password } = await createUser();
    const t0 = new Date();
    const result = await authenticate({ email: user.email, password }, requestContext(), db(), t0);
    const claims = { userId: user.id, sessionId: result.sessionId, sessionVersion: 0 };

    // Keep it busy right up to the limit.
    const end = t0.getTime() + maxHours * HOUR;
    for (let t = t0.getTime() + (idle - 1) * MINUTE; t <= end; t += (idle - 1) * MINUTE) {
      expect((await checkSession(claims, db(), new Date(t))).ok, new Date(t).toISOString()).toBe(true);
    }
    expect(await checkSession(claims, db(), new Date(end + 1000))).toEqual({ ok: false, reason: "expired" });
  });

  it('reports "missing" for an unknown session or one belonging to someone else', async () => {
    const a = await createUser();
    const b = await createUser();
    const session = await signIn(a);
    expect(await checkSession({ userId: b.user.id, sessionId: session.sessionId, sessionVersion: 0 })).toEqual({
      ok: false,
      reason: "missing",
    });
    expect(
      await checkSession({ userId: a.user.id, sessionId: "00000000-0000-4000-8000-000000000000", sessionVersion: 0 }),
    ).toEqual({ ok: false, reason: "missing" });
  });

  it('ends only the signed-out session with "revoked" after endSession', async () => {
    const credentials = await createUser();
    const here = await signIn(credentials);
    const there = await signIn(credentials);

    await endSession(here.actor);

    expect(await checkSession({ userId: credentials.user.id, sessionId: here.sessionId, sessionVersion: 0 })).toEqual({
      ok: false,
      reason: "revoked",
    });
    expect(
      (await checkSession({ userId: credentials.user.id, sessionId: there.sessionId, sessionVersion: 0 })).ok,
    ).toBe(true);
    expect(await db().auditEvent.count({ where: { entityId: credentials.user.id, action: "auth.signed_out" } })).toBe(
      1,
    );
  });

  it('ends every session of the user with "signed-out-everywhere", and no one else\'s', async () => {
    const credentials = await createUser();
    const bystander = await signIn(await createUser());
    const first = await signIn(credentials);
    const sessions = [first, await signIn(credentials), await signIn(credentials)];

    await signOutEverywhere(first.actor);

    for (const s of sessions) {
      expect(
        await checkSession({ userId: credentials.user.id, sessionId: s.sessionId, sessionVersion: s.sessionVersion }),
      ).toEqual({
        ok: false,
        reason: "signed-out-everywhere",
      });
    }
    expect((await userRow(credentials.user.id)).sessionVersion).toBe(1);
    expect(
      (await checkSession({ userId: bystander.actor.userId, sessionId: bystander.sessionId, sessionVersion: 0 })).ok,
    ).toBe(true);

    // Signing in again afterwards works, with the new session version.
    const fresh = await signIn(credentials);
    expect(fresh.sessionVersion).toBe(1);
  });
});
