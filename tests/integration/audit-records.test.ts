import { randomInt, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditAction } from "../../lib/audit/action-codes";
import { recordAudit } from "../../lib/audit/service";
import { exportAuditCsv, getAuditEvent, listAuditEvents } from "../../lib/audit/viewer";
import type { Actor } from "../../lib/auth/actor";
import { type Db, db, disconnectDb } from "../../lib/db";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { createPharmacyEnrollment, createPrescriberEnrollment, createSettingEnrollment } from "../factories/certified";
import { createDispenseAuthorization } from "../factories/dispense";
import { testAuditAction } from "../factories/audit-actions";
import { appError } from "../factories/errors";
import { createEnrolledPatient } from "../factories/patients-lite";
import { createAdmin, signIn, stepUpCode } from "../factories/users";
import { authenticateApiKey, createApiKey } from "../../lib/dispensing/api-keys";
import { requestDispenseAuthorization } from "../../lib/dispensing/request";
import { actorFor } from "../factories/applications";

/*
 * The audit trail viewer names records by what people quote and finds them by it: each kind of
 * record the registry writes to the trail, a record that no longer exists, and the "Record" filter
 * given a DA- number, a REMS id, an NPI, an NCPDP number, a certification number, an e-mail address
 * or a case number.
 */

afterAll(async () => {
  await disconnectDb();
});

async function audit(actor: Actor, action: AuditAction, entityType: string, entityId: string | null) {
  await db().$transaction((tx) => recordAudit(tx, actor, { action, entityType, entityId }));
}

let admin: Actor;
let action: AuditAction;
let world: Awaited<ReturnType<typeof createWorld>>;

async function createWorld() {
  const prescriber = await createPrescriberEnrollment();
  const pharmacy = await createPharmacyEnrollment();
  const setting = await createSettingEnrollment();
  const patient = await createEnrolledPatient(prescriber.prescriber.id);
  const patientEnrollment = await db().enrollment.findFirstOrThrow({
    where: { patientId: patient.id },
    select: { id: true },
  });
  const approved = await createDispenseAuthorization({ patient, pharmacyId: pharmacy.pharmacy.id });
  const denied = await createDispenseAuthorization({ patient, pharmacyId: pharmacy.pharmacy.id, status: "DENIED" });
  const deniedRow = await db().dispenseAuthorization.findFirstOrThrow({
    where: { id: denied.id },
    select: { prescriptionId: true },
  });
  const caseRow = await db().nonComplianceCase.create({
    data: {
      caseNumber: `NC-2099-${String(randomInt(1e8, 1e9))}`,
      programId: (await db().program.findFirstOrThrow({ where: { code: "LEMTRADA" }, select: { id: true } })).id,
      enrollmentId: prescriber.enrollment?.id ?? "",
      kind: "PRESCRIBER",
      type: "OTHER",
      description: "Audit trail label test",
      state: "OPEN",
      openedByUserId: admin.userId ?? "",
    },
    select: { id: true, caseNumber: true },
  });
  return { prescriber, pharmacy, setting, patient, patientEnrollment, approved, denied, deniedRow, caseRow };
}

beforeAll(async () => {
  admin = (await signIn(await createAdmin())).actor;
  action = testAuditAction(`test.records_${randomUUID().slice(0, 8)}`);
  world = await createWorld();
  const w = world;
  const events: [string, string | null][] = [
    ["DispenseAuthorization", w.approved.id],
    ["DispenseAuthorization", w.denied.id],
    ["DispenseAuthorization", randomUUID()], // gone (or never was)
    ["Enrollment", w.prescriber.enrollment?.id ?? null],
    ["Enrollment", w.pharmacy.enrollment?.id ?? null],
    ["Enrollment", w.setting.enrollment?.id ?? null],
    ["Enrollment", w.patientEnrollment.id],
    ["Prescriber", w.prescriber.prescriber.id],
    ["Pharmacy", w.pharmacy.pharmacy.id],
    ["HealthcareSetting", w.setting.setting.id],
    ["Patient", w.patient.id],
    ["User", w.pharmacy.user.id],
    ["NonComplianceCase", w.caseRow.id],
    ["Route", "/admin/audit"],
    ["SomeFutureRecord", randomUUID()],
    ["constructor", randomUUID()], // a type named like an object's own property
  ];
  for (const [type, id] of events) await audit(admin, action, type, id);
}, 120_000);

