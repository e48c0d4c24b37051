import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/auth/actor";
import { db, disconnectDb } from "../../lib/db";
import { EVIDENCE_MAX_BYTES } from "../../lib/noncompliance/evidence";
import { openCase, takeStep } from "../../lib/noncompliance/service";
import { addFile, addLink, addNote, getEvidenceFile } from "../../lib/noncompliance/evidence-service";
import {
  casesForStakeholder,
  countCases,
  getCase,
  listCases,
  nonComplianceSummary,
} from "../../lib/noncompliance/queries";
import { submitStatusForm } from "../../lib/status-forms/service";
import { actorFor, createAdminActor } from "../factories/applications";
import { createPharmacyEnrollment, createPrescriberEnrollment, ensureProgram } from "../factories/certified";
import { createDispenseAuthorization } from "../factories/dispense";
import { createPrescriberWithPatients } from "../factories/patients-lite";
import { createAdmin, signIn, stepUpCode } from "../factories/users";
import { appError } from "../factories/errors";

let admin: Actor;

beforeAll(async () => {
  await ensureProgram();
  admin = await createAdminActor("Avery Lindqvist");
});

afterAll(async () => {
  await disconnectDb();
});

/** A certified pharmacy with an open case against it (state OPEN). */
async function pharmacyCase(now = new Date()) {
  const pharmacy = await createPharmacyEnrollment();
  const enrollmentId = pharmacy.enrollment?.id ?? "";
  const opened = await openCase(
    admin,
    {
      enrollmentId,
      type: "DISPENSE_WITHOUT_AUTHORIZATION",
      description: "Dispensed prescription RX-1 without an authorization.",
    },
    db(),
    now,
  );
  const row = await db().nonComplianceCase.findUniqueOrThrow({ where: { id: opened.id }, select: { version: true } });
  return { pharmacy, enrollmentId, caseId: opened.id, caseNumber: opened.caseNumber, version: row.version };
}

async function version(caseId: string): Promise<number> {
  return (await db().nonComplianceCase.findUniqueOrThrow({ where: { id: caseId }, select: { version: true } })).version;
}

/** Everything a refused step must leave untouched. */
async function snapshot(caseId: string, enrollmentId: string) {
  const [row, steps, audit, mail, enrollment] = await Promise.all([
    db().nonComplianceCase.findUniqueOrThrow({
      where: { id: caseId },
      select: { state: true, version: true, dueOn: true },
    }),
    db().nonComplianceStep.count({ where: { caseId } }),
    db().auditEvent.count({ where: { entityType: "NonComplianceCase", entityId: caseId } }),
    db().mailMessage.count({ where: { entityId: { in: [caseId, enrollmentId] } } }),
    db().enrollment.findUniqueOrThrow({ where: { id: enrollmentId }, select: { status: true, version: true } }),
  ]);
  return { row, steps, audit, mail, enrollment };
}

describe("opening a case", () => {
  it("numbers cases NC-YYYY-NNNNN in sequence and audits the opening", async () => {
    const now = new Date("2031-03-01T10:00:00Z");
    const first = await pharmacyCase(now);
    const second = await pharmacyCase(now);
    expect(first.caseNumber).toMatch(/^NC-2031-\d{5}$/);
    expect(Number(second.caseNumber.slice(-5))).toBe(Number(first.caseNumber.slice(-5)) + 1);
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { entityType: "NonComplianceCase", entityId: first.caseId, action: "noncompliance.opened" },
    });
    expect(audit.actorId).toBe(admin.userId);
    const detail = await getCase(admin, first.caseNumber);
    expect(detail.state).toBe("OPEN");
    expect(detail.stakeholder.identifiers.map((i) => i.label)).toEqual(expect.arrayContaining(["NCPDP", "NPI"]));
    expect(detail.nextSteps.map((s) => s.step)).toEqual([
      "NOTICE",
      "CORRECTIVE_ACTION",
      "SUSPEND",
      "DECERTIFY",
      "CLOSE",
    ]);
  });

  it("refuses a type that does not apply to the stakeholder, an empty description and an unknown stakeholder", async () => {
    const pharmacy = await createPharmacyEnrollment();
    const enrollmentId = pharmacy.enrollment?.id ?? "";
    const wrongType = await appError(
      openCase(admin, { enrollmentId, type: "STATUS_FORM_NOT_SUBMITTED", description: "x" }),
    );
    expect(wrongType.details?.fields?.type?.[0]).toMatch(/does not apply to a pharmacy/);
    const empty = await appError(openCase(admin, { enrollmentId, type: "OTHER", description: "   " }));
    expect(empty.details?.fields?.description).toEqual(["Describe what happened"]);
    const unknown = await appError(
      openCase(admin, { enrollmentId: "00000000-0000-4000-8000-000000000000", type: "OTHER", description: "x" }),
    );
    expect(unknown.details?.fields?.enrollmentId).toEqual(["There is no such stakeholder"]);
    expect(await db().nonComplianceCase.count({ where: { enrollmentId } })).toBe(0);
  });
});

