import { afterAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import {
  acceptInvitation,
  createInvitation,
  describeInvitation,
  revokeInvitation,
  teamOverview,
} from "../../lib/invitations/service";
import { hashInvitationToken } from "../../lib/invitations/token";
import { verifyPassword } from "../../lib/auth/password";
import { createPharmacyEnrollment, createPrescriberEnrollment } from "../factories/certified";
import { createUser, requestContext, signIn, strongPassword, uniqueEmail } from "../factories/users";
import { appError } from "../factories/errors";

afterAll(async () => {
  await disconnectDb();
});

const DAY = 86_400_000;

function tokenOf(link: string): string {
  const token = link.split("/invitations/")[1];
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

async function certifiedPharmacist() {
  const pharmacy = await createPharmacyEnrollment();
  const { actor } = await signIn(pharmacy);
  return { ...pharmacy, actor };
}

describe("createInvitation", () => {
  it("stores only the token's hash, queues the e-mail with the link, expires in 7 days, and audits", async () => {
    const { actor, pharmacy } = await certifiedPharmacist();
    const email = uniqueEmail("new-pharmacist");
    const now = new Date();
    const invitation = await createInvitation(actor, { email: email.toUpperCase(), role: "PHARMACIST" }, db(), now);

    expect(invitation.link).toMatch(/\/invitations\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(invitation.link);
    const row = await db().invitation.findUniqueOrThrow({ where: { id: invitation.id } });
    expect(row).toMatchObject({
      email,
      role: "PHARMACIST",
      pharmacyId: pharmacy.id,
      prescriberId: null,
      invitedByUserId: actor.userId,
      acceptedAt: null,
      tokenHash: hashInvitationToken(token),
    });
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime() - now.getTime()).toBe(7 * DAY);

    const mail = await db().mailMessage.findMany({ where: { to: email } });
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ category: "invitation", entityType: "Invitation", entityId: invitation.id });
    expect(mail[0]?.text).toContain(invitation.link);
    expect(mail[0]?.text).toContain(pharmacy.name);

    const audit = await db().auditEvent.findMany({ where: { entityType: "Invitation", entityId: invitation.id } });
    expect(audit.map((a) => a.action)).toEqual(["invitation.created"]);
    expect(audit[0]).toMatchObject({
      actorId: actor.userId,
      after: expect.objectContaining({ email, role: "PHARMACIST" }),
    });
    expect(JSON.stringify(audit[0]?.after)).not.toContain(token);
  });

  it("lets a certified prescriber invite office staff as delegates", async () => {
    const owner = await createPrescriberEnrollment();
    const { actor } = await signIn(owner);
    const invitation = await createInvitation(actor, { email: uniqueEmail("staff"), role: "PRESCRIBER_DELEGATE" });
    const row = await db().invitation.findUniqueOrThrow({ where: { id: invitation.id } });
    expect(row).toMatchObject({ role: "PRESCRIBER_DELEGATE", prescriberId: owner.prescriber.id, pharmacyId: null });
  });

  it("refuses when the pharmacy or the prescriber is not certified", async () => {
    const pharmacy = await createPharmacyEnrollment({ status: "SUBMITTED" });
    const { actor } = await signIn(pharmacy);
    const error = await appError(createInvitation(actor, { email: uniqueEmail(), role: "PHARMACIST" }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/must be certified/);

    const prescriber = await createPrescriberEnrollment({ status: "SUSPENDED" });
    const { actor: rx } = await signIn(prescriber);
    expect((await appError(createInvitation(rx, { email: uniqueEmail(), role: "PRESCRIBER_DELEGATE" }))).code).toBe(
      "CONFLICT",
    );
  });

  it("refuses other roles and people without the permission, and audits the attempt", async () => {
    const { actor } = await certifiedPharmacist();
    const wrongRole = await appError(createInvitation(actor, { email: uniqueEmail(), role: "PRESCRIBER_DELEGATE" }));
    expect(wrongRole.code).toBe("FORBIDDEN");
    const escalation = await appError(
      createInvitation(actor, { email: uniqueEmail(), role: "ADMIN" as unknown as "PHARMACIST" }),
    );
    expect(escalation.code).toBe("VALIDATION");

    const settingRep = await createUser({ role: "SETTING_REP" });
    const { actor: rep } = await signIn(settingRep);
    expect((await appError(createInvitation(rep, { email: uniqueEmail(), role: "PHARMACIST" }))).code).toBe(
      "FORBIDDEN",
    );
    expect(await db().auditEvent.count({ where: { action: "authorization.denied", actorId: rep.userId } })).toBe(1);
  });

  it("tells a prescriber or pharmacist without a practice or pharmacy in the registry why they cannot invite", async () => {
    const { actor: newPrescriber } = await signIn(await createUser({ role: "PRESCRIBER" }));
    const prescriberError = await appError(
      createInvitation(newPrescriber, { email: uniqueEmail(), role: "PRESCRIBER_DELEGATE" }),
    );
    expect(prescriberError).toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/once you have enrolled/),
    });
    const { actor: newPharmacist } = await signIn(await createUser({ role: "PHARMACIST" }));
    const pharmacistError = await appError(
      createInvitation(newPharmacist, { email: uniqueEmail(), role: "PHARMACIST" }),
    );
    expect(pharmacistError).toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/not linked to a pharmacy/),
    });
    expect(
      await db().auditEvent.count({ where: { action: "authorization.denied", actorId: newPrescriber.userId } }),
    ).toBe(0);
  });

  it("refuses an address that already has an account, on the email field", async () => {
    const { actor } = await certifiedPharmacist();
    const existing = await createUser();
    const error = await appError(createInvitation(actor, { email: existing.user.email, role: "PHARMACIST" }));
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.fields?.email?.[0]).toMatch(/already has an account/);
  });

  it("replaces a pending invitation to the same address (resend): the old link stops working", async () => {
    const { actor } = await certifiedPharmacist();
    const email = uniqueEmail("resend");
    const first = await createInvitation(actor, { email, role: "PHARMACIST" });
    const second = await createInvitation(actor, { email, role: "PHARMACIST" });
    expect((await describeInvitation(tokenOf(first.link))).state).toBe("revoked");
    expect((await describeInvitation(tokenOf(second.link))).state).toBe("pending");
    const refused = await appError(
      acceptInvitation(tokenOf(first.link), { name: "Sam Lee", password: "x", confirmPassword: "x" }, requestContext()),
    );
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toMatch(/cancelled or replaced/);
  });
});