/** The real database, counting the reads each model gets (how many queries a page costs). */
function countingReads(): { client: Db; reads: Map<string, number> } {
  const real = db();
  const reads = new Map<string, number>();
  const client = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== "string" || prop.startsWith("$") || typeof value !== "object" || value === null) return value;
      return new Proxy(value, {
        get(model, method, r) {
          const fn = Reflect.get(model, method, r);
          if (typeof fn !== "function" || !String(method).startsWith("find")) return fn;
          return (...args: unknown[]) => {
            reads.set(prop, (reads.get(prop) ?? 0) + 1);
            return fn.apply(model, args);
          };
        },
      });
    },
  });
  return { client, reads };
}

describe("the audit trail names records by what people quote", () => {
  it("labels every kind of record on a page, with one read per kind", async () => {
    const { client, reads } = countingReads();
    const page = await listAuditEvents(admin, { action }, client);
    expect(page.errors).toEqual({});
    const w = world;
    const labels = page.rows.map((r) => r.entityLabel).reverse();
    const prescriberName = `${w.prescriber.prescriber.firstName} ${w.prescriber.prescriber.lastName}, MD`;
    const settingRemsId = (
      await db().healthcareSetting.findUniqueOrThrow({ where: { id: w.setting.setting.id }, select: { remsId: true } })
    ).remsId;
    const certification = (id: string | undefined) =>
      db()
        .enrollment.findUniqueOrThrow({ where: { id: id ?? "" }, select: { certificationNumber: true } })
        .then((e) => e.certificationNumber);
    expect(labels).toEqual([
      `Dispense authorization: ${w.approved.authorizationNumber}`,
      `Dispense authorization: request for prescription ${w.deniedRow.prescriptionId} from ${w.pharmacy.pharmacy.name} (NCPDP ${w.pharmacy.pharmacy.ncpdpId}), not approved`,
      expect.stringMatching(/^Dispense authorization: record no longer exists \(reference [0-9a-f]{8}\)$/),
      `Enrollment: Prescriber ${prescriberName} (NPI ${w.prescriber.prescriber.npi}), LEMTRADA, certification ${await certification(w.prescriber.enrollment?.id)}`,
      `Enrollment: Pharmacy ${w.pharmacy.pharmacy.name} (NCPDP ${w.pharmacy.pharmacy.ncpdpId}), LEMTRADA, certification ${await certification(w.pharmacy.enrollment?.id)}`,
      `Enrollment: Healthcare setting ${w.setting.setting.name} (REMS id ${settingRemsId}), LEMTRADA, certification ${await certification(w.setting.enrollment?.id)}`,
      `Enrollment: Patient REMS id ${w.patient.remsId}, LEMTRADA`,
      `Prescriber: ${prescriberName} (NPI ${w.prescriber.prescriber.npi})`,
      `Pharmacy: ${w.pharmacy.pharmacy.name} (NCPDP ${w.pharmacy.pharmacy.ncpdpId})`,
      `Healthcare setting: ${w.setting.setting.name} (REMS id ${settingRemsId})`,
      `Patient: REMS id ${w.patient.remsId}`,
      `User account: ${w.pharmacy.user.email} (Priya Raman)`,
      `Non-compliance case: ${w.caseRow.caseNumber}`,
      "Page or permission: /admin/audit",
      expect.stringMatching(/^Some future record: reference [0-9a-f]{8}$/),
      expect.stringMatching(/^Constructor: reference [0-9a-f]{8}$/),
    ]);
    // No internal id in any label (the factories' prescriptions and e-mail addresses carry UUIDs of
    // their own, so the check is against the rows' ids rather than a pattern).
    const internalIds = page.rows.flatMap((r) => (r.entityId && r.entityType !== "Route" ? [r.entityId] : []));
    for (const row of page.rows) {
      for (const id of internalIds) expect(row.entityLabel).not.toContain(id);
      expect(row.entityTypeLabel).not.toMatch(/[a-z][A-Z]/);
    }
    // The raw ids stay on the row (the export, support).
    expect(page.rows.find((r) => r.entityLabel.includes(w.approved.authorizationNumber ?? "?"))?.entityId).toBe(
      w.approved.id,
    );
    // One read of the trail, one of the people, one per kind of record: never one per row.
    for (const model of ["auditEvent", "user", "dispenseAuthorization", "enrollment", "patient", "nonComplianceCase"]) {
      expect(reads.get(model), model).toBe(1);
    }
  });

  it("shows one event's record in words, the raw id kept for support", async () => {
    const row = await db().auditEvent.findFirstOrThrow({
      where: { action, entityType: "DispenseAuthorization", entityId: world.approved.id },
      select: { seq: true },
    });
    const event = await getAuditEvent(admin, String(row.seq));
    expect(event).toMatchObject({
      entityLabel: `Dispense authorization: ${world.approved.authorizationNumber}`,
      entityType: "DispenseAuthorization",
      entityId: world.approved.id,
    });
  });

  it("exports the raw ids and the words for each record", async () => {
    const stream = await exportAuditCsv(admin, { action }, "/admin/audit/export.csv");
    const text = await new Response(stream).text();
    const [header, ...lines] = text.split("\r\n").filter(Boolean);
    expect(header?.split(",").slice(7, 10)).toEqual(["entity_type", "entity_id", "entity_words"]);
    expect(lines).toHaveLength(16);
    expect(text).toContain(
      `,DispenseAuthorization,${world.approved.id},Dispense authorization: ${world.approved.authorizationNumber},`,
    );
    expect(text).toContain(`,Patient,${world.patient.id},Patient: REMS id ${world.patient.remsId},`);
  });
});

