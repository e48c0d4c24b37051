import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate, checkSession } from "../../lib/auth/service";
import { createPrismaClient, db, type Db, disconnectDb } from "../../lib/db";
import { closePGlite } from "../../lib/db/adapters";
import { type DatabaseConfig, resolveDatabaseConfig } from "../../lib/db/config";
import { applyMigrations } from "../../lib/db/migrations";
import { AppError } from "../../lib/errors";
import { acceptInvitation } from "../../lib/invitations/service";
import {
  deactivateUser,
  decideAdministratorRequest,
  endUserSessions,
  getUserDetail,
  listAdministratorRequests,
  listUsers,
  reactivateUser,
  requestAdministrator,
  unlockUser,
} from "../../lib/users/service";
import { dropPostgresDatabase, recreatePostgresDatabase } from "../setup/postgres";
import { createAdmin, createUser, requestContext, signIn, strongPassword, uniqueEmail } from "../factories/users";
import { appError } from "../factories/errors";

afterAll(async () => {
  await disconnectDb();
});

function userRow(id: string, client: Db = db()) {
  return client.user.findUniqueOrThrow({
    where: { id },
    select: { status: true, sessionVersion: true, failedSignIns: true, lockedUntil: true },
  });
}

/** Mail about the account's administration (not the activation link its sign-up was sent). */
function mailTo(email: string) {
  return db().mailMessage.findMany({
    where: { to: email, NOT: { category: { startsWith: "auth." } } },
    orderBy: { createdAt: "asc" },
  });
}

function deniedAudits(actorId: string) {
  return db().auditEvent.findMany({ where: { actorId, action: "authorization.denied" } });
}

async function sessionOk(s: { actor: { userId: string }; sessionId: string; sessionVersion: number }) {
  return checkSession({ userId: s.actor.userId, sessionId: s.sessionId, sessionVersion: s.sessionVersion });
}

describe("who may administer users", () => {
  it("refuses every service to a non-administrator with FORBIDDEN, audits the refusal and changes nothing", async () => {
    const intruder = await signIn(await createUser({ role: "PHARMACIST" }));
    const victim = await createUser();
    const victimSession = await signIn(victim);
    const before = await userRow(victim.user.id);
    const input = { userId: victim.user.id, reason: "because" };
    const calls: [string, () => Promise<unknown>][] = [
      ["list", () => listUsers(intruder.actor, {})],
      ["detail", () => getUserDetail(intruder.actor, victim.user.id)],
      ["deactivate", () => deactivateUser(intruder.actor, input)],
      ["reactivate", () => reactivateUser(intruder.actor, input)],
      ["unlock", () => unlockUser(intruder.actor, input)],
      ["end sessions", () => endUserSessions(intruder.actor, input)],
      ["request admin", () => requestAdministrator(intruder.actor, { name: "X Y", email: uniqueEmail(), reason: "r" })],
      ["decide", () => decideAdministratorRequest(intruder.actor, { requestId: randomUUID(), decision: "APPROVE" })],
      ["list requests", () => listAdministratorRequests(intruder.actor)],
    ];
    for (const [name, call] of calls) {
      const error = await appError(call());
      expect(error.code, name).toBe("FORBIDDEN");
    }
    expect(await deniedAudits(intruder.actor.userId)).toHaveLength(calls.length);
    expect(await userRow(victim.user.id)).toEqual(before);
    expect((await sessionOk(victimSession)).ok).toBe(true);
    expect(await mailTo(victim.user.email)).toHaveLength(0);
  });

  it("requires a reason for every action, with a field-level error, and changes nothing", async () => {
    const admin = await signIn(await createAdmin());
    const target = await createUser();
    await signIn(target);
    const before = await userRow(target.user.id);
    for (const run of [deactivateUser, reactivateUser, unlockUser, endUserSessions]) {
      for (const reason of ["", "   ", undefined]) {
        const error = await appError(run(admin.actor, { userId: target.user.id, reason } as never));
        expect(error.code).toBe("VALIDATION");
        expect(error.details?.fields?.reason?.[0]).toBe("Give a reason");
      }
    }
    const tooLong = await appError(deactivateUser(admin.actor, { userId: target.user.id, reason: "x".repeat(2001) }));
    expect(tooLong.details?.fields?.reason).toBeDefined();
    expect(await userRow(target.user.id)).toEqual(before);
    expect(await mailTo(target.user.email)).toHaveLength(0);
  });
});

