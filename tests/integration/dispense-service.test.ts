/**
 * The dispense gate's service on a real database, with the clock under the test's control:
 * expiry, the expiry job, enforcement discretion, API keys and the stored facts. The HTTP API is
 * covered by dispense-api.test.ts.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../../lib/auth/actor";
import { addDays, dayOf } from "../../lib/calendar";
import { db, disconnectDb } from "../../lib/db";
import {
  apiKeyCreationBlocker,
  authenticateApiKey,
  canManageApiKeys,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from "../../lib/dispensing/api-keys";
import {
  activeDiscretionPeriods,
  endEnforcementDiscretion,
  listDiscretionFollowUps,
  recordFollowUp,
  startEnforcementDiscretion,
} from "../../lib/dispensing/discretion";
import { callerFromActor, type DispenseCaller } from "../../lib/dispensing/caller";
import { confirmDispense, reverseDispense } from "../../lib/dispensing/confirm";
import type { DispenseFacts, PharmacyOnlyFacts } from "../../lib/dispensing/facts";
import { expireDispenseAuthorizations } from "../../lib/dispensing/expiry";
import { getDispenseAuthorizationDetails, listDispenseAuthorizations } from "../../lib/dispensing/service";
import { requestDispenseAuthorization } from "../../lib/dispensing/request";
import { getPharmacyStandings } from "../../lib/dispensing/standing";
import { AppError } from "../../lib/errors";
import { createDispenseWorld, createPharmacyCaller } from "../factories/dispense";
import { actorFor } from "../factories/applications";
import { createPharmacyEnrollment, createPrescriberEnrollment, ensureProgram } from "../factories/certified";
import { addResults } from "../factories/clinical";
import { createAdmin, stepUpCode } from "../factories/users";
import { appError } from "../factories/errors";

const NOW = new Date("2026-06-15T15:00:00.000Z");
const TODAY = dayOf(NOW);
const BASELINE = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];

beforeAll(async () => {
  await ensureProgram();
});

afterAll(async () => {
  await disconnectDb();
});

/** The stored facts the pharmacy reads, in full (not limited to its own certification). */
function fullFacts(facts: DispenseFacts | PharmacyOnlyFacts | null): DispenseFacts {
  if (!facts || "pharmacyOnly" in facts) throw new Error(`expected the full facts: ${JSON.stringify(facts)}`);
  return facts;
}

/** A certified pharmacy with its representative as caller, and a compliant patient ready for course 1. */
async function world() {
  // The NDC as digits: stored as the programme lists it (the first test checks that).
  const w = await createDispenseWorld({ today: TODAY, baselineDaysAgo: 10, ndc: "58468020001" });
  return { ...w, repActor: w.pharmacy.actor, caller: w.pharmacy.caller };
}