describe("the ladder", () => {
  it("notice → corrective action → suspension (revoking open approvals) → reinstatement → closed, each e-mailed and audited", async () => {
    const c = await pharmacyCase();
    const email = c.pharmacy.user.email;
    const open = await createDispenseAuthorization({
      patient: null,
      pharmacyId: c.pharmacy.pharmacy.id,
      status: "APPROVED",
    });
    const used = await createDispenseAuthorization({
      patient: null,
      pharmacyId: c.pharmacy.pharmacy.id,
      status: "DISPENSED",
    });

    await takeStep(admin, {
      caseId: c.caseId,
      version: c.version,
      step: "NOTICE",
      reason: "You dispensed RX-1 without a DA number.",
    });
    const notice = await db().mailMessage.findFirstOrThrow({
      where: { entityId: c.caseId, category: "noncompliance.NOTICE" },
    });
    expect(notice.to).toBe(email);
    expect(notice.subject).toContain(c.caseNumber);
    expect(notice.text).toContain("You dispensed RX-1 without a DA number.");

    const today = new Date().toISOString().slice(0, 10);
    const due = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    await takeStep(admin, {
      caseId: c.caseId,
      version: await version(c.caseId),
      step: "CORRECTIVE_ACTION",
      reason: "Retrain the dispensing staff and send the attendance list.",
      dueOn: due,
    });
    const plan = await db().mailMessage.findFirstOrThrow({
      where: { entityId: c.caseId, category: "noncompliance.CORRECTIVE_ACTION" },
    });
    expect(plan.text).toContain(`by ${due}`);
    let detail = await getCase(admin, c.caseId);
    expect(detail).toMatchObject({ state: "CORRECTIVE_ACTION", dueOn: due, overdue: false });
    expect(detail.ladder.filter((r) => r.reached).map((r) => r.measure)).toEqual(["NOTICE", "CORRECTIVE_ACTION"]);

    // Six days later the plan is overdue: the list and the dashboard count it.
    const later = new Date(Date.now() + 6 * 86_400_000);
    const overdue = await listCases(admin, { overdue: "1", q: c.caseNumber }, db(), later);
    expect(overdue.rows.map((r) => r.caseNumber)).toEqual([c.caseNumber]);
    expect(overdue.rows[0]?.overdue).toBe(true);
    expect((await listCases(admin, { overdue: "1", q: c.caseNumber })).total).toBe(0);
    const counts = await countCases(admin, db(), later);
    expect(counts.overdue).toBeGreaterThanOrEqual(1);
    expect(counts.open).toBeGreaterThanOrEqual(1);
    expect(today < due).toBe(true);

    const suspended = await takeStep(admin, {
      caseId: c.caseId,
      version: await version(c.caseId),
      step: "SUSPEND",
      reason: "The plan was not carried out.",
    });
    expect(suspended.revokedAuthorizations).toEqual([open.authorizationNumber]);
    const enrollment = await db().enrollment.findUniqueOrThrow({
      where: { id: c.enrollmentId },
      select: { status: true, statusReason: true },
    });
    expect(enrollment.status).toBe("SUSPENDED");
    expect(enrollment.statusReason).toBe(`Non-compliance case ${c.caseNumber}: The plan was not carried out.`);
    expect((await db().dispenseAuthorization.findFirstOrThrow({ where: { id: open.id } })).status).toBe("REVOKED");
    expect((await db().dispenseAuthorization.findFirstOrThrow({ where: { id: used.id } })).status).toBe("DISPENSED");
    // The lifecycle's own notice tells the stakeholder, naming the case; no second e-mail from the case.
    const suspensionMail = await db().mailMessage.findFirstOrThrow({
      where: { entityId: c.enrollmentId, category: "certification.SUSPEND" },
    });
    expect(suspensionMail.to).toBe(email);
    expect(suspensionMail.text).toContain(c.caseNumber);
    expect(await db().mailMessage.count({ where: { entityId: c.caseId, category: "noncompliance.SUSPEND" } })).toBe(0);
    const history = await db().enrollmentEvent.findFirstOrThrow({
      where: { enrollmentId: c.enrollmentId, toStatus: "SUSPENDED" },
    });
    expect(history.actorUserId).toBe(admin.userId);

    // While suspended the case cannot be closed.
    const closeEarly = await appError(
      takeStep(admin, { caseId: c.caseId, version: await version(c.caseId), step: "CLOSE", reason: "Done" }),
    );
    expect(closeEarly.code).toBe("ILLEGAL_TRANSITION");

    await takeStep(admin, {
      caseId: c.caseId,
      version: await version(c.caseId),
      step: "REINSTATE",
      reason: "Training completed.",
    });
    expect((await db().enrollment.findUniqueOrThrow({ where: { id: c.enrollmentId } })).status).toBe("CERTIFIED");
    // Reinstatement does not bring a revoked approval back (decision 007).
    expect((await db().dispenseAuthorization.findFirstOrThrow({ where: { id: open.id } })).status).toBe("REVOKED");
    expect(
      await db().mailMessage.count({ where: { entityId: c.enrollmentId, category: "certification.REINSTATE" } }),
    ).toBe(1);

    await takeStep(admin, { caseId: c.caseId, version: await version(c.caseId), step: "CLOSE", reason: "Resolved." });
    detail = await getCase(admin, c.caseNumber);
    expect(detail.state).toBe("CLOSED");
    expect(detail.closedAt).not.toBeNull();
    expect(detail.nextSteps).toEqual([]);
    expect(detail.history.map((h) => h.step)).toEqual([
      "OPEN",
      "NOTICE",
      "CORRECTIVE_ACTION",
      "SUSPEND",
      "REINSTATE",
      "CLOSE",
    ]);
    expect(await db().mailMessage.count({ where: { entityId: c.caseId, category: "noncompliance.CLOSE" } })).toBe(1);
    const actions = await db().auditEvent.findMany({
      where: { entityType: "NonComplianceCase", entityId: c.caseId },
      orderBy: { seq: "asc" },
      select: { action: true, actorId: true },
    });
    expect(actions.map((a) => a.action)).toEqual([
      "noncompliance.opened",
      "noncompliance.notice",
      "noncompliance.corrective_action",
      "noncompliance.suspend",
      "noncompliance.reinstate",
      "noncompliance.close",
    ]);
    expect(new Set(actions.map((a) => a.actorId))).toEqual(new Set([admin.userId]));

    // The stakeholder page lists the case.
    const mine = await casesForStakeholder(admin, c.enrollmentId);
    expect(mine.map((r) => r.caseNumber)).toEqual([c.caseNumber]);
  });

  it("decertifies through the lifecycle, after which only closing remains", async () => {
    const c = await pharmacyCase();
    await takeStep(admin, {
      caseId: c.caseId,
      version: c.version,
      step: "DECERTIFY",
      reason: "Repeated dispensing without authorization.",
    });
    expect((await db().enrollment.findUniqueOrThrow({ where: { id: c.enrollmentId } })).status).toBe("DECERTIFIED");
    const detail = await getCase(admin, c.caseId);
    expect(detail.nextSteps.map((s) => s.step)).toEqual(["CLOSE"]);
    expect(
      await db().mailMessage.count({ where: { entityId: c.enrollmentId, category: "certification.DECERTIFY" } }),
    ).toBe(1);
  });

  it("refuses forbidden transitions, an empty reason, a bad due date and a stale version, changing nothing", async () => {
    const c = await pharmacyCase();
    await takeStep(admin, { caseId: c.caseId, version: c.version, step: "CORRECTIVE_ACTION", reason: "Plan" });
    const v = await version(c.caseId);
    const before = await snapshot(c.caseId, c.enrollmentId);

    const back = await appError(takeStep(admin, { caseId: c.caseId, version: v, step: "NOTICE", reason: "Again" }));
    expect(back.code).toBe("ILLEGAL_TRANSITION");
    expect(back.message).toBe("The case has already gone past this measure.");
    const reinstate = await appError(takeStep(admin, { caseId: c.caseId, version: v, step: "REINSTATE", reason: "x" }));
    expect(reinstate.code).toBe("ILLEGAL_TRANSITION");
    const empty = await appError(takeStep(admin, { caseId: c.caseId, version: v, step: "SUSPEND", reason: "  " }));
    expect(empty.code).toBe("VALIDATION");
    expect(empty.details?.fields?.reason).toEqual(["Give the reason for this step"]);
    const pastDue = await appError(
      takeStep(admin, {
        caseId: c.caseId,
        version: v,
        step: "CORRECTIVE_ACTION",
        reason: "Revised",
        dueOn: "2020-01-01",
      }),
    );
    expect(pastDue.details?.fields?.dueOn).toEqual(["The due date must be after today."]);
    const stale = await appError(
      takeStep(admin, { caseId: c.caseId, version: v - 1, step: "SUSPEND", reason: "Late" }),
    );
    expect(stale.code).toBe("CONFLICT");
    const unknownStep = await appError(
      takeStep(admin, { caseId: c.caseId, version: v, step: "ESCALATE" as "NOTICE", reason: "x" }),
    );
    expect(unknownStep.details?.fields?.step).toBeDefined();
    expect(await snapshot(c.caseId, c.enrollmentId)).toEqual(before);

    await takeStep(admin, { caseId: c.caseId, version: v, step: "CLOSE", reason: "Plan carried out." });
    const closed = await appError(
      takeStep(admin, { caseId: c.caseId, version: await version(c.caseId), step: "NOTICE", reason: "x" }),
    );
    expect(closed.message).toBe("The case is closed.");
    expect((await appError(addNote(admin, { caseId: c.caseId, note: "Late note" }))).code).toBe("ILLEGAL_TRANSITION");
  });

  it("never suspends a patient: their case stops at notices and plans", async () => {
    const world = await createPrescriberWithPatients(1);
    const patient = world.patients[0];
    const enrollment = await db().enrollment.findFirstOrThrow({
      where: { patientId: patient?.id },
      select: { id: true },
    });
    const opened = await openCase(admin, {
      enrollmentId: enrollment.id,
      type: "MONITORING_NOT_DONE",
      description: "No CBC for 3 months.",
    });
    const detail = await getCase(admin, opened.caseNumber);
    expect(detail.nextSteps.map((s) => s.step)).toEqual(["NOTICE", "CORRECTIVE_ACTION", "CLOSE"]);
    expect(detail.stakeholder.identifiers).toEqual([{ label: "REMS id", value: patient?.remsId }]);
    const refused = await appError(takeStep(admin, { caseId: opened.id, version: 0, step: "SUSPEND", reason: "x" }));
    expect(refused.code).toBe("ILLEGAL_TRANSITION");
    expect((await db().enrollment.findUniqueOrThrow({ where: { id: enrollment.id } })).status).toBe("ENROLLED");
  });
});