describe("listUsers", () => {
  it("searches by name and e-mail, filters by role, status and organisation, and pages on the server", async () => {
    const admin = await signIn(await createAdmin());
    const tag = randomUUID().slice(0, 8);
    const made = [];
    for (let i = 0; i < 27; i++) {
      made.push(
        await createUser({
          role: i % 2 ? "PHARMACIST" : "PRESCRIBER",
          name: `Zeta${tag} Person${String(i).padStart(2, "0")}`,
        }),
      );
    }
    const first = await listUsers(admin.actor, { q: `zeta${tag}` });
    expect(first.total).toBe(27);
    expect(first.pageCount).toBe(2);
    expect(first.rows).toHaveLength(25);
    expect(first.rows[0]?.name).toBe(`Zeta${tag} Person00`);
    const second = await listUsers(admin.actor, { q: `zeta${tag}`, page: "2" });
    expect(second.rows.map((r) => r.name)).toEqual([`Zeta${tag} Person25`, `Zeta${tag} Person26`]);
    // Out of range and nonsense pages fall back to a real page.
    expect((await listUsers(admin.actor, { q: `zeta${tag}`, page: "999" })).page).toBe(2);
    expect((await listUsers(admin.actor, { q: `zeta${tag}`, page: "abc", role: "NOPE" })).page).toBe(1);

    const byEmail = await listUsers(admin.actor, { q: made[3]?.user.email.toUpperCase() });
    expect(byEmail.rows.map((r) => r.id)).toEqual([made[3]?.user.id]);

    const pharmacists = await listUsers(admin.actor, { q: `zeta${tag}`, role: "PHARMACIST" });
    expect(pharmacists.total).toBe(13);
    expect(pharmacists.rows.every((r) => r.role === "PHARMACIST")).toBe(true);

    await deactivateUser(admin.actor, { userId: made[0]?.user.id ?? "", reason: "left" });
    await db().user.update({
      where: { id: made[1]?.user.id },
      data: { lockedUntil: new Date(Date.now() + 600_000) },
    });
    const deactivated = await listUsers(admin.actor, { q: `zeta${tag}`, status: "DEACTIVATED" });
    expect(deactivated.rows.map((r) => [r.id, r.state])).toEqual([[made[0]?.user.id, "DEACTIVATED"]]);
    const locked = await listUsers(admin.actor, { q: `zeta${tag}`, status: "LOCKED" });
    expect(locked.rows.map((r) => [r.id, r.state])).toEqual([[made[1]?.user.id, "LOCKED"]]);
    expect((await listUsers(admin.actor, { q: `zeta${tag}`, status: "ACTIVE" })).total).toBe(25);

    const pharmacy = await db().pharmacy.create({
      data: { remsId: `PH-${tag}`, name: `Apothecary ${tag}`, ncpdpId: `9${Date.now()}`.slice(0, 7) + tag.slice(0, 3) },
      select: { id: true },
    });
    await db().user.update({ where: { id: made[5]?.user.id }, data: { pharmacyId: pharmacy.id } });
    const inPharmacy = await listUsers(admin.actor, { orgKind: "PHARMACY", org: `apothecary ${tag}` });
    expect(inPharmacy.rows.map((r) => r.id)).toEqual([made[5]?.user.id]);
    expect(inPharmacy.rows[0]?.organisations).toEqual([
      expect.objectContaining({ kind: "Pharmacy", name: `Apothecary ${tag}` }),
    ]);
    expect((await listUsers(admin.actor, { orgKind: "HEALTHCARE_SETTING", org: `apothecary ${tag}` })).total).toBe(0);
    const none = await listUsers(admin.actor, { q: `zeta${tag}`, orgKind: "NONE" });
    expect(none.total).toBe(26);
  });
});