describe("requestDispenseAuthorization", () => {
  it("approves a compliant request, stores the facts checked, and expires at the end of day 7", async () => {
    const w = await world();
    const outcome = await requestDispenseAuthorization(w.caller, randomUUID(), w.body(), { now: NOW });
    expect(outcome.answer).toMatchObject({ decision: "APPROVED", warnings: [] });
    expect(outcome.answer.decision === "APPROVED" && outcome.answer.authorizationNumber).toMatch(/^DA-/);
    expect(outcome.authorization.expiresAt).toBe(`${addDays(TODAY, 7)}T23:59:59.999Z`);
    // NDC given as digits is stored as the programme lists it; the setting was named by NPI.
    expect(outcome.authorization.ndc).toBe("58468-0200-01");

    const details = await getDispenseAuthorizationDetails(w.caller, outcome.answer.id, { now: NOW });
    const facts = fullFacts(details.facts);
    expect(facts.patient?.id).toBe(w.patient.id);
    expect(facts.patient?.results).toHaveLength(BASELINE.length);
    expect(facts.setting?.id).toBe(w.team.setting.setting.id);
    expect(facts.pharmacy.certificationStatus).toBe("CERTIFIED");

    const audit = await db().auditEvent.findFirst({
      where: { entityType: "DispenseAuthorization", entityId: outcome.answer.id },
    });
    expect(audit?.action).toBe("dispense.approved");
  });

  it("lets a new authorization replace one that expired unused, and refuses to confirm the expired one", async () => {
    const w = await world();
    const prescriptionId = `RX-${randomUUID().slice(0, 8)}`;
    const first = await requestDispenseAuthorization(w.caller, randomUUID(), w.body({ prescriptionId }), { now: NOW });
    expect(first.answer.decision).toBe("APPROVED");

    // Still valid on the last day: a second request is a duplicate.
    const lastDay = new Date(`${addDays(TODAY, 7)}T22:00:00.000Z`);
    const dup = await requestDispenseAuthorization(w.caller, randomUUID(), w.body({ prescriptionId }), {
      now: lastDay,
    });
    expect(dup.answer.decision).toBe("DENIED");
    expect(dup.authorization.duplicateOfId).toBe(first.answer.id);

    const later = new Date(`${addDays(TODAY, 8)}T09:00:00.000Z`);
    const error = await appError(
      confirmDispense(w.caller, first.answer.id, { quantity: 5, lotNumber: "A1" }, { now: later }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/expired/);
    const stored = await db().dispenseAuthorization.findFirstOrThrow({ where: { id: first.answer.id } });
    expect(stored.status).toBe("EXPIRED");

    // The patient's baseline results are older than 30 days by now: refresh them, then ask again.
    await addResults(
      w.patient.id,
      BASELINE.map((testCode) => ({ testCode, collectedOn: addDays(TODAY, 7) })),
    );
    const again = await requestDispenseAuthorization(w.caller, randomUUID(), w.body({ prescriptionId }), {
      now: later,
    });
    expect(again.answer.decision).toBe("APPROVED");
  });

  it("the expiry job marks approved authorizations whose validity has ended", async () => {
    const w = await world();
    const outcome = await requestDispenseAuthorization(w.caller, randomUUID(), w.body(), { now: NOW });
    const later = new Date(`${addDays(TODAY, 8)}T00:00:00.000Z`);
    const count = await expireDispenseAuthorizations(systemActor(), { now: later });
    expect(count).toBeGreaterThanOrEqual(1);
    const stored = await db().dispenseAuthorization.findFirstOrThrow({ where: { id: outcome.answer.id } });
    expect(stored.status).toBe("EXPIRED");
    const page = await listDispenseAuthorizations(w.caller, { status: "EXPIRED" }, { now: later });
    expect(page.items.map((i) => i.id)).toContain(outcome.answer.id);
  });

  it("refuses to reverse a dispense once an infusion was recorded under it", async () => {
    const w = await world();
    const outcome = await requestDispenseAuthorization(w.caller, randomUUID(), w.body({ quantity: 5 }), { now: NOW });
    await confirmDispense(w.caller, outcome.answer.id, { quantity: 5, lotNumber: "L-9" }, { now: NOW });
    const program = await ensureProgram();
    await db().infusion.create({
      data: {
        patientId: w.patient.id,
        programId: program.id,
        healthcareSettingId: w.team.setting.setting.id,
        infusedOn: new Date(`${TODAY}T00:00:00.000Z`),
        doseMg: 12,
        vialLot: "L-9",
        premedicationGiven: true,
        observationCompleted: true,
        reaction: false,
        courseNumber: 1,
        dayInCourse: 1,
        dispenseAuthorizationId: outcome.answer.id,
        recordedByUserId: w.team.setting.user.id,
      },
    });
    const error = await appError(
      reverseDispense(w.caller, outcome.answer.id, { reason: "Returned to stock" }, { now: NOW }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/Infusions \(1\)/);
    const stored = await db().dispenseAuthorization.findFirstOrThrow({ where: { id: outcome.answer.id } });
    expect(stored.status).toBe("DISPENSED");
  });

  it("one Idempotency-Key sent concurrently with different prescriptions: one decision, the rest 409", async () => {
    const w = await world();
    const key = randomUUID();
    const settled = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        requestDispenseAuthorization(w.caller, key, w.body({ prescriptionId: `RX-SAME-KEY-${i}-${key.slice(0, 6)}` }), {
          now: NOW,
        }),
      ),
    );
    const decided = settled.filter((r) => r.status === "fulfilled");
    const refused = settled.filter((r) => r.status === "rejected");
    expect(decided).toHaveLength(1);
    expect(refused.map((r) => (r.reason as AppError).code)).toEqual(Array(7).fill("CONFLICT"));
    const rows = await db().dispenseAuthorization.count({ where: { idempotencyKey: key } });
    expect(rows).toBe(1);
  });

  it("refuses a signed-in account without a pharmacy", async () => {
    const admin = await createAdmin();
    const actor = actorFor(admin.user);
    expect(() => callerFromActor(actor)).toThrow(AppError);
  });
});