describe("acceptInvitation", () => {
  it("creates a pharmacist linked to the pharmacy, uses the invitation up, notifies the inviter and audits", async () => {
    const { actor, pharmacy, user: inviter } = await certifiedPharmacist();
    const email = uniqueEmail("joiner");
    const { link } = await createInvitation(actor, { email, role: "PHARMACIST" });
    const password = strongPassword();
    const ctx = requestContext();
    const user = await acceptInvitation(
      tokenOf(link),
      { name: " Quinn Osei ", password, confirmPassword: password },
      ctx,
    );

    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row).toMatchObject({
      email,
      name: "Quinn Osei",
      role: "PHARMACIST",
      pharmacyId: pharmacy.id,
      status: "ACTIVE",
    });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row.passwordHash, password)).toBe(true);

    const invitation = await db().invitation.findUniqueOrThrow({
      where: { tokenHash: hashInvitationToken(tokenOf(link)) },
    });
    expect(invitation.acceptedUserId).toBe(user.id);
    expect(invitation.acceptedAt).not.toBeNull();

    const actions = (
      await db().auditEvent.findMany({ where: { requestId: ctx.requestId }, orderBy: { seq: "asc" } })
    ).map((a) => a.action);
    expect(actions).toEqual(["user.created_by_invitation", "invitation.accepted"]);
    const notice = await db().mailMessage.findFirst({ where: { to: inviter.email, category: "invitation.accepted" } });
    expect(notice?.text).toContain("Quinn Osei");

    // The new pharmacist can sign in and acts for the pharmacy.
    const { actor: joined } = await signIn({ user: { email }, password });
    expect(joined).toMatchObject({ role: "PHARMACIST", pharmacyId: pharmacy.id });
    const team = await teamOverview(actor);
    expect(team.linked && team.members.map((m) => m.email)).toContain(email);
    expect(team.linked && team.invitations.find((i) => i.email === email)?.state).toBe("accepted");
  });

  it("creates a delegate linked to the prescriber through PrescriberDelegate", async () => {
    const owner = await createPrescriberEnrollment();
    const { actor } = await signIn(owner);
    const email = uniqueEmail("delegate");
    const { link } = await createInvitation(actor, { email, role: "PRESCRIBER_DELEGATE" });
    const password = strongPassword();
    const ctx = requestContext();
    const user = await acceptInvitation(tokenOf(link), { name: "Dana Moss", password, confirmPassword: password }, ctx);
    expect(user.role).toBe("PRESCRIBER_DELEGATE");
    const links = await db().prescriberDelegate.findMany({ where: { userId: user.id } });
    expect(links).toEqual([expect.objectContaining({ prescriberId: owner.prescriber.id })]);
    const actions = (await db().auditEvent.findMany({ where: { requestId: ctx.requestId } })).map((a) => a.action);
    expect(actions).toContain("prescriber_delegate.linked");
    const team = await teamOverview(actor);
    expect(team.linked && team.members.map((m) => m.email)).toEqual([email]);
  });

  it("is single use: a second acceptance is refused and creates nothing", async () => {
    const { actor } = await certifiedPharmacist();
    const email = uniqueEmail("once");
    const { link } = await createInvitation(actor, { email, role: "PHARMACIST" });
    const password = strongPassword();
    await acceptInvitation(
      tokenOf(link),
      { name: "First Person", password, confirmPassword: password },
      requestContext(),
    );
    const again = await appError(
      acceptInvitation(tokenOf(link), { name: "Second Person", password, confirmPassword: password }, requestContext()),
    );
    expect(again.code).toBe("CONFLICT");
    expect(again.message).toMatch(/already been used/);
    expect(await db().user.count({ where: { email } })).toBe(1);
  });

  it("refuses an expired invitation and an unknown token with clear messages", async () => {
    const { actor } = await certifiedPharmacist();
    const sentAt = new Date(Date.now() - 8 * DAY);
    const { link } = await createInvitation(actor, { email: uniqueEmail("late"), role: "PHARMACIST" }, db(), sentAt);
    const password = strongPassword();
    const expired = await appError(
      acceptInvitation(tokenOf(link), { name: "Late Comer", password, confirmPassword: password }, requestContext()),
    );
    expect(expired.code).toBe("CONFLICT");
    expect(expired.message).toBe(`This invitation has expired. To join, ask ${actor.name} to invite you again.`);
    expect((await describeInvitation(tokenOf(link))).state).toBe("expired");

    const unknown = await appError(
      acceptInvitation("A".repeat(43), { name: "Nobody", password, confirmPassword: password }, requestContext()),
    );
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toMatch(/not valid/);
    expect((await describeInvitation("garbage")).state).toBe("invalid");
  });

  it("refuses a weak or mismatched password field by field, and leaves the invitation usable", async () => {
    const { actor } = await certifiedPharmacist();
    const email = uniqueEmail("weak");
    const { link } = await createInvitation(actor, { email, role: "PHARMACIST" });
    const token = tokenOf(link);

    const common = await appError(
      acceptInvitation(
        token,
        { name: "Alex Kim", password: "Password123!", confirmPassword: "Password123!" },
        requestContext(),
      ),
    );
    expect(common.code).toBe("VALIDATION");
    expect(common.details?.fields).toEqual({ password: [expect.stringMatching(/too common/)] });

    const short = await appError(
      acceptInvitation(token, { name: "", password: "short", confirmPassword: "different" }, requestContext()),
    );
    expect(short.details?.fields).toEqual({
      name: ["Enter your full name"],
      password: ["Use at least 12 characters"],
      confirmPassword: ["The passwords do not match"],
    });

    const named = await appError(
      acceptInvitation(
        token,
        { name: "Alexandra Kim", password: "alexandra-rules-the-day", confirmPassword: "alexandra-rules-the-day" },
        requestContext(),
      ),
    );
    expect(named.details?.fields?.password?.[0]).toMatch(/must not contain your name/);

    expect(await db().user.count({ where: { email } })).toBe(0);
    expect((await describeInvitation(token)).state).toBe("pending");
  });

  it("refuses when the address got an account in the meantime", async () => {
    const { actor } = await certifiedPharmacist();
    const email = uniqueEmail("raced");
    const { link } = await createInvitation(actor, { email, role: "PHARMACIST" });
    const password = strongPassword();
    await db().user.create({ data: { email, name: "Already There", passwordHash: "x", role: "PRESCRIBER" } });
    const error = await appError(
      acceptInvitation(tokenOf(link), { name: "Too Late", password, confirmPassword: password }, requestContext()),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/already exists/);
  });
});