describe("getUserDetail", () => {
  it("shows sessions with device, IP and why each ended, failed sign-ins, and audit events newest first", async () => {
    const admin = await signIn(await createAdmin());
    const target = await createUser({ role: "SETTING_REP" });
    const ctx = {
      ...requestContext("10.9.8.7"),
      userAgent:
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    };
    const signedIn = await authenticate({ email: target.user.email, password: target.password }, ctx);
    const second = await signIn(target);
    await appError(authenticate({ email: target.user.email, password: "wrong wrong wrong" }, requestContext()));
    await endUserSessions(admin.actor, { userId: target.user.id, sessionId: second.sessionId, reason: "Lost laptop" });

    const detail = await getUserDetail(admin.actor, target.user.id);
    expect(detail).toMatchObject({ email: target.user.email, role: "SETTING_REP", state: "ACTIVE", failedSignIns: 1 });
    expect(detail.lastFailedSignInAt).toBeInstanceOf(Date);
    const windows = detail.sessions.find((s) => s.id === signedIn.sessionId);
    expect(windows).toMatchObject({ device: "Chrome on Windows", ip: "10.9.8.7", state: { open: true } });
    const ended = detail.sessions.find((s) => s.id === second.sessionId);
    expect(ended?.state).toMatchObject({ open: false, why: "Ended by an administrator" });
    expect(detail.openSessions).toBe(1);
    const actions = detail.events.map((e) => e.action);
    expect(actions[0]).toBe("user.session_ended");
    expect(actions).toContain("auth.sign_in_failed");
    expect(actions).toContain("auth.signed_in");
    expect(actions.at(-1)).toBe("user.signed_up");
    expect(detail.events[0]).toMatchObject({ byUser: false, actorName: "Avery Lindqvist", reason: "Lost laptop" });

    expect((await appError(getUserDetail(admin.actor, randomUUID()))).code).toBe("NOT_FOUND");
    expect((await appError(getUserDetail(admin.actor, "not-a-uuid"))).code).toBe("NOT_FOUND");
  });
});

describe("deactivateUser and reactivateUser", () => {
  it("ends every session at once, audits the reason and e-mails the person; reactivation lets them sign in", async () => {
    const admin = await signIn(await createAdmin());
    const target = await createUser({ role: "PHARMACIST" });
    const a = await signIn(target);
    const b = await signIn(target);

    await deactivateUser(admin.actor, { userId: target.user.id, reason: "Left the pharmacy" });

    expect(await sessionOk(a)).toEqual({ ok: false, reason: "deactivated" });
    expect(await sessionOk(b)).toEqual({ ok: false, reason: "deactivated" });
    expect((await userRow(target.user.id)).status).toBe("DEACTIVATED");
    const sessions = await db().authSession.findMany({ where: { userId: target.user.id } });
    expect(sessions.every((s) => s.revokedAt && s.revokedReason === "Account deactivated")).toBe(true);
    const refused = await appError(
      authenticate({ email: target.user.email, password: target.password }, requestContext()),
    );
    expect(refused.message).toMatch(/deactivated/);
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { entityId: target.user.id, action: "user.deactivated" },
    });
    expect(audit).toMatchObject({
      actorId: admin.actor.userId,
      actorRole: "ADMIN",
      before: { status: "ACTIVE" },
      after: { status: "DEACTIVATED", reason: "Left the pharmacy", sessionsEnded: 2 },
    });
    const [mail] = await mailTo(target.user.email);
    expect(mail).toMatchObject({
      category: "user.deactivated",
      subject: "Your REMS registry account has been deactivated",
    });
    expect(mail?.text).toContain("Left the pharmacy");

    expect((await appError(deactivateUser(admin.actor, { userId: target.user.id, reason: "again" }))).code).toBe(
      "CONFLICT",
    );

    await reactivateUser(admin.actor, { userId: target.user.id, reason: "Rejoined" });
    expect((await userRow(target.user.id)).status).toBe("ACTIVE");
    expect(await sessionOk(a)).toMatchObject({ ok: false });
    expect((await signIn(target)).actor.userId).toBe(target.user.id);
    expect(
      await db().auditEvent.count({
        where: { entityId: target.user.id, action: "user.reactivated", actorId: admin.actor.userId },
      }),
    ).toBe(1);
    expect((await mailTo(target.user.email)).map((m) => m.category)).toEqual(["user.deactivated", "user.reactivated"]);
    expect((await appError(reactivateUser(admin.actor, { userId: target.user.id, reason: "x" }))).code).toBe(
      "CONFLICT",
    );
  });

  it("refuses an administrator's own account and an unknown user", async () => {
    const admin = await signIn(await createAdmin());
    const self = await appError(deactivateUser(admin.actor, { userId: admin.actor.userId, reason: "testing" }));
    expect(self.code).toBe("BAD_REQUEST");
    expect((await userRow(admin.actor.userId)).status).toBe("ACTIVE");
    expect((await appError(deactivateUser(admin.actor, { userId: randomUUID(), reason: "x" }))).code).toBe("NOT_FOUND");
    const bad = await appError(deactivateUser(admin.actor, { userId: "nope", reason: "x" }));
    expect(bad.code).toBe("VALIDATION");
  });
});