describe("enforcement discretion", () => {
  it("turns blocking reasons into warnings while active, lists the authorization for follow-up, and ends", async () => {
    const w = await world();
    const admin = await createAdmin();
    const adminActor = actorFor(admin.user);
    // Any other test's periods would change their decisions: this test's clock is far in the future.
    const at = new Date("2031-03-03T12:00:00.000Z");
    const period = await startEnforcementDiscretion(
      adminActor,
      { programCode: "LEMTRADA", reason: "Registry outage announced to the FDA", endsAt: "2031-03-05T12:00:00Z" },
      at,
    );
    expect(period.active).toBe(true);
    expect((await activeDiscretionPeriods(at)).map((p) => p.id)).toContain(period.id);
    const conflict = await appError(
      startEnforcementDiscretion(
        adminActor,
        { programCode: "LEMTRADA", reason: "A second overlapping period", endsAt: "2031-03-04T12:00:00Z" },
        at,
      ),
    );
    expect(conflict.code).toBe("CONFLICT");

    // The baseline results are years old by then: BASELINE_LABS_STALE would block; now it warns.
    const outcome = await requestDispenseAuthorization(w.caller, randomUUID(), w.body(), { now: at });
    expect(outcome.answer).toMatchObject({ decision: "APPROVED", enforcementDiscretion: true });
    expect(outcome.answer.warnings.map((r) => r.code)).toContain("BASELINE_LABS_STALE");

    // Never relaxed: a product outside the programme.
    const wrongNdc = await requestDispenseAuthorization(w.caller, randomUUID(), w.body({ ndc: "12345-678-90" }), {
      now: at,
    });
    expect(wrongNdc.answer.decision).toBe("DENIED");

    const pending = await listDiscretionFollowUps(adminActor, { pending: true });
    expect(pending.map((r) => r.authorization.id)).toContain(outcome.answer.id);
    await recordFollowUp(adminActor, { authorizationId: outcome.answer.id, note: "Called the pharmacy; labs drawn." });
    const after = await listDiscretionFollowUps(adminActor, { pending: true });
    expect(after.map((r) => r.authorization.id)).not.toContain(outcome.answer.id);

    await endEnforcementDiscretion(adminActor, { discretionId: period.id, reason: "Outage resolved" }, at);
    const blocked = await requestDispenseAuthorization(w.caller, randomUUID(), w.body(), { now: at });
    expect(blocked.answer.decision).toBe("DENIED");
    const actions = await db().auditEvent.findMany({
      where: { entityType: "EnforcementDiscretion", entityId: period.id },
      select: { action: true },
    });
    expect(actions.map((a) => a.action).sort()).toEqual(["discretion.ended", "discretion.started"]);
  });

  it("an approval it relaxed cannot be used once it has ended, early or at its end time", async () => {
    const w = await world();
    const adminActor = actorFor((await createAdmin()).user);
    // Far in the future, apart from the other tests' periods (a period changes every decision then).
    const at = new Date("2033-04-10T12:00:00.000Z");
    const hours = (n: number) => new Date(at.getTime() + n * 3_600_000);
    const period = await startEnforcementDiscretion(
      adminActor,
      { programCode: "LEMTRADA", reason: "Registry outage announced to the FDA", endsAt: "2033-04-12T12:00:00Z" },
      at,
    );
    // The baseline results are years old by then: each approval carries BASELINE_LABS_STALE as a warning.
    const ask = async (now: Date) => {
      const outcome = await requestDispenseAuthorization(w.caller, randomUUID(), w.body({ quantity: 1 }), { now });
      expect(outcome.answer).toMatchObject({ decision: "APPROVED", enforcementDiscretion: true });
      return outcome.answer.id;
    };
    const usedInTime = await ask(at);
    const leftOver = await ask(at);
    const dispensed = await confirmDispense(w.caller, usedInTime, { quantity: 1, lotNumber: "D-1" }, { now: hours(1) });
    expect(dispensed.status).toBe("DISPENSED");

    await endEnforcementDiscretion(adminActor, { discretionId: period.id, reason: "Outage resolved" }, hours(2));
    const error = await appError(
      confirmDispense(w.caller, leftOver, { quantity: 1, lotNumber: "D-2" }, { now: hours(3) }),
    );
    expect(error.code).toBe("AUTHORIZATION_REVOKED");
    expect(error.status).toBe(409);
    const reasons = error.details?.reasons as { code: string; message: string }[];
    // Every reason the approval carried only because of the discretion, each saying so.
    const { warnings } = await db().dispenseAuthorization.findFirstOrThrow({
      where: { id: leftOver },
      select: { warnings: true },
    });
    expect(reasons.map((r) => r.code)).toEqual((warnings as { code: string }[]).map((r) => r.code));
    expect(reasons.map((r) => r.code)).toContain("BASELINE_LABS_STALE");
    for (const reason of reasons) {
      expect(reason.message).toMatch(
        /^Enforcement discretion for LEMTRADA REMS ended on .*2033, 14:00 UTC; this authorization was given under it although: /,
      );
    }
    const stored = await db().dispenseAuthorization.findFirstOrThrow({
      where: { id: leftOver },
      select: { status: true },
    });
    expect(stored.status).toBe("REVOKED");

    // A period that simply runs out: the same once its end time has passed.
    const second = await startEnforcementDiscretion(
      adminActor,
      { programCode: "LEMTRADA", reason: "Second outage", endsAt: "2033-04-20T12:00:00Z" },
      new Date("2033-04-19T12:00:00.000Z"),
    );
    const late = await ask(new Date("2033-04-19T12:00:00.000Z"));
    const stillOpen = await confirmDispense(
      w.caller,
      await ask(new Date("2033-04-19T13:00:00.000Z")),
      { quantity: 1, lotNumber: "D-3" },
      { now: new Date("2033-04-20T11:59:00.000Z") },
    );
    expect(stillOpen.status).toBe("DISPENSED");
    const expired = await appError(
      confirmDispense(w.caller, late, { quantity: 1, lotNumber: "D-4" }, { now: new Date("2033-04-20T12:00:00.000Z") }),
    );
    expect(expired.code).toBe("AUTHORIZATION_REVOKED");
    expect(second.active).toBe(true);
  });

  it("is refused to a pharmacist and needs a future end time", async () => {
    const w = await world();
    const forbidden = await appError(
      startEnforcementDiscretion(w.repActor, {
        programCode: "LEMTRADA",
        reason: "Not an administrator at all",
        endsAt: "2099-01-01T00:00:00Z",
      }),
    );
    expect(forbidden.code).toBe("FORBIDDEN");
    const admin = actorFor((await createAdmin()).user);
    const past = await appError(
      startEnforcementDiscretion(
        admin,
        { programCode: "LEMTRADA", reason: "An end time in the past", endsAt: "2026-06-15T14:00:00Z" },
        NOW,
      ),
    );
    expect(past.details?.fields?.endsAt).toBeDefined();
  });
});

