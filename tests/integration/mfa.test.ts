import { afterAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/auth/actor";
import {
  checkSignInFactor,
  confirmTotpEnrolment,
  disableMfa,
  enrolKnownTotpSecret,
  getMfaState,
  mustEnrolMfa,
  regenerateRecoveryCodes,
  resetMfa,
  startTotpEnrolment,
  verifyStepUp,
} from "../../lib/auth/mfa";
import { newTotpSecret, TOTP_PERIOD_SECONDS, totpCodeAt } from "../../lib/auth/mfa-rules";
import { authenticate, checkSession } from "../../lib/auth/service";
import { db, disconnectDb } from "../../lib/db";
import { createApiKey } from "../../lib/dispensing/api-keys";
import { createPharmacyEnrollment } from "../factories/certified";
import { createAdmin, createUser, requestContext, signIn } from "../factories/users";
import { appError } from "../factories/errors";

afterAll(async () => {
  await disconnectDb();
});

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;

/** A signed-in user of `role` who has enrolled TOTP through the service; returns the secret and recovery codes. */
async function enrolledUser(role: "PRESCRIBER" | "PHARMACIST" = "PRESCRIBER") {
  const account = await createUser({ role });
  const { actor } = await signIn(account);
  const enrolment = await startTotpEnrolment(actor);
  const now = new Date();
  const { recoveryCodes } = await confirmTotpEnrolment(
    actor,
    { password: account.password, code: totpCodeAt(enrolment.secret, now) },
    db(),
    now,
  );
  return { ...account, actor, secret: enrolment.secret, recoveryCodes, enrolledAt: now };
}

describe("TOTP enrolment", () => {
  it("shows a QR code and the secret, is switched on only by a correct first code, and stores the secret sealed", async () => {
    const account = await createUser();
    const { actor } = await signIn(account);
    const enrolment = await startTotpEnrolment(actor);
    expect(enrolment.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(enrolment.uri).toContain(`secret=${enrolment.secret}`);
    expect(enrolment.uri).toMatch(/^otpauth:\/\/totp\/remsgate:/);
    // Asking again (a reload) shows the same secret.
    expect((await startTotpEnrolment(actor)).secret).toBe(enrolment.secret);

    const wrong = await appError(
      confirmTotpEnrolment(actor, {
        password: account.password,
        code: "000000" === totpCodeAt(enrolment.secret, new Date()) ? "111111" : "000000",
      }),
    );
    expect(wrong.details?.fields).toHaveProperty("code");
    const badPassword = await appError(
      confirmTotpEnrolment(actor, { password: "not the password", code: totpCodeAt(enrolment.secret, new Date()) }),
    );
    expect(badPassword.details?.fields).toHaveProperty("password");
    expect((await getMfaState(actor)).enabled).toBe(false);

    const { recoveryCodes } = await confirmTotpEnrolment(actor, {
      password: account.password,
      code: totpCodeAt(enrolment.secret, new Date()),
    });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);

    const row = await db().user.findUniqueOrThrow({
      where: { id: actor.userId },
      select: { mfaSecret: true, mfaPendingSecret: true, mfaEnabledAt: true },
    });
    expect(row.mfaEnabledAt).not.toBeNull();
    expect(row.mfaPendingSecret).toBeNull();
    // A database dump does not give the secret: neither in clear nor in base32 variations.
    expect(row.mfaSecret).not.toContain(enrolment.secret);
    expect(row.mfaSecret?.toLowerCase()).not.toContain(enrolment.secret.toLowerCase());
    const stored = await db().mfaRecoveryCode.findMany({ where: { userId: actor.userId }, select: { codeHash: true } });
    expect(stored).toHaveLength(10);
    for (const { codeHash } of stored) {
      expect(codeHash).toMatch(/^[0-9a-f]{64}$/);
      for (const code of recoveryCodes) expect(codeHash).not.toContain(code.replace(/-/g, ""));
    }
    expect(await getMfaState(actor)).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
    const audit = await db().auditEvent.findFirst({
      where: { entityId: actor.userId, action: "mfa.enabled" },
      select: { after: true },
    });
    expect(audit?.after).toMatchObject({ method: "totp" });
  });

  it("two pages opened at once (a double click, two tabs) show the same secret, and its code switches it on", async () => {
    const account = await createUser();
    const { actor } = await signIn(account);
    const pages = await Promise.all([startTotpEnrolment(actor), startTotpEnrolment(actor), startTotpEnrolment(actor)]);
    expect(new Set(pages.map((p) => p.secret)).size).toBe(1);
    const secret = pages[0]?.secret ?? "";
    const { recoveryCodes } = await confirmTotpEnrolment(actor, {
      password: account.password,
      code: totpCodeAt(secret, new Date()),
    });
    expect(recoveryCodes).toHaveLength(10);
  });

  it("a pending secret that no longer opens (the key changed) is replaced once, and the page shows the replacement", async () => {
    const account = await createUser();
    const { actor } = await signIn(account);
    await db().user.update({ where: { id: actor.userId }, data: { mfaPendingSecret: "v1.not-a-sealed-secret" } });
    const pages = await Promise.all([startTotpEnrolment(actor), startTotpEnrolment(actor)]);
    expect(pages[0]?.secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(pages[1]?.secret).toBe(pages[0]?.secret);
    const { recoveryCodes } = await confirmTotpEnrolment(actor, {
      password: account.password,
      code: totpCodeAt(pages[0]?.secret ?? "", new Date()),
    });
    expect(recoveryCodes).toHaveLength(10);
  });
});

describe("sign-in with a second factor", () => {
  it("asks for the code after a correct password, accepts one step of drift, and refuses a replayed step", async () => {
    const user = await enrolledUser();
    const credentials = { email: user.user.email, password: user.password };
    const asked = await appError(authenticate(credentials, requestContext()));
    expect(asked.details?.mfaCodeRequired).toBe(true);
    // Asking for the code is not a failed sign-in.
    expect(
      (await db().user.findUniqueOrThrow({ where: { id: user.actor.userId }, select: { failedSignIns: true } }))
        .failedSignIns,
    ).toBe(0);

    // Enrolment used the step it happened in; the next step (within the ±1 window) works once.
    const now = new Date(user.enrolledAt.getTime());
    const next = totpCodeAt(user.secret, new Date(now.getTime() + STEP_MS));
    const signedIn = await authenticate({ ...credentials, code: next }, requestContext(), db(), now);
    expect(signedIn.sessionId).toBeTruthy();
    const replay = await appError(authenticate({ ...credentials, code: next }, requestContext(), db(), now));
    expect(replay.code).toBe("UNAUTHENTICATED");
    expect(replay.message).toContain("The code is incorrect or has already been used");
    // The replay counted as a failed sign-in.
    expect(
      (await db().user.findUniqueOrThrow({ where: { id: user.actor.userId }, select: { failedSignIns: true } }))
        .failedSignIns,
    ).toBe(1);

    // Two steps away is outside the window; the step after is fine later.
    const later = new Date(now.getTime() + 5 * STEP_MS);
    const tooOld = totpCodeAt(user.secret, new Date(later.getTime() - 2 * STEP_MS));
    const tooNew = totpCodeAt(user.secret, new Date(later.getTime() + 2 * STEP_MS));
    const current = totpCodeAt(user.secret, later);
    if (tooOld !== current) expect(await checkSignInFactor(user.actor.userId, tooOld, "t", db(), later)).toBe("wrong");
    if (tooNew !== current) expect(await checkSignInFactor(user.actor.userId, tooNew, "t", db(), later)).toBe("wrong");
    const previous = totpCodeAt(user.secret, new Date(later.getTime() - STEP_MS));
    expect(await checkSignInFactor(user.actor.userId, previous, "t", db(), later)).toBe("ok");
    expect(await checkSignInFactor(user.actor.userId, current, "t", db(), later)).toBe("ok");
    // The previous step is now older than the last accepted: a replay.
    expect(await checkSignInFactor(user.actor.userId, previous, "t", db(), later)).toBe("wrong");
  });

  it("a recovery code signs in once, in any case and with or without hyphens", async () => {
    const user = await enrolledUser();
    const [first, second] = user.recoveryCodes;
    if (!first || !second) throw new Error("ten codes expected");
    const credentials = { email: user.user.email, password: user.password };
    const result = await authenticate({ ...credentials, code: first.toUpperCase() }, requestContext());
    expect(result.sessionId).toBeTruthy();
    const again = await appError(authenticate({ ...credentials, code: first }, requestContext()));
    expect(again.message).toContain("The code is incorrect or has already been used");
    await authenticate({ ...credentials, code: second.replace(/-/g, " ") }, requestContext());
    expect((await getMfaState(user.actor)).recoveryCodesLeft).toBe(8);
    const used = await db().auditEvent.count({
      where: { entityId: user.actor.userId, action: "mfa.recovery_code_used" },
    });
    expect(used).toBe(2);
  });

  it("regenerating recovery codes (password and code again) retires the old ones", async () => {
    const user = await enrolledUser();
    const later = new Date(user.enrolledAt.getTime() + 3 * STEP_MS);
    const noCode = await appError(regenerateRecoveryCodes(user.actor, { password: user.password }, db(), later));
    expect(noCode.details?.fields).toHaveProperty("code");
    const { recoveryCodes } = await regenerateRecoveryCodes(
      user.actor,
      { password: user.password, code: totpCodeAt(user.secret, later) },
      db(),
      later,
    );
    expect(recoveryCodes).toHaveLength(10);
    const old = user.recoveryCodes[0] ?? "";
    expect(await checkSignInFactor(user.actor.userId, old, "t")).toBe("wrong");
    expect(await checkSignInFactor(user.actor.userId, recoveryCodes[0] ?? "", "t")).toBe("ok");
  });

  it("an optional factor can be turned off with step-up; a required one cannot", async () => {
    const user = await enrolledUser("PRESCRIBER");
    const later = new Date(user.enrolledAt.getTime() + 3 * STEP_MS);
    await disableMfa(user.actor, { password: user.password, code: totpCodeAt(user.secret, later) }, db(), later);
    expect((await getMfaState(user.actor)).enabled).toBe(false);
    expect(await db().mfaRecoveryCode.count({ where: { userId: user.actor.userId } })).toBe(0);
    // Without a factor the password alone signs in again.
    await authenticate({ email: user.user.email, password: user.password }, requestContext());

    const pharmacist = await enrolledUser("PHARMACIST");
    const refused = await appError(
      disableMfa(
        pharmacist.actor,
        { password: pharmacist.password, code: totpCodeAt(pharmacist.secret, later) },
        db(),
        later,
      ),
    );
    expect(refused.code).toBe("FORBIDDEN");
    expect((await getMfaState(pharmacist.actor)).enabled).toBe(true);
  });
});

describe("roles that require a second factor", () => {
  it("an administrator or pharmacist without one must enrol; with one, or in another role, not", async () => {
    const admin = await createAdmin();
    const { actor: adminActor, sessionId } = await signIn(admin);
    expect(await mustEnrolMfa(adminActor)).toBe(true);
    // The session itself is alive: only enrolment is allowed (the gate in lib/auth/session.ts getActor).
    expect((await checkSession({ userId: adminActor.userId, sessionId, sessionVersion: 0 })).ok).toBe(true);
    const prescriber = await createUser({ role: "PRESCRIBER" });
    expect(await mustEnrolMfa((await signIn(prescriber)).actor)).toBe(false);
    const pharmacist = await enrolledUser("PHARMACIST");
    expect(await mustEnrolMfa(pharmacist.actor)).toBe(false);
  });
});

describe("step-up", () => {
  it("asks for the password and the code before an API key is created", async () => {
    const pharmacy = await createPharmacyEnrollment();
    const { actor } = await signIn(pharmacy);
    const secret = newTotpSecret();
    await enrolKnownTotpSecret(db(), actor.userId, secret, "test");
    const now = new Date();
    const before = await db().pharmacyApiKey.count({ where: { pharmacyId: pharmacy.pharmacy.id } });

    const noPassword = await appError(createApiKey(actor, { name: "Till 1" }));
    expect(noPassword.details?.fields).toHaveProperty("password");
    const noCode = await appError(createApiKey(actor, { name: "Till 1", password: pharmacy.password }));
    expect(noCode.details?.fields).toHaveProperty("code");
    const wrongPassword = await appError(
      createApiKey(actor, { name: "Till 1", password: "wrong password", code: totpCodeAt(secret, now) }),
    );
    expect(wrongPassword.details?.fields).toHaveProperty("password");
    expect(await db().pharmacyApiKey.count({ where: { pharmacyId: pharmacy.pharmacy.id } })).toBe(before);

    const code = totpCodeAt(secret, now);
    const created = await createApiKey(actor, { name: "Till 1", password: pharmacy.password, code });
    expect(created.key).toMatch(/^rg_/);
    const replay = await appError(createApiKey(actor, { name: "Till 2", password: pharmacy.password, code }));
    expect(replay.details?.fields).toEqual({ code: ["The code is incorrect or has already been used."] });
    expect(await db().pharmacyApiKey.count({ where: { pharmacyId: pharmacy.pharmacy.id } })).toBe(before + 1);
  });

  it("an e-signature in a programme that requires MFA is refused without an enrolled factor, and needs the code with one", async () => {
    const account = await createUser();
    const { actor } = await signIn(account);
    const refused = await appError(verifyStepUp(actor, { password: account.password }, { mfaRequired: true }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toContain("Set up two-step sign-in");
    // Not required by the programme and not enrolled: the password is enough.
    await verifyStepUp(actor, { password: account.password }, { mfaRequired: false });

    const secret = newTotpSecret();
    await enrolKnownTotpSecret(db(), actor.userId, secret, "test");
    const noCode = await appError(
      verifyStepUp(actor, { password: account.password }, { mfaRequired: true, codeField: "coSignature.code" }),
    );
    expect(noCode.details?.fields).toHaveProperty(["coSignature.code"]);
    await verifyStepUp(
      actor,
      { password: account.password, code: totpCodeAt(secret, new Date()) },
      { mfaRequired: true },
    );
  });
});

describe("an administrator resets a user's factor", () => {
  it("needs the permission and a reason; removes the factor, ends sessions, audits the reason and e-mails the user", async () => {
    const user = await enrolledUser("PHARMACIST");
    const second = await signIn(user, { client: db() }).catch(() => null);
    expect(second).toBeNull(); // signing in now needs the code: the factory signs in with the password only
    const prescriber = await signIn(await createUser());
    const forbidden = await appError(resetMfa(prescriber.actor, user.actor.userId, "Lost phone"));
    expect(forbidden.code).toBe("FORBIDDEN");

    const admin = await createAdmin();
    const { actor: adminActor } = await signIn(admin);
    const noReason = await appError(resetMfa(adminActor, user.actor.userId, "   "));
    expect(noReason.details?.fields).toHaveProperty("reason");
    expect((await getMfaState(user.actor)).enabled).toBe(true);

    const result = await resetMfa(adminActor as Actor, user.actor.userId, "Phone lost; identity checked by call-back");
    expect(result.sessionsEnded).toBeGreaterThanOrEqual(1);
    expect(await getMfaState(user.actor)).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    const session = await checkSession({
      userId: user.actor.userId,
      sessionId: user.actor.sessionId ?? "",
      sessionVersion: 0,
    });
    expect(session.ok).toBe(false);
    const audit = await db().auditEvent.findFirst({
      where: { entityId: user.actor.userId, action: "mfa.reset_by_admin" },
      select: { actorId: true, after: true },
    });
    expect(audit?.actorId).toBe(adminActor.userId);
    expect(audit?.after).toMatchObject({ reason: "Phone lost; identity checked by call-back", mfaEnabled: false });
    const mail = await db().mailMessage.findFirst({
      where: { to: user.user.email, category: "mfa.reset" },
      select: { subject: true, text: true },
    });
    expect(mail?.subject).toBe("Your two-step sign-in was reset");
    expect(mail?.text).toContain("Phone lost; identity checked by call-back");
    // The pharmacist's role requires a factor: at the next sign-in (password alone now) they must enrol again.
    expect(mail?.text).toContain("you will be asked to set up your authenticator app again");
    const again = await signIn(user);
    expect(await mustEnrolMfa(again.actor)).toBe(true);
  });

  it("tells a person whose role does not require a factor that it stays off until they turn it on, which is true", async () => {
    const user = await enrolledUser("PRESCRIBER");
    const { actor: adminActor } = await signIn(await createAdmin());
    await resetMfa(adminActor, user.actor.userId, "Lost phone; identity checked by call-back");
    const mail = await db().mailMessage.findFirst({
      where: { to: user.user.email, category: "mfa.reset" },
      select: { text: true },
    });
    expect(mail?.text).toContain("Two-step sign-in is now off for your account");
    expect(mail?.text).not.toContain("you will be asked to set up");
    const again = await signIn(user);
    expect(await mustEnrolMfa(again.actor)).toBe(false);
    expect((await getMfaState(again.actor)).enabled).toBe(false);
  });
});
