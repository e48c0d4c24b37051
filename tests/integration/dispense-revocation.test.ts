/**
 * The right to dispense follows the registry at every moment: suspension, decertification,
 * disenrollment and transfer revoke the open approvals that depended on the party, in the same
 * transaction; confirming re-checks every party; a suspended pharmacy's API keys answer 403; the
 * pharmacy is e-mailed; reinstatement does not bring a revoked authorization back. Over real HTTP
 * where the API answers, on PGlite and PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as itemRoute from "../../app/api/v1/dispense-authorizations/[id]/route";
import * as dispenseRoute from "../../app/api/v1/dispense-authorizations/[id]/dispense/route";
import * as collectionRoute from "../../app/api/v1/dispense-authorizations/route";
import type { Actor } from "../../lib/auth/actor";
import { dayOf } from "../../lib/calendar";
import type { TDecision } from "../../lib/certification/schema";
import { decideApplication } from "../../lib/certification/service";
import { db, disconnectDb } from "../../lib/db";
import { createApiKey } from "../../lib/dispensing/api-keys";
import { dispenseSlipPdf } from "../../lib/documents/dispense-slip";
import type { DispenseCaller } from "../../lib/dispensing/caller";
import { confirmDispense } from "../../lib/dispensing/confirm";
import { getDispenseAuthorization, listDispenseAuthorizations } from "../../lib/dispensing/service";
import { requestDispenseAuthorization } from "../../lib/dispensing/request";
import { setPatientStatus, transferPatient } from "../../lib/patients/service";
import { createAdminActor } from "../factories/applications";
import { createPrescriberEnrollment, ensureProgram } from "../factories/certified";
import { prescriberActor } from "../factories/clinical";
import { stepUpCode } from "../factories/users";
import { createDispenseWorld, createPharmacyCaller } from "../factories/dispense";
import { type ServedRoutes, serveRoutes } from "../setup/http-routes";
import { appError } from "../factories/errors";

const BASE = "/api/v1/dispense-authorizations";
const TODAY = dayOf(new Date());

let server: ServedRoutes;
let admin: Actor;

beforeAll(async () => {
  await ensureProgram();
  admin = await createAdminActor("Ada Administrator");
  server = await serveRoutes({
    [BASE]: collectionRoute,
    [`${BASE}/[id]`]: itemRoute,
    [`${BASE}/[id]/dispense`]: dispenseRoute,
  });
});

afterAll(async () => {
  await server.close();
  await disconnectDb();
});

const pharmacyWithCaller = createPharmacyCaller;

/** A certified pharmacy, care team and a compliant patient ready for course 1. */
function world() {
  return createDispenseWorld({ today: TODAY, baselineDaysAgo: 5 });
}

async function approve(caller: DispenseCaller, body: Record<string, unknown>) {
  const outcome = await requestDispenseAuthorization(caller, randomUUID(), body);
  expect(outcome.answer.decision).toBe("APPROVED");
  return outcome.authorization;
}

async function decide(enrollmentId: string, event: string, reason: string) {
  const current = await db().enrollment.findUniqueOrThrow({ where: { id: enrollmentId }, select: { version: true } });
  return decideApplication(admin, {
    enrollmentId,
    version: current.version,
    event: event as TDecision["event"],
    reason,
  });
}

function enrollmentIdOf(party: { enrollment: { id: string } | null }): string {
  if (!party.enrollment) throw new Error("the party has no enrollment");
  return party.enrollment.id;
}

async function stored(id: string) {
  return db().dispenseAuthorization.findFirstOrThrow({
    where: { id },
    select: { status: true, revokedAt: true, revocationReason: true, revocationCause: true },
  });
}

/** The fields these tests read from either an answer or an error body. */
interface Answer {
  decision?: string;
  error: { code: string; message: string; reasons?: { code: string }[] };
}