describe("who may act", () => {
  it("refuses everyone but administrators, and audits the refusal", async () => {
    const c = await pharmacyCase();
    const pharmacist = actorFor({ ...c.pharmacy.user, role: "PHARMACIST" });
    const prescriber = await createPrescriberEnrollment();
    const prescriberActor = actorFor({ ...prescriber.user, role: "PRESCRIBER" });
    const before = await snapshot(c.caseId, c.enrollmentId);
    for (const actor of [pharmacist, prescriberActor]) {
      const step = await appError(
        takeStep(actor, { caseId: c.caseId, version: c.version, step: "NOTICE", reason: "x" }),
      );
      expect(step.code).toBe("FORBIDDEN");
      expect((await appError(getCase(actor, c.caseNumber))).code).toBe("FORBIDDEN");
      expect((await appError(listCases(actor))).code).toBe("FORBIDDEN");
      expect((await appError(addNote(actor, { caseId: c.caseId, note: "x" }))).code).toBe("FORBIDDEN");
      expect(
        (await appError(openCase(actor, { enrollmentId: c.enrollmentId, type: "OTHER", description: "x" }))).code,
      ).toBe("FORBIDDEN");
      const denials = await db().auditEvent.count({ where: { actorId: actor.userId, action: "authorization.denied" } });
      expect(denials).toBe(5);
    }
    expect(await snapshot(c.caseId, c.enrollmentId)).toEqual(before);
  });
});