describe("unlockUser", () => {
  it("shows a running sign-in delay as locked, finds it by the filter, and clears it: audited and e-mailed", async () => {
    const admin = await signIn(await createAdmin());
    const target = await createUser();
    const ip = "10.0.9.9";
    // Past the free attempts, signing in from this client address is delayed (growing waits).
    let refusal: AppError | null = null;
    for (let i = 0; i < 12 && refusal?.code !== "RATE_LIMITED"; i++) {
      refusal = await appError(
        authenticate({ email: target.user.email, password: `wrong ${i} wrong` }, requestContext(ip)),
      );
    }
    expect(refusal?.code).toBe("RATE_LIMITED");
    const detail = await getUserDetail(admin.actor, target.user.id);
    expect(detail.state).toBe("LOCKED");
    expect(detail.lockedUntil?.getTime()).toBeGreaterThan(Date.now());
    const listed = await listUsers(admin.actor, { status: "LOCKED", q: target.user.email });
    expect(listed.rows.map((r) => r.id)).toEqual([target.user.id]);
    const active = await listUsers(admin.actor, { status: "ACTIVE", q: target.user.email });
    expect(active.rows).toEqual([]);
    await db().signInThrottle.create({ data: { key: `unrelated:${randomUUID()}`, failures: 3 } });

    await unlockUser(admin.actor, { userId: target.user.id, reason: "Verified by phone" });

    expect(await userRow(target.user.id)).toMatchObject({ failedSignIns: 0, lockedUntil: null });
    expect((await getUserDetail(admin.actor, target.user.id)).state).toBe("ACTIVE");
    expect(await db().signInThrottle.count({ where: { key: { startsWith: "unrelated:" } } })).toBeGreaterThan(0);
    const back = await authenticate({ email: target.user.email, password: target.password }, requestContext(ip));
    expect(back.user.id).toBe(target.user.id);
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { entityId: target.user.id, action: "user.unlocked" },
    });
    expect(audit.after).toMatchObject({ reason: "Verified by phone" });
    expect((audit.after as { throttleRowsCleared: number }).throttleRowsCleared).toBeGreaterThan(0);
    expect((await mailTo(target.user.email)).map((m) => m.category)).toContain("user.unlocked");

    const nothing = await appError(unlockUser(admin.actor, { userId: target.user.id, reason: "again" }));
    expect(nothing.code).toBe("CONFLICT");
  });
});

