import { afterAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/auth/actor";
import { db, disconnectDb } from "../../lib/db";
import { decodeCursor, REGISTRY_PAGE_SIZE } from "../../lib/registry/rules";
import { getStakeholderDetail, listRegistry, type RegistryList } from "../../lib/registry/service";
import { actorFor, createAdminActor, uniqueNpi } from "../factories/applications";
import {
  PROGRAM,
  createPharmacyEnrollment,
  createPrescriberEnrollment,
  createSettingEnrollment,
  uniqueWord,
} from "../factories/certified";
import { addInfusions, addResults, createPatient } from "../factories/clinical";
import { createDispenseAuthorization } from "../factories/dispense";
import { appError } from "../factories/errors";
import { createEnrolledPatient } from "../factories/patients-lite";
import { createUser } from "../factories/users";

afterAll(async () => {
  await disconnectDb();
});

let adminActor: Actor | undefined;
async function admin(): Promise<Actor> {
  adminActor ??= await createAdminActor("Registry Reader");
  return adminActor;
}

async function list(kind: string, input: Record<string, unknown>): Promise<RegistryList> {
  return listRegistry(await admin(), kind, input);
}

async function keys(kind: string, input: Record<string, unknown>): Promise<string[]> {
  return (await list(kind, input)).rows.map((r) => r.key);
}

/** Every page of a list, following the next links; fails on a repeated row. */
async function allPages(kind: string, input: Record<string, unknown>) {
  const pages: string[][] = [];
  let page = await list(kind, input);
  pages.push(page.rows.map((r) => r.id));
  while (page.next) {
    page = await list(kind, { ...input, after: page.next });
    pages.push(page.rows.map((r) => r.id));
    if (pages.length > 50) throw new Error("paging does not end");
  }
  return { pages, last: page };
}

describe("who may browse the registry", () => {
  it("refuses lists and stakeholder pages to everyone but administrators, and audits each refusal", async () => {
    const prescriber = await createPrescriberEnrollment();
    const pharmacist = await createUser({ role: "PHARMACIST" });
    const intruders = [actorFor(prescriber.user), actorFor(pharmacist.user)];
    for (const intruder of intruders) {
      const calls = [
        () => listRegistry(intruder, "patients", {}),
        () => listRegistry(intruder, "prescribers", { q: prescriber.prescriber.lastName }),
        () => getStakeholderDetail(intruder, "prescribers", prescriber.prescriber.npi),
        () => getStakeholderDetail(intruder, "nonsense", "x"),
      ];
      for (const call of calls) expect((await appError(call())).code).toBe("FORBIDDEN");
      const denied = await db().auditEvent.count({
        where: { actorId: intruder.userId, action: "authorization.denied" },
      });
      expect(denied).toBe(calls.length);
    }
  });
});

describe("searching the registry", () => {
  it("finds a prescriber by the start of a name, NPI, certification number in any spelling and e-mail", async () => {
    const p = await createPrescriberEnrollment({ firstName: "Octavia" });
    const email = `${uniqueWord("office")}@Example.org`;
    await db().prescriber.update({ where: { id: p.prescriber.id }, data: { email } });
    const cert = p.enrollment?.certificationNumber ?? "";
    const searches = [
      p.prescriber.lastName.slice(0, 12).toUpperCase(),
      `octav ${p.prescriber.lastName.toLowerCase()}`,
      p.prescriber.npi,
      cert.toLowerCase().replace(/-/g, ""),
      email.toUpperCase(),
      p.user.email,
    ];
    for (const q of searches) expect(await keys("prescribers", { q }), q).toEqual([p.prescriber.npi]);
    // Every word must match: another first name finds no one.
    expect(await keys("prescribers", { q: `zzz ${p.prescriber.lastName}` })).toEqual([]);
  });

  it("finds a prescriber whose surname reads like a REMS id (11 letters) by that surname", async () => {
    const p = await createPrescriberEnrollment({ firstName: "Ingrid" });
    await db().prescriber.update({ where: { id: p.prescriber.id }, data: { lastName: "Christensen" } });
    const found = await keys("prescribers", { q: `ingrid christensen ${p.prescriber.npi}` });
    // Every word must match, so the surname itself was matched.
    expect(found).toEqual([p.prescriber.npi]);
  });

  it("finds pharmacies and settings by part of the name, REMS id, certification number, NCPDP id and NPI", async () => {
    const word = uniqueWord("Mid");
    const pharmacy = await createPharmacyEnrollment({ name: `North ${word} Pharmacy` });
    const ph = await db().pharmacy.findUniqueOrThrow({ where: { id: pharmacy.pharmacy.id }, select: { remsId: true } });
    for (const q of [
      word.toLowerCase(),
      ph.remsId,
      pharmacy.enrollment?.certificationNumber ?? "",
      pharmacy.pharmacy.ncpdpId,
      pharmacy.user.email.toUpperCase(),
    ]) {
      expect(await keys("pharmacies", { q }), q).toEqual([ph.remsId]);
    }
    const setting = await createSettingEnrollment({ name: `${word} Infusion Suite` });
    const hs = await db().healthcareSetting.findUniqueOrThrow({
      where: { id: setting.setting.id },
      select: { remsId: true },
    });
    const hc = setting.enrollment?.certificationNumber ?? "";
    expect(hs.remsId.startsWith("HS-")).toBe(true);
    expect(hc.startsWith("HC-")).toBe(true);
    for (const q of [`${word} suite`, hs.remsId.toLowerCase(), hc, setting.setting.npi ?? ""]) {
      expect(await keys("settings", { q }), q).toEqual([hs.remsId]);
    }
  });

  it("finds a patient by REMS id and name, and nobody by another kind's identifier", async () => {
    const prescriber = await createPrescriberEnrollment();
    const patient = await createEnrolledPatient(prescriber.prescriber.id);
    expect(await keys("patients", { q: patient.remsId.replace(/-/g, " ").replace(/ /g, "") })).toEqual([
      patient.remsId,
    ]);
    expect(await keys("patients", { q: `jord ${patient.lastName.slice(0, 10)}` })).toEqual([patient.remsId]);
    expect(await keys("patients", { q: prescriber.prescriber.npi })).toEqual([]);
  });
});

describe("filters", () => {
  it("filter by status, programme, state and type, and say when a programme is unknown", async () => {
    const word = uniqueWord("Filter");
    const certified = await createPharmacyEnrollment({ name: `${word} One` });
    const suspended = await createPharmacyEnrollment({ name: `${word} Two`, status: "SUSPENDED" });
    await db().pharmacy.update({ where: { id: suspended.pharmacy.id }, data: { state: "WI", type: "RETAIL" } });
    const id = async (p: { pharmacy: { id: string } }) =>
      (await db().pharmacy.findUniqueOrThrow({ where: { id: p.pharmacy.id }, select: { remsId: true } })).remsId;
    const [one, two] = [await id(certified), await id(suspended)];
    expect(await keys("pharmacies", { q: word })).toEqual([one, two]);
    expect(await keys("pharmacies", { q: word, status: "SUSPENDED" })).toEqual([two]);
    expect(await keys("pharmacies", { q: word, status: "CERTIFIED", program: "lemtrada" })).toEqual([one]);
    expect(await keys("pharmacies", { q: word, state: "wi" })).toEqual([two]);
    expect(await keys("pharmacies", { q: word, type: "SPECIALTY" })).toEqual([one]);
    const unknown = await list("pharmacies", { q: word, program: "NOPE" });
    expect(unknown.notices.join(" ")).toMatch(/no such programme/);
    expect(unknown.rows).toHaveLength(2);
  });

  it("filter patients by their prescriber's NPI and setting's REMS id, with field errors for unknown ones", async () => {
    const prescriber = await createPrescriberEnrollment();
    const setting = await createSettingEnrollment();
    const hs = await db().healthcareSetting.findUniqueOrThrow({
      where: { id: setting.setting.id },
      select: { remsId: true },
    });
    const mine = await createPatient({
      prescriberId: prescriber.prescriber.id,
      healthcareSettingId: setting.setting.id,
    });
    const other = await createPrescriberEnrollment();
    await createPatient({ prescriberId: other.prescriber.id, healthcareSettingId: setting.setting.id });
    expect(await keys("patients", { prescriber: prescriber.prescriber.npi })).toEqual([mine.patient.remsId]);
    expect((await keys("patients", { setting: hs.remsId })).sort()).toHaveLength(2);
    expect(await keys("patients", { setting: hs.remsId, prescriber: prescriber.prescriber.npi })).toEqual([
      mine.patient.remsId,
    ]);
    const bad = await list("patients", { prescriber: "1234567890", setting: "HS-0000-0000-0" });
    expect(bad.rows).toEqual([]);
    expect(bad.fieldErrors.prescriber).toMatch(/NPI/);
    expect(bad.fieldErrors.setting).toMatch(/REMS id/);
  });
});

describe("sorting", () => {
  it("sorts by each allowed order, and falls back to the name with a notice for any other", async () => {
    const word = uniqueWord("Sort");
    const made = [];
    for (const [i, first] of ["Carla", "alba", "Bruno"].entries()) {
      const p = await createPrescriberEnrollment({ firstName: first, lastName: `${word}${["b", "a", "c"][i]}` });
      await db().prescriber.update({
        where: { id: p.prescriber.id },
        data: { createdAt: new Date(Date.UTC(2026, 0, 10 - i)) },
      });
      made.push({ npi: p.prescriber.npi, last: `${word}${["b", "a", "c"][i]}`.toLowerCase(), created: 10 - i });
    }
    const byName = [...made].sort((a, b) => a.last.localeCompare(b.last)).map((m) => m.npi);
    const byCreated = [...made].sort((a, b) => a.created - b.created).map((m) => m.npi);
    const byNpi = [...made].map((m) => m.npi).sort();
    expect(await keys("prescribers", { q: word, sort: "name" })).toEqual(byName);
    expect(await keys("prescribers", { q: word, sort: "name-desc" })).toEqual([...byName].reverse());
    expect(await keys("prescribers", { q: word, sort: "oldest" })).toEqual(byCreated);
    expect(await keys("prescribers", { q: word, sort: "newest" })).toEqual([...byCreated].reverse());
    expect(await keys("prescribers", { q: word, sort: "identifier" })).toEqual(byNpi);
    for (const sort of ["createdAt; DROP TABLE", "password", "id"]) {
      const fallback = await list("prescribers", { q: word, sort });
      expect(fallback.filters.sort).toBe("name");
      expect(fallback.notices.join(" ")).toMatch(/not offered/);
      expect(fallback.rows.map((r) => r.key)).toEqual(byName);
    }
  });
});

describe("keyset paging", () => {
  it("walks rows with equal sort keys forward and back without skipping or repeating one", async () => {
    const prescriber = await createPrescriberEnrollment();
    const lastName = uniqueWord("Twin");
    const sameInstant = new Date("2026-06-01T12:00:00.000Z");
    const ids: string[] = [];
    for (let i = 0; i < REGISTRY_PAGE_SIZE * 2 + 7; i++) {
      const p = await createEnrolledPatient(prescriber.prescriber.id, { lastName });
      ids.push(p.id);
    }
    await db().patient.updateMany({ where: { id: { in: ids } }, data: { createdAt: sameInstant } });
    for (const sort of ["name", "name-desc", "newest", "oldest"]) {
      const { pages, last } = await allPages("patients", { q: lastName, sort });
      expect(
        pages.map((p) => p.length),
        sort,
      ).toEqual([REGISTRY_PAGE_SIZE, REGISTRY_PAGE_SIZE, 7]);
      const seen = pages.flat();
      expect(new Set(seen).size, sort).toBe(ids.length);
      expect([...seen].sort(), sort).toEqual([...ids].sort());
      // Ties are broken by id: ascending for name and oldest, descending for name-desc and newest.
      const ascending = sort === "name" || sort === "oldest";
      expect(seen, sort).toEqual([...ids].sort((a, b) => (ascending ? a.localeCompare(b) : b.localeCompare(a))));
      // Back from the last page gives the same pages in the same order.
      const back = await list("patients", { q: lastName, sort, before: last.previous });
      expect(back.rows.map((r) => r.id)).toEqual(pages[1]);
      const first = await list("patients", { q: lastName, sort, before: back.previous });
      expect(first.rows.map((r) => r.id)).toEqual(pages[0]);
      expect(first.previous).toBeNull();
      // A link for going forward is not accepted as one for going back.
      expect(decodeCursor(first.next ?? "", "patients", sort as "name")?.back).toBe(false);
      const swapped = await list("patients", { q: lastName, sort, before: first.next });
      expect(swapped.notices.join(" ")).toMatch(/page link is not valid/);
      expect(swapped.rows.map((r) => r.id)).toEqual(pages[0]);
    }
  });
});

describe("hostile input", () => {
  it("answers a search that cannot be run with a field error and no rows", async () => {
    for (const q of ["a\u0000b", "x\ud800y", "q".repeat(10_000)]) {
      const result = await list("patients", { q });
      expect(result.rows).toEqual([]);
      expect(result.fieldErrors.q).toBeTruthy();
    }
  });

  it("treats % and _ as the characters they are", async () => {
    const word = uniqueWord("Pct");
    const pharmacy = await createPharmacyEnrollment({ name: `${word} 50%_off` });
    await createPharmacyEnrollment({ name: `${word} 50xxoff` });
    const ph = await db().pharmacy.findUniqueOrThrow({ where: { id: pharmacy.pharmacy.id }, select: { remsId: true } });
    expect(await keys("pharmacies", { q: `${word} 50%_` })).toEqual([ph.remsId]);
    for (const row of (await list("patients", { q: "%" })).rows) expect(row.name).toContain("%");
    for (const row of (await list("patients", { q: "_" })).rows) expect(row.name).toContain("_");
  });

  it("reads a garbage or foreign page link as the first page, with a notice", async () => {
    const word = uniqueWord("Cur");
    await createPharmacyEnrollment({ name: `${word} A` });
    const first = await list("pharmacies", { q: word });
    const forged = Buffer.from(JSON.stringify(["newest", 0, "not-a-uuid", "x"])).toString("base64url");
    const nameCursor = Buffer.from(JSON.stringify(["name", 0, "0b7f3c9e-2a41-4c1e-9d5e-3f0a6b8c1d2e", "a"])).toString(
      "base64url",
    );
    for (const input of [
      { after: "%%%garbage" },
      { after: "A".repeat(20_000) },
      { before: forged },
      { after: nameCursor, sort: "newest" },
      { before: nameCursor.replace("A", "") },
    ]) {
      const result = await list("pharmacies", { q: word, ...input });
      expect(result.notices.join(" ")).toMatch(/page link is not valid/);
      expect(result.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
      expect(result.paged).toBe(false);
    }
  });

  it("answers an unknown list or stakeholder with not found", async () => {
    expect((await appError(list("doctors", {}))).code).toBe("NOT_FOUND");
    const actor = await admin();
    const cases: [string, string][] = [
      ["prescribers", "12345"],
      // Well-formed but held by nobody (not the demo world's 1234567893: another suite seeds that world).
      ["prescribers", uniqueNpi()],
      ["patients", "PT-0000-0000-0"],
      ["patients", "'; DROP TABLE"],
      ["settings", "x".repeat(5000)],
      ["spaceships", "1"],
    ];
    for (const [kind, key] of cases) {
      expect((await appError(getStakeholderDetail(actor, kind, key))).code, `${kind}/${key.slice(0, 20)}`).toBe(
        "NOT_FOUND",
      );
    }
  });
});

describe("a stakeholder's history", () => {
  it("shows a prescriber's transitions with the actor's name, signatures, authorizations and e-mails, bounded", async () => {
    const reviewer = await admin();
    const p = await createPrescriberEnrollment({ status: "SUSPENDED" });
    const enrollmentId = p.enrollment?.id ?? "";
    await db().enrollmentEvent.createMany({
      data: [
        {
          enrollmentId,
          fromStatus: "SUBMITTED",
          toStatus: "CERTIFIED",
          actorUserId: reviewer.userId,
          at: new Date(Date.now() - 60_000),
        },
        {
          enrollmentId,
          fromStatus: "CERTIFIED",
          toStatus: "SUSPENDED",
          actorUserId: reviewer.userId,
          reason: "Dispensing without authorization",
        },
      ],
    });
    const accountMail = await db().mailMessage.count({ where: { to: p.user.email } });
    const da = await createDispenseAuthorization({ patient: null });
    await db().dispenseAuthorization.updateMany({ where: { id: da.id }, data: { prescriberId: p.prescriber.id } });
    await db().mailMessage.createMany({
      data: Array.from({ length: 12 }, (_, i) => ({
        to: p.user.email,
        subject: `Notice ${i}`,
        text: "text",
        category: "test",
        createdAt: new Date(Date.now() - i * 1000),
        sentAt: i % 2 ? new Date() : null,
      })),
    });
    await db().mailMessage.create({
      data: { to: "someone-else@example.org", subject: "Not theirs", text: "t", category: "test" },
    });

    const detail = await getStakeholderDetail(reviewer, "prescribers", p.prescriber.npi);
    expect(detail.stakeholder.name).toContain(p.prescriber.lastName);
    expect(detail.enrollments.map((e) => e.status)).toEqual(["SUSPENDED"]);
    expect(detail.events.rows.map((e) => [e.toStatus, e.reason, e.actor?.name])).toEqual([
      ["SUSPENDED", "Dispensing without authorization", "Registry Reader"],
      ["CERTIFIED", null, "Registry Reader"],
    ]);
    expect(detail.signatures.rows).toHaveLength(1);
    expect(detail.signatures.rows[0]?.meaning).toBe(PROGRAM.stakeholders.prescriber?.signatureMeaning);
    expect(detail.authorizations.rows.map((a) => a.authorizationNumber)).toEqual([da.authorizationNumber]);
    expect(detail.infusions).toBeNull();
    expect(detail.labs).toBeNull();
    expect(detail.emails.rows).toHaveLength(10);
    expect(detail.emails.more).toBe(true);
    expect(detail.emails.rows[0]?.subject).toBe("Notice 0");
    expect(detail.emails.rows.some((m) => m.subject === "Not theirs")).toBe(false);

    const longer = await getStakeholderDetail(reviewer, "prescribers", p.prescriber.npi, { more: "emails" });
    expect(longer.emails.rows).toHaveLength(accountMail + 12);
    expect(longer.emails.more).toBe(false);
  });

  it("shows a patient's infusions, lab results and authorizations, and a setting's infusions", async () => {
    const prescriber = await createPrescriberEnrollment();
    const setting = await createSettingEnrollment();
    const { patient } = await createPatient({
      prescriberId: prescriber.prescriber.id,
      healthcareSettingId: setting.setting.id,
      withAccount: true,
    });
    await addResults(patient.id, [
      { testCode: "CBC_DIFF", collectedOn: "2026-01-02" },
      { testCode: "URINALYSIS", collectedOn: "2026-01-05", abnormal: true },
    ]);
    await addInfusions(patient.id, setting.setting.id, setting.user.id, [
      { infusedOn: "2026-01-10", courseNumber: 1, dayInCourse: 1 },
      { infusedOn: "2026-01-11", courseNumber: 1, dayInCourse: 2 },
    ]);
    const da = await createDispenseAuthorization({ patient, status: "DENIED" });
    const actor = await admin();
    const detail = await getStakeholderDetail(actor, "patients", patient.remsId.toLowerCase());
    expect(detail.stakeholder.links.map((l) => l.key)).toEqual([
      prescriber.prescriber.npi,
      (await db().healthcareSetting.findUniqueOrThrow({ where: { id: setting.setting.id } })).remsId,
    ]);
    expect(detail.labs?.rows.map((l) => [l.testCode, l.abnormal])).toEqual([
      ["URINALYSIS", true],
      ["CBC_DIFF", false],
    ]);
    expect(detail.infusions?.rows.map((i) => i.dayInCourse)).toEqual([2, 1]);
    expect(detail.authorizations.rows.map((a) => [a.id, a.reasonCodes])).toEqual([[da.id, ["PATIENT_NOT_ENROLLED"]]]);
    expect(detail.stakeholder.accounts).toHaveLength(1);

    const hs = await db().healthcareSetting.findUniqueOrThrow({
      where: { id: setting.setting.id },
      select: { remsId: true },
    });
    const settingDetail = await getStakeholderDetail(actor, "settings", hs.remsId);
    expect(settingDetail.infusions?.rows.map((i) => i.patient.remsId)).toEqual([patient.remsId, patient.remsId]);
    expect(settingDetail.stakeholder.accounts.map((a) => a.id)).toEqual([setting.user.id]);
  });
});
