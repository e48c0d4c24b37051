import { afterAll, describe, expect, it } from "vitest";
import { authenticate, checkSession, endSession, signOutEverywhere, signUp } from "../../lib/auth/service";
import { db, disconnectDb } from "../../lib/db";
import { env } from "../../lib/env";
import { AppError } from "../../lib/errors";
import { createUser, requestContext, signIn, strongPassword, uniqueEmail, uniqueIp } from "../factories/users";

afterAll(async () => {
  await disconnectDb();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Awaits a promise that must reject with an AppError and returns it. */
async function appError(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error("expected an AppError, but the call succeeded");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

function userRow(id: string) {
  return db().user.findUniqueOrThrow({
    where: { id },
    select: { status: true, sessionVersion: true, failedSignIns: true, lockedUntil: true, passwordHash: true },
  });
}

describe("signUp", () => {
  it("creates the user with an argon2id hash and a user.signed_up audit row", async () => {
    const email = uniqueEmail("Signup").replace("@test.local", "@Test.Local");
    const password = strongPassword();
    const ctx = requestContext();
    const user = await signUp(
      { name: "Imani Castellanos", email, password, confirmPassword: password, enrollingAs: "PHARMACIST" },
      ctx,
    );

    expect(user).toMatchObject({
      email: email.toLowerCase(),
      name: "Imani Castellanos",
      role: "PHARMACIST",
      status: "ACTIVE",
    });
    const row = await userRow(user.id);
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(password);

    const audit = await db().auditEvent.findMany({ where: { entityType: "User", entityId: user.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "user.signed_up",
      actorId: user.id,
      actorRole: "PHARMACIST",
      requestId: ctx.requestId,
      after: { email: email.toLowerCase(), name: "Imani Castellanos", role: "PHARMACIST", ip: ctx.ip },
    });
    expect(JSON.stringify(audit[0]?.after)).not.toContain(password);
  });

  it("refuses an e-mail that is already registered, in any letter case, and creates no second user", async () => {
    const { user } = await createUser();
    const password = strongPassword();
    const error = await appError(
      signUp(
        {
          name: "Someone Else",
          email: user.email.toUpperCase(),
          password,
          confirmPassword: password,
          enrollingAs: "PRESCRIBER",
        },
        requestContext(),
      ),
    );
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.fields?.email?.[0]).toMatch(/already exists/);
    expect(await db().user.count({ where: { email: { equals: user.email, mode: "insensitive" } } })).toBe(1);
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

  it("locks the account on the Nth failure and refuses even the right password until the lock ends", async () => {
    const { SIGNIN_MAX_FAILURES_ACCOUNT: max, SIGNIN_LOCK_MINUTES: lockMinutes } = env();
    const { user, password } = await createUser();
    const ip = uniqueIp();
    const t0 = new Date();

    for (let i = 1; i < max; i++) {
      const error = await appError(
        authenticate({ email: user.email, password: `wrong ${i}` }, requestContext(ip), db(), t0),
      );
      expect(error.code, `attempt ${i}`).toBe("UNAUTHENTICATED");
    }
    const nth = await appError(
      authenticate({ email: user.email, password: "wrong again" }, requestContext(ip), db(), t0),
    );
    expect(nth.code).toBe("LOCKED");
    expect(nth.status).toBe(423);
    expect(nth.message).toMatch(/locked/i);

    const row = await userRow(user.id);
    expect(row.lockedUntil?.getTime()).toBe(t0.getTime() + lockMinutes * MINUTE);
    expect(await db().auditEvent.count({ where: { entityId: user.id, action: "user.locked" } })).toBe(1);

    for (const at of [
      t0,
      new Date(t0.getTime() + (lockMinutes - 1) * MINUTE),
      new Date(t0.getTime() + lockMinutes * MINUTE - 1000),
    ]) {
      const locked = await appError(authenticate({ email: user.email, password }, requestContext(ip), db(), at));
      expect(locked.code).toBe("LOCKED");
      expect(locked.message).toMatch(/locked/i);
    }
    expect(await db().authSession.count({ where: { userId: user.id } })).toBe(0);

    const after = new Date(t0.getTime() + lockMinutes * MINUTE + 1000);
    const result = await authenticate({ email: user.email, password }, requestContext(ip), db(), after);
    expect(result.user.id).toBe(user.id);
    expect(await userRow(user.id)).toMatchObject({ failedSignIns: 0, lockedUntil: null });
  });

  it("warns on the attempts before the lock, and the lock names the programme's call centre", async () => {
    const { SIGNIN_MAX_FAILURES_ACCOUNT: max, SIGNIN_LOCK_MINUTES: lockMinutes } = env();
    const { user } = await createUser();
    const ip = uniqueIp();
    const t0 = new Date();
    const messages: string[] = [];
    for (let i = 1; i <= max; i++) {
      const error = await appError(
        authenticate({ email: user.email, password: `wrong ${i}` }, requestContext(ip), db(), t0),
      );
      messages.push(error.message);
    }
    expect(messages.at(-2)).toBe(
      `The e-mail address or password is incorrect. 1 attempt left before your account is locked for ${lockMinutes} minutes.`,
    );
    if (max > 2) {
      expect(messages.at(-3)).toBe(
        `The e-mail address or password is incorrect. 2 attempts left before your account is locked for ${lockMinutes} minutes.`,
      );
    }
    const locked = messages.at(-1) ?? "";
    expect(locked).toContain(`Try again in ${lockMinutes} minutes.`);
    expect(locked).toContain("call the LEMTRADA REMS on 1-855-676-6326");
    expect(locked).not.toContain("REMS administrator");

    const still = await appError(authenticate({ email: user.email, password: "any" }, requestContext(ip), db(), t0));
    expect(still.message).toContain("call the LEMTRADA REMS on 1-855-676-6326");
  });

  it("answers an address without an account exactly as an account: the same warnings, the same lock", async () => {
    const { SIGNIN_MAX_FAILURES_ACCOUNT: max } = env();
    const { user } = await createUser();
    const nobody = uniqueEmail("nobody");
    const t0 = new Date();
    const sequence = async (email: string) => {
      const seen: { code: string; message: string }[] = [];
      for (let i = 1; i <= max + 1; i++) {
        const error = await appError(
          authenticate({ email, password: `wrong ${i}` }, requestContext(uniqueIp()), db(), t0),
        );
        seen.push({ code: error.code, message: error.message.replace(/\d+ minutes/, "N minutes") });
      }
      return seen;
    };
    const known = await sequence(user.email);
    const unknown = await sequence(nobody);
    expect(unknown).toEqual(known);
    expect(unknown.at(-1)?.code).toBe("LOCKED");
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