describe("endUserSessions", () => {
  it("ends one session or all of them, audited and e-mailed", async () => {
    const admin = await signIn(await createAdmin());
    const target = await createUser();
    const a = await signIn(target);
    const b = await signIn(target);
    const c = await signIn(target);

    expect(
      await endUserSessions(admin.actor, { userId: target.user.id, sessionId: a.sessionId, reason: "Shared PC" }),
    ).toEqual({ sessionsEnded: 1 });
    expect(await sessionOk(a)).toEqual({ ok: false, reason: "revoked" });
    expect((await sessionOk(b)).ok).toBe(true);
    const again = await appError(
      endUserSessions(admin.actor, { userId: target.user.id, sessionId: a.sessionId, reason: "x" }),
    );
    expect(again.code).toBe("CONFLICT");
    const otherUsers = await signIn(await createUser());
    const foreign = await appError(
      endUserSessions(admin.actor, { userId: target.user.id, sessionId: otherUsers.sessionId, reason: "x" }),
    );
    expect(foreign.code).toBe("NOT_FOUND");
    expect((await sessionOk(otherUsers)).ok).toBe(true);

    expect(await endUserSessions(admin.actor, { userId: target.user.id, reason: "Password shared" })).toEqual({
      sessionsEnded: 2,
    });
    expect((await sessionOk(b)).ok).toBe(false);
    expect((await sessionOk(c)).ok).toBe(false);
    expect((await userRow(target.user.id)).status).toBe("ACTIVE");
    const none = await appError(endUserSessions(admin.actor, { userId: target.user.id, reason: "x" }));
    expect(none.code).toBe("CONFLICT");

    const audits = await db().auditEvent.findMany({
      where: { entityId: target.user.id, action: { in: ["user.session_ended", "user.sessions_ended"] } },
      orderBy: { seq: "asc" },
    });
    expect(audits.map((e) => [e.action, (e.after as { reason: string }).reason])).toEqual([
      ["user.session_ended", "Shared PC"],
      ["user.sessions_ended", "Password shared"],
    ]);
    expect((await mailTo(target.user.email)).map((m) => m.category)).toEqual([
      "user.session_ended",
      "user.sessions_ended",
    ]);
  });
});

describe("administrator requests", () => {
  it("a request by one administrator, approved by another, e-mails an invitation that creates an ADMIN account", async () => {
    const alice = await signIn(await createAdmin());
    const bob = await signIn(await createAdmin());
    const email = uniqueEmail("newadmin");
    const { id } = await requestAdministrator(alice.actor, { name: "Noor Haddad", email, reason: "Covers weekends" });
    expect(await db().user.count({ where: { email } })).toBe(0);
    expect(await mailTo(email)).toHaveLength(0);

    const own = await appError(decideAdministratorRequest(alice.actor, { requestId: id, decision: "APPROVE" }));
    expect(own.code).toBe("FORBIDDEN");
    const duplicate = await appError(requestAdministrator(bob.actor, { name: "Noor", email, reason: "twice" }));
    expect(duplicate.details?.fields?.email).toBeDefined();

    const { link } = await decideAdministratorRequest(bob.actor, { requestId: id, decision: "APPROVE" });
    expect(link).toMatch(/\/invitations\/[A-Za-z0-9_-]{43}$/);
    const [mail] = await mailTo(email);
    expect(mail?.text).toContain(link);
    expect(mail?.subject).toBe("You have been made a REMS administrator");
    expect((await appError(decideAdministratorRequest(bob.actor, { requestId: id, decision: "APPROVE" }))).code).toBe(
      "CONFLICT",
    );

    const token = link?.split("/").at(-1) ?? "";
    const password = strongPassword();
    const created = await acceptInvitation(
      token,
      { name: "Noor Haddad", password, confirmPassword: password },
      requestContext(),
    );
    expect(created.role).toBe("ADMIN");
    const noor = await signIn({ user: { email }, password });
    expect(noor.actor.role).toBe("ADMIN");

    const audit = await db().auditEvent.findMany({
      where: { entityType: "AdministratorRequest", entityId: id },
      orderBy: { seq: "asc" },
    });
    expect(audit.map((e) => [e.action, e.actorId])).toEqual([
      ["administrator.requested", alice.actor.userId],
      ["administrator.request_approved", bob.actor.userId],
    ]);
  });

  it("a request can be declined with a reason, expires after 7 days, and refuses an existing account", async () => {
    const alice = await signIn(await createAdmin());
    const bob = await signIn(await createAdmin());
    const first = await requestAdministrator(alice.actor, {
      name: "Ira Quill",
      email: uniqueEmail("decl"),
      reason: "r",
    });
    const noReason = await appError(
      decideAdministratorRequest(bob.actor, { requestId: first.id, decision: "DECLINE", reason: " " }),
    );
    expect(noReason.details?.fields?.reason).toBeDefined();
    expect(
      await decideAdministratorRequest(bob.actor, { requestId: first.id, decision: "DECLINE", reason: "Not needed" }),
    ).toEqual({ decision: "DECLINED" });
    expect(
      await db().invitation.count({
        where: { email: (await db().administratorRequest.findUniqueOrThrow({ where: { id: first.id } })).email },
      }),
    ).toBe(0);

    const past = new Date(Date.now() - 8 * 86_400_000);
    const old = await requestAdministrator(
      alice.actor,
      { name: "Old One", email: uniqueEmail("old"), reason: "r" },
      db(),
      past,
    );
    const expired = await appError(decideAdministratorRequest(bob.actor, { requestId: old.id, decision: "APPROVE" }));
    expect(expired.code).toBe("CONFLICT");
    expect(expired.message).toMatch(/expire/);
    const requests = await listAdministratorRequests(bob.actor);
    expect(requests.find((r) => r.id === old.id)?.state).toBe("expired");

    const existing = await createUser();
    const taken = await appError(
      requestAdministrator(alice.actor, { name: "Dup", email: existing.user.email, reason: "r" }),
    );
    expect(taken.details?.fields?.email?.[0]).toMatch(/already has an account/);
  });
});

