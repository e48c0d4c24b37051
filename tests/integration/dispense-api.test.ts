/**
 * The dispense-authorization API over real HTTP: the route handlers are served on a local port
 * (tests/setup/http-routes.ts) and called with fetch, against a real database. The clock is the real
 * one, so clinical histories are dated relative to today; expiry is reached by moving a stored
 * authorization's expiry into the past.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import * as itemRoute from "../../app/api/v1/dispense-authorizations/[id]/route";
import * as dispenseRoute from "../../app/api/v1/dispense-authorizations/[id]/dispense/route";
import * as reverseRoute from "../../app/api/v1/dispense-authorizations/[id]/reverse/route";
import * as collectionRoute from "../../app/api/v1/dispense-authorizations/route";
import * as openapiRoute from "../../app/api/v1/openapi.json/route";
import type { Actor } from "../../lib/auth/actor";
import { addDays, dayOf } from "../../lib/calendar";
import { db, disconnectDb } from "../../lib/db";
import { API_MAX_BODY_BYTES } from "../../lib/http/body";
import { createApiKey, revokeApiKey } from "../../lib/dispensing/api-keys";
import { stepUpCode } from "../factories/users";
import {
  type TDispenseAnswer,
  type TDispenseAuthorizationView,
  ZDispenseAnswer,
  ZDispenseAuthorizationPage,
  ZDispenseAuthorizationView,
} from "../../lib/dispensing/schema";
import { env, resetEnvCache } from "../../lib/env";
import { ERROR_STATUS } from "../../lib/errors";
import type { EnrollmentStatus } from "../../lib/generated/prisma/enums";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { DENIAL_REASON_CODES, type TDenialReasonCode } from "../../lib/programs/schema";
import { actorFor } from "../factories/applications";
import {
  createPharmacyEnrollment,
  createPrescriberEnrollment,
  createSettingEnrollment,
  ensureProgram,
  uniqueNpi,
} from "../factories/certified";
import { addInfusions, addResults, addStatusForm, createPatient } from "../factories/clinical";
import { createDispenseAuthorization } from "../factories/dispense";
import { type ServedRoutes, serveRoutes } from "../setup/http-routes";

const BASE = "/api/v1/dispense-authorizations";
const NDC = "58468-0200-01";
const BASELINE = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];

/** Every error the API sends has exactly this shape. */
const ZErrorBody = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS]),
    message: z.string().min(1),
    fields: z.record(z.string(), z.array(z.string())).optional(),
  }),
});

let server: ServedRoutes;

beforeAll(async () => {
  await ensureProgram();
  server = await serveRoutes({
    [BASE]: collectionRoute,
    [`${BASE}/[id]`]: itemRoute,
    [`${BASE}/[id]/dispense`]: dispenseRoute,
    [`${BASE}/[id]/reverse`]: reverseRoute,
    "/api/v1/openapi.json": openapiRoute,
  });
});

afterAll(async () => {
  await server.close();
  await disconnectDb();
});

// ---------------------------------------------------------------------------------------------
// HTTP

interface CallOptions {
  method?: "GET" | "POST";
  /** The API key (sent as Bearer); omit for no Authorization header. */
  key?: string;
  /** Sent as JSON (unless `rawBody` is given). */
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  /** POST to the collection sends a fresh one unless this is given (null: none). */
  idempotencyKey?: string | null;
  headers?: Record<string, string>;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(path: string, options: CallOptions = {}): Promise<Answer> {
  const method = options.method ?? (options.body !== undefined || options.rawBody !== undefined ? "POST" : "GET");
  const headers = new Headers(options.headers);
  if (options.key !== undefined) headers.set("authorization", `Bearer ${options.key}`);
  let body: string | undefined;
  if (options.rawBody !== undefined || options.body !== undefined) {
    body = options.rawBody ?? JSON.stringify(options.body);
    headers.set("content-type", options.contentType ?? "application/json");
  }
  if (method === "POST" && path === BASE) {
    const key = options.idempotencyKey === undefined ? randomUUID() : options.idempotencyKey;
    if (key !== null) headers.set("idempotency-key", key);
  }
  const response = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : null };
}

/** A 200 answer to POST, checked against the documented schema. */
function decisionOf(answer: Answer): TDispenseAnswer {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return ZDispenseAnswer.parse(answer.body);
}

function viewOf(answer: Answer): TDispenseAuthorizationView {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return ZDispenseAuthorizationView.parse(answer.body);
}

/** An error answer: the status, the documented shape, the code and the request id. */
function errorOf(answer: Answer, status: number, code: keyof typeof ERROR_STATUS) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get("content-type")).toContain("application/json");
  expect(answer.headers.get("x-request-id")).toBeTruthy();
  expect(answer.headers.get("cache-control")).toBe("no-store");
  const parsed = ZErrorBody.parse(answer.body);
  expect(parsed.error.code).toBe(code);
  return parsed.error;
}

function reasonCodes(answer: TDispenseAnswer): TDenialReasonCode[] {
  return answer.decision === "DENIED" ? answer.reasons.map((r) => r.code) : [];
}

// ---------------------------------------------------------------------------------------------
// Fixtures: pharmacies with API keys, care teams, patients with histories dated from today

function today(): string {
  return dayOf(new Date());
}

function ago(days: number): string {
  return addDays(today(), -days);
}

type PharmacyFixture = Awaited<ReturnType<typeof createPharmacyEnrollment>>;

/** The pharmacy's representative (the account that applied for its certification) as an actor. */
function representative(pharmacy: PharmacyFixture): Actor {
  return {
    ...actorFor({ id: pharmacy.user.id, email: pharmacy.user.email, name: pharmacy.user.name, role: "PHARMACIST" }),
    pharmacyId: pharmacy.pharmacy.id,
  };
}

/**
 * A pharmacy (certified unless told otherwise) and a fresh API key for it. Keys are created while a
 * pharmacy is certified; in another status, the pharmacy moved there after its key was made (a
 * certification that expired, then a new application awaiting review): its key outlives the change.
 */
async function pharmacyWithKey(status: EnrollmentStatus = "CERTIFIED") {
  const pharmacy = await createPharmacyEnrollment();
  const actor = representative(pharmacy);
  const apiKey = await createApiKey(actor, {
    name: "Pharmacy system (tests)",
    password: pharmacy.password,
    code: await stepUpCode(actor.userId),
  });
  if (status !== "CERTIFIED") {
    await db().enrollment.updateMany({ where: { pharmacyId: pharmacy.pharmacy.id }, data: { status } });
  }
  return { ...pharmacy, actor, apiKey, key: apiKey.key };
}

interface PatientSetup {
  prescriberStatus?: EnrollmentStatus;
  settingStatus?: EnrollmentStatus;
  /** Baseline results on this many days ago (default 5); null for none. */
  baselineDaysAgo?: number | null;
  enrolledOn?: string;
}

/** A certified prescriber and setting, and a patient enrolled with both (baseline results 5 days old). */
async function patientCase(setup: PatientSetup = {}) {
  const prescriber = await createPrescriberEnrollment({ status: setup.prescriberStatus ?? "CERTIFIED" });
  const setting = await createSettingEnrollment({ status: setup.settingStatus ?? "CERTIFIED" });
  const { patient } = await createPatient({
    prescriberId: prescriber.prescriber.id,
    healthcareSettingId: setting.setting.id,
    enrolledOn: setup.enrolledOn,
  });
  const baselineDaysAgo = setup.baselineDaysAgo === undefined ? 5 : setup.baselineDaysAgo;
  if (baselineDaysAgo !== null) {
    await addResults(
      patient.id,
      BASELINE.map((testCode) => ({ testCode, collectedOn: ago(baselineDaysAgo) })),
    );
  }
  const request = (overrides: Record<string, unknown> = {}) => ({
    programCode: "LEMTRADA",
    prescriberNpi: prescriber.prescriber.npi,
    patientRemsId: patient.remsId,
    healthcareSettingId: setting.setting.npi ?? "",
    ndc: NDC,
    quantity: 5,
    prescriptionId: `RX-${randomUUID()}`,
    ...overrides,
  });
  return { prescriber, setting, patient, request };
}