describe("a pharmacy that is not certified", () => {
  /** A signed-in pharmacist of a pharmacy in this status (certified first, so its key exists), and a troubled request. */
  async function uncertifiedWorld(status: "SUBMITTED" | "SUSPENDED") {
    const w = await world();
    const created = await createApiKey(w.repActor, {
      name: "Pharmacy system",
      password: w.pharmacy.password,
      code: await stepUpCode(w.repActor.userId),
    });
    await db().enrollment.updateMany({ where: { pharmacyId: w.pharmacy.pharmacy.id }, data: { status } });
    // Another prescriber's patient, whose baseline results are missing for the course: reasons galore.
    const other = await createPrescriberEnrollment();
    await db().labResult.deleteMany({ where: { patientId: w.patient.id } });
    const body = w.body({ prescriberNpi: other.prescriber.npi, quantity: 6 });
    return { ...w, key: created.key, body };
  }

  it.each(["SUBMITTED", "SUSPENDED"] as const)(
    "%s: the pharmacist is told only the pharmacy's standing — answer, detail page facts, history",
    async (status) => {
      const w = await uncertifiedWorld(status);
      const outcome = await requestDispenseAuthorization(w.caller, randomUUID(), w.body, { now: NOW });
      expect(outcome.answer).toEqual({
        id: outcome.authorization.id,
        decision: "DENIED",
        reasons: [expect.objectContaining({ code: "PHARMACY_NOT_CERTIFIED", stakeholder: "pharmacy" })],
        warnings: [],
      });
      expect(outcome.answer.decision === "DENIED" && outcome.answer.reasons[0]?.message).toMatch(
        status === "SUBMITTED" ? /awaiting review/ : /is suspended — contact the REMS administrator/,
      );

      const details = await getDispenseAuthorizationDetails(w.caller, outcome.answer.id, { now: NOW });
      expect(details.facts).toEqual({ pharmacyOnly: true, pharmacy: { certificationStatus: status } });
      expect(details.view.reasons.map((r) => r.code)).toEqual(["PHARMACY_NOT_CERTIFIED"]);
      const page = await listDispenseAuthorizations(w.caller, { prescriptionId: w.body.prescriptionId }, { now: NOW });
      expect(page.items.map((i) => i.reasons.map((r) => r.code))).toEqual([["PHARMACY_NOT_CERTIFIED"]]);

      // Stored in full for the REMS administrator.
      const row = await db().dispenseAuthorization.findFirstOrThrow({
        where: { id: outcome.answer.id },
        select: { facts: true },
      });
      expect(row.facts).toMatchObject({ patient: { id: w.patient.id }, pharmacy: { certificationStatus: status } });
      const audit = await db().auditEvent.findFirstOrThrow({
        where: { entityType: "DispenseAuthorization", entityId: outcome.answer.id },
        select: { after: true },
      });
      expect(audit.after).toMatchObject({
        reasons: ["PHARMACY_NOT_CERTIFIED"],
        withheldReasons: ["PATIENT_NOT_WITH_PRESCRIBER", "BASELINE_LABS_MISSING", "QUANTITY_EXCEEDS_COURSE"],
      });

      // A certified pharmacy asking the same gets every reason, and sees the facts.
      const certified = await createPharmacyCaller();
      const full = await requestDispenseAuthorization(certified.caller, randomUUID(), w.body, { now: NOW });
      expect(full.answer.decision === "DENIED" && full.answer.reasons.map((r) => r.code)).toEqual([
        "PATIENT_NOT_WITH_PRESCRIBER",
        "BASELINE_LABS_MISSING",
        "QUANTITY_EXCEEDS_COURSE",
      ]);
      const seen = await getDispenseAuthorizationDetails(certified.caller, full.answer.id, { now: NOW });
      expect(fullFacts(seen.facts).patient?.id).toBe(w.patient.id);
    },
  );

  it("the suspended pharmacy's API key is refused, and it cannot create another", async () => {
    const w = await uncertifiedWorld("SUSPENDED");
    expect((await appError(authenticateApiKey(`Bearer ${w.key}`, "req-s"))).code).toBe("FORBIDDEN");
    const refused = await appError(
      createApiKey(w.repActor, {
        name: "Another system",
        password: w.pharmacy.password,
        code: await stepUpCode(w.repActor.userId),
      }),
    );
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toMatch(/certification in the LEMTRADA REMS is suspended/);
    expect(await db().pharmacyApiKey.count({ where: { pharmacyId: w.pharmacy.pharmacy.id } })).toBe(1);
  });

  it("rows stored before answers were limited are shown limited too", async () => {
    const w = await uncertifiedWorld("SUBMITTED");
    const outcome = await requestDispenseAuthorization(w.caller, randomUUID(), w.body, { now: NOW });
    // As the gate stored it before: every reason.
    await db().dispenseAuthorization.updateMany({
      where: { id: outcome.answer.id },
      data: {
        reasons: [
          { code: "PHARMACY_NOT_CERTIFIED", stakeholder: "pharmacy", actor: "pharmacy", message: "Not certified." },
          { code: "BASELINE_LABS_MISSING", stakeholder: "patient", actor: "prescriber", message: "Baseline missing." },
        ],
      },
    });
    const details = await getDispenseAuthorizationDetails(w.caller, outcome.answer.id, { now: NOW });
    expect(details.view.reasons.map((r) => r.code)).toEqual(["PHARMACY_NOT_CERTIFIED"]);
    expect(details.facts).toEqual({ pharmacyOnly: true, pharmacy: { certificationStatus: "SUBMITTED" } });
  });

  it("the standing says in words where the pharmacy stands; enforcement discretion lets it ask, and tells it all", async () => {
    const w = await uncertifiedWorld("SUBMITTED");
    const [standing] = await getPharmacyStandings(w.caller, { now: NOW });
    expect(standing).toEqual({
      programCode: "LEMTRADA",
      programName: "LEMTRADA REMS",
      status: "SUBMITTED",
      mayRequest: false,
      reason: expect.objectContaining({
        code: "PHARMACY_NOT_CERTIFIED",
        message: expect.stringMatching(/awaiting review/),
      }),
    });
    const certified = await createPharmacyCaller();
    expect((await getPharmacyStandings(certified.caller, { now: NOW }))[0]).toMatchObject({
      status: "CERTIFIED",
      mayRequest: true,
      reason: null,
    });

    // Under enforcement discretion the pharmacy's certification only warns: it may ask, and it is
    // told every reason (those the dosing never relaxes still deny).
    const admin = actorFor((await createAdmin()).user);
    const at = new Date("2034-05-05T12:00:00.000Z");
    const period = await startEnforcementDiscretion(
      admin,
      { programCode: "LEMTRADA", reason: "Certification backlog announced to the FDA", endsAt: "2034-05-07T12:00:00Z" },
      at,
    );
    try {
      expect((await getPharmacyStandings(w.caller, { now: at }))[0]).toMatchObject({ mayRequest: true, reason: null });
      const outcome = await requestDispenseAuthorization(w.caller, randomUUID(), w.body, { now: at });
      expect(outcome.answer.decision === "DENIED" && outcome.answer.reasons.map((r) => r.code)).toEqual([
        "QUANTITY_EXCEEDS_COURSE",
      ]);
      expect(outcome.answer.warnings.map((r) => r.code)).toEqual(
        expect.arrayContaining(["PHARMACY_NOT_CERTIFIED", "PATIENT_NOT_WITH_PRESCRIBER"]),
      );
    } finally {
      await endEnforcementDiscretion(admin, { discretionId: period.id, reason: "Backlog cleared" }, at);
    }
  });
});

