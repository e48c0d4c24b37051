/**
 * NCPDP SCRIPT REMS transactions over real HTTP: the route handler is served on a local port
 * (tests/setup/http-routes.ts) and sent the XML fixtures of tests/fixtures/ncpdp, against a real
 * database. Decisions come from the dispense gate, so every scenario is built from real rows.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as scriptRoute from "../../app/api/ncpdp/script/route";
import * as collectionRoute from "../../app/api/v1/dispense-authorizations/route";
import type { Actor } from "../../lib/auth/actor";
import { addDays, dayOf } from "../../lib/calendar";
import { db, disconnectDb } from "../../lib/db";
import { createApiKey } from "../../lib/dispensing/api-keys";
import { ZDispenseAnswer } from "../../lib/dispensing/schema";
import { env } from "../../lib/env";
import type { EnrollmentStatus } from "../../lib/generated/prisma/enums";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { gateIdempotencyKey } from "../../lib/interop/ncpdp/service";
import { parseScriptXml, SCRIPT_MAX_BYTES, type XmlNode } from "../../lib/interop/ncpdp/xml";
import { actorFor } from "../factories/applications";
import {
  createPharmacyEnrollment,
  createPrescriberEnrollment,
  createSettingEnrollment,
  ensureProgram,
} from "../factories/certified";
import { addResults, createPatient } from "../factories/clinical";
import { stepUpCode } from "../factories/users";
import { type ScriptFixture, scriptFixture } from "../fixtures/ncpdp/fixtures";
import { type ServedRoutes, serveRoutes } from "../setup/http-routes";

const PATH = "/api/ncpdp/script";
const NDC = "58468-0200-01";
const BASELINE = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];
const REGISTRY = env().NCPDP_REGISTRY_ID;

let server: ServedRoutes;

beforeAll(async () => {
  await ensureProgram();
  server = await serveRoutes({ [PATH]: scriptRoute, "/api/v1/dispense-authorizations": collectionRoute });
});

afterAll(async () => {
  await server.close();
  await disconnectDb();
});

// ---------------------------------------------------------------------------------------------
// Fixtures: a pharmacy with an API key, a care team and a patient, dated from today

function ago(days: number): string {
  return addDays(dayOf(new Date()), -days);
}

async function pharmacyWithKey(status: EnrollmentStatus = "CERTIFIED") {
  const pharmacy = await createPharmacyEnrollment({ status });
  const actor: Actor = {
    ...actorFor({ id: pharmacy.user.id, email: pharmacy.user.email, name: pharmacy.user.name, role: "PHARMACIST" }),
    pharmacyId: pharmacy.pharmacy.id,
  };
  const apiKey = await createApiKey(actor, {
    name: "Pharmacy system (NCPDP tests)",
    password: pharmacy.password,
    code: await stepUpCode(actor.userId),
  });
  return { ...pharmacy, key: apiKey.key };
}

type Pharmacy = Awaited<ReturnType<typeof pharmacyWithKey>>;

/** A certified prescriber and setting, their enrolled patient, baseline results 5 days old (unless told). */
async function patientCase(setup: { prescriberStatus?: EnrollmentStatus; baseline?: boolean } = {}) {
  const prescriber = await createPrescriberEnrollment({ status: setup.prescriberStatus ?? "CERTIFIED" });
  const setting = await createSettingEnrollment({ status: "CERTIFIED" });
  const { patient } = await createPatient({
    prescriberId: prescriber.prescriber.id,
    healthcareSettingId: setting.setting.id,
    enrolledOn: ago(20),
  });
  if (setup.baseline !== false) {
    await addResults(
      patient.id,
      BASELINE.map((testCode) => ({ testCode, collectedOn: ago(5) })),
    );
  }
  const settingRow = await db().healthcareSetting.findUniqueOrThrow({
    where: { id: setting.setting.id },
    select: { remsId: true },
  });
  return { prescriber, setting, patient, settingRemsId: settingRow.remsId };
}

type Case = Awaited<ReturnType<typeof patientCase>>;