/**
 * A patient who completed a first course about 13 months ago (five days), with status forms and
 * recent results: a second course (3 vials) is due. Overrides change one part of the history.
 */
async function treatedPatientCase(
  history: { firstDoseDaysAgo?: number; statusFormsDaysAgo?: number[]; results?: Record<string, number> } = {},
) {
  const base = await patientCase({ enrolledOn: ago(440), baselineDaysAgo: null });
  const firstDose = history.firstDoseDaysAgo ?? 406;
  await addInfusions(
    base.patient.id,
    base.setting.setting.id,
    base.setting.user.id,
    [0, 1, 2, 3, 4].map((i) => ({ infusedOn: ago(firstDose - i), courseNumber: 1, dayInCourse: i + 1 })),
  );
  for (const daysAgo of history.statusFormsDaysAgo ?? [287, 106]) {
    await addStatusForm(base.patient.id, base.prescriber.user.id, ago(daysAgo));
  }
  const resultAges = { ...Object.fromEntries(BASELINE.map((code) => [code, 14])), ...history.results };
  await addResults(
    base.patient.id,
    Object.entries(resultAges).map(([testCode, daysAgo]) => ({ testCode, collectedOn: ago(daysAgo) })),
  );
  return { ...base, request: (overrides: Record<string, unknown> = {}) => base.request({ quantity: 3, ...overrides }) };
}

let pharmacyA: Awaited<ReturnType<typeof pharmacyWithKey>>;
let pharmacyB: Awaited<ReturnType<typeof pharmacyWithKey>>;

beforeAll(async () => {
  pharmacyA = await pharmacyWithKey();
  pharmacyB = await pharmacyWithKey();
});

async function approved(key: string, body: Record<string, unknown>) {
  const answer = decisionOf(await call(BASE, { key, body }));
  if (answer.decision !== "APPROVED") throw new Error(`expected an approval: ${JSON.stringify(answer)}`);
  return answer;
}

/** Each reason code, produced by real rows and answered over HTTP (the Record keeps the list complete). */
const REASON_CASES: Record<TDenialReasonCode, () => Promise<{ key: string; body: Record<string, unknown> }>> = {
  PHARMACY_NOT_CERTIFIED: async () => {
    const uncertified = await pharmacyWithKey("SUBMITTED");
    return { key: uncertified.key, body: (await patientCase()).request() };
  },
  PRESCRIBER_NOT_CERTIFIED: async () => ({
    key: pharmacyA.key,
    body: (await patientCase()).request({ prescriberNpi: uniqueNpi() }),
  }),
  PRESCRIBER_SUSPENDED: async () => ({
    key: pharmacyA.key,
    body: (await patientCase({ prescriberStatus: "SUSPENDED" })).request(),
  }),
  PATIENT_NOT_ENROLLED: async () => ({
    key: pharmacyA.key,
    body: (await patientCase()).request({ patientRemsId: generateRemsId("PT") }),
  }),
  PATIENT_NOT_WITH_PRESCRIBER: async () => {
    const other = await createPrescriberEnrollment();
    return { key: pharmacyA.key, body: (await patientCase()).request({ prescriberNpi: other.prescriber.npi }) };
  },
  SETTING_NOT_CERTIFIED: async () => ({
    key: pharmacyA.key,
    body: (await patientCase({ settingStatus: "SUBMITTED" })).request(),
  }),
  PATIENT_NOT_AT_SETTING: async () => {
    const other = await createSettingEnrollment();
    return { key: pharmacyA.key, body: (await patientCase()).request({ healthcareSettingId: other.setting.npi }) };
  },
  BASELINE_LABS_MISSING: async () => ({
    key: pharmacyA.key,
    body: (await patientCase({ baselineDaysAgo: null })).request(),
  }),
  BASELINE_LABS_STALE: async () => {
    // The blood count is 31 days old, one day past the 30-day window; the rest are recent.
    const { patient, request } = await patientCase({ baselineDaysAgo: null });
    await addResults(
      patient.id,
      BASELINE.map((testCode) => ({ testCode, collectedOn: ago(testCode === "CBC_DIFF" ? 31 : 14) })),
    );
    return { key: pharmacyA.key, body: request() };
  },
  MONITORING_OVERDUE: async () => ({
    key: pharmacyA.key,
    // The blood count is two and a half months old: overdue, and too old as a baseline for course 2.
    body: (await treatedPatientCase({ results: { CBC_DIFF: 75 } })).request(),
  }),
  STATUS_FORM_OVERDUE: async () => ({
    key: pharmacyA.key,
    body: (await treatedPatientCase({ statusFormsDaysAgo: [257] })).request(),
  }),
  COURSE_INTERVAL_TOO_SHORT: async () => ({
    key: pharmacyA.key,
    body: (await treatedPatientCase({ firstDoseDaysAgo: 287, statusFormsDaysAgo: [106] })).request(),
  }),
  QUANTITY_EXCEEDS_COURSE: async () => ({ key: pharmacyA.key, body: (await patientCase()).request({ quantity: 6 }) }),
  NDC_NOT_IN_PROGRAM: async () => ({
    key: pharmacyA.key,
    body: (await patientCase()).request({ ndc: "12345-6789-01" }),
  }),
  PROGRAM_UNKNOWN: async () => ({ key: pharmacyA.key, body: (await patientCase()).request({ programCode: "NOPE" }) }),
  DUPLICATE_REQUEST: async () => {
    const { request } = await patientCase();
    const body = request();
    await approved(pharmacyA.key, body);
    return { key: pharmacyA.key, body };
  },
};

/** The reasons each case must produce, exactly (some histories necessarily produce two). */
const EXPECTED: Partial<Record<TDenialReasonCode, TDenialReasonCode[]>> = {
  MONITORING_OVERDUE: ["BASELINE_LABS_STALE", "MONITORING_OVERDUE"],
};

// ---------------------------------------------------------------------------------------------