/**
 * The last-administrator rule needs a world with few administrators, so it runs in a database of
 * its own (PostgreSQL when the suite runs on PostgreSQL, else a fresh embedded directory).
 */
describe("the last active administrator", () => {
  let config: DatabaseConfig;
  let client: Db;

  beforeAll(async () => {
    const shared = resolveDatabaseConfig();
    if (shared.kind === "postgres") {
      const url = new URL(shared.url);
      url.pathname = `/${decodeURIComponent(url.pathname.slice(1))}_lastadmin_${randomUUID().slice(0, 8)}`;
      config = { kind: "postgres", url: url.toString() };
      await recreatePostgresDatabase(config.url);
    } else {
      config = { kind: "pglite", dir: path.join(os.tmpdir(), `remsgate-lastadmin-${randomUUID()}`) };
    }
    await applyMigrations(config);
    client = createPrismaClient(config);
  }, 120_000);

  afterAll(async () => {
    await client?.$disconnect();
    if (config?.kind === "pglite") {
      await closePGlite(config.dir);
      await rm(config.dir, { recursive: true, force: true });
    } else if (config) {
      await dropPostgresDatabase(config.url);
    }
  });

  it("cannot be deactivated, and two administrators deactivating each other at once leave one", async () => {
    const a = await signIn(await createAdmin({ client }), { client });
    const b = await signIn(await createAdmin({ client }), { client });
    const results = await Promise.allSettled([
      deactivateUser(a.actor, { userId: b.actor.userId, reason: "race" }, client),
      deactivateUser(b.actor, { userId: a.actor.userId, reason: "race" }, client),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(AppError);
    expect((refused.reason as AppError).code).toBe("CONFLICT");
    expect((refused.reason as AppError).message).toBe("The last active administrator cannot be deactivated.");
    const active = await client.user.findMany({ where: { role: "ADMIN", status: "ACTIVE" }, select: { id: true } });
    expect(active).toHaveLength(1);
    const survivor = active[0]?.id === a.actor.userId ? a : b;
    const ended = survivor === a ? b : a;
    expect(await client.auditEvent.count({ where: { action: "user.deactivated", entityId: ended.actor.userId } })).toBe(
      1,
    );

    // The last one stays, whoever asks; with a second administrator, a stale administrator is refused.
    const last = await appError(deactivateUser(ended.actor, { userId: survivor.actor.userId, reason: "x" }, client));
    expect(last.code).toBe("CONFLICT");
    const c = await signIn(await createAdmin({ client }), { client });
    const stale = await appError(deactivateUser(ended.actor, { userId: c.actor.userId, reason: "x" }, client));
    expect(stale.code).toBe("FORBIDDEN");
    await deactivateUser(c.actor, { userId: survivor.actor.userId, reason: "handover" }, client);
    expect(await client.user.findMany({ where: { role: "ADMIN", status: "ACTIVE" }, select: { id: true } })).toEqual([
      { id: c.actor.userId },
    ]);
    const lastAgain = await appError(deactivateUser(survivor.actor, { userId: c.actor.userId, reason: "x" }, client));
    expect(lastAgain.code).toBe("CONFLICT");
    expect(await client.user.count({ where: { role: "ADMIN", status: "ACTIVE" } })).toBe(1);
  });
});