describe("evidence", () => {
  const pdf = new TextEncoder().encode("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

  it("stores notes, linked records and files of the accepted types; administrators alone download them", async () => {
    const c = await pharmacyCase();
    const da = await createDispenseAuthorization({
      patient: null,
      pharmacyId: c.pharmacy.pharmacy.id,
      status: "DISPENSED",
    });
    await addNote(admin, { caseId: c.caseId, note: "Phoned the pharmacist in charge." });
    const link = await addLink(admin, {
      caseId: c.caseId,
      linkType: "DISPENSE_AUTHORIZATION",
      reference: ` ${da.authorizationNumber?.toLowerCase()} `,
    });
    expect(link.label).toBe(`Dispense authorization ${da.authorizationNumber}`);
    const stored = await addFile(admin, {
      caseId: c.caseId,
      fileName: "log.pdf",
      declaredType: "application/pdf",
      bytes: pdf,
    });
    expect(stored.contentType).toBe("application/pdf");
    const csv = await addFile(admin, {
      caseId: c.caseId,
      fileName: "dispenses.csv",
      declaredType: "",
      bytes: new TextEncoder().encode("rx,date\nRX-1,2026-05-04\n"),
    });
    expect(csv.contentType).toBe("text/csv");
    await addFile(admin, { caseId: c.caseId, fileName: "../../photo.png", declaredType: "image/png", bytes: png });

    const detail = await getCase(admin, c.caseNumber);
    expect(detail.evidence.map((e) => e.kind)).toEqual(["NOTE", "LINK", "FILE", "FILE", "FILE"]);
    expect(detail.evidence[4]?.file?.name).toBe("photo.png");

    const file = await getEvidenceFile(admin, c.caseId, stored.id);
    expect(file).toMatchObject({ fileName: "log.pdf", contentType: "application/pdf" });
    expect(Buffer.from(file.bytes).equals(Buffer.from(pdf))).toBe(true);
    const pharmacist = actorFor({ ...c.pharmacy.user, role: "PHARMACIST" });
    expect((await appError(getEvidenceFile(pharmacist, c.caseId, stored.id))).code).toBe("FORBIDDEN");
    const audited = await db().auditEvent.count({
      where: {
        entityId: c.caseId,
        action: { in: ["noncompliance.evidence_added", "noncompliance.evidence_downloaded"] },
      },
    });
    expect(audited).toBe(6);
  });

  it("refuses a file whose declared type lies, a wrong extension, other content, an empty file and one over the limit", async () => {
    const c = await pharmacyCase();
    const html = new TextEncoder().encode("<html><script>alert(1)</script></html>");
    const refusals: [Parameters<typeof addFile>[1], RegExp, string][] = [
      [
        { caseId: c.caseId, fileName: "photo.png", declaredType: "image/png", bytes: html },
        /does not match its content/,
        "VALIDATION",
      ],
      [
        { caseId: c.caseId, fileName: "notes.txt", declaredType: "image/png", bytes: html },
        /sent as image\/png/,
        "VALIDATION",
      ],
      [
        { caseId: c.caseId, fileName: "scan.jpg", declaredType: "image/jpeg", bytes: pdf },
        /does not match its content/,
        "VALIDATION",
      ],
      [
        {
          caseId: c.caseId,
          fileName: "tool.pdf",
          declaredType: "application/pdf",
          bytes: new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03]),
        },
        /not one of the accepted types/,
        "VALIDATION",
      ],
      [
        { caseId: c.caseId, fileName: "empty.txt", declaredType: "text/plain", bytes: new Uint8Array() },
        /empty/,
        "VALIDATION",
      ],
      [
        {
          caseId: c.caseId,
          fileName: "big.pdf",
          declaredType: "application/pdf",
          bytes: (() => {
            const b = new Uint8Array(EVIDENCE_MAX_BYTES + 1);
            b.set(pdf);
            return b;
          })(),
        },
        /larger than the maximum of 5 MB/,
        "PAYLOAD_TOO_LARGE",
      ],
    ];
    for (const [input, message, code] of refusals) {
      const error = await appError(addFile(admin, input));
      expect(error.code, input.fileName).toBe(code);
      expect(error.details?.fields?.file?.[0], input.fileName).toMatch(message);
    }
    const unknownDa = await appError(
      addLink(admin, { caseId: c.caseId, linkType: "DISPENSE_AUTHORIZATION", reference: "DA-NONE-NONE-X" }),
    );
    expect(unknownDa.details?.fields?.reference).toEqual(["There is no dispense authorization DA-NONE-NONE-X."]);
    const badInfusion = await appError(
      addLink(admin, { caseId: c.caseId, linkType: "INFUSION", reference: "PT-NOPE" }),
    );
    expect(badInfusion.details?.fields?.reference?.[0]).toMatch(/REMS id and the infusion day/);
    expect(await db().nonComplianceEvidence.count({ where: { caseId: c.caseId } })).toBe(0);
  });
});