describe("POST /api/v1/dispense-authorizations: decisions", () => {
  it("approves a compliant patient's first course: number, expiry, Location, headers, stored row", async () => {
    const { request, setting } = await patientCase();
    const stored = await db().healthcareSetting.findUniqueOrThrow({
      where: { id: setting.setting.id },
      select: { remsId: true },
    });
    const body = request({ healthcareSettingId: stored.remsId });
    const response = await call(BASE, { key: pharmacyA.key, body });
    const answer = decisionOf(response);
    if (answer.decision !== "APPROVED") throw new Error(`expected an approval: ${JSON.stringify(answer)}`);
    expect(answer.authorizationNumber).toMatch(/^DA-/);
    expect(answer.warnings).toEqual([]);
    expect(answer.enforcementDiscretion).toBeUndefined();
    // Valid through the last of 7 days after today (UTC).
    expect(answer.expiresAt).toBe(`${addDays(today(), 7)}T23:59:59.999Z`);

    expect(response.headers.get("location")).toBe(`${BASE}/${answer.id}`);
    expect(response.headers.get("idempotent-replayed")).toBeNull();
    expect(response.headers.get("x-request-id")).toBeTruthy();
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(Number(response.headers.get("ratelimit-limit"))).toBeGreaterThan(0);
    expect(response.headers.get("ratelimit-remaining")).toMatch(/^\d+$/);

    const view = viewOf(await call(response.headers.get("location") ?? "", { key: pharmacyA.key }));
    expect(view).toMatchObject({
      id: answer.id,
      decision: "APPROVED",
      status: "APPROVED",
      authorizationNumber: answer.authorizationNumber,
      programCode: "LEMTRADA",
      prescriptionId: body.prescriptionId,
      prescriberNpi: body.prescriberNpi,
      patientRemsId: body.patientRemsId,
      healthcareSettingId: stored.remsId,
      ndc: NDC,
      quantity: 5,
      reasons: [],
      duplicateOfId: null,
      expiresAt: answer.expiresAt,
      dispensedAt: null,
    });

    const row = await db().dispenseAuthorization.findFirstOrThrow({
      where: { id: answer.id },
      select: { pharmacyId: true, apiKeyId: true, requestedByUserId: true, requestId: true, facts: true },
    });
    expect(row.pharmacyId).toBe(pharmacyA.pharmacy.id);
    expect(row.apiKeyId).toBe(pharmacyA.apiKey.id);
    expect(row.requestedByUserId).toBeNull();
    expect(row.requestId).toBe(response.headers.get("x-request-id"));
    expect(row.facts).toMatchObject({ programCode: "LEMTRADA", quantity: 5, duplicate: null });
  });

  it("has a case for every reason code", () => {
    expect(Object.keys(REASON_CASES).sort()).toEqual([...DENIAL_REASON_CODES].sort());
  });

  it.each(DENIAL_REASON_CODES.map((code) => [code]))("denies with %s", async (code) => {
    const { key, body } = await REASON_CASES[code]();
    const answer = decisionOf(await call(BASE, { key, body }));
    expect(answer.decision).toBe("DENIED");
    expect(reasonCodes(answer)).toEqual(EXPECTED[code] ?? [code]);
    const reason = answer.decision === "DENIED" ? answer.reasons.find((r) => r.code === code) : undefined;
    expect(reason?.message.length).toBeGreaterThan(10);
    // The stored view says the same.
    const view = viewOf(await call(`${BASE}/${answer.id}`, { key }));
    expect(view).toMatchObject({ decision: "DENIED", status: "DENIED", authorizationNumber: null, expiresAt: null });
    expect(view.reasons.map((r) => r.code)).toEqual(reasonCodes(answer));
  });

  it("DUPLICATE_REQUEST names the unused authorization by its number, never its internal id", async () => {
    const { request } = await patientCase();
    // Two vials: another pharmacy's approval for the same prescription number fits the course too.
    const body = request({ quantity: 2 });
    const first = await approved(pharmacyA.key, body);
    const second = decisionOf(await call(BASE, { key: pharmacyA.key, body }));
    expect(reasonCodes(second)).toEqual(["DUPLICATE_REQUEST"]);
    if (second.decision !== "DENIED") throw new Error("expected a denial");
    expect(second.reasons[0]?.message).toContain(first.authorizationNumber);
    expect(second.reasons[0]?.message).not.toContain(first.id);
    expect(second).toMatchObject({ duplicateOfId: first.id, duplicateOfNumber: first.authorizationNumber });
    const view = viewOf(await call(`${BASE}/${second.id}`, { key: pharmacyA.key }));
    expect(view).toMatchObject({ duplicateOfId: first.id, duplicateOfNumber: first.authorizationNumber });
    expect(view.reasons[0]?.message).toContain(first.authorizationNumber);
    const listed = ZDispenseAuthorizationPage.parse(
      (await call(`${BASE}?prescriptionId=${encodeURIComponent(String(body.prescriptionId))}`, { key: pharmacyA.key }))
        .body,
    );
    expect(listed.items.find((i) => i.id === second.id)?.duplicateOfNumber).toBe(first.authorizationNumber);
    // A replay of the denied request still names the number.
    const stored = await db().dispenseAuthorization.findFirstOrThrow({
      where: { id: second.id },
      select: { idempotencyKey: true },
    });
    const replay = decisionOf(await call(BASE, { key: pharmacyA.key, body, idempotencyKey: stored.idempotencyKey }));
    expect(replay).toMatchObject({ id: second.id, duplicateOfNumber: first.authorizationNumber });
    // Another pharmacy's authorization for the same prescription number is not a duplicate.
    expect((await approved(pharmacyB.key, body)).decision).toBe("APPROVED");
  });
});

describe("POST /api/v1/dispense-authorizations: a pharmacy that is not certified learns nothing about the patient", () => {
  /** Words only the patient's, prescriber's or setting's reasons and facts use. */
  const PATIENT_WORDS =
    /prescriber|patient is|patient's|monitoring|baseline|course|status form|healthcare setting|vial|enrolled with/i;

  /** A patient with almost everything wrong: monitoring overdue, a status form missing, another prescriber's. */
  async function troubledRequest() {
    const c = await treatedPatientCase({ results: { CBC_DIFF: 75 }, statusFormsDaysAgo: [257] });
    const other = await createPrescriberEnrollment();
    return { ...c, body: c.request({ prescriberNpi: other.prescriber.npi, quantity: 5 }) };
  }

  it.each(["SUBMITTED", "EXPIRED"] as const)(
    "%s: the pharmacy's request is denied with its own standing only: answer, stored view, list, replay",
    async (status) => {
      const applying = await pharmacyWithKey(status);
      const { body, patient } = await troubledRequest();
      const idempotencyKey = randomUUID();
      const response = await call(BASE, { key: applying.key, body, idempotencyKey });
      const answer = decisionOf(response);
      expect(answer).toEqual({
        id: expect.any(String),
        decision: "DENIED",
        reasons: [
          {
            code: "PHARMACY_NOT_CERTIFIED",
            stakeholder: "pharmacy",
            actor: "pharmacy",
            message:
              status === "SUBMITTED"
                ? "Your pharmacy's enrollment in the LEMTRADA REMS is awaiting review by the REMS administrator — your pharmacy can dispense once it is approved."
                : "Your pharmacy's certification in the LEMTRADA REMS has expired — your authorized representative must enroll it again to recertify.",
          },
        ],
        warnings: [],
      });
      expect(JSON.stringify(response.body)).not.toMatch(PATIENT_WORDS);

      const view = viewOf(await call(`${BASE}/${answer.id}`, { key: applying.key }));
      expect(view.reasons.map((r) => r.code)).toEqual(["PHARMACY_NOT_CERTIFIED"]);
      expect(view.warnings).toEqual([]);
      const listed = ZDispenseAuthorizationPage.parse(
        (await call(`${BASE}?patientRemsId=${patient.remsId}`, { key: applying.key })).body,
      );
      expect(listed.items.map((i) => i.reasons.map((r) => r.code))).toEqual([["PHARMACY_NOT_CERTIFIED"]]);
      const replay = await call(BASE, { key: applying.key, body, idempotencyKey });
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect(decisionOf(replay)).toEqual(answer);

      // The registry keeps what it found, for the REMS administrator: the full facts, and the
      // reasons withheld from the pharmacy in the audit trail.
      const row = await db().dispenseAuthorization.findFirstOrThrow({
        where: { id: answer.id },
        select: { facts: true, patientId: true },
      });
      expect(row.patientId).toBe(patient.id);
      expect(row.facts).toMatchObject({ patient: { id: patient.id, enrollmentStatus: "ENROLLED" } });
      const audit = await db().auditEvent.findFirstOrThrow({
        where: { entityType: "DispenseAuthorization", entityId: answer.id },
        select: { action: true, after: true },
      });
      expect(audit.action).toBe("dispense.denied");
      expect(audit.after).toMatchObject({
        reasons: ["PHARMACY_NOT_CERTIFIED"],
        withheldReasons: expect.arrayContaining(["PATIENT_NOT_WITH_PRESCRIBER", "MONITORING_OVERDUE"]),
      });
    },
  );

  it("answers the same for an enrolled patient as for a REMS ID nobody has: no way to probe ids", async () => {
    const applying = await pharmacyWithKey("SUBMITTED");
    const { body } = await troubledRequest();
    const known = decisionOf(await call(BASE, { key: applying.key, body }));
    const unknown = decisionOf(
      await call(BASE, {
        key: applying.key,
        body: { ...body, patientRemsId: generateRemsId("PT"), prescriptionId: `RX-${randomUUID()}` },
      }),
    );
    const { id: _known, ...knownAnswer } = known;
    const { id: _unknown, ...unknownAnswer } = unknown;
    expect(unknownAnswer).toEqual(knownAnswer);
  });

  it("a certified pharmacy asking the same still gets every reason", async () => {
    const { body } = await troubledRequest();
    const answer = decisionOf(await call(BASE, { key: pharmacyA.key, body }));
    expect(reasonCodes(answer)).toEqual(
      expect.arrayContaining(["PATIENT_NOT_WITH_PRESCRIBER", "MONITORING_OVERDUE", "STATUS_FORM_OVERDUE"]),
    );
    expect(reasonCodes(answer)).not.toContain("PHARMACY_NOT_CERTIFIED");
  });
});