describe("API keys", () => {
  it("a pharmacy that is not certified yet cannot create a key: the service refuses and nothing is stored", async () => {
    const applying = await createPharmacyEnrollment({ status: "SUBMITTED" });
    const actor = { ...actorFor({ ...applying.user, role: "PHARMACIST" }), pharmacyId: applying.pharmacy.id };
    expect(await canManageApiKeys(actor)).toBe(true);
    expect(await apiKeyCreationBlocker(actor)).toMatch(/once it is certified.*awaiting review/);
    const error = await appError(
      createApiKey(actor, {
        name: "Pharmacy system",
        password: applying.password,
        code: await stepUpCode(actor.userId),
      }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toBe(
      "Your pharmacy can create API keys once it is certified in a REMS programme. Your pharmacy's enrollment in the LEMTRADA REMS is awaiting review by the REMS administrator — your pharmacy can dispense once it is approved.",
    );
    expect(await db().pharmacyApiKey.count({ where: { pharmacyId: applying.pharmacy.id } })).toBe(0);
    const audit = await db().auditEvent.count({ where: { action: "apikey.created", actorId: actor.userId } });
    expect(audit).toBe(0);
  });

  it("the representative creates a key shown once; it authenticates until revoked", async () => {
    const w = await world();
    expect(await canManageApiKeys(w.repActor)).toBe(true);
    const created = await createApiKey(w.repActor, {
      name: "Pharmacy system",
      password: w.pharmacy.password,
      code: await stepUpCode(w.repActor.userId),
    });
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const stored = await db().pharmacyApiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.keyHash).not.toContain(created.key);

    const caller: DispenseCaller = await authenticateApiKey(`Bearer ${created.key}`, "req-1");
    expect(caller).toMatchObject({ kind: "apiKey", pharmacyId: w.pharmacy.pharmacy.id, apiKeyId: created.id });
    const listed = await listApiKeys(w.repActor);
    expect(listed.find((k) => k.id === created.id)?.lastUsedAt).not.toBeNull();

    await revokeApiKey(w.repActor, created.id);
    const error = await appError(authenticateApiKey(`Bearer ${created.key}`, "req-2"));
    expect(error.code).toBe("UNAUTHENTICATED");
  });

  it("a pharmacist who is not the representative cannot manage keys", async () => {
    const w = await world();
    const other = await createPharmacyEnrollment();
    const colleague = { ...w.repActor, userId: other.user.id };
    expect(await canManageApiKeys(colleague)).toBe(false);
    const error = await appError(
      createApiKey(colleague, { name: "Sneaky", password: other.password, code: await stepUpCode(other.user.id) }),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect((await appError(authenticateApiKey("Bearer rg_nonsense", "r"))).code).toBe("UNAUTHENTICATED");
    expect((await appError(authenticateApiKey(null, "r"))).code).toBe("UNAUTHENTICATED");
  });
});

describe("bounded facts", () => {
  it("a patient with a long history: the stored facts hold the latest result per test (and the latest by today), not the history", async () => {
    const w = await world();
    // 4,000 older results for every baseline test (the compliant ones from world() are newest).
    const history = Array.from({ length: 4_000 }, (_, i) => ({
      testCode: BASELINE[i % BASELINE.length] as string,
      collectedOn: addDays(TODAY, -40 - (i % 1_500)),
    }));
    await addResults(w.patient.id, history);
    // A result dated after today (a clock-skewed lab feed) is "latest" but not "latest by today".
    await addResults(w.patient.id, [{ testCode: "TSH", collectedOn: addDays(TODAY, 2) }]);

    const outcome = await requestDispenseAuthorization(w.caller, randomUUID(), w.body(), { now: NOW });
    expect(outcome.answer.decision).toBe("APPROVED");
    const details = await getDispenseAuthorizationDetails(w.caller, outcome.answer.id, { now: NOW });
    const results = fullFacts(details.facts).patient?.results ?? [];
    expect(results).toHaveLength(BASELINE.length + 1);
    for (const code of BASELINE) {
      expect(results.filter((r) => r.testCode === code && r.collectedOn === addDays(TODAY, -10))).toHaveLength(1);
    }
    expect(results).toContainEqual({ testCode: "TSH", collectedOn: addDays(TODAY, 2) });
    const row = await db().dispenseAuthorization.findFirstOrThrow({
      where: { id: outcome.answer.id },
      select: { facts: true },
    });
    expect(JSON.stringify(row.facts).length).toBeLessThan(4_000);
  });
});