describe("the Record filter takes what an administrator knows", () => {
  async function types(raw: Record<string, string>) {
    const page = await listAuditEvents(admin, { action, ...raw });
    expect(page.errors).toEqual({});
    return page.rows.map((r) => r.entityLabel);
  }

  it("finds a dispense authorization by its DA- number, in any spelling", async () => {
    const number = world.approved.authorizationNumber ?? "";
    expect(await types({ record: number })).toEqual([`Dispense authorization: ${number}`]);
    expect(await types({ record: ` ${number.toLowerCase().replaceAll("-", " ")} ` })).toEqual([
      `Dispense authorization: ${number}`,
    ]);
  });

  it("finds a patient and their enrollment by the patient's REMS id", async () => {
    expect(await types({ record: world.patient.remsId })).toEqual([
      `Patient: REMS id ${world.patient.remsId}`,
      `Enrollment: Patient REMS id ${world.patient.remsId}, LEMTRADA`,
    ]);
  });

  it("finds a prescriber and their certification by NPI, a pharmacy by NCPDP number", async () => {
    const byNpi = await types({ record: world.prescriber.prescriber.npi });
    expect(byNpi).toHaveLength(2);
    expect(byNpi[0]).toMatch(/^Prescriber: /);
    expect(byNpi[1]).toMatch(/^Enrollment: Prescriber /);
    const byNcpdp = await types({ record: world.pharmacy.pharmacy.ncpdpId });
    expect(byNcpdp).toHaveLength(2);
    expect(byNcpdp[0]).toMatch(/^Pharmacy: /);
    // With the record type filter too: only the enrollment.
    expect(await types({ record: world.pharmacy.pharmacy.ncpdpId, entityType: "Enrollment" })).toEqual([byNcpdp[1]]);
  });

  it("finds an enrollment by its certification number, an account by e-mail, a case by its number", async () => {
    const enrollment = await db().enrollment.findUniqueOrThrow({
      where: { id: world.setting.enrollment?.id ?? "" },
      select: { certificationNumber: true },
    });
    const byCertification = await types({ record: enrollment.certificationNumber ?? "" });
    expect(byCertification).toHaveLength(1);
    expect(byCertification[0]).toContain(`certification ${enrollment.certificationNumber}`);
    expect(await types({ record: world.pharmacy.user.email.toUpperCase() })).toEqual([
      `User account: ${world.pharmacy.user.email} (Priya Raman)`,
    ]);
    expect(await types({ record: world.caseRow.caseNumber.toLowerCase() })).toEqual([
      `Non-compliance case: ${world.caseRow.caseNumber}`,
    ]);
  });

  it("says clearly when a value names nothing, and shows no events", async () => {
    const unknownDa = generateRemsId("DA");
    const cases: [string, RegExp][] = [
      [unknownDa, new RegExp(`^Nothing in the registry has the number ${unknownDa}\\.$`)],
      ["nobody-here@example.test", /^Nothing in the registry has the e-mail address nobody-here@example\.test\.$/],
      ["1234567890", /is not a valid NPI/],
      ["Okafor", /is not a number or address the registry uses\. Enter a DA- number, REMS id/],
    ];
    for (const [record, message] of cases) {
      const page = await listAuditEvents(admin, { action, record });
      expect(page.errors.record?.[0], record).toMatch(message);
      expect(page.rows).toEqual([]);
    }
    // Hostile text is a field error too, never a failure.
    for (const record of [
      "r".repeat(5000),
      "nul\u0000byte",
      "lone\ud800surrogate",
      '\'; DROP TABLE "AuditEvent"; --',
    ]) {
      const page = await listAuditEvents(admin, { record });
      expect(page.errors.record, record.slice(0, 20)).toHaveLength(1);
      expect(page.rows).toEqual([]);
    }
    const error = await appError(exportAuditCsv(admin, { record: unknownDa }, "/admin/audit/export.csv"));
    expect(error).toMatchObject({ code: "VALIDATION", details: { fields: { record: [expect.any(String)] } } });
  });

  it("pages a record's events by seq, and takes an internal id quoted by support", async () => {
    const number = world.approved.authorizationNumber ?? "";
    const many = testAuditAction(`test.records_many_${randomUUID().slice(0, 8)}`);
    for (let i = 0; i < 55; i++) await audit(admin, many, "DispenseAuthorization", world.approved.id);
    const page1 = await listAuditEvents(admin, { record: number, action: many });
    expect(page1.errors).toEqual({});
    expect(page1.rows).toHaveLength(50);
    const page2 = await listAuditEvents(admin, { record: number, action: many, before: String(page1.older) });
    expect(page2.rows).toHaveLength(5);
    expect(page2.older).toBeNull();
    const seqs = [...page1.rows, ...page2.rows].map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? 1 : -1)));
    expect(new Set(seqs).size).toBe(55);
    const byId = await listAuditEvents(admin, { record: world.approved.id.toUpperCase(), action: many });
    expect(byId.rows.map((r) => r.seq)).toEqual(page1.rows.map((r) => r.seq));
    // The same through the patient's REMS id (the authorization is not among the patient's records).
    expect((await listAuditEvents(admin, { record: world.patient.remsId, action: many })).rows).toEqual([]);
    // And through the DA- number of an approved one, combined with an actor search.
    const byActor = await listAuditEvents(admin, {
      record: world.approved.authorizationNumber ?? "",
      actor: admin.email ?? "",
      action,
    });
    expect(byActor.rows).toHaveLength(1);
  }, 60_000);
});