/** The id with one character of its body changed: what a slip of the finger makes of it. */
function typoOf(id: string): string {
  const at = 3;
  const replacement = id.charAt(at) === "7" ? "8" : "7";
  return `${id.slice(0, at)}${replacement}${id.slice(at + 1)}`;
}

/** An NPI with its last (check) digit changed. */
function npiTypo(npi: string): string {
  return `${npi.slice(0, 9)}${(Number(npi.charAt(9)) + 1) % 10}`;
}

const TYPO = "The check character does not match — probably a typo";

async function storedFor(prescriptionId: unknown): Promise<number> {
  return db().dispenseAuthorization.count({ where: { prescriptionId: String(prescriptionId) } });
}

describe("POST /api/v1/dispense-authorizations: identifiers are checked as identifiers", () => {
  it("a one-character typo of an enrolled patient's REMS ID is a 422 field error, and nothing is stored", async () => {
    const { request, patient } = await patientCase();
    const body = request({ patientRemsId: typoOf(patient.remsId) });
    const error = errorOf(await call(BASE, { key: pharmacyA.key, body }), 422, "VALIDATION");
    expect(error.fields).toEqual({ patientRemsId: [TYPO] });
    expect(await storedFor(body.prescriptionId)).toBe(0);
    // The same id typed the way people type it (lower case, spaces, O for 0) is the patient.
    const typed = patient.remsId.toLowerCase().replace(/-/g, " ").replace(/0/g, "o");
    expect((await approved(pharmacyA.key, request({ patientRemsId: typed }))).decision).toBe("APPROVED");
  });

  it("a typo in the prescriber's NPI or in any form of the setting's id is a 422 field error", async () => {
    const { request, prescriber, setting } = await patientCase();
    const remsId = (
      await db().healthcareSetting.findUniqueOrThrow({ where: { id: setting.setting.id }, select: { remsId: true } })
    ).remsId;
    const certificationNumber = setting.enrollment?.certificationNumber ?? "";
    const cases: [Record<string, unknown>, string][] = [
      [{ prescriberNpi: npiTypo(prescriber.prescriber.npi) }, "prescriberNpi"],
      [{ healthcareSettingId: typoOf(remsId) }, "healthcareSettingId"],
      [{ healthcareSettingId: typoOf(certificationNumber) }, "healthcareSettingId"],
      [{ healthcareSettingId: npiTypo(setting.setting.npi ?? "") }, "healthcareSettingId"],
    ];
    for (const [overrides, field] of cases) {
      const body = request(overrides);
      const error = errorOf(await call(BASE, { key: pharmacyA.key, body }), 422, "VALIDATION");
      expect(error.fields, JSON.stringify(overrides)).toEqual({ [field]: [TYPO] });
      expect(await storedFor(body.prescriptionId)).toBe(0);
    }
    // Not an id of any kind the setting can be named by: said so, on the field.
    const wrongKind = errorOf(
      await call(BASE, { key: pharmacyA.key, body: request({ healthcareSettingId: generateRemsId("PT") }) }),
      422,
      "VALIDATION",
    );
    expect(wrongKind.fields?.healthcareSettingId?.[0]).toMatch(/HS-.*HC-.*NPI/);
  });

  it("a well-formed id that matches no one is a denial that tells the pharmacy to check the id", async () => {
    const { request } = await patientCase();
    const patient = decisionOf(
      await call(BASE, { key: pharmacyA.key, body: request({ patientRemsId: generateRemsId("PT") }) }),
    );
    if (patient.decision !== "DENIED") throw new Error("expected a denial");
    expect(patient.reasons).toEqual([
      {
        code: "PATIENT_NOT_ENROLLED",
        stakeholder: "patient",
        actor: "pharmacy",
        message: "No patient with this REMS ID is enrolled in the LEMTRADA REMS — check the ID on the prescription.",
      },
    ]);
    const prescriber = decisionOf(
      await call(BASE, { key: pharmacyA.key, body: request({ prescriberNpi: uniqueNpi() }) }),
    );
    expect(prescriber.decision === "DENIED" && prescriber.reasons).toEqual([
      expect.objectContaining({
        code: "PRESCRIBER_NOT_CERTIFIED",
        actor: "pharmacy",
        message: expect.stringMatching(/check the NPI/),
      }),
    ]);
    const setting = decisionOf(
      await call(BASE, { key: pharmacyA.key, body: request({ healthcareSettingId: generateRemsId("HC") }) }),
    );
    expect(setting.decision === "DENIED" && setting.reasons).toEqual([
      expect.objectContaining({
        code: "SETTING_NOT_CERTIFIED",
        actor: "pharmacy",
        message: expect.stringMatching(/check the setting's ID/),
      }),
    ]);
  });

  it("names the setting by its certification number (HC-…), its NPI or its REMS ID", async () => {
    const { request, setting } = await patientCase();
    const certificationNumber = setting.enrollment?.certificationNumber ?? "";
    expect(certificationNumber).toMatch(/^HC-/);
    // Two vials each: both approvals fit the patient's first course (5 vials).
    const byNumber = await approved(
      pharmacyA.key,
      request({ healthcareSettingId: certificationNumber.toLowerCase(), quantity: 2 }),
    );
    const view = viewOf(await call(`${BASE}/${byNumber.id}`, { key: pharmacyA.key }));
    expect(view.healthcareSettingId).toBe(certificationNumber);
    const npi = setting.setting.npi ?? "";
    const byNpi = await approved(
      pharmacyA.key,
      request({ healthcareSettingId: `${npi.slice(0, 5)} ${npi.slice(5)}`, quantity: 2 }),
    );
    expect(viewOf(await call(`${BASE}/${byNpi.id}`, { key: pharmacyA.key })).healthcareSettingId).toBe(npi);
    const row = await db().dispenseAuthorization.findFirstOrThrow({
      where: { id: byNumber.id },
      select: { healthcareSettingId: true },
    });
    expect(row.healthcareSettingId).toBe(setting.setting.id);
  });

  it("a typo in the patient REMS ID filter is a 422 field error", async () => {
    const { patient } = await patientCase();
    const error = errorOf(
      await call(`${BASE}?patientRemsId=${typoOf(patient.remsId)}`, { key: pharmacyA.key }),
      422,
      "VALIDATION",
    );
    expect(error.fields).toEqual({ patientRemsId: [TYPO] });
  });
});

describe("POST /api/v1/dispense-authorizations: idempotency and concurrency", () => {
  it("replays the same key and body: same answer, Idempotent-Replayed, nothing new stored", async () => {
    const body = (await patientCase()).request();
    const key = randomUUID();
    const first = await call(BASE, { key: pharmacyA.key, body, idempotencyKey: key });
    const again = await call(BASE, { key: pharmacyA.key, body, idempotencyKey: key });
    expect(decisionOf(first).decision).toBe("APPROVED");
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(
      await db().dispenseAuthorization.count({
        where: { pharmacyId: pharmacyA.pharmacy.id, prescriptionId: body.prescriptionId },
      }),
    ).toBe(1);
  });

  it("a replay of an approval that no longer stands says what became of it", async () => {
    const body = (await patientCase()).request();
    const key = randomUUID();
    const first = decisionOf(await call(BASE, { key: pharmacyA.key, body, idempotencyKey: key }));
    expect(first).not.toHaveProperty("status");
    viewOf(
      await call(`${BASE}/${first.id}/dispense`, { key: pharmacyA.key, body: { quantity: 3, lotNumber: "LOT-RPL" } }),
    );
    const dispensed = decisionOf(await call(BASE, { key: pharmacyA.key, body, idempotencyKey: key }));
    expect(dispensed).toEqual({ ...first, status: "DISPENSED" });
    viewOf(await call(`${BASE}/${first.id}/reverse`, { key: pharmacyA.key, body: { reason: "Returned to stock" } }));
    const reversed = decisionOf(await call(BASE, { key: pharmacyA.key, body, idempotencyKey: key }));
    expect(reversed.decision === "APPROVED" && reversed.status).toBe("REVERSED");
  });

  it("refuses the same key with another body (409) and stores nothing for it", async () => {
    const body = (await patientCase()).request();
    const key = randomUUID();
    const first = decisionOf(await call(BASE, { key: pharmacyA.key, body, idempotencyKey: key }));
    const other = await call(BASE, { key: pharmacyA.key, body: { ...body, quantity: 4 }, idempotencyKey: key });
    const error = errorOf(other, 409, "CONFLICT");
    expect(error.message).toContain("Idempotency-Key");
    expect(await db().dispenseAuthorization.count({ where: { idempotencyKey: key } })).toBe(1);
    expect(viewOf(await call(`${BASE}/${first.id}`, { key: pharmacyA.key })).quantity).toBe(5);
  });

  it("the same key at two pharmacies is two requests", async () => {
    const body = (await patientCase()).request();
    const key = randomUUID();
    const a = decisionOf(await call(BASE, { key: pharmacyA.key, body, idempotencyKey: key }));
    const b = await call(BASE, { key: pharmacyB.key, body, idempotencyKey: key });
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    expect(decisionOf(b).id).not.toBe(a.id);
  });

  it("50 concurrent identical requests with different keys: exactly one approval, 49 duplicates of it", async () => {
    const pharmacy = await pharmacyWithKey();
    const body = (await patientCase()).request();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => call(BASE, { key: pharmacy.key, body }).then(decisionOf)),
    );
    const approvals = answers.filter((a) => a.decision === "APPROVED");
    const denials = answers.filter((a) => a.decision === "DENIED");
    expect(approvals).toHaveLength(1);
    expect(denials).toHaveLength(49);
    const winner = approvals[0]?.id ?? "";
    const winnerNumber = approvals[0]?.decision === "APPROVED" ? approvals[0].authorizationNumber : "";
    for (const denial of denials) {
      expect(reasonCodes(denial)).toEqual(["DUPLICATE_REQUEST"]);
      expect(denial.decision === "DENIED" && denial.reasons[0]?.message).toContain(winnerNumber);
      expect(denial.decision === "DENIED" && denial.duplicateOfId).toBe(winner);
    }
    expect(new Set(answers.map((a) => a.id)).size).toBe(50);

    const rows = await db().dispenseAuthorization.findMany({
      where: { pharmacyId: pharmacy.pharmacy.id, prescriptionId: body.prescriptionId },
      select: { id: true, decision: true, status: true, duplicateOfId: true },
    });
    expect(rows).toHaveLength(50);
    expect(rows.filter((r) => r.status === "APPROVED").map((r) => r.id)).toEqual([winner]);
    const duplicates = rows.filter((r) => r.id !== winner);
    expect(duplicates.every((r) => r.decision === "DENIED" && r.duplicateOfId === winner)).toBe(true);
  });
});