describe("nonComplianceSummary", () => {
  it("counts cases opened in the period by type and outcome, and those open at its end", async () => {
    const program = await ensureProgram();
    // A year no other test writes cases in (cases are otherwise opened now).
    const at = (day: string) => new Date(`${day}T12:00:00Z`);
    const from = new Date("2033-01-01T00:00:00Z");
    const to = new Date("2033-04-01T00:00:00Z");
    // The database is shared with other tests and earlier runs: compare against the counts before.
    const baseline = await nonComplianceSummary({ programId: program.id, from, to });
    const before = await pharmacyCase(at("2032-12-15"));
    await takeStep(
      admin,
      { caseId: before.caseId, version: before.version, step: "NOTICE", reason: "x" },
      db(),
      at("2032-12-16"),
    );
    const suspended = await pharmacyCase(at("2033-01-10"));
    await takeStep(
      admin,
      { caseId: suspended.caseId, version: suspended.version, step: "SUSPEND", reason: "x" },
      db(),
      at("2033-01-11"),
    );
    await takeStep(
      admin,
      { caseId: suspended.caseId, version: await version(suspended.caseId), step: "REINSTATE", reason: "x" },
      db(),
      at("2033-01-20"),
    );
    await takeStep(
      admin,
      { caseId: suspended.caseId, version: await version(suspended.caseId), step: "CLOSE", reason: "x" },
      db(),
      at("2033-02-01"),
    );
    const plan = await pharmacyCase(at("2033-03-01"));
    await takeStep(
      admin,
      { caseId: plan.caseId, version: plan.version, step: "CORRECTIVE_ACTION", reason: "x", dueOn: "2033-03-20" },
      db(),
      at("2033-03-02"),
    );
    await takeStep(
      admin,
      { caseId: plan.caseId, version: await version(plan.caseId), step: "SUSPEND", reason: "x" },
      db(),
      at("2033-04-05"),
    );
    await pharmacyCase(at("2033-04-02"));

    const summary = await nonComplianceSummary({ programId: program.id, from, to });
    const typeCount = (s: typeof summary, type: string) => s.byType.find((t) => t.type === type)?.count ?? 0;
    const outcome = (s: typeof summary, o: string) => {
      const row = s.byOutcome.find((r) => r.outcome === o);
      return { closed: row?.closed ?? 0, open: row?.open ?? 0 };
    };
    expect(summary.opened - baseline.opened).toBe(2);
    expect(
      typeCount(summary, "DISPENSE_WITHOUT_AUTHORIZATION") - typeCount(baseline, "DISPENSE_WITHOUT_AUTHORIZATION"),
    ).toBe(2);
    expect(summary.byType.find((t) => t.type === "DISPENSE_WITHOUT_AUTHORIZATION")?.label).toBe(
      "Dispensing without a dispense authorization",
    );
    expect(outcome(summary, "SUSPENDED_REINSTATED").closed - outcome(baseline, "SUSPENDED_REINSTATED").closed).toBe(1);
    expect(outcome(summary, "SUSPENDED_REINSTATED").open - outcome(baseline, "SUSPENDED_REINSTATED").open).toBe(0);
    // Suspended only after the period: it counts as a corrective action plan, still open.
    expect(outcome(summary, "CORRECTIVE_ACTION").open - outcome(baseline, "CORRECTIVE_ACTION").open).toBe(1);
    expect(outcome(summary, "SUSPENDED").open - outcome(baseline, "SUSPENDED").open).toBe(0);
    // Open at the end: the December case (still at its notice) and the plan; not the closed one, not April's.
    expect(summary.openAtEnd - baseline.openAtEnd).toBe(2);
  });
});

