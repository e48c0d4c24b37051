import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/auth/actor";
import { systemActor } from "../../lib/auth/actor";
import { applyTransition } from "../../lib/certification/transition";
import {
  claimApplication,
  countAwaitingReview,
  decideApplication,
  expireDueCertifications,
  getApplicationForReview,
  listReviewQueue,
  releaseClaim,
} from "../../lib/certification/service";
import { db, disconnectDb } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { isValidRemsId } from "../../lib/identifiers/rems-id";
import { deliverPendingMail } from "../../lib/mail/deliver";
import {
  actorFor,
  createAccount,
  createAdminActor,
  createApplication,
  createTestProgram,
  ensureLemtradaProgram,
  uniqueWord,
} from "../factories/applications";
import { startSmtpServer, type TestSmtpServer } from "../setup/smtp";
import { createPatientWorld, enrollPaperPatient } from "../factories/patients";
import { appError } from "../factories/errors";

let smtp: TestSmtpServer;
let admin: Actor;
let otherAdmin: Actor;
let prescriber: Actor;

beforeAll(async () => {
  smtp = await startSmtpServer();
  await ensureLemtradaProgram();
  admin = await createAdminActor("Avery Lindqvist");
  otherAdmin = await createAdminActor("Jordan Okonkwo");
  prescriber = actorFor(await createAccount("PRESCRIBER", "Dr. Sam Rivera"));
});

afterAll(async () => {
  delete process.env.SMTP_URL;
  await smtp.close();
  await disconnectDb();
});

/** Everything a refused action must leave untouched. */
async function snapshot(enrollmentId: string) {
  const [row, events, audit, mail] = await Promise.all([
    db().enrollment.findUniqueOrThrow({
      where: { id: enrollmentId },
      select: {
        status: true,
        version: true,
        statusReason: true,
        certificationNumber: true,
        claimedByUserId: true,
        decidedAt: true,
        certifiedAt: true,
      },
    }),
    db().enrollmentEvent.count({ where: { enrollmentId } }),
    db().auditEvent.count({ where: { entityType: "Enrollment", entityId: enrollmentId } }),
    db().mailMessage.count({ where: { entityId: enrollmentId } }),
  ]);
  return { row, events, audit, mail };
}

/**
 * Runs delivery passes until the given queued message has gone out through the test SMTP server,
 * and returns what that server received. Test files share one database and other files' services
 * also run delivery passes (without SMTP_URL they only log): when one of those took our message
 * first, it is queued again, so the assertion is always about a message this server received.
 */
async function deliverThroughSmtp(mailId: string, recipient: string) {
  process.env.SMTP_URL = smtp.url;
  for (let attempt = 0; attempt < 3; attempt++) {
    for (let pass = 0; pass < 20; pass++) {
      const row = await db().mailMessage.findUniqueOrThrow({ where: { id: mailId } });
      if (row.sentAt) break;
      if (row.lastError) throw new Error(`delivery failed: ${row.lastError}`);
      await deliverPendingMail(db(), 50, { to: [recipient] });
    }
    try {
      return await smtp.waitFor((m) => m.envelopeTo.includes(recipient), 3000);
    } catch {
      await db().mailMessage.update({ where: { id: mailId }, data: { sentAt: null, attempts: 0 } });
    }
  }
  throw new Error(`the message to ${recipient} never reached the test SMTP server`);
}

const day = (iso: string) => new Date(`${iso}T12:00:00.000Z`);