describe("confirm, reverse and expiry", () => {
  it("confirms an approved authorization once (DISPENSED), then refuses a second confirmation (409)", async () => {
    const answer = await approved(pharmacyA.key, (await patientCase()).request());
    const dispensedAt = new Date(Date.now() - 60_000).toISOString();
    const view = viewOf(
      await call(`${BASE}/${answer.id}/dispense`, {
        key: pharmacyA.key,
        body: { quantity: 5, lotNumber: "A1234B", dispensedAt },
      }),
    );
    expect(view).toMatchObject({
      id: answer.id,
      status: "DISPENSED",
      dispensedQuantity: 5,
      lotNumber: "A1234B",
      dispensedAt,
    });
    const again = await call(`${BASE}/${answer.id}/dispense`, {
      key: pharmacyA.key,
      body: { quantity: 5, lotNumber: "A1234B" },
    });
    expect(errorOf(again, 409, "CONFLICT").message).toMatch(/already used/);
    expect(viewOf(await call(`${BASE}/${answer.id}`, { key: pharmacyA.key })).status).toBe("DISPENSED");
  });

  it("reverses a dispensed authorization (REVERSED), not twice, and not one that was never dispensed", async () => {
    const notDispensed = await approved(pharmacyA.key, (await patientCase()).request());
    const early = await call(`${BASE}/${notDispensed.id}/reverse`, {
      key: pharmacyA.key,
      body: { reason: "Not picked up" },
    });
    expect(errorOf(early, 409, "CONFLICT").message).toMatch(/not been dispensed/);

    const answer = await approved(pharmacyA.key, (await patientCase()).request());
    viewOf(
      await call(`${BASE}/${answer.id}/dispense`, { key: pharmacyA.key, body: { quantity: 3, lotNumber: "L-77" } }),
    );
    const reversed = viewOf(
      await call(`${BASE}/${answer.id}/reverse`, { key: pharmacyA.key, body: { reason: "Not picked up" } }),
    );
    expect(reversed).toMatchObject({ status: "REVERSED", reversalReason: "Not picked up", dispensedQuantity: 3 });
    expect(reversed.reversedAt).not.toBeNull();
    const twice = await call(`${BASE}/${answer.id}/reverse`, { key: pharmacyA.key, body: { reason: "Again" } });
    errorOf(twice, 409, "CONFLICT");
  });

  it("refuses to confirm a denied request (409)", async () => {
    const denied = decisionOf(
      await call(BASE, { key: pharmacyA.key, body: (await patientCase()).request({ quantity: 9 }) }),
    );
    expect(denied.decision).toBe("DENIED");
    const answer = await call(`${BASE}/${denied.id}/dispense`, {
      key: pharmacyA.key,
      body: { quantity: 1, lotNumber: "A1" },
    });
    errorOf(answer, 409, "CONFLICT");
  });

  it("refuses to confirm an expired authorization (409); it then reads EXPIRED and no longer blocks a new request", async () => {
    const { request } = await patientCase();
    const body = request();
    const answer = await approved(pharmacyA.key, body);
    await db().dispenseAuthorization.updateMany({
      where: { id: answer.id },
      data: { expiresAt: new Date(Date.now() - 1000), expiresOn: new Date(`${ago(1)}T00:00:00.000Z`) },
    });
    const refused = await call(`${BASE}/${answer.id}/dispense`, {
      key: pharmacyA.key,
      body: { quantity: 5, lotNumber: "A1234B" },
    });
    expect(errorOf(refused, 409, "CONFLICT").message).toMatch(/expired/);
    expect(viewOf(await call(`${BASE}/${answer.id}`, { key: pharmacyA.key })).status).toBe("EXPIRED");
    const stored = await db().dispenseAuthorization.findFirstOrThrow({
      where: { id: answer.id },
      select: { status: true, dispensedAt: true },
    });
    expect(stored).toEqual({ status: "EXPIRED", dispensedAt: null });
    // An expired authorization is not an unused one: the prescription may be authorized again.
    expect((await approved(pharmacyA.key, body)).id).not.toBe(answer.id);
  });

  it("answers field errors on confirm and reverse with 422 and `fields`", async () => {
    const answer = await approved(pharmacyA.key, (await patientCase()).request());
    const bad = await call(`${BASE}/${answer.id}/dispense`, { key: pharmacyA.key, body: { quantity: 0 } });
    const error = errorOf(bad, 422, "VALIDATION");
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(["lotNumber", "quantity"]);

    const tooMany = await call(`${BASE}/${answer.id}/dispense`, {
      key: pharmacyA.key,
      body: { quantity: 6, lotNumber: "A1234B" },
    });
    expect(errorOf(tooMany, 422, "VALIDATION").fields?.quantity?.[0]).toContain("At most 5");

    const future = await call(`${BASE}/${answer.id}/dispense`, {
      key: pharmacyA.key,
      body: { quantity: 5, lotNumber: "A1234B", dispensedAt: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(errorOf(future, 422, "VALIDATION").fields?.dispensedAt).toBeDefined();

    const unknownField = await call(`${BASE}/${answer.id}/dispense`, {
      key: pharmacyA.key,
      body: { quantity: 5, lotNumber: "A1234B", pharmacist: "me" },
    });
    expect(errorOf(unknownField, 422, "VALIDATION").fields?.[""]?.[0]).toContain("pharmacist");

    viewOf(await call(`${BASE}/${answer.id}/dispense`, { key: pharmacyA.key, body: { quantity: 5, lotNumber: "A1" } }));
    const noReason = await call(`${BASE}/${answer.id}/reverse`, { key: pharmacyA.key, body: { reason: " " } });
    expect(errorOf(noReason, 422, "VALIDATION").fields?.reason).toBeDefined();
    expect(viewOf(await call(`${BASE}/${answer.id}`, { key: pharmacyA.key })).status).toBe("DISPENSED");
  });
});

describe("pharmacies see only their own authorizations", () => {
  it("another pharmacy's key cannot read, confirm, reverse or list A's authorization (404 / absent)", async () => {
    const body = (await patientCase()).request();
    const answer = await approved(pharmacyA.key, body);
    const path = `${BASE}/${answer.id}`;

    errorOf(await call(path, { key: pharmacyB.key }), 404, "NOT_FOUND");
    const confirm = await call(`${path}/dispense`, { key: pharmacyB.key, body: { quantity: 1, lotNumber: "X1" } });
    errorOf(confirm, 404, "NOT_FOUND");
    errorOf(await call(`${path}/reverse`, { key: pharmacyB.key, body: { reason: "Not mine" } }), 404, "NOT_FOUND");
    const listB = ZDispenseAuthorizationPage.parse(
      (await call(`${BASE}?prescriptionId=${encodeURIComponent(String(body.prescriptionId))}`, { key: pharmacyB.key }))
        .body,
    );
    expect(listB).toMatchObject({ items: [], total: 0 });

    // Untouched, and visible to its own pharmacy.
    const listA = ZDispenseAuthorizationPage.parse(
      (await call(`${BASE}?prescriptionId=${encodeURIComponent(String(body.prescriptionId))}`, { key: pharmacyA.key }))
        .body,
    );
    expect(listA.items.map((i) => i.id)).toEqual([answer.id]);
    expect(listA.items[0]?.status).toBe("APPROVED");
  });

  it("answers 404 for an id that is not a UUID or names nothing", async () => {
    for (const id of ["not-a-uuid", "1", randomUUID()]) {
      errorOf(await call(`${BASE}/${id}`, { key: pharmacyA.key }), 404, "NOT_FOUND");
      errorOf(
        await call(`${BASE}/${id}/dispense`, { key: pharmacyA.key, body: { quantity: 1, lotNumber: "A1" } }),
        404,
        "NOT_FOUND",
      );
    }
  });
});

describe("authentication", () => {
  const paths = () => [
    { path: BASE, method: "GET" as const },
    { path: BASE, method: "POST" as const },
    { path: `${BASE}/${randomUUID()}`, method: "GET" as const },
    { path: `${BASE}/${randomUUID()}/dispense`, method: "POST" as const },
    { path: `${BASE}/${randomUUID()}/reverse`, method: "POST" as const },
  ];

  it("401 with WWW-Authenticate: Bearer without an Authorization header or session, on every route", async () => {
    for (const { path, method } of paths()) {
      const answer = await call(path, { method, body: method === "POST" ? {} : undefined });
      errorOf(answer, 401, "UNAUTHENTICATED");
      expect(answer.headers.get("www-authenticate")).toBe("Bearer");
    }
  });

  it("401 for a garbage, malformed or unknown key", async () => {
    const body = (await patientCase()).request();
    for (const authorization of ["Bearer nope", "Basic dXNlcjpwYXNz", "Bearer", "", `Bearer rg_${"x".repeat(43)}`]) {
      const answer = await call(BASE, { body, headers: { authorization } });
      errorOf(answer, 401, "UNAUTHENTICATED");
      expect(answer.headers.get("www-authenticate")).toBe("Bearer");
    }
    expect(await db().dispenseAuthorization.count({ where: { prescriptionId: String(body.prescriptionId) } })).toBe(0);
  });

  it("401 once the key is revoked; the pharmacy's other keys keep working", async () => {
    const pharmacy = await pharmacyWithKey();
    const other = await createApiKey(pharmacy.actor, {
      name: "Second till",
      password: pharmacy.password,
      code: await stepUpCode(pharmacy.actor.userId),
    });
    expect((await call(BASE, { key: pharmacy.key })).status).toBe(200);
    await revokeApiKey(pharmacy.actor, pharmacy.apiKey.id);
    const answer = await call(BASE, { key: pharmacy.key });
    expect(errorOf(answer, 401, "UNAUTHENTICATED").message).toMatch(/revoked/);
    expect(answer.headers.get("www-authenticate")).toBe("Bearer");
    expect((await call(BASE, { key: other.key })).status).toBe(200);
  });
});

describe("malformed requests", () => {
  it("400 when the body is not JSON, not JSON-typed, or not an object", async () => {
    const cases: CallOptions[] = [
      { rawBody: "{not json" },
      { rawBody: "" },
      { rawBody: JSON.stringify({ quantity: 1 }), contentType: "text/plain" },
      { rawBody: "quantity=1", contentType: "application/x-www-form-urlencoded" },
      { rawBody: "[]" },
      { rawBody: "null" },
    ];
    for (const options of cases) {
      const answer = await call(BASE, { key: pharmacyA.key, ...options });
      expect(errorOf(answer, 400, "BAD_REQUEST").message.length, JSON.stringify(options)).toBeGreaterThan(5);
    }
    const answer = await approved(pharmacyA.key, (await patientCase()).request());
    errorOf(await call(`${BASE}/${answer.id}/dispense`, { key: pharmacyA.key, rawBody: "{" }), 400, "BAD_REQUEST");
    errorOf(await call(`${BASE}/${answer.id}/reverse`, { key: pharmacyA.key, rawBody: "" }), 400, "BAD_REQUEST");
  });

  it("413 for a body past the limit, declared or streamed; 400 for bytes that are not UTF-8; nothing stored", async () => {
    const body = (await patientCase()).request();
    const send = (payload: Uint8Array | ReadableStream<Uint8Array>) =>
      fetch(`${server.url}${BASE}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${pharmacyA.key}`,
          "content-type": "application/json",
          "idempotency-key": randomUUID(),
        },
        body: payload,
        duplex: "half",
      } as RequestInit);
    const padded = Buffer.from(JSON.stringify({ ...body, pad: "x".repeat(API_MAX_BODY_BYTES) }));
    const declared = await send(padded);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    // No Content-Length: the bytes are counted as they arrive.
    let chunks = 0;
    const streamed = await send(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (++chunks > 200) controller.close();
          else controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
        },
      }),
    );
    expect(streamed.status).toBe(413);
    const json = Buffer.from(JSON.stringify({ ...body, prescriptionId: "RX-@@@" }));
    const at = json.indexOf("@@@");
    json.set([0xff, 0xfe, 0xc3], at);
    const notUtf8 = await send(json);
    expect(notUtf8.status).toBe(400);
    expect(((await notUtf8.json()) as { error: { message: string } }).error.message).toMatch(/not valid UTF-8/);
    expect(await db().dispenseAuthorization.count({ where: { prescriptionId: String(body.prescriptionId) } })).toBe(0);
    expect(await db().dispenseAuthorization.count({ where: { prescriptionId: { startsWith: "RX-\uFFFD" } } })).toBe(0);
  });

  it("400 with fields.idempotencyKey when the Idempotency-Key is missing or invalid; nothing stored", async () => {
    const body = (await patientCase()).request();
    for (const idempotencyKey of [null, "short", "has spaces in it", "x".repeat(129)]) {
      const error = errorOf(await call(BASE, { key: pharmacyA.key, body, idempotencyKey }), 400, "BAD_REQUEST");
      expect(error.fields?.idempotencyKey?.[0], String(idempotencyKey)).toBeTruthy();
    }
    expect(await db().dispenseAuthorization.count({ where: { prescriptionId: String(body.prescriptionId) } })).toBe(0);
  });

  it("422 with `fields` for invalid or missing request fields", async () => {
    const body = (await patientCase()).request();
    const answer = await call(BASE, {
      key: pharmacyA.key,
      body: { ...body, prescriberNpi: "12345", quantity: 2.5, ndc: "abc", prescriptionId: undefined },
    });
    const error = errorOf(answer, 422, "VALIDATION");
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(["ndc", "prescriberNpi", "prescriptionId", "quantity"]);
    expect(error.fields?.prescriberNpi).toEqual(["The prescriber's NPI is 10 digits"]);

    const extra = await call(BASE, { key: pharmacyA.key, body: { ...body, pharmacyId: randomUUID() } });
    expect(errorOf(extra, 422, "VALIDATION").fields?.[""]?.[0]).toContain("pharmacyId");
    expect(await db().dispenseAuthorization.count({ where: { prescriptionId: String(body.prescriptionId) } })).toBe(0);
  });
});