describe("revokeInvitation and teamOverview", () => {
  it("cancels a pending invitation of the actor's pharmacy only", async () => {
    const { actor } = await certifiedPharmacist();
    const { id, link } = await createInvitation(actor, { email: uniqueEmail("cancel"), role: "PHARMACIST" });
    const other = await certifiedPharmacist();
    expect((await appError(revokeInvitation(other.actor, id))).code).toBe("NOT_FOUND");
    await revokeInvitation(actor, id);
    expect((await describeInvitation(tokenOf(link))).state).toBe("revoked");
    expect((await appError(revokeInvitation(actor, id))).code).toBe("CONFLICT");
    expect(await db().auditEvent.count({ where: { entityId: id, action: "invitation.revoked" } })).toBe(1);
  });

  it("lists pending and accepted invitations, latest first, and says when inviting is not possible yet", async () => {
    const { actor } = await certifiedPharmacist();
    const a = await createInvitation(
      actor,
      { email: uniqueEmail("a"), role: "PHARMACIST" },
      db(),
      new Date(Date.now() - 60_000),
    );
    const b = await createInvitation(actor, { email: uniqueEmail("b"), role: "PHARMACIST" });
    const team = await teamOverview(actor);
    if (!team.linked) throw new Error("expected a linked team");
    expect(team.canInvite).toBe(true);
    expect(team.invitations.map((i) => [i.id, i.state, i.invitedByName])).toEqual([
      [b.id, "pending", actor.name],
      [a.id, "pending", actor.name],
    ]);

    const uncertified = await createPrescriberEnrollment({ status: "SUBMITTED" });
    const { actor: rx } = await signIn(uncertified);
    const rxTeam = await teamOverview(rx);
    expect(rxTeam).toMatchObject({
      linked: true,
      canInvite: false,
      cannotInviteReason: expect.stringMatching(/certified/),
    });

    const newcomer = await createUser({ role: "PHARMACIST" });
    const { actor: unlinked } = await signIn(newcomer);
    expect(await teamOverview(unlinked)).toMatchObject({ linked: false });
  });
});