async function http(path: string, init: { key: string; body?: unknown }) {
  const headers: Record<string, string> = { authorization: `Bearer ${init.key}` };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (path === BASE) headers["idempotency-key"] = randomUUID();
  const response = await fetch(`${server.url}${path}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

describe("a pharmacy suspended mid-day", () => {
  it("revokes its open approvals at once, refuses confirmation (409) and its API keys (403), e-mails it, and reinstatement revives nothing", async () => {
    const w = await world();
    const { key } = await createApiKey(w.pharmacy.actor, {
      name: "Counter system",
      password: w.pharmacy.password,
      code: await stepUpCode(w.pharmacy.actor.userId),
    });
    // One vial each: the three approvals for the patient fit her first course (5 vials).
    const open = await approve(w.pharmacy.caller, w.body({ quantity: 1 }));
    const used = await approve(w.pharmacy.caller, w.body({ quantity: 1 }));
    await confirmDispense(w.pharmacy.caller, used.id, { quantity: 1, lotNumber: "L1" });
    // Another pharmacy's approval for the same patient is not this pharmacy's business.
    const other = await pharmacyWithCaller();
    const elsewhere = await approve(other.caller, w.body({ quantity: 1 }));

    const transition = await decide(enrollmentIdOf(w.pharmacy), "SUSPEND", "Dispensed without authorization");
    expect(transition.to).toBe("SUSPENDED");
    expect(transition.revokedAuthorizations).toEqual([open.authorizationNumber]);

    const revoked = await stored(open.id);
    expect(revoked.status).toBe("REVOKED");
    expect(revoked.revokedAt).not.toBeNull();
    expect(revoked.revocationReason).toMatchObject({ code: "PHARMACY_NOT_CERTIFIED", stakeholder: "pharmacy" });
    expect((revoked.revocationReason as { message: string }).message).toMatch(/suspended.*Dispensed without/);
    const event = await db().enrollmentEvent.findFirstOrThrow({
      where: { enrollmentId: enrollmentIdOf(w.pharmacy), toStatus: "SUSPENDED" },
      select: { id: true },
    });
    expect(revoked.revocationCause).toMatchObject({ party: "pharmacy", status: "SUSPENDED", eventId: event.id });
    expect((await stored(used.id)).status).toBe("DISPENSED");
    expect((await stored(elsewhere.id)).status).toBe("APPROVED");

    const audit = await db().auditEvent.findFirst({
      where: { entityType: "DispenseAuthorization", entityId: open.id, action: "dispense.revoked" },
    });
    expect(audit).not.toBeNull();
    const mail = await db().mailMessage.findFirstOrThrow({
      where: { category: "dispense.revoked", entityId: w.pharmacy.pharmacy.id },
    });
    expect(mail.text).toContain(open.authorizationNumber ?? "missing");
    expect(mail.text).not.toContain(used.authorizationNumber ?? "missing");

    // The API: the key is genuine, so 403 (not 401) with a message that says why.
    const refused = await http(`${BASE}/${open.id}/dispense`, { key, body: { quantity: 1, lotNumber: "L2" } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("FORBIDDEN");
    expect(refused.body.error.message).toMatch(/suspended/);
    expect((await http(BASE, { key, body: w.body({ quantity: 1 }) })).status).toBe(403);

    // A signed-in pharmacist of the pharmacy is refused at confirmation with the reason code.
    const error = await appError(confirmDispense(w.pharmacy.caller, open.id, { quantity: 1, lotNumber: "L2" }));
    expect(error.code).toBe("AUTHORIZATION_REVOKED");
    expect(error.status).toBe(409);
    expect(error.details?.reasons).toMatchObject([{ code: "PHARMACY_NOT_CERTIFIED" }]);

    // The history and the API view show it as revoked, with the reason.
    const view = await getDispenseAuthorization(w.pharmacy.caller, open.id);
    expect(view.status).toBe("REVOKED");
    expect(view.revocationReason?.code).toBe("PHARMACY_NOT_CERTIFIED");
    const listed = await listDispenseAuthorizations(w.pharmacy.caller, { status: "REVOKED" });
    expect(listed.items.map((i) => i.id)).toEqual([open.id]);
    // No slip to print for it: a slip is what the pharmacy files as its authority to dispense.
    const slip = await appError(dispenseSlipPdf(w.pharmacy.actor, open.id));
    expect(slip.code).toBe("CONFLICT");
    expect(slip.message).toContain(`${open.authorizationNumber} was revoked`);

    // Reinstated: keys work again, the revoked authorization stays revoked, a new request is decided afresh.
    const back = await decide(enrollmentIdOf(w.pharmacy), "REINSTATE", "Corrective action completed");
    expect(back.to).toBe("CERTIFIED");
    expect((await stored(open.id)).status).toBe("REVOKED");
    const again = await http(`${BASE}/${open.id}/dispense`, { key, body: { quantity: 1, lotNumber: "L2" } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("AUTHORIZATION_REVOKED");
    expect(again.body.error.reasons).toMatchObject([{ code: "PHARMACY_NOT_CERTIFIED" }]);
    const fresh = await http(BASE, { key, body: w.body({ prescriptionId: open.prescriptionId, quantity: 1 }) });
    expect(fresh.status).toBe(200);
    expect(fresh.body.decision).toBe("APPROVED");
  });

  it("a decertified pharmacy's keys answer 403 too", async () => {
    const w = await world();
    const { key } = await createApiKey(w.pharmacy.actor, {
      name: "Counter system",
      password: w.pharmacy.password,
      code: await stepUpCode(w.pharmacy.actor.userId),
    });
    await decide(enrollmentIdOf(w.pharmacy), "DECERTIFY", "Repeated non-compliance");
    const answer = await http(`${BASE}?page=1`, { key });
    expect(answer.status).toBe(403);
    expect(answer.body.error.message).toMatch(/decertified/);
  });
});

describe("other parties losing their right to take part", () => {
  it("a suspended prescriber: approvals at every pharmacy are revoked, each pharmacy e-mailed once", async () => {
    const w = await world();
    const second = await pharmacyWithCaller();
    const a = await approve(w.pharmacy.caller, w.body({ quantity: 1 }));
    const b = await approve(second.caller, w.body({ quantity: 1 }));
    await decide(enrollmentIdOf(w.team.prescriber), "SUSPEND", "Licence under review");
    for (const id of [a.id, b.id]) {
      const row = await stored(id);
      expect(row.status).toBe("REVOKED");
      expect(row.revocationReason).toMatchObject({ code: "PRESCRIBER_SUSPENDED", stakeholder: "prescriber" });
    }
    for (const pharmacy of [w.pharmacy, second]) {
      const mails = await db().mailMessage.count({
        where: { category: "dispense.revoked", entityId: pharmacy.pharmacy.id },
      });
      expect(mails).toBe(1);
    }
  });

  it("a decertified healthcare setting: SETTING_NOT_CERTIFIED", async () => {
    const w = await world();
    const a = await approve(w.pharmacy.caller, w.body());
    await decide(enrollmentIdOf(w.team.setting), "DECERTIFY", "Setting closed");
    expect((await stored(a.id)).revocationReason).toMatchObject({ code: "SETTING_NOT_CERTIFIED" });
  });

  it("a disenrolled patient and a transferred patient", async () => {
    const w = await world();
    const prescriber = await prescriberActor(w.team.prescriber);
    const a = await approve(w.pharmacy.caller, w.body());
    await setPatientStatus(prescriber, {
      patientId: w.patient.id,
      status: "DISENROLLED",
      reasonCode: "treatment_stopped",
      reason: "",
    });
    const row = await stored(a.id);
    expect(row.status).toBe("REVOKED");
    expect(row.revocationReason).toMatchObject({ code: "PATIENT_NOT_ENROLLED", stakeholder: "patient" });

    const v = await world();
    const b = await approve(v.pharmacy.caller, v.body());
    const next = await createPrescriberEnrollment();
    await transferPatient(await prescriberActor(v.team.prescriber), {
      patientId: v.patient.id,
      toPrescriberNpi: next.prescriber.npi,
      reason: "Patient moved",
    });
    expect((await stored(b.id)).revocationReason).toMatchObject({ code: "PATIENT_NOT_WITH_PRESCRIBER" });
  });
});

describe("confirmation re-checks every party", () => {
  it("refuses with 409 and the reason code when a party's standing changed by any path, and records the revocation", async () => {
    const w = await world();
    const a = await approve(w.pharmacy.caller, w.body());
    // A change written without the lifecycle service (a data repair, say) is still caught at the counter.
    await db().enrollment.update({ where: { id: enrollmentIdOf(w.team.setting) }, data: { status: "SUSPENDED" } });
    const error = await appError(confirmDispense(w.pharmacy.caller, a.id, { quantity: 5, lotNumber: "L1" }));
    expect(error.code).toBe("AUTHORIZATION_REVOKED");
    expect(error.details?.reasons).toMatchObject([{ code: "SETTING_NOT_CERTIFIED" }]);
    const row = await stored(a.id);
    expect(row.status).toBe("REVOKED");
    expect(row.revocationCause).toMatchObject({ detectedAt: "confirmation" });
  });
});

describe("decisions racing a suspension", () => {
  it("leaves no approval standing for a pharmacy once its suspension has committed", async () => {
    const w = await world();
    const requests = Array.from({ length: 12 }, () =>
      requestDispenseAuthorization(w.pharmacy.caller, randomUUID(), w.body()).then(
        (o) => o.answer.decision,
        () => "error",
      ),
    );
    const suspension = decide(enrollmentIdOf(w.pharmacy), "SUSPEND", "Audit finding");
    const decisions = await Promise.all(requests);
    await suspension;
    expect(decisions).not.toContain("error");
    const standing = await db().dispenseAuthorization.count({
      where: { pharmacyId: w.pharmacy.pharmacy.id, status: "APPROVED" },
    });
    expect(standing).toBe(0);
    const approvedThenRevoked = await db().dispenseAuthorization.count({
      where: { pharmacyId: w.pharmacy.pharmacy.id, status: "REVOKED" },
    });
    expect(approvedThenRevoked).toBe(decisions.filter((d) => d === "APPROVED").length);
  });
});