describe("serious adverse events", () => {
  it("e-mail every active administrator in the transaction of the report, naming the patient by REMS id only", async () => {
    const active = await createAdmin();
    const deactivated = await createAdmin();
    await db().user.update({ where: { id: deactivated.user.id }, data: { status: "DEACTIVATED" } });
    const world = await createPrescriberWithPatients(1);
    const { actor } = await signIn(world);
    const patient = world.patients[0];
    if (!patient) throw new Error("no patient");
    const answers = {
      labsUpToDate: "yes",
      newAutoimmuneCondition: "no",
      seriousInfection: "yes",
      malignancy: "no",
      pregnancy: "no",
      details: "Listeria meningitis",
    };
    const result = await submitStatusForm(actor, {
      patientId: patient.id,
      answers,
      printedName: actor.name,
      password: world.password,
      code: await stepUpCode(actor.userId),
    });
    const mails = await db().mailMessage.findMany({
      where: { entityId: result.submissionId, category: "adverse_event.reported" },
      select: { to: true, subject: true, text: true },
    });
    const admins = await db().user.findMany({ where: { role: "ADMIN", status: "ACTIVE" }, select: { email: true } });
    expect(mails.map((m) => m.to).sort()).toEqual(admins.map((a) => a.email).sort());
    expect(mails.map((m) => m.to)).toContain(active.user.email);
    expect(mails.map((m) => m.to)).not.toContain(deactivated.user.email);
    for (const mail of mails) {
      expect(mail.subject).toContain(patient.remsId);
      expect(mail.text).toContain(patient.remsId);
      expect(mail.text).not.toContain(patient.lastName);
      expect(mail.text).not.toContain("Listeria");
      expect(mail.text).not.toContain(patient.id);
    }

    const quiet = await submitStatusForm(actor, {
      patientId: patient.id,
      answers: { ...answers, seriousInfection: "no", details: "" },
      printedName: actor.name,
      password: world.password,
      code: await stepUpCode(actor.userId),
    });
    expect(await db().mailMessage.count({ where: { entityId: quiet.submissionId } })).toBe(0);
  });
});