describe("rate limit", () => {
  it("429 with Retry-After past DISPENSE_RATE_LIMIT_PER_MINUTE, per key", async () => {
    const pharmacy = await pharmacyWithKey();
    const other = await createApiKey(pharmacy.actor, {
      name: "Other till",
      password: pharmacy.password,
      code: await stepUpCode(pharmacy.actor.userId),
    });
    const saved = process.env.DISPENSE_RATE_LIMIT_PER_MINUTE;
    process.env.DISPENSE_RATE_LIMIT_PER_MINUTE = "3";
    resetEnvCache();
    try {
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const answer = await call(BASE, { key: pharmacy.key });
        expect(answer.status).toBe(200);
        expect(answer.headers.get("ratelimit-limit")).toBe("3");
        remaining.push(answer.headers.get("ratelimit-remaining"));
      }
      expect(remaining).toEqual(["2", "1", "0"]);
      const limited = await call(BASE, { key: pharmacy.key, body: (await patientCase()).request() });
      expect(errorOf(limited, 429, "RATE_LIMITED").message).toMatch(/Try again in \d+ seconds/);
      const retryAfter = Number(limited.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Counted per key: the pharmacy's other key is not limited.
      expect((await call(BASE, { key: other.key })).status).toBe(200);
    } finally {
      if (saved === undefined) delete process.env.DISPENSE_RATE_LIMIT_PER_MINUTE;
      else process.env.DISPENSE_RATE_LIMIT_PER_MINUTE = saved;
      resetEnvCache();
    }
  });
});