describe("a pharmacy system acting with an API key", () => {
  it("is named in the trail by its key and pharmacy, not as the system", async () => {
    const pharmacy = await createPharmacyEnrollment();
    const rep = { ...actorFor({ ...pharmacy.user, role: "PHARMACIST" }), pharmacyId: pharmacy.pharmacy.id };
    const created = await createApiKey(rep, {
      name: "Counter system",
      password: pharmacy.password,
      code: await stepUpCode(rep.userId),
    });
    const caller = await authenticateApiKey(`Bearer ${created.key}`, randomUUID());
    if (caller.kind !== "apiKey") throw new Error("the key did not authenticate");
    // A request the gate answers (the patient is unknown: denied, and audited like any other).
    const outcome = await requestDispenseAuthorization(caller, randomUUID(), {
      programCode: "LEMTRADA",
      prescriberNpi: "1234567893",
      patientRemsId: generateRemsId("PT"),
      healthcareSettingId: generateRemsId("HS"),
      ndc: "58468-0200-01",
      quantity: 1,
      prescriptionId: `RX-${randomUUID().slice(0, 8)}`,
    });
    const row = await db().auditEvent.findFirstOrThrow({
      where: { entityType: "DispenseAuthorization", entityId: outcome.answer.id },
      select: { seq: true, actorId: true, actorRole: true },
    });
    expect(row).toMatchObject({ actorId: `apiKey:${created.id}`, actorRole: "API_KEY" });
    const event = await getAuditEvent(admin, String(row.seq));
    expect(event.actorName).toBe(
      `${pharmacy.pharmacy.name} (NCPDP ${pharmacy.pharmacy.ncpdpId}) — API key “Counter system”`,
    );
    expect(event.roleLabel).toBe("Pharmacy system (API key)");
    expect(event.actorName).not.toContain(created.id);
  });
});