describe("the review queue", () => {
  it("filters by programme, type, status and submitted date, oldest submission first", async () => {
    const program = await createTestProgram();
    const p10 = await createApplication({ programId: program.id, submittedAt: day("2026-01-10") });
    const ph05 = await createApplication({ programId: program.id, kind: "PHARMACY", submittedAt: day("2026-01-05") });
    const p20 = await createApplication({ programId: program.id, submittedAt: day("2026-01-20") });
    const hs15 = await createApplication({
      programId: program.id,
      kind: "HEALTHCARE_SETTING",
      submittedAt: day("2026-01-15"),
      withEvidence: false,
    });
    const certified = await createApplication({
      programId: program.id,
      status: "CERTIFIED",
      submittedAt: day("2026-01-01"),
    });
    const draft = await createApplication({ programId: program.id, status: "DRAFT", withEvidence: false });
    const ids = (queue: Awaited<ReturnType<typeof listReviewQueue>>) => queue.rows.map((r) => r.id);

    const submitted = await listReviewQueue(admin, { program: program.code });
    expect(ids(submitted)).toEqual([ph05, p10, hs15, p20].map((a) => a.enrollment.id));
    expect(submitted.total).toBe(4);
    expect(submitted.filters.status).toBe("SUBMITTED");
    expect(submitted.rows[0]).toMatchObject({
      kind: "PHARMACY",
      kindLabel: "Pharmacy",
      status: "SUBMITTED",
      statusLabel: "Submitted, awaiting review",
      name: ph05.orgName,
      program: { code: program.code },
      identifiers: [
        { label: "NCPDP", value: ph05.ncpdpId },
        { label: "NPI", value: ph05.npi },
      ],
      claim: null,
    });
    expect(submitted.rows[1]?.identifiers).toEqual([{ label: "NPI", value: p10.npi }]);

    const prescribers = await listReviewQueue(admin, { program: program.code, kind: "PRESCRIBER" });
    expect(ids(prescribers)).toEqual([p10.enrollment.id, p20.enrollment.id]);

    // "to" includes the whole day.
    const window = await listReviewQueue(admin, { program: program.code, from: "2026-01-06", to: "2026-01-15" });
    expect(ids(window)).toEqual([p10.enrollment.id, hs15.enrollment.id]);
    const onlyFrom = await listReviewQueue(admin, { program: program.code, from: "2026-01-15" });
    expect(ids(onlyFrom)).toEqual([hs15.enrollment.id, p20.enrollment.id]);

    const everything = await listReviewQueue(admin, { program: program.code, status: "ANY" });
    expect(ids(everything)).toEqual(
      [certified, ph05, p10, hs15, p20, draft].map((a) => a.enrollment.id), // never submitted: last
    );
    const certifiedOnly = await listReviewQueue(admin, { program: program.code, status: "CERTIFIED" });
    expect(ids(certifiedOnly)).toEqual([certified.enrollment.id]);

    // Unusable values are ignored rather than failing the page.
    const lenient = await listReviewQueue(admin, { program: program.code, kind: "DENTIST", from: "soon" });
    expect(lenient.total).toBe(4);
  });

  it("finds applications by name, NPI and NCPDP id", async () => {
    const program = await createTestProgram();
    const lastName = uniqueWord("Zed");
    const doctor = await createApplication({ programId: program.id, firstName: "Marisol", lastName });
    const pharmacyName = `Harbor ${uniqueWord("Rx")}`;
    const pharmacy = await createApplication({ programId: program.id, kind: "PHARMACY", name: pharmacyName });
    const setting = await createApplication({ programId: program.id, kind: "HEALTHCARE_SETTING" });
    const search = async (q: string) =>
      (await listReviewQueue(admin, { q, status: "ANY" })).rows.map((r) => r.id).sort();

    expect(await search(doctor.npi)).toEqual([doctor.enrollment.id]);
    expect(await search(lastName.toUpperCase())).toEqual([doctor.enrollment.id]);
    expect(await search(`marisol ${lastName}`)).toEqual([doctor.enrollment.id]);
    expect(await search(`Someone ${lastName}`)).toEqual([]);
    expect(await search(pharmacy.ncpdpId ?? "")).toEqual([pharmacy.enrollment.id]);
    expect(await search(pharmacy.npi)).toEqual([pharmacy.enrollment.id]);
    expect(await search(pharmacyName.toLowerCase())).toEqual([pharmacy.enrollment.id]);
    expect(await search(setting.npi)).toEqual([setting.enrollment.id]);
  });

  it("pages through long queues, 25 at a time", async () => {
    const program = await createTestProgram();
    const created: string[] = [];
    for (let i = 0; i < 27; i++) {
      const app = await createApplication({
        programId: program.id,
        submittedAt: new Date(Date.UTC(2026, 1, 1, 0, i)),
        withEvidence: false,
      });
      created.push(app.enrollment.id);
    }
    const first = await listReviewQueue(admin, { program: program.code });
    expect(first).toMatchObject({ total: 27, page: 1, pageCount: 2, pageSize: 25 });
    expect(first.rows.map((r) => r.id)).toEqual(created.slice(0, 25));
    const second = await listReviewQueue(admin, { program: program.code, page: "2" });
    expect(second.rows.map((r) => r.id)).toEqual(created.slice(25));
    const beyond = await listReviewQueue(admin, { program: program.code, page: "9" });
    expect(beyond.page).toBe(2);
  });

  it("counts what awaits review", async () => {
    const before = await countAwaitingReview(admin);
    const app = await createApplication();
    await claimApplication(admin, { enrollmentId: app.enrollment.id });
    const after = await countAwaitingReview(admin);
    expect(after.submitted).toBeGreaterThanOrEqual(before.submitted + 1);
    expect(after.submitted - after.unclaimed).toBeGreaterThanOrEqual(1);
  });
});