describe("GET /api/v1/dispense-authorizations: pagination and filters", () => {
  it("pages newest first and filters by status, decision, patient, prescription and day", async () => {
    const pharmacy = await pharmacyWithKey();
    const cases = await Promise.all([patientCase(), patientCase(), patientCase()]);
    const ids: string[] = [];
    const bodies: Record<string, unknown>[] = [];
    // Sequential, so the order of requestedAt is the order here.
    for (const [index, c] of cases.entries()) {
      const body = c.request();
      bodies.push(body);
      ids.push((await approved(pharmacy.key, body)).id);
      if (index < 2) {
        const deniedBody = c.request({ quantity: 7 });
        bodies.push(deniedBody);
        ids.push(decisionOf(await call(BASE, { key: pharmacy.key, body: deniedBody })).id);
      }
    }
    // ids: approved0, denied0, approved1, denied1, approved2 → newest first is the reverse.
    const newestFirst = [...ids].reverse();
    viewOf(await call(`${BASE}/${ids[0]}/dispense`, { key: pharmacy.key, body: { quantity: 5, lotNumber: "A1" } }));

    const list = async (query: string) => {
      const answer = await call(`${BASE}${query}`, { key: pharmacy.key });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return ZDispenseAuthorizationPage.parse(answer.body);
    };

    expect(await list("")).toMatchObject({ page: 1, pageSize: 25, total: 5 });
    expect((await list("")).items.map((i) => i.id)).toEqual(newestFirst);
    const page1 = await list("?pageSize=2");
    const page2 = await list("?pageSize=2&page=2");
    const page3 = await list("?pageSize=2&page=3");
    expect([page1, page2, page3].map((p) => p.total)).toEqual([5, 5, 5]);
    expect([...page1.items, ...page2.items, ...page3.items].map((i) => i.id)).toEqual(newestFirst);
    expect(page3.items).toHaveLength(1);
    expect((await list("?pageSize=2&page=4")).items).toEqual([]);

    const denied = await list("?decision=DENIED");
    expect(denied.items.map((i) => i.id)).toEqual([ids[3], ids[1]]);
    expect(denied.items.every((i) => i.decision === "DENIED")).toBe(true);
    expect((await list("?status=DISPENSED")).items.map((i) => i.id)).toEqual([ids[0]]);
    expect((await list("?status=APPROVED")).items.map((i) => i.id)).toEqual([ids[4], ids[2]]);
    expect((await list("?status=APPROVED&decision=DENIED")).total).toBe(0);

    const patient = cases[1]?.patient.remsId ?? "";
    expect((await list(`?patientRemsId=${patient}`)).items.map((i) => i.id)).toEqual([ids[3], ids[2]]);
    const prescription = String(bodies[1]?.prescriptionId);
    expect((await list(`?prescriptionId=${encodeURIComponent(prescription)}`)).items.map((i) => i.id)).toEqual([
      ids[1],
    ]);

    expect((await list(`?from=${today()}&to=${today()}`)).total).toBe(5);
    expect((await list(`?from=${addDays(today(), 1)}`)).total).toBe(0);
    expect((await list(`?to=${ago(1)}`)).total).toBe(0);
  });

  it("422 with `fields` for invalid filters", async () => {
    const answer = await call(`${BASE}?status=LOST&pageSize=500&from=yesterday`, { key: pharmacyA.key });
    const error = errorOf(answer, 422, "VALIDATION");
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(["from", "pageSize", "status"]);
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("serves the OpenAPI 3.1 document naming this server, with every dispense path", async () => {
    const answer = await call("/api/v1/openapi.json");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toContain("application/json");
    const doc = answer.body as { openapi: string; servers: { url: string }[]; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    // The registry's own address (APP_URL), not the address the request reached.
    expect(doc.servers).toEqual([{ url: env().APP_URL.replace(/\/$/, "") }]);
    expect(doc.servers[0]?.url).not.toBe(server.url);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        BASE,
        `${BASE}/{id}`,
        `${BASE}/{id}/dispense`,
        `${BASE}/{id}/reverse`,
        "/api/v1/programs/{code}/certifications",
      ]),
    );
  });
});