function values(pharmacy: Pharmacy, c: Case, overrides: Record<string, string | number> = {}) {
  return {
    registryId: REGISTRY,
    pharmacyNcpdpId: pharmacy.pharmacy.ncpdpId,
    messageId: `MSG-${randomUUID()}`,
    prescriptionId: `RX-${randomUUID().slice(0, 12)}`,
    referenceId: `REF-${randomUUID().slice(0, 8)}`,
    patientRemsId: c.patient.remsId,
    firstName: c.patient.firstName,
    lastName: c.patient.lastName,
    birthDate: "1985-04-12",
    prescriberNpi: c.prescriber.prescriber.npi,
    settingId: c.settingRemsId,
    ndc: "58468020001",
    quantity: 5,
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP and reading answers

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  message: Record<string, XmlNode>;
}

async function post(body: string, options: { key?: string | null; contentType?: string } = {}): Promise<Answer> {
  const headers = new Headers({ "content-type": options.contentType ?? "application/xml" });
  if (options.key) headers.set("authorization", `Bearer ${options.key}`);
  const response = await fetch(`${server.url}${PATH}`, { method: "POST", headers, body });
  const text = await response.text();
  expect(response.headers.get("content-type")).toContain("application/xml");
  const parsed = parseScriptXml(text);
  return {
    status: response.status,
    headers: response.headers,
    text,
    message: parsed.Message as Record<string, XmlNode>,
  };
}

function send(fixture: ScriptFixture, pharmacy: Pharmacy, filled: Record<string, string | number>) {
  return post(scriptFixture(fixture, filled), { key: pharmacy.key });
}

function at(node: unknown, ...path: string[]): unknown {
  let current = node;
  for (const name of path) current = (current as Record<string, unknown> | undefined)?.[name];
  return current;
}

function list(node: unknown): unknown[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

function text(node: unknown): string | undefined {
  if (typeof node === "string") return node;
  const inner = (node as Record<string, unknown> | undefined)?.["#text"];
  return typeof inner === "string" ? inner : undefined;
}

/** The header correlates with the request: our id, theirs related, parties swapped. */
function expectCorrelated(answer: Answer, sent: { messageId: string; pharmacyNcpdpId: string }) {
  const header = at(answer.message, "Header");
  expect(text(at(header, "From"))).toBe(REGISTRY);
  expect(at(header, "From", "@_Qualifier")).toBe("ZZZ");
  expect(text(at(header, "To"))).toBe(sent.pharmacyNcpdpId);
  expect(at(header, "To", "@_Qualifier")).toBe("P");
  expect(at(header, "RelatesToMessageID")).toBe(sent.messageId);
  expect(at(header, "MessageID")).not.toBe(sent.messageId);
  expect(at(answer.message, "@_TransactionVersion")).toBe("20170715");
}

function errorOf(answer: Answer, status: number) {
  expect(answer.status, answer.text).toBe(status);
  const error = at(answer.message, "Body", "Error");
  expect(at(error, "Code")).toMatch(/^(900|601)$/);
  const description = at(error, "Description");
  expect(typeof description).toBe("string");
  return description as string;
}

function responseStatus(answer: Answer, transaction: "REMSResponse" | "REMSInitiationResponse") {
  expect(answer.status, answer.text).toBe(200);
  return at(answer.message, "Body", transaction, "Response", "ResponseStatus") as Record<string, unknown>;
}

let pharmacy: Pharmacy;

beforeAll(async () => {
  pharmacy = await pharmacyWithKey();
});

// ---------------------------------------------------------------------------------------------

describe("REMSRequest → REMSResponse (the dispense gate's decision)", () => {
  it("approves a compliant request: REMSCaseID, the DA- number and the authorization period", async () => {
    const c = await patientCase();
    const sent = values(pharmacy, c);
    const answer = await send("rems-request", pharmacy, sent);
    expectCorrelated(answer, sent);
    const approved = responseStatus(answer, "REMSResponse").Approved;
    expect(at(approved, "REMSCaseID")).toBe(c.patient.remsId);
    const number = at(approved, "REMSAuthorizationNumber") as string;
    expect(number).toMatch(/^DA-/);
    expect(at(approved, "AuthorizationPeriod", "EffectiveDate", "Date")).toBe(dayOf(new Date()));
    expect(at(approved, "AuthorizationPeriod", "ExpirationDate", "Date")).toBe(addDays(dayOf(new Date()), 7));
    // The echo lets the pharmacy file the answer.
    expect(at(answer.message, "Body", "REMSResponse", "REMSReferenceID")).toBe(sent.referenceId);

    // The gate stored it exactly as a JSON API request: same pharmacy, derived Idempotency-Key.
    const row = await db().dispenseAuthorization.findFirstOrThrow({
      where: { authorizationNumber: number },
      select: { pharmacyId: true, idempotencyKey: true, status: true, prescriptionId: true, patientRemsId: true },
    });
    expect(row).toMatchObject({
      pharmacyId: pharmacy.pharmacy.id,
      status: "APPROVED",
      prescriptionId: sent.prescriptionId,
      patientRemsId: c.patient.remsId,
      idempotencyKey: gateIdempotencyKey(`P:${pharmacy.pharmacy.ncpdpId}`, sent.messageId),
    });
  });

  it("denies with one DeniedReasonCode and one REMSNote per gate reason, in order", async () => {
    const c = await patientCase({ baseline: false });
    const stranger = await createPrescriberEnrollment({ status: "SUBMITTED" });
    const sent = values(pharmacy, c, { prescriberNpi: stranger.prescriber.npi });
    const answer = await send("rems-request", pharmacy, sent);
    const denied = responseStatus(answer, "REMSResponse").Denied;
    const codes = list(at(denied, "DeniedReasonCode"));
    const notes = list(at(denied, "REMSNote")) as string[];
    expect(codes.length).toBeGreaterThanOrEqual(3);
    expect(notes).toHaveLength(codes.length);
    const pairs = notes.map((note, i) => [codes[i], note.split(":")[0]]);
    expect(pairs).toEqual(
      expect.arrayContaining([
        ["ES", "PRESCRIBER_NOT_CERTIFIED"],
        ["EM", "PATIENT_NOT_WITH_PRESCRIBER"],
        ["EL", "BASELINE_LABS_MISSING"],
      ]),
    );
    expect(at(denied, "REMSCaseID")).toBe(c.patient.remsId);
    // The same decision the JSON API gives for the same state of the registry.
    const json = await fetch(`${server.url}/api/v1/dispense-authorizations`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${pharmacy.key}`,
        "content-type": "application/json",
        "idempotency-key": randomUUID(),
      },
      body: JSON.stringify({
        programCode: "LEMTRADA",
        prescriberNpi: stranger.prescriber.npi,
        patientRemsId: c.patient.remsId,
        healthcareSettingId: c.settingRemsId,
        ndc: NDC,
        quantity: 5,
        prescriptionId: `RX-${randomUUID().slice(0, 12)}`,
      }),
    });
    const decision = ZDispenseAnswer.parse(await json.json());
    expect(decision.decision).toBe("DENIED");
    expect(decision.decision === "DENIED" ? decision.reasons.map((r) => r.code) : []).toEqual(
      notes.map((n) => n.split(":")[0]),
    );
  });

  it("denies a prescriber whose application is pending review (ES)", async () => {
    const c = await patientCase({ prescriberStatus: "SUBMITTED" });
    const answer = await send("rems-request", pharmacy, values(pharmacy, c));
    const denied = responseStatus(answer, "REMSResponse").Denied;
    expect(list(at(denied, "DeniedReasonCode"))).toEqual(["ES"]);
    expect(list(at(denied, "REMSNote"))[0]).toMatch(/^PRESCRIBER_NOT_CERTIFIED: /);
  });

  it("closes a drug outside every REMS programme (ER) without creating an authorization", async () => {
    const c = await patientCase();
    const sent = values(pharmacy, c, { ndc: "00002-1433-80" });
    const answer = await send("rems-request", pharmacy, sent);
    const closed = responseStatus(answer, "REMSResponse").Closed;
    expect(at(closed, "ReasonCode")).toBe("ER");
    expect(at(closed, "REMSNote")).toContain("00002-1433-80");
    expect(await db().dispenseAuthorization.count({ where: { prescriptionId: sent.prescriptionId } })).toBe(0);
  });

  it("never authorizes on name and birth date alone, and asks for the REMS patient id", async () => {
    const c = await patientCase();
    const sent = values(pharmacy, c);
    const answer = await send("rems-request-name-dob", pharmacy, sent);
    const closed = responseStatus(answer, "REMSResponse").Closed;
    expect(at(closed, "ReasonCode")).toBe("EC");
    expect(at(closed, "REMSNote")).toMatch(/name and birth date is enrolled.*REMSPatientID/);
    expect(at(closed, "REMSNote")).not.toContain(c.patient.remsId);
    expect(await db().dispenseAuthorization.count({ where: { prescriptionId: sent.prescriptionId } })).toBe(0);
  });

  it("closes when the REMS patient id belongs to someone with another birth date", async () => {
    const c = await patientCase();
    const answer = await send("rems-request", pharmacy, values(pharmacy, c, { birthDate: "1990-01-01" }));
    const closed = responseStatus(answer, "REMSResponse").Closed;
    expect(at(closed, "ReasonCode")).toBe("EC");
    expect(at(closed, "REMSNote")).toContain("birth date");
  });

  it("hands a well-formed but unknown REMS patient id to the gate, which denies it (EM) as the JSON API does", async () => {
    const c = await patientCase();
    const answer = await send("rems-request", pharmacy, values(pharmacy, c, { patientRemsId: generateRemsId("PT") }));
    const denied = responseStatus(answer, "REMSResponse").Denied;
    expect(list(at(denied, "DeniedReasonCode"))).toContain("EM");
    expect(list(at(denied, "REMSNote")).some((n) => String(n).startsWith("PATIENT_NOT_ENROLLED: "))).toBe(true);
  });

  it("answers the same message sent twice at once with one authorization and one stored answer", async () => {
    const c = await patientCase();
    const sent = values(pharmacy, c);
    const [a, b] = await Promise.all([send("rems-request", pharmacy, sent), send("rems-request", pharmacy, sent)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const number = (x: Answer) => at(responseStatus(x, "REMSResponse").Approved, "REMSAuthorizationNumber");
    expect(number(a)).toMatch(/^DA-/);
    expect(number(b)).toBe(number(a));
    expect(await db().dispenseAuthorization.count({ where: { prescriptionId: sent.prescriptionId } })).toBe(1);
    expect(await db().ncpdpMessage.count({ where: { messageId: sent.messageId } })).toBe(1);
  });

  it("answers a field the gate refuses with an Error naming the SCRIPT element", async () => {
    const c = await patientCase();
    const description = errorOf(
      await send("rems-request", pharmacy, values(pharmacy, c, { prescriberNpi: "1234567890" })),
      422,
    );
    expect(description).toContain("Prescriber/NonVeterinarian/Identification/NPI");
  });
});

describe("REMSInitiationRequest → REMSInitiationResponse", () => {
  it("opens the case of an enrolled patient with the case id and a deadline", async () => {
    const c = await patientCase();
    const sent = values(pharmacy, c);
    const answer = await send("rems-initiation-request", pharmacy, sent);
    expectCorrelated(answer, sent);
    const open = responseStatus(answer, "REMSInitiationResponse").Open;
    expect(at(open, "REMSCaseID")).toBe(c.patient.remsId);
    expect(at(open, "DeadlineForReply", "Date")).toBe(addDays(dayOf(new Date()), 7));
  });

  it("closes for a patient who is not enrolled (EM), an unknown drug (ER) and name + birth date only (EC)", async () => {
    const disenrolled = await patientCase();
    await db().enrollment.updateMany({ where: { patientId: disenrolled.patient.id }, data: { status: "DISENROLLED" } });
    const notEnrolled = responseStatus(
      await send("rems-initiation-request", pharmacy, values(pharmacy, disenrolled)),
      "REMSInitiationResponse",
    ).Closed;
    expect(at(notEnrolled, "ReasonCode")).toBe("EM");

    const c = await patientCase();
    const unknownDrug = responseStatus(
      await send("rems-initiation-request", pharmacy, values(pharmacy, c, { ndc: "00002-1433-80" })),
      "REMSInitiationResponse",
    ).Closed;
    expect(at(unknownDrug, "ReasonCode")).toBe("ER");

    const nameOnly = responseStatus(
      await send("rems-initiation-name-dob", pharmacy, values(pharmacy, c)),
      "REMSInitiationResponse",
    ).Closed;
    expect(at(nameOnly, "ReasonCode")).toBe("EC");
    expect(at(nameOnly, "REMSNote")).toContain("REMSPatientID");
  });
});

describe("a pharmacy that is not certified learns nothing about the patient", () => {
  /** Its key was made while it was certified; its certification expired and it applied again. */
  async function applyingPharmacy() {
    const applying = await pharmacyWithKey();
    await db().enrollment.updateMany({ where: { pharmacyId: applying.pharmacy.id }, data: { status: "SUBMITTED" } });
    return applying;
  }
  const STANDING = /^PHARMACY_NOT_CERTIFIED: Your pharmacy's enrollment in the LEMTRADA REMS is awaiting review/;

  it("an initiation for an enrolled patient is Closed with EO only: not whether the patient is enrolled", async () => {
    const applying = await applyingPharmacy();
    const c = await patientCase();
    const answer = await send("rems-initiation-request", applying, values(applying, c));
    const closed = responseStatus(answer, "REMSInitiationResponse").Closed;
    expect(list(at(closed, "ReasonCode"))).toEqual(["EO"]);
    expect(list(at(closed, "REMSNote"))).toEqual([expect.stringMatching(STANDING)]);
    expect(answer.text).not.toMatch(/is enrolled|REMSCaseID|DeadlineForReply/);
  });

  it("a request is Denied with EO only, whether the id fits the patient's birth date or not; the gate records it", async () => {
    const applying = await applyingPharmacy();
    const c = await patientCase({ baseline: false });
    for (const birthDate of ["1985-04-12", "1990-01-01"]) {
      const sent = values(applying, c, { birthDate });
      const answer = await send("rems-request", applying, sent);
      const denied = responseStatus(answer, "REMSResponse").Denied;
      expect(list(at(denied, "DeniedReasonCode"))).toEqual(["EO"]);
      expect(list(at(denied, "REMSNote"))).toEqual([expect.stringMatching(STANDING)]);
      expect(at(denied, "REMSCaseID")).toBe(c.patient.remsId);
      expect(answer.text).not.toMatch(/birth date|BASELINE|baseline/);
      const row = await db().dispenseAuthorization.findFirstOrThrow({
        where: { prescriptionId: sent.prescriptionId },
        select: { decision: true, pharmacyId: true, patientId: true },
      });
      expect(row).toEqual({ decision: "DENIED", pharmacyId: applying.pharmacy.id, patientId: c.patient.id });
    }
  });

  it("a name and birth date alone get EO only: not whether such a patient is enrolled", async () => {
    const applying = await applyingPharmacy();
    const c = await patientCase();
    const sent = values(applying, c);
    const answer = await send("rems-request-name-dob", applying, sent);
    const closed = responseStatus(answer, "REMSResponse").Closed;
    expect(list(at(closed, "ReasonCode"))).toEqual(["EO"]);
    expect(answer.text).not.toMatch(/is enrolled|name and birth date/);
    expect(await db().dispenseAuthorization.count({ where: { prescriptionId: sent.prescriptionId } })).toBe(0);
  });
});

describe("RxFill → Status", () => {
  async function approvedAuthorization() {
    const c = await patientCase();
    const sent = values(pharmacy, c);
    const answer = await send("rems-request", pharmacy, sent);
    const number = at(responseStatus(answer, "REMSResponse").Approved, "REMSAuthorizationNumber") as string;
    return { c, sent, number };
  }

  it("records the dispense once; the same fill again (new MessageID) changes nothing", async () => {
    const { c, number } = await approvedAuthorization();
    const fill = (messageId: string) =>
      values(pharmacy, c, { messageId, authorizationNumber: number, lotNumber: "LOT-4471B", quantity: 5 });
    const first = await send("rx-fill", pharmacy, fill(`FILL-${randomUUID()}`));
    expect(first.status, first.text).toBe(200);
    expect(at(first.message, "Body", "Status", "Code")).toBe("010");
    const row = await db().dispenseAuthorization.findFirstOrThrow({
      where: { authorizationNumber: number },
      select: { status: true, dispensedQuantity: true, lotNumber: true, dispensedAt: true },
    });
    expect(row).toMatchObject({ status: "DISPENSED", dispensedQuantity: 5, lotNumber: "LOT-4471B" });

    const again = await send("rx-fill", pharmacy, fill(`FILL-${randomUUID()}`));
    expect(again.status, again.text).toBe(200);
    expect(at(again.message, "Body", "Status", "Description")).toContain("already recorded");
    const after = await db().dispenseAuthorization.findFirstOrThrow({
      where: { authorizationNumber: number },
      select: { dispensedAt: true },
    });
    expect(after.dispensedAt).toEqual(row.dispensedAt);
    expect(await db().auditEvent.count({ where: { action: "dispense.confirmed", entityId: await idOf(number) } })).toBe(
      1,
    );
  });

  it("refuses a fill that did not happen and a fill without the authorization number, recording nothing", async () => {
    const { c, number } = await approvedAuthorization();
    const notDispensed = scriptFixture(
      "rx-fill",
      values(pharmacy, c, { authorizationNumber: number, lotNumber: "LOT-1", quantity: 5 }),
    ).replace(/<Dispensed>[\s\S]*<\/Dispensed>/, "<NotDispensed/>");
    expect(errorOf(await post(notDispensed, { key: pharmacy.key }), 400)).toContain("NotDispensed");
    const withoutNumber = scriptFixture(
      "rx-fill",
      values(pharmacy, c, { authorizationNumber: number, lotNumber: "LOT-1", quantity: 5 }),
    ).replace(/<REMSAuthorizationNumber>.*<\/REMSAuthorizationNumber>/, "");
    expect(errorOf(await post(withoutNumber, { key: pharmacy.key }), 400)).toContain("REMSAuthorizationNumber");
    const row = await db().dispenseAuthorization.findFirstOrThrow({
      where: { authorizationNumber: number },
      select: { status: true },
    });
    expect(row.status).toBe("APPROVED");
  });

  it("refuses a different fill of a used authorization, and another pharmacy's number", async () => {
    const { c, number } = await approvedAuthorization();
    await send(
      "rx-fill",
      pharmacy,
      values(pharmacy, c, { authorizationNumber: number, lotNumber: "LOT-1", quantity: 5 }),
    );
    errorOf(
      await send(
        "rx-fill",
        pharmacy,
        values(pharmacy, c, { authorizationNumber: number, lotNumber: "LOT-2", quantity: 4 }),
      ),
      409,
    );
    const other = await pharmacyWithKey();
    errorOf(
      await send("rx-fill", other, values(other, c, { authorizationNumber: number, lotNumber: "LOT-1", quantity: 5 })),
      404,
    );
  });
});

async function idOf(number: string): Promise<string> {
  const row = await db().dispenseAuthorization.findFirstOrThrow({
    where: { authorizationNumber: number },
    select: { id: true },
  });
  return row.id;
}

describe("idempotency on MessageID", () => {
  it("replays the stored answer to a repeated message, and refuses the MessageID with another body", async () => {
    const c = await patientCase();
    const sent = values(pharmacy, c);
    const first = await send("rems-request", pharmacy, sent);
    const again = await send("rems-request", pharmacy, sent);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(first.text);
    expect(await db().dispenseAuthorization.count({ where: { prescriptionId: sent.prescriptionId } })).toBe(1);
    expect(
      await db().ncpdpMessage.count({ where: { pharmacyId: pharmacy.pharmacy.id, messageId: sent.messageId } }),
    ).toBe(1);

    const changed = await send("rems-request", pharmacy, { ...sent, quantity: 4 });
    expect(errorOf(changed, 409)).toContain("MessageID was already used");
    expect(await db().dispenseAuthorization.count({ where: { prescriptionId: sent.prescriptionId } })).toBe(1);
  });

  it("replays a repeated RxFill without recording twice", async () => {
    const c = await patientCase();
    const approved = await send("rems-request", pharmacy, values(pharmacy, c));
    const number = at(responseStatus(approved, "REMSResponse").Approved, "REMSAuthorizationNumber") as string;
    const fill = values(pharmacy, c, { authorizationNumber: number, lotNumber: "LOT-77", quantity: 5 });
    const first = await send("rx-fill", pharmacy, fill);
    const second = await send("rx-fill", pharmacy, fill);
    expect(second.text).toBe(first.text);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
  });
});

describe("refused messages: an Error document, never a 5xx", () => {
  function hostile(fixture: ScriptFixture) {
    return scriptFixture(fixture, {
      registryId: REGISTRY,
      pharmacyNcpdpId: pharmacy.pharmacy.ncpdpId,
      messageId: `MSG-${randomUUID()}`,
    });
  }

  it("refuses malformed XML", async () => {
    expect(errorOf(await post(hostile("malformed"), { key: pharmacy.key }), 400)).toContain("not well-formed");
  });

  it("refuses an external entity (XXE) before parsing", async () => {
    const answer = await post(hostile("xxe"), { key: pharmacy.key });
    expect(errorOf(answer, 400)).toContain("DOCTYPE");
    expect(answer.text).not.toContain("root:");
  });

  it("refuses a billion laughs before parsing", async () => {
    const answer = await post(hostile("billion-laughs"), { key: pharmacy.key });
    expect(errorOf(answer, 400)).toContain("DOCTYPE");
    expect(answer.text.length).toBeLessThan(4000);
  });

  it("refuses an oversized message with 413", async () => {
    const c = await patientCase();
    const big = scriptFixture("rems-request", values(pharmacy, c)).replace(
      "<DrugDescription>",
      `<DrugDescription>${"x".repeat(SCRIPT_MAX_BYTES)}`,
    );
    const answer = await post(big, { key: pharmacy.key });
    expect(errorOf(answer, 413)).toContain("larger than");
  });

  it("refuses an oversized message sent without a Content-Length, by counting", async () => {
    const chunk = new TextEncoder().encode(`<Message>${"y".repeat(16 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > SCRIPT_MAX_BYTES * 2) controller.close();
        else {
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        }
      },
    });
    const response = await fetch(`${server.url}${PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${pharmacy.key}`, "content-type": "application/xml" },
      body,
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("<Code>601</Code>");
  });

  it("names an unknown transaction and an unsupported one, correlated with their header", async () => {
    const unknown = await post(hostile("unknown-message"), { key: pharmacy.key });
    expect(errorOf(unknown, 400)).toContain("REMSRefillPlease is not a SCRIPT transaction");
    expect(at(unknown.message, "Header", "RelatesToMessageID")).toBeTruthy();
    expect(errorOf(await post(hostile("unsupported-newrx"), { key: pharmacy.key }), 400)).toContain(
      "NewRx is a SCRIPT transaction this registry does not answer",
    );
  });

  it("refuses a message sent as JSON (415), a From that is not the key's pharmacy (403) and a To that is not the registry (400)", async () => {
    const c = await patientCase();
    errorOf(
      await post(scriptFixture("rems-request", values(pharmacy, c)), {
        key: pharmacy.key,
        contentType: "application/json",
      }),
      415,
    );
    const spoofed = values(pharmacy, c, { pharmacyNcpdpId: "7654321" });
    const refused = await send("rems-request", pharmacy, spoofed);
    errorOf(refused, 403);
    expect(text(at(refused.message, "Header", "To"))).toBe(pharmacy.pharmacy.ncpdpId);
    expect(at(refused.message, "Header", "RelatesToMessageID")).toBe(spoofed.messageId);
    const misaddressed = await send("rems-request", pharmacy, values(pharmacy, c, { registryId: "SOMEONEELSE" }));
    expect(errorOf(misaddressed, 400)).toContain(`this registry's NCPDP identifier is ${REGISTRY}`);
  });
});

describe("authentication", () => {
  it("is 401 without a key and with a bad key, with WWW-Authenticate", async () => {
    const c = await patientCase();
    const body = scriptFixture("rems-request", values(pharmacy, c));
    const none = await post(body, { key: null });
    errorOf(none, 401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    errorOf(await post(body, { key: "rg_not-a-real-key" }), 401);
  });

  it("refuses a suspended pharmacy's key with 403", async () => {
    const suspended = await pharmacyWithKey();
    await db().enrollment.updateMany({ where: { pharmacyId: suspended.pharmacy.id }, data: { status: "SUSPENDED" } });
    const c = await patientCase();
    errorOf(await send("rems-request", suspended, values(suspended, c)), 403);
  });
});