describe("the review page", () => {
  it("shows the whole application: form with labels, training, attestations, attempts, signatures, history", async () => {
    const app = await createApplication({ firstName: "Imani", lastName: uniqueWord("Castellanos") });
    const review = await getApplicationForReview(admin, app.enrollment.id);
    expect(review).toMatchObject({
      id: app.enrollment.id,
      kind: "PRESCRIBER",
      status: "SUBMITTED",
      version: 0,
      name: app.displayName,
      definitionFound: true,
      applicant: { email: app.applicant.email },
      actions: ["APPROVE", "REJECT", "REQUEST_CHANGES"],
      claim: null,
    });
    expect(review.stakeholder).toContainEqual({ label: "NPI", value: app.npi });
    expect(review.form.hasAnswers).toBe(true);
    const prescriberGroup = review.form.groups.find((g) => g.title === "Prescriber");
    expect(prescriberGroup?.fields).toContainEqual({ id: "npi", label: "NPI", value: app.npi });
    expect(prescriberGroup?.fields).toContainEqual({ id: "credentials", label: "Credentials", value: "MD" });
    expect(prescriberGroup?.fields).toContainEqual({ id: "dea", label: "DEA number", value: null });
    expect(review.form.groups.map((g) => g.title)).toEqual(["Prescriber", "Practice", "Practice address", "Contact"]);
    expect(review.training?.sections.length).toBeGreaterThan(0);
    expect(review.training?.sections.every((s) => s.acknowledgedAt === "2026-01-05T09:15:00.000Z")).toBe(true);
    expect(review.attestations.length).toBeGreaterThan(0);
    expect(review.attestations.every((a) => a.ticked)).toBe(true);
    expect(review.attempts).toMatchObject([
      {
        attemptNumber: 1,
        passed: false,
        correctCount: 6,
        questionCount: 8,
        topicsToReview: ["Stroke", "Malignancies"],
      },
      { attemptNumber: 2, passed: true, correctCount: 8, questionCount: 8 },
    ]);
    expect(review.signatures).toHaveLength(1);
    expect(review.signatures[0]?.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(review.signatures[0]?.printedName).toBe(app.applicant.name);
    expect(review.history).toMatchObject([{ to: "SUBMITTED", by: app.applicant.name }]);
  });

  it("a patient who signed the paper form: the statements read as made on it, not as not attested", async () => {
    const world = await createPatientWorld();
    const enrolled = await enrollPaperPatient(world);
    const review = await getApplicationForReview(admin, enrolled.enrollmentId);
    expect(review.kind).toBe("PATIENT");
    expect(review.attestations.length).toBeGreaterThan(0);
    for (const attestation of review.attestations) expect(attestation).toMatchObject({ ticked: false, onPaper: true });
  });

  it("copes with an application that holds no form data", async () => {
    const app = await createApplication({ kind: "HEALTHCARE_SETTING", withEvidence: false });
    const review = await getApplicationForReview(admin, app.enrollment.id);
    expect(review.form.hasAnswers).toBe(false);
    expect(review.form.otherAnswers).toEqual([]);
    expect(review.training?.sections.every((s) => s.acknowledgedAt === null)).toBe(true);
    expect(review.attestations.every((a) => !a.ticked)).toBe(true);
    expect(review.attempts).toEqual([]);
    expect(review.signatures).toEqual([]);
  });

  it("answers NOT_FOUND for unknown or malformed ids", async () => {
    expect((await appError(getApplicationForReview(admin, "not-a-uuid"))).code).toBe("NOT_FOUND");
    const missing = await appError(getApplicationForReview(admin, "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"));
    expect(missing.code).toBe("NOT_FOUND");
  });
});

describe("approving", () => {
  it("certifies with a unique number, records history, audit and e-mail, and delivers the e-mail by SMTP", async () => {
    const a = await createApplication({ submittedAt: new Date("2026-03-01T09:00:00.000Z") });
    const b = await createApplication({ kind: "PHARMACY" });
    const now = new Date("2026-03-02T15:04:05.000Z");
    const resultA = await decideApplication(
      admin,
      { enrollmentId: a.enrollment.id, version: 0, event: "APPROVE" },
      undefined,
      now,
    );
    const resultB = await decideApplication(admin, { enrollmentId: b.enrollment.id, version: 0, event: "APPROVE" });
    expect(resultA).toMatchObject({ from: "SUBMITTED", to: "CERTIFIED", version: 1 });
    expect(resultA.certificationNumber).toMatch(/^RX-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
    expect(isValidRemsId(resultA.certificationNumber ?? "", "RX")).toBe(true);
    expect(resultB.certificationNumber).toMatch(/^DP-/);
    expect(resultB.certificationNumber).not.toBe(resultA.certificationNumber);

    const row = await db().enrollment.findUniqueOrThrow({
      where: { id: a.enrollment.id },
      select: {
        status: true,
        version: true,
        certificationNumber: true,
        certifiedAt: true,
        decidedAt: true,
        expiresAt: true,
      },
    });
    expect(row).toEqual({
      status: "CERTIFIED",
      version: 1,
      certificationNumber: resultA.certificationNumber,
      certifiedAt: now,
      decidedAt: now,
      expiresAt: null, // LEMTRADA has no recertification
    });

    const events = await db().enrollmentEvent.findMany({
      where: { enrollmentId: a.enrollment.id },
      orderBy: { at: "asc" },
    });
    expect(events.at(-1)).toMatchObject({ fromStatus: "SUBMITTED", toStatus: "CERTIFIED", actorUserId: admin.userId });
    const audit = await db().auditEvent.findMany({ where: { entityType: "Enrollment", entityId: a.enrollment.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "enrollment.approve",
      actorId: admin.userId,
      actorRole: "ADMIN",
      requestId: admin.requestId,
      before: { status: "SUBMITTED", version: 0 },
      after: { status: "CERTIFIED", version: 1, certificationNumber: resultA.certificationNumber },
    });
    const mail = await db().mailMessage.findMany({ where: { entityId: a.enrollment.id } });
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      to: a.applicant.email,
      subject: "LEMTRADA REMS: enrollment approved",
      category: "certification.APPROVE",
      entityType: "Enrollment",
      sentAt: null,
    });
    expect(mail[0]?.text).toContain(`Certification number: ${resultA.certificationNumber}`);

    const received = await deliverThroughSmtp(mail[0]?.id ?? "", a.applicant.email);
    expect(received.subject).toBe("LEMTRADA REMS: enrollment approved");
    expect(received.to).toContain(a.applicant.email);
    expect(received.text).toContain(`Hello ${a.applicant.name},`);
    expect(received.text).toContain("Your LEMTRADA REMS enrollment has been approved.");
    expect(received.text).toContain(`Certification number: ${resultA.certificationNumber}`);
    expect(received.text).toContain("— REMS registry");
    const sent = await db().mailMessage.findUniqueOrThrow({ where: { id: mail[0]?.id ?? "" } });
    expect(sent.sentAt).not.toBeNull();
    expect(sent.attempts).toBeGreaterThanOrEqual(1);
    expect(sent.lastError).toBeNull();

    // The pharmacy's message went to its representative.
    const pharmacyMailId = (await db().mailMessage.findFirstOrThrow({ where: { entityId: b.enrollment.id } })).id;
    const pharmacyMail = await deliverThroughSmtp(pharmacyMailId, b.applicant.email);
    expect(pharmacyMail.text).toContain(`Certification number: ${resultB.certificationNumber}`);
  });

  it("refuses to approve an application that is already approved, changing nothing", async () => {
    const app = await createApplication();
    await decideApplication(admin, { enrollmentId: app.enrollment.id, version: 0, event: "APPROVE" });
    const before = await snapshot(app.enrollment.id);
    const error = await appError(
      decideApplication(admin, { enrollmentId: app.enrollment.id, version: 1, event: "APPROVE" }),
    );
    expect(error.code).toBe("ILLEGAL_TRANSITION");
    expect(error.message).toBe("An enrollment that is certified cannot be approved.");
    expect(await snapshot(app.enrollment.id)).toEqual(before);
    const reject = await appError(
      decideApplication(admin, { enrollmentId: app.enrollment.id, version: 1, event: "REJECT", reason: "Late." }),
    );
    expect(reject.code).toBe("ILLEGAL_TRANSITION");
    expect(await snapshot(app.enrollment.id)).toEqual(before);
  });
});

describe("rejecting and requesting changes", () => {
  it("refuses a rejection without a reason, field by field, changing nothing", async () => {
    const app = await createApplication();
    const before = await snapshot(app.enrollment.id);
    for (const reason of [undefined, "", "   "]) {
      const error = await appError(
        decideApplication(admin, { enrollmentId: app.enrollment.id, version: 0, event: "REJECT", reason }),
      );
      expect(error.code).toBe("VALIDATION");
      expect(error.details?.fields?.reason).toEqual(["Give the reason for the rejection"]);
    }
    expect(await snapshot(app.enrollment.id)).toEqual(before);
  });

  it("rejects with the reason on record and in the applicant's e-mail", async () => {
    const app = await createApplication();
    const result = await decideApplication(admin, {
      enrollmentId: app.enrollment.id,
      version: 0,
      event: "REJECT",
      reason: "  The NPI belongs to another prescriber.  ",
    });
    expect(result).toMatchObject({ to: "REJECTED", certificationNumber: null });
    const review = await getApplicationForReview(admin, app.enrollment.id);
    expect(review).toMatchObject({
      status: "REJECTED",
      statusReason: "The NPI belongs to another prescriber.",
      actions: [],
    });
    expect(review.history.at(-1)).toMatchObject({
      from: "SUBMITTED",
      to: "REJECTED",
      by: "Avery Lindqvist",
      reason: "The NPI belongs to another prescriber.",
    });
    const mail = await db().mailMessage.findFirstOrThrow({ where: { entityId: app.enrollment.id } });
    expect(mail.subject).toBe("LEMTRADA REMS: enrollment rejected");
    expect(mail.text).toContain("Reason:\nThe NPI belongs to another prescriber.");
  });

  it("returns the application for changes; the applicant resubmits and it is back in the queue", async () => {
    const program = await createTestProgram();
    const app = await createApplication({ programId: program.id });
    const missing = await appError(
      decideApplication(admin, { enrollmentId: app.enrollment.id, version: 0, event: "REQUEST_CHANGES" }),
    );
    expect(missing.details?.fields?.reason).toEqual(["Say what the applicant needs to change"]);

    await decideApplication(admin, {
      enrollmentId: app.enrollment.id,
      version: 0,
      event: "REQUEST_CHANGES",
      reason: "Add your DEA number.",
    });
    const returned = await db().enrollment.findUniqueOrThrow({
      where: { id: app.enrollment.id },
      select: { status: true, statusReason: true, version: true },
    });
    expect(returned).toEqual({ status: "CHANGES_REQUESTED", statusReason: "Add your DEA number.", version: 1 });
    expect((await listReviewQueue(admin, { program: program.code })).total).toBe(0);
    const mail = await db().mailMessage.findFirstOrThrow({ where: { entityId: app.enrollment.id } });
    expect(mail.subject).toBe(`${program.name}: enrollment returned for changes`);
    expect(mail.text).toContain("What to change:\nAdd your DEA number.");

    // The applicant's side (another module) resubmits through the same lifecycle.
    await db().$transaction((tx) =>
      applyTransition(tx, {
        enrollmentId: app.enrollment.id,
        event: "SUBMIT",
        actor: { userId: app.applicant.id, role: "PRESCRIBER", requestId: "test-resubmit" },
        actorKind: "applicant",
        expectedVersion: 1,
      }),
    );
    const queue = await listReviewQueue(admin, { program: program.code });
    expect(queue.rows.map((r) => r.id)).toEqual([app.enrollment.id]);
    expect(queue.rows[0]?.version).toBe(2);
    const review = await getApplicationForReview(admin, app.enrollment.id);
    expect(review.history.map((h) => h.to)).toEqual(["SUBMITTED", "CHANGES_REQUESTED", "SUBMITTED"]);
    expect(review.history[1]?.reason).toBe("Add your DEA number.");
  });
});

describe("two administrators", () => {
  it("the second one's decision on a stale version is refused: changed by someone else", async () => {
    const app = await createApplication();
    const seenByA = await getApplicationForReview(admin, app.enrollment.id);
    const seenByB = await getApplicationForReview(otherAdmin, app.enrollment.id);
    expect(seenByA.version).toBe(seenByB.version);

    await decideApplication(admin, { enrollmentId: app.enrollment.id, version: seenByA.version, event: "APPROVE" });
    const before = await snapshot(app.enrollment.id);
    const error = await appError(
      decideApplication(otherAdmin, {
        enrollmentId: app.enrollment.id,
        version: seenByB.version,
        event: "REJECT",
        reason: "Incomplete.",
      }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toContain("changed by someone else");
    expect(error.message).toContain("Reload");
    expect(await snapshot(app.enrollment.id)).toEqual(before);
    expect(before.row.status).toBe("CERTIFIED");
  });

  it("racing decisions on the same version: exactly one wins", async () => {
    const app = await createApplication();
    const results = await Promise.allSettled([
      decideApplication(admin, { enrollmentId: app.enrollment.id, version: 0, event: "APPROVE" }),
      decideApplication(otherAdmin, { enrollmentId: app.enrollment.id, version: 0, event: "REJECT", reason: "No." }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(failure.reason).toBeInstanceOf(AppError);
    expect((failure.reason as AppError).code).toBe("CONFLICT");
    const events = await db().enrollmentEvent.count({ where: { enrollmentId: app.enrollment.id } });
    expect(events).toBe(2); // submitted + the one decision
  });

  it("a claim is shown to the other administrator, who must take over before acting", async () => {
    const app = await createApplication();
    const id = app.enrollment.id;
    const claimedAt = new Date("2026-04-01T08:30:00.000Z");
    await claimApplication(admin, { enrollmentId: id }, undefined, claimedAt);

    const seenByB = await getApplicationForReview(otherAdmin, id);
    expect(seenByB.claim).toEqual({ userId: admin.userId, name: "Avery Lindqvist", since: claimedAt, mine: false });
    expect((await getApplicationForReview(admin, id)).claim?.mine).toBe(true);
    const row = (await listReviewQueue(otherAdmin, { q: app.npi })).rows[0];
    expect(row?.claim).toMatchObject({ name: "Avery Lindqvist", mine: false });

    const before = await snapshot(id);
    const blocked = await appError(decideApplication(otherAdmin, { enrollmentId: id, version: 0, event: "APPROVE" }));
    expect(blocked.code).toBe("CONFLICT");
    expect(blocked.message).toBe(
      "Being reviewed by Avery Lindqvist since 2026-04-01 08:30 UTC. Take over the review before acting on it.",
    );
    const claimAgain = await appError(claimApplication(otherAdmin, { enrollmentId: id }));
    expect(claimAgain.code).toBe("CONFLICT");
    expect(claimAgain.message).toContain("Being reviewed by Avery Lindqvist");
    expect(await snapshot(id)).toEqual(before);

    await claimApplication(otherAdmin, { enrollmentId: id, takeOver: true });
    expect((await getApplicationForReview(admin, id)).claim).toMatchObject({ name: "Jordan Okonkwo", mine: false });
    const nowBlocked = await appError(decideApplication(admin, { enrollmentId: id, version: 0, event: "APPROVE" }));
    expect(nowBlocked.message).toContain("Being reviewed by Jordan Okonkwo");
    expect(await releaseClaim(admin, { enrollmentId: id })).toEqual({ released: false });

    const audit = await db().auditEvent.findMany({
      where: { entityType: "Enrollment", entityId: id },
      orderBy: { seq: "asc" },
      select: { action: true, actorId: true },
    });
    expect(audit).toEqual([
      { action: "enrollment.claimed", actorId: admin.userId },
      { action: "enrollment.claim_taken_over", actorId: otherAdmin.userId },
    ]);

    // The decision clears the claim.
    await decideApplication(otherAdmin, { enrollmentId: id, version: 0, event: "APPROVE" });
    const after = await db().enrollment.findUniqueOrThrow({
      where: { id },
      select: { claimedByUserId: true, claimedAt: true },
    });
    expect(after).toEqual({ claimedByUserId: null, claimedAt: null });
  });

  it("releases a claim, and refuses a claim where there is nothing to review", async () => {
    const app = await createApplication();
    await claimApplication(admin, { enrollmentId: app.enrollment.id });
    expect(await releaseClaim(admin, { enrollmentId: app.enrollment.id })).toEqual({ released: true });
    expect((await getApplicationForReview(otherAdmin, app.enrollment.id)).claim).toBeNull();

    const draft = await createApplication({ status: "DRAFT" });
    const error = await appError(claimApplication(admin, { enrollmentId: draft.enrollment.id }));
    expect(error.code).toBe("ILLEGAL_TRANSITION");
  });

  it("offers and accepts a claim only while the application awaits a decision", async () => {
    const waiting = await createApplication();
    expect((await getApplicationForReview(admin, waiting.enrollment.id)).awaitsDecision).toBe(true);
    for (const status of ["CERTIFIED", "REJECTED", "SUSPENDED"] as const) {
      const decided = await createApplication({ status });
      const view = await getApplicationForReview(admin, decided.enrollment.id);
      expect(view.awaitsDecision).toBe(false);
      const error = await appError(claimApplication(admin, { enrollmentId: decided.enrollment.id }));
      expect(error.code).toBe("ILLEGAL_TRANSITION");
      const row = await db().enrollment.findUniqueOrThrow({
        where: { id: decided.enrollment.id },
        select: { claimedByUserId: true },
      });
      expect(row.claimedByUserId).toBeNull();
    }
  });
});

describe("suspending, reinstating and decertifying", () => {
  it("walks a certified stakeholder through suspend → reinstate → decertify, each with a reason", async () => {
    const app = await createApplication({ kind: "HEALTHCARE_SETTING", status: "CERTIFIED" });
    const id = app.enrollment.id;
    const number = app.enrollment.certificationNumber;
    expect((await getApplicationForReview(admin, id)).actions).toEqual(["SUSPEND", "DECERTIFY"]);

    const noReason = await appError(decideApplication(admin, { enrollmentId: id, version: 0, event: "SUSPEND" }));
    expect(noReason.details?.fields?.reason).toEqual(["Give the reason for the suspension"]);
    const notSuspended = await appError(
      decideApplication(admin, { enrollmentId: id, version: 0, event: "REINSTATE", reason: "Fine." }),
    );
    expect(notSuspended.code).toBe("ILLEGAL_TRANSITION");

    await decideApplication(admin, {
      enrollmentId: id,
      version: 0,
      event: "SUSPEND",
      reason: "Observation records missing.",
    });
    expect((await getApplicationForReview(admin, id)).actions).toEqual(["REINSTATE", "DECERTIFY"]);
    const reinstated = await decideApplication(admin, {
      enrollmentId: id,
      version: 1,
      event: "REINSTATE",
      reason: "Records provided.",
    });
    expect(reinstated).toMatchObject({ to: "CERTIFIED", certificationNumber: number });
    await decideApplication(admin, {
      enrollmentId: id,
      version: 2,
      event: "DECERTIFY",
      reason: "Repeated non-compliance.",
    });

    const review = await getApplicationForReview(admin, id);
    expect(review).toMatchObject({
      status: "DECERTIFIED",
      statusReason: "Repeated non-compliance.",
      certificationNumber: number,
      version: 3,
      actions: [],
    });
    expect(review.history.slice(-3)).toMatchObject([
      { from: "CERTIFIED", to: "SUSPENDED", reason: "Observation records missing.", by: "Avery Lindqvist" },
      { from: "SUSPENDED", to: "CERTIFIED", reason: "Records provided." },
      { from: "CERTIFIED", to: "DECERTIFIED", reason: "Repeated non-compliance." },
    ]);
    expect(review.audit.map((a) => a.action)).toEqual([
      "enrollment.suspend",
      "enrollment.reinstate",
      "enrollment.decertify",
    ]);
    const mail = await db().mailMessage.findMany({
      where: { entityId: id },
      orderBy: { createdAt: "asc" },
      select: { to: true, subject: true, text: true },
    });
    expect(mail.map((m) => m.subject)).toEqual([
      "LEMTRADA REMS: enrollment suspended",
      "LEMTRADA REMS: enrollment reinstated",
      "LEMTRADA REMS: enrollment decertified",
    ]);
    expect(mail.every((m) => m.to === app.applicant.email)).toBe(true);
    expect(mail[0]?.text).toContain("Until you are certified again, you may not act under this programme.");
  });

  it("decertifies a suspended stakeholder directly", async () => {
    const app = await createApplication({ kind: "PHARMACY", status: "SUSPENDED" });
    await decideApplication(admin, {
      enrollmentId: app.enrollment.id,
      version: 0,
      event: "DECERTIFY",
      reason: "Closed the pharmacy.",
    });
    expect((await snapshot(app.enrollment.id)).row.status).toBe("DECERTIFIED");
  });
});

describe("who may act", () => {
  it("refuses a non-administrator everything, changing nothing", async () => {
    const app = await createApplication();
    const id = app.enrollment.id;
    const before = await snapshot(id);
    const attempts = [
      listReviewQueue(prescriber, {}),
      getApplicationForReview(prescriber, id),
      countAwaitingReview(prescriber),
      claimApplication(prescriber, { enrollmentId: id }),
      releaseClaim(prescriber, { enrollmentId: id }),
      decideApplication(prescriber, { enrollmentId: id, version: 0, event: "APPROVE" }),
      decideApplication(prescriber, { enrollmentId: id, version: 0, event: "REJECT", reason: "x" }),
    ];
    for (const attempt of attempts) expect((await appError(attempt)).code).toBe("FORBIDDEN");
    expect(await snapshot(id)).toEqual(before);

    // The applicant cannot approve their own application either, even through the lifecycle directly.
    const self = await appError(
      db().$transaction((tx) =>
        applyTransition(tx, {
          enrollmentId: id,
          event: "APPROVE",
          actor: { userId: app.applicant.id, role: "PRESCRIBER", requestId: "test" },
          actorKind: "applicant",
          expectedVersion: 0,
        }),
      ),
    );
    expect(self.code).toBe("FORBIDDEN");
    expect(await snapshot(id)).toEqual(before);
  });

  it("answers NOT_FOUND for a decision on an unknown application", async () => {
    const error = await appError(
      decideApplication(admin, { enrollmentId: "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", version: 0, event: "APPROVE" }),
    );
    expect(error.code).toBe("NOT_FOUND");
  });
});

describe("expireDueCertifications", () => {
  it("expires certifications whose programme period has passed, as the registry, month-end included", async () => {
    const yearly = await createTestProgram({ recertificationMonths: 12 });
    const monthly = await createTestProgram({ recertificationMonths: 1 });
    const now = new Date("2026-02-28T12:00:00.000Z");
    const cert = (programId: string, certifiedAt: string, status: "CERTIFIED" | "SUSPENDED" = "CERTIFIED") =>
      createApplication({ programId, status, certifiedAt: new Date(certifiedAt), withEvidence: false });

    const yearDue = await cert(yearly.id, "2025-02-28T10:00:00.000Z"); // due 2026-02-28 10:00
    const yearNotDue = await cert(yearly.id, "2025-03-01T00:00:00.000Z"); // due 2026-03-01
    const monthEndDue = await cert(monthly.id, "2026-01-28T09:00:00.000Z"); // due 2026-02-28 09:00
    // 31 January + 1 month has no 31st: it lapses at the end of 28 February, not before.
    const monthEndLater = await cert(monthly.id, "2026-01-31T01:00:00.000Z"); // due 2026-02-28 23:59:59.999
    const suspended = await cert(monthly.id, "2025-01-01T00:00:00.000Z", "SUSPENDED");
    const lemtrada = await cert((await ensureLemtradaProgram()).id, "2015-01-01T00:00:00.000Z");

    const result = await expireDueCertifications(now);
    expect(result.expired).toEqual(expect.arrayContaining([yearDue.enrollment.id, monthEndDue.enrollment.id]));
    const status = async (a: { enrollment: { id: string } }) => (await snapshot(a.enrollment.id)).row.status;
    expect(await status(yearDue)).toBe("EXPIRED");
    expect(await status(monthEndDue)).toBe("EXPIRED");
    expect(await status(yearNotDue)).toBe("CERTIFIED");
    expect(await status(monthEndLater)).toBe("CERTIFIED");
    expect(await status(suspended)).toBe("SUSPENDED");
    expect(await status(lemtrada)).toBe("CERTIFIED");
    for (const untouched of [yearNotDue, monthEndLater, suspended, lemtrada]) {
      expect(result.expired).not.toContain(untouched.enrollment.id);
    }

    const event = await db().enrollmentEvent.findFirstOrThrow({
      where: { enrollmentId: yearDue.enrollment.id, toStatus: "EXPIRED" },
    });
    expect(event).toMatchObject({ fromStatus: "CERTIFIED", actorUserId: null, at: now });
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { entityType: "Enrollment", entityId: yearDue.enrollment.id, action: "enrollment.expire" },
    });
    expect(audit).toMatchObject({ actorId: null, actorRole: null });
    const mail = await db().mailMessage.findFirstOrThrow({ where: { entityId: yearDue.enrollment.id } });
    expect(mail.subject).toBe(`${yearly.name}: enrollment expired`);
    expect(mail.to).toBe(yearDue.applicant.email);

    // Running again changes nothing for these; at the very end of 28 February the 31 January one is due too.
    const again = await expireDueCertifications(now);
    expect(again.expired).not.toContain(yearDue.enrollment.id);
    const stillNot = await expireDueCertifications(new Date("2026-02-28T23:59:59.998Z"));
    expect(stillNot.expired).not.toContain(monthEndLater.enrollment.id);
    const later = await expireDueCertifications(new Date("2026-02-28T23:59:59.999Z"));
    expect(later.expired).toContain(monthEndLater.enrollment.id);
    expect(await status(monthEndLater)).toBe("EXPIRED");
    expect(await status(yearNotDue)).toBe("CERTIFIED");
  });

  it("is refused to administrators by the rules: EXPIRE belongs to the registry", async () => {
    const program = await createTestProgram({ recertificationMonths: 1 });
    const app = await createApplication({
      programId: program.id,
      status: "CERTIFIED",
      certifiedAt: new Date("2020-01-01T00:00:00Z"),
    });
    const error = await appError(
      db().$transaction((tx) =>
        applyTransition(tx, {
          enrollmentId: app.enrollment.id,
          event: "EXPIRE",
          actor: { userId: admin.userId, role: "ADMIN", requestId: "t" },
          actorKind: "admin",
        }),
      ),
    );
    expect(error.code).toBe("FORBIDDEN");
    // …while the system actor may.
    await db().$transaction((tx) =>
      applyTransition(tx, {
        enrollmentId: app.enrollment.id,
        event: "EXPIRE",
        actor: systemActor(),
        actorKind: "system",
      }),
    );
    expect((await snapshot(app.enrollment.id)).row.status).toBe("EXPIRED");
  });
});