describe("POST /api/v1/dispense-authorizations: a course's vials are counted across requests", () => {
  const messageOf = (answer: TDispenseAnswer) =>
    answer.decision === "DENIED"
      ? (answer.reasons.find((r) => r.code === "QUANTITY_EXCEEDS_COURSE")?.message ?? "")
      : "";

  it("every pharmacy's approved and dispensed vials count toward the course; what is left can still be approved", async () => {
    const { request } = await patientCase();
    // Course 1 holds 5 vials. Pharmacy A has 3 approved.
    const a = await approved(pharmacyA.key, request({ quantity: 3 }));
    const tooMany = decisionOf(await call(BASE, { key: pharmacyB.key, body: request({ quantity: 3 }) }));
    expect(reasonCodes(tooMany)).toEqual(["QUANTITY_EXCEEDS_COURSE"]);
    expect(messageOf(tooMany)).toBe(
      "Course 1 allows 5 vials and 3 vials are already authorized or dispensed for it: 3 more would exceed it (at most 2 more) — correct the quantity or contact the prescriber.",
    );
    const b = await approved(pharmacyB.key, request({ quantity: 2 }));
    const full = decisionOf(await call(BASE, { key: pharmacyB.key, body: request({ quantity: 1 }) }));
    expect(messageOf(full)).toContain(
      "5 vials are already authorized or dispensed for it: 1 more would exceed it (none left",
    );

    // A dispenses 2 of its 3 vials: the vial it did not dispense is free again.
    const confirmed = await call(`${BASE}/${a.id}/dispense`, {
      key: pharmacyA.key,
      body: { quantity: 2, lotNumber: "LOT-A" },
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    await approved(pharmacyB.key, request({ quantity: 1 }));
    // B's approvals and A's dispense fill the course again.
    expect(reasonCodes(decisionOf(await call(BASE, { key: pharmacyA.key, body: request({ quantity: 1 }) })))).toEqual([
      "QUANTITY_EXCEEDS_COURSE",
    ]);
    expect(b.decision).toBe("APPROVED");
  });

  it("vials given back count no more: a reversed dispense, approvals that ran out", async () => {
    const { request, patient } = await patientCase();
    const a = await approved(pharmacyA.key, request({ quantity: 5 }));
    const dispensed = await call(`${BASE}/${a.id}/dispense`, {
      key: pharmacyA.key,
      body: { quantity: 5, lotNumber: "LOT-R" },
    });
    expect(dispensed.status).toBe(200);
    expect(reasonCodes(decisionOf(await call(BASE, { key: pharmacyB.key, body: request({ quantity: 1 }) })))).toEqual([
      "QUANTITY_EXCEEDS_COURSE",
    ]);
    const reversed = await call(`${BASE}/${a.id}/reverse`, {
      key: pharmacyA.key,
      body: { reason: "Returned to stock unopened" },
    });
    expect(reversed.status, JSON.stringify(reversed.body)).toBe(200);
    // Ran out, whether or not the expiry job has marked it yet: neither holds vials.
    await createDispenseAuthorization({
      patient,
      status: "APPROVED",
      expiresAt: new Date(Date.now() - 60_000),
      quantity: 5,
    });
    await createDispenseAuthorization({ patient, status: "EXPIRED", quantity: 5 });
    await approved(pharmacyB.key, request({ quantity: 5 }));
  });

  it("the previous course's vials do not count toward the next one", async () => {
    const treated = await treatedPatientCase();
    // Course 1's five vials, dispensed the week before its first dose (406 days ago).
    await createDispenseAuthorization({
      patient: treated.patient,
      status: "DISPENSED",
      quantity: 5,
      createdAt: new Date(`${ago(410)}T10:00:00.000Z`),
    });
    const course2 = await approved(pharmacyA.key, treated.request({ quantity: 3 }));
    expect(course2.decision).toBe("APPROVED");
    const more = decisionOf(await call(BASE, { key: pharmacyB.key, body: treated.request({ quantity: 1 }) }));
    expect(messageOf(more)).toMatch(/^Course 2 allows 3 vials and 3 vials are already authorized/);
  });

  it("requests for one patient from several pharmacies at once: never more than the course holds", async () => {
    const { request } = await patientCase();
    const pharmacies = [pharmacyA, pharmacyB, await pharmacyWithKey(), await pharmacyWithKey()];
    const answers = await Promise.all(
      pharmacies.map(async (p) => decisionOf(await call(BASE, { key: p.key, body: request({ quantity: 3 }) }))),
    );
    expect(answers.filter((a) => a.decision === "APPROVED")).toHaveLength(1);
    for (const denied of answers.filter((a) => a.decision === "DENIED")) {
      expect(reasonCodes(denied)).toEqual(["QUANTITY_EXCEEDS_COURSE"]);
    }
  });
});

describe("POST /api/v1/dispense-authorizations: how long an approval lasts", () => {
  it("an approval that starts a course ends when the oldest baseline result stops being recent enough", async () => {
    // Baselines 25 days old, a 30-day window: recent enough for 5 more days, less than the 7-day validity.
    const { request } = await patientCase({ baselineDaysAgo: 25 });
    const short = await approved(pharmacyA.key, request({ quantity: 1 }));
    expect(short.expiresAt).toBe(`${addDays(dayOf(new Date()), 5)}T23:59:59.999Z`);
    const fresh = await approved(pharmacyA.key, (await patientCase({ baselineDaysAgo: 2 })).request({ quantity: 1 }));
    expect(fresh.expiresAt).toBe(`${addDays(dayOf(new Date()), 7)}T23:59:59.999Z`);
  });
});
