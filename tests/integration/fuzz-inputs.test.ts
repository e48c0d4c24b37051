/**
 * Fuzzing: generated invalid and boundary inputs at every JSON API endpoint (over real HTTP,
 * tests/setup/http-routes.ts) and at every server action's input schema (the action's own path:
 * its boundary check, then the service with a signed-in actor). Wrong types, huge and deeply nested
 * values, unicode edge cases (NUL, lone surrogates, BOM, RTL overrides), invalid dates, huge
 * numbers, extra keys, arrays instead of objects. Every answer is a 4xx in the API error shape, or a
 * VALIDATION AppError from a service — never a 5xx or an unexpected exception — and nothing is
 * written (rows of the affected tables and the audit rows are counted before and after).
 * Field names come from each zod schema's JSON schema (z.toJSONSchema), so a new field is fuzzed
 * without editing this file. Counts are printed per endpoint and per schema.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import * as itemRoute from "../../app/api/v1/dispense-authorizations/[id]/route";
import * as dispenseRoute from "../../app/api/v1/dispense-authorizations/[id]/dispense/route";
import * as reverseRoute from "../../app/api/v1/dispense-authorizations/[id]/reverse/route";
import * as collectionRoute from "../../app/api/v1/dispense-authorizations/route";
import * as lookupRoute from "../../app/api/v1/programs/[code]/certifications/route";
import type { Actor } from "../../lib/auth/actor";
import { changePassword, confirmEmailChange, requestEmailChange } from "../../lib/auth/account-changes";
import { ZChangeEmail, ZChangePassword, ZSignUp } from "../../lib/auth/schema";
import { signUp } from "../../lib/auth/service";
import { ZDecision, ZSetClaim } from "../../lib/certification/schema";
import { decideApplication, setClaim } from "../../lib/certification/service";
import { db, disconnectDb } from "../../lib/db";
import { createApiKey, revokeApiKey } from "../../lib/dispensing/api-keys";
import { callerFromActor } from "../../lib/dispensing/caller";
import { confirmDispense, reverseDispense } from "../../lib/dispensing/confirm";
import { endEnforcementDiscretion, recordFollowUp, startEnforcementDiscretion } from "../../lib/dispensing/discretion";
import {
  ZConfirmDispense,
  ZCreateApiKey,
  ZDispenseRequest,
  ZEndDiscretion,
  ZFollowUp,
  ZReverseDispense,
  ZStartDiscretion,
} from "../../lib/dispensing/schema";
import {
  ZAcknowledgeTraining,
  ZRestartEnrollment,
  ZSaveEnrollmentForm,
  ZSetAttestation,
  ZSignEnrollment,
  ZSubmitAssessment,
} from "../../lib/enrollment/schema";
import {
  acknowledgeTrainingSection,
  restartEnrollment,
  saveEnrollmentForm,
  setAttestation,
  signEnrollment,
  submitAssessment,
} from "../../lib/enrollment/service";
import { AppError, ERROR_STATUS, isAppError } from "../../lib/errors";
import { checkActionInput } from "../../lib/http/action-result";
import { ZRecordInfusion } from "../../lib/infusions/schema";
import { ZAddLink, ZAddNote, ZOpenCase, ZTakeStep } from "../../lib/noncompliance/schema";
import { openCase, takeStep } from "../../lib/noncompliance/service";
import { addLink, addNote } from "../../lib/noncompliance/evidence-service";
import { recordInfusion } from "../../lib/infusions/service";
import { ZAcceptInvitation, ZCreateInvitation } from "../../lib/invitations/schema";
import { acceptInvitation, createInvitation, revokeInvitation } from "../../lib/invitations/service";
import { ZRecordLabResult } from "../../lib/labs/schema";
import { recordLabResult } from "../../lib/labs/service";
import {
  ZCoSignPatientEnrollment,
  ZEnrollPatient,
  ZSetPatientStatus,
  ZSignOwnEnrollment,
  ZTransferPatient,
} from "../../lib/patients/schema";
import {
  coSignPatientEnrollment,
  enrollPatient,
  setPatientStatus,
  signOwnEnrollment,
  transferPatient,
} from "../../lib/patients/service";
import { ZReviewAdverseEvent, ZSubmitStatusForm } from "../../lib/status-forms/schema";
import { markAdverseEventReviewed, submitStatusForm } from "../../lib/status-forms/service";
import { actorFor, createAccount } from "../factories/applications";
import {
  createPharmacyEnrollment,
  createPrescriberEnrollment,
  createSettingEnrollment,
  ensureProgram,
} from "../factories/certified";
import { createPatient, prescriberActor, settingActor } from "../factories/clinical";
import { requestContext, signIn, stepUpCode } from "../factories/users";
import { type ServedRoutes, serveRoutes } from "../setup/http-routes";

/*
 * Runs per endpoint and per schema, plus the fixed BOUNDARY inputs sent to each target. On
 * PostgreSQL 80 per API endpoint and 25 per schema (about 1,450 inputs in all); PGlite runs in one
 * process, so 60 and 18 (about 1,200). The total is printed after the run.
 */
const ON_PGLITE = (process.env.DATABASE_URL ?? "").startsWith("pglite:");
const API_RUNS = ON_PGLITE ? 60 : 80;
const SCHEMA_RUNS = ON_PGLITE ? 18 : 25;

const BASE = "/api/v1/dispense-authorizations";

const ZErrorBody = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS]),
    message: z.string().min(1),
    fields: z.record(z.string(), z.array(z.string())).optional(),
  }),
});

// ---------- Generators ----------

/** Text no field accepts: a NUL or a lone surrogate, alone or beside other unicode edge cases. */
const UNICODE_EDGES = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "x\ud83d",
  "\udc00y",
  "\ufeff\u0000",
  "\u202e\u202d\ud800",
  "\uffff\u0000",
  "\u200b\u200d\udfff",
  "e\u0301\u0301\u0301\u0000",
  "\u{10ffff}\udbff",
];

const INVALID_DATES = [
  "2026-02-30",
  "2026-13-01",
  "0000-00-00",
  "+275760-09-14",
  "-000001-01-01",
  "2026-01-01T25:61:61Z",
  "1e10",
  "not a date",
  "2026/01/01",
  "99999-01-01",
];

const HUGE_NUMBERS = [
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  2 ** 31,
  -(2 ** 31) - 1,
  0.1 + 0.2,
  -0,
  1e-320,
];

function nested(depth: number, leaf: unknown, asArray: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
  return value;
}

/** A value no field of any schema accepts in place of its proper value. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, [], {}, [[]], { "": null }),
  fc.constantFrom(...HUGE_NUMBERS),
  fc.constantFrom(...UNICODE_EDGES).map((u) => `${u}`),
  fc
    .tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...UNICODE_EDGES), fc.string({ maxLength: 6 }))
    .map(([a, u, b]) => a + u + b),
  fc.integer({ min: 10_001, max: 200_000 }).map((n) => "x".repeat(n)),
  fc.integer({ min: 40, max: 600 }).chain((d) => fc.boolean().map((arr) => nested(d, "x", arr))),
  fc.array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { minKeys: 1, maxKeys: 4 }),
);

/** Property names of a zod object schema (through intersections and unions), from its JSON schema. */
function fieldsOf(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as Record<string, unknown>;
  const names = new Set<string>();
  const walk = (node: unknown) => {
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, unknown>;
    if (n.properties && typeof n.properties === "object") for (const k of Object.keys(n.properties)) names.add(k);
    for (const key of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(n[key])) for (const c of n[key]) walk(c);
  };
  walk(json);
  return [...names];
}

/**
 * Inputs no schema admits: whole-value replacements (primitives, arrays instead of objects, deep
 * nesting), and objects whose fields are all wrong, with or without extra keys.
 */
function invalidInputs(fields: string[]): fc.Arbitrary<unknown> {
  const objectOfWrongFields =
    fields.length === 0
      ? fc.constant({ unexpected: "\u0000" })
      : fc
          .tuple(
            fc.subarray(fields, { minLength: 1 }),
            fc.array(fc.oneof(wrongValue, fc.constantFrom(...INVALID_DATES)), {
              minLength: fields.length,
              maxLength: fields.length,
            }),
            fc.dictionary(fc.string({ maxLength: 8 }), wrongValue, { maxKeys: 3 }),
          )
          .map(([present, values, extra]) => {
            const out: Record<string, unknown> = { ...extra };
            // Every field given is wrong; absent required fields are wrong too.
            // Invalid dates only where a date belongs (as text they are a valid name or reason).
            for (const [i, name] of fields.entries()) {
              if (!present.includes(name)) continue;
              const value = values[i];
              const dateField = /date|At$|On$|Day$/i.test(name);
              out[name] = typeof value === "string" && INVALID_DATES.includes(value) && !dateField ? null : value;
            }
            return out;
          });
  return fc.oneof(
    { weight: 1, arbitrary: wrongValue.filter((v) => v === null || typeof v !== "object" || Array.isArray(v)) },
    { weight: 1, arbitrary: fc.array(objectOfWrongFields, { maxLength: 3 }) },
    { weight: 4, arbitrary: objectOfWrongFields },
  );
}

/** Fixed boundary inputs every target also gets, beyond the generated ones. */
const BOUNDARY: unknown[] = [
  undefined,
  null,
  "",
  0,
  [],
  {},
  "{}",
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  nested(1000, null, true),
  nested(1000, null, false),
];

// ---------- The world ----------

let server: ServedRoutes;
let apiKey: string;
let pharmacyId: string;
let approvedId: string;
let prescriber: Actor;
let pharmacist: Actor;
let settingRep: Actor;
let admin: Actor;
let patientUser: Actor;
let ourUserIds: string[];
const counts: Record<string, number> = {};

beforeAll(async () => {
  await ensureProgram();
  server = await serveRoutes({
    [BASE]: collectionRoute,
    [`${BASE}/[id]`]: itemRoute,
    [`${BASE}/[id]/dispense`]: dispenseRoute,
    [`${BASE}/[id]/reverse`]: reverseRoute,
    "/api/v1/programs/[code]/certifications": lookupRoute,
  });
  const pharmacy = await createPharmacyEnrollment({ status: "CERTIFIED" });
  pharmacyId = pharmacy.pharmacy.id;
  pharmacist = (await signIn(pharmacy)).actor;
  apiKey = (
    await createApiKey(pharmacist, {
      name: "Fuzz tests",
      password: pharmacy.password,
      code: await stepUpCode(pharmacist.userId),
    })
  ).key;
  const certified = await createPrescriberEnrollment({ status: "CERTIFIED" });
  prescriber = await prescriberActor(certified);
  const setting = await createSettingEnrollment({ status: "CERTIFIED" });
  settingRep = await settingActor(setting);
  const { patient } = await createPatient({
    prescriberId: certified.prescriber.id,
    healthcareSettingId: setting.setting.id,
  });
  admin = actorFor(await createAccount("ADMIN", "Fuzz Admin"));
  patientUser = actorFor(await createAccount("PATIENT", "Fuzz Patient"));
  ourUserIds = [pharmacist.userId, prescriber.userId, settingRep.userId, admin.userId, patientUser.userId];
  // An authorization of this pharmacy for the id-bearing endpoints (the gate's answer does not matter).
  const answer = await send("POST", BASE, {
    programCode: "LEMTRADA",
    prescriberNpi: certified.prescriber.npi,
    patientRemsId: patient.remsId,
    healthcareSettingId: setting.setting.npi ?? "",
    ndc: "58468-0200-01",
    quantity: 3,
    prescriptionId: `RX-${randomUUID()}`,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  approvedId = (answer.body as { id: string }).id;
}, 120_000);

afterAll(async () => {
  console.log(
    `fuzzing: ${Object.values(counts).reduce((a, b) => a + b, 0)} generated inputs in all\n${Object.entries(counts)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join("\n")}`,
  );
  await server?.close();
  await disconnectDb();
});

interface Answer {
  status: number;
  body: unknown;
}

async function send(method: string, path: string, body?: unknown, raw?: string): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      "idempotency-key": randomUUID(),
      ...(body !== undefined || raw !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

function expectRefusedOverHttp(answer: Answer, what: string) {
  const detail = `${what}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 400)}`;
  expect(answer.status, detail).toBeGreaterThanOrEqual(400);
  expect(answer.status, detail).toBeLessThan(500);
  expect(ZErrorBody.safeParse(answer.body).success, detail).toBe(true);
}

/** Rows an accepted input would add or change: the pharmacy's authorizations, and the audit trail. */
async function apiFootprint() {
  const [authorizations, audit, target] = await Promise.all([
    db().dispenseAuthorization.count({ where: { pharmacyId } }),
    db().auditEvent.count({ where: { entityType: "DispenseAuthorization", entityId: approvedId } }),
    db().dispenseAuthorization.findFirstOrThrow({
      where: { id: approvedId },
      select: { status: true, dispensedAt: true, reversedAt: true },
    }),
  ]);
  return { authorizations, audit, target };
}

/** Raw JSON text: malformed, numbers past double range, lone surrogate escapes, moderately deep. */
const rawBodies = fc.oneof(
  fc.integer({ min: 100, max: 1000 }).map((d) => `${"[".repeat(d)}${"]".repeat(d)}`),
  fc.integer({ min: 100, max: 1000 }).map((d) => `${'{"a":'.repeat(d)}1${"}".repeat(d)}`),
  fc.constantFrom("", "{", "nul", '{"a":1,}', '"\\ud800"', "[1e999999]", '{"quantity":1e400}', "\u0000"),
);

/** JSON nested thousands of levels deep, which JSON.parse accepts. */
const deepBodies = fc.oneof(
  fc.integer({ min: 2000, max: 20_000 }).map((d) => `${"[".repeat(d)}${"]".repeat(d)}`),
  fc.integer({ min: 2000, max: 20_000 }).map((d) => `${'{"a":'.repeat(d)}1${"}".repeat(d)}`),
);

describe("fuzzing the JSON API", () => {
  const cases: { name: string; run: (input: unknown, raw?: string) => Promise<Answer> }[] = [
    { name: `POST ${BASE}`, run: (input, raw) => send("POST", BASE, input, raw) },
    {
      name: `POST ${BASE}/[id]/dispense`,
      run: (input, raw) => send("POST", `${BASE}/${approvedId}/dispense`, input, raw),
    },
    {
      name: `POST ${BASE}/[id]/reverse`,
      run: (input, raw) => send("POST", `${BASE}/${approvedId}/reverse`, input, raw),
    },
  ];
  const schemaOf: Record<string, z.ZodType> = {
    [`POST ${BASE}`]: ZDispenseRequest,
    [`POST ${BASE}/[id]/dispense`]: ZConfirmDispense,
    [`POST ${BASE}/[id]/reverse`]: ZReverseDispense,
  };

  for (const c of cases) {
    it(`${c.name}: invalid bodies are a 4xx in the error shape and change nothing`, async () => {
      const before = await apiFootprint();
      const fields = fieldsOf(schemaOf[c.name] ?? ZDispenseRequest);
      let n = 0;
      for (const input of BOUNDARY) {
        expectRefusedOverHttp(await c.run(input), `${c.name} ${String(input).slice(0, 40)}`);
        n++;
      }
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            invalidInputs(fields).map((v) => ({ v, raw: undefined })),
            rawBodies.map((raw) => ({ v: undefined, raw })),
          ),
          async ({ v, raw }) => {
            expectRefusedOverHttp(await c.run(v, raw), c.name);
            n++;
          },
        ),
        { numRuns: API_RUNS },
      );
      counts[c.name] = n;
      expect(await apiFootprint()).toEqual(before);
    });
  }

  it("JSON nested thousands of levels deep is a 4xx in the error shape at every JSON body route", async () => {
    const before = await apiFootprint();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cases), deepBodies, async (c, raw) => {
        expectRefusedOverHttp(await c.run(undefined, raw), `${c.name} with ${raw.length} bytes of nesting`);
        n++;
      }),
      { numRuns: 12 },
    );
    counts["POST (deeply nested JSON, all three routes)"] = n;
    expect(await apiFootprint()).toEqual(before);
  });

  /** Query strings and path segments: wrong, huge or hostile values as text. */
  const queryValue = fc.oneof(
    wrongValue.map((v) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""))),
    fc.constantFrom(...INVALID_DATES),
    fc.constantFrom(...HUGE_NUMBERS.map(String)),
  );
  const enc = (s: string) => {
    try {
      return encodeURIComponent(s);
    } catch {
      // a lone surrogate: send the raw bytes of its UTF-16 code unit as if it were UTF-8
      return [...s]
        .map((ch) => (ch.length === 1 && /[\ud800-\udfff]/.test(ch) ? "%ED%A0%80" : encodeURIComponent(ch)))
        .join("");
    }
  };

  it(`GET ${BASE}/[id]: hostile ids are a 4xx in the error shape`, async () => {
    const before = await apiFootprint();
    let n = 0;
    await fc.assert(
      // Path segments that are not well-formed UTF-16 never reach a handler (Next answers 400 itself).
      fc.asyncProperty(
        queryValue.filter((s) => s.length > 0 && wellFormed(s)),
        async (id) => {
          expectRefusedOverHttp(
            await send("GET", `${BASE}/${enc([...id].slice(0, 1500).join(""))}`),
            `GET ${BASE}/${id.slice(0, 30)}`,
          );
          n++;
        },
      ),
      { numRuns: API_RUNS },
    );
    counts[`GET ${BASE}/[id]`] = n;
    expect(await apiFootprint()).toEqual(before);
  });

  it(`GET ${BASE}: hostile query parameters are a 4xx in the error shape`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("status", "cursor", "limit", "since", "until", "prescriptionId", "patientRemsId", "extra"),
        queryValue,
        async (name, value) => {
          const answer = await send("GET", `${BASE}?${name}=${enc(value.slice(0, 1500))}`);
          // A filter with ordinary text may simply match nothing (200); hostile text never passes.
          if (answer.status === 200 && wellFormed(value) && !value.includes("\u0000"))
            expect(answer.body).toHaveProperty("items");
          else expectRefusedOverHttp(answer, `GET ${BASE}?${name}=${value.slice(0, 30)}`);
          n++;
        },
      ),
      { numRuns: API_RUNS },
    );
    counts[`GET ${BASE}`] = n;
  });

  it("GET /api/v1/programs/[code]/certifications: hostile codes and queries are a 4xx in the error shape", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant("LEMTRADA"),
          queryValue.filter((s) => s.length > 0 && wellFormed(s)),
        ),
        fc.constantFrom("npi", "ncpdpId", "both"),
        queryValue,
        async (code, name, value) => {
          const v = enc(value.slice(0, 1500));
          const query = name === "both" ? `npi=${v}&ncpdpId=${v}` : `${name}=${v}`;
          const response = await fetch(
            `${server.url}/api/v1/programs/${enc([...code].slice(0, 1000).join(""))}/certifications?${query}`,
            // Each generated request from its own address: the per-address limit is not what is tested here.
            { headers: { "x-real-ip": `10.${n % 250}.${Math.floor(n / 250) % 250}.7` } },
          );
          const text = await response.text();
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {}
          expectRefusedOverHttp({ status: response.status, body }, `certifications ${code.slice(0, 20)} ${name}`);
          n++;
        },
      ),
      { numRuns: API_RUNS },
    );
    counts["GET /api/v1/programs/[code]/certifications"] = n;
  });
});

// ---------- Server-action input schemas ----------

interface SchemaTarget {
  schema: z.ZodType;
  /** The action's path: its boundary check, then the service, as the signed-in `actor`. */
  call: (input: unknown) => Promise<unknown>;
}

/** No lone surrogate (String.prototype.isWellFormed, which this TypeScript target does not declare). */
function wellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

function preview(input: unknown): string {
  try {
    return String(JSON.stringify(input)).slice(0, 300);
  } catch {
    return "(too deep to print)";
  }
}

function viaAction(run: (input: never) => Promise<unknown>) {
  return async (input: unknown) => {
    checkActionInput(input);
    return run(input as never);
  };
}

const TARGETS: Record<string, () => SchemaTarget> = {
  "saveEnrollmentFormAction (ZSaveEnrollmentForm)": () => ({
    schema: ZSaveEnrollmentForm,
    call: viaAction((i) => saveEnrollmentForm(prescriber, i)),
  }),
  "acknowledgeTrainingAction (ZAcknowledgeTraining)": () => ({
    schema: ZAcknowledgeTraining,
    call: viaAction((i) => acknowledgeTrainingSection(prescriber, i)),
  }),
  "submitAssessmentAction (ZSubmitAssessment)": () => ({
    schema: ZSubmitAssessment,
    call: viaAction((i) => submitAssessment(prescriber, i)),
  }),
  "setAttestationAction (ZSetAttestation)": () => ({
    schema: ZSetAttestation,
    call: viaAction((i) => setAttestation(prescriber, i)),
  }),
  "signEnrollmentAction (ZSignEnrollment)": () => ({
    schema: ZSignEnrollment,
    call: viaAction((i) => signEnrollment(prescriber, i)),
  }),
  "restartEnrollmentAction (ZRestartEnrollment)": () => ({
    schema: ZRestartEnrollment,
    call: viaAction((i) => restartEnrollment(prescriber, i)),
  }),
  "enrollPatientAction (ZEnrollPatient)": () => ({
    schema: ZEnrollPatient,
    call: viaAction((i) => enrollPatient(prescriber, i)),
  }),
  "setPatientStatusAction (ZSetPatientStatus)": () => ({
    schema: ZSetPatientStatus,
    call: viaAction((i) => setPatientStatus(prescriber, i)),
  }),
  "transferPatientAction (ZTransferPatient)": () => ({
    schema: ZTransferPatient,
    call: viaAction((i) => transferPatient(prescriber, i)),
  }),
  "coSignPatientEnrollmentAction (ZCoSignPatientEnrollment)": () => ({
    schema: ZCoSignPatientEnrollment,
    call: viaAction((i) => coSignPatientEnrollment(prescriber, i)),
  }),
  "signOwnEnrollmentAction (ZSignOwnEnrollment)": () => ({
    schema: ZSignOwnEnrollment,
    call: viaAction((i) => signOwnEnrollment(patientUser, i)),
  }),
  "recordLabResultAction (ZRecordLabResult)": () => ({
    schema: ZRecordLabResult,
    call: viaAction((i) => recordLabResult(prescriber, i)),
  }),
  "recordInfusionAction (ZRecordInfusion)": () => ({
    schema: ZRecordInfusion,
    call: viaAction((i) => recordInfusion(settingRep, i)),
  }),
  "submitStatusFormAction (ZSubmitStatusForm)": () => ({
    schema: ZSubmitStatusForm,
    call: viaAction((i) => submitStatusForm(prescriber, i)),
  }),
  "markAdverseEventReviewedAction (ZReviewAdverseEvent)": () => ({
    schema: ZReviewAdverseEvent,
    call: viaAction((i) => markAdverseEventReviewed(admin, i)),
  }),
  "createInvitationAction (ZCreateInvitation)": () => ({
    schema: ZCreateInvitation,
    call: viaAction((i) => createInvitation(pharmacist, i)),
  }),
  // The action passes String(invitationId), as here.
  "revokeInvitationAction (invitation id)": () => ({
    schema: z.object({}),
    call: viaAction((i) => revokeInvitation(pharmacist, String(i))),
  }),
  "acceptInvitationAction (ZAcceptInvitation)": () => ({
    schema: ZAcceptInvitation,
    call: viaAction((i) => acceptInvitation(`not-a-token-${randomUUID()}`, i, requestContext())),
  }),
  "signUpAction (ZSignUp)": () => ({ schema: ZSignUp, call: viaAction((i) => signUp(i, requestContext())) }),
  "changePasswordAction (ZChangePassword)": () => ({
    schema: ZChangePassword,
    call: viaAction((i) => changePassword(prescriber, i, requestContext())),
  }),
  "requestEmailChangeAction (ZChangeEmail)": () => ({
    schema: ZChangeEmail,
    call: viaAction((i) => requestEmailChange(prescriber, i, requestContext())),
  }),
  // The action passes String(token), as here.
  "confirmEmailChangeAction (token)": () => ({
    schema: z.object({}),
    call: viaAction((i) => confirmEmailChange(String(i), requestContext())),
  }),
  "decideApplicationAction (ZDecision)": () => ({
    schema: ZDecision,
    call: viaAction((i) => decideApplication(admin, i)),
  }),
  "setClaimAction (ZSetClaim)": () => ({ schema: ZSetClaim, call: viaAction((i) => setClaim(admin, i)) }),
  "createApiKeyAction (ZCreateApiKey)": () => ({
    schema: ZCreateApiKey,
    call: viaAction((i) => createApiKey(pharmacist, i)),
  }),
  // The action reads keyId from its form data as text, as here.
  "revokeApiKeyAction (key id)": () => ({
    schema: z.object({}),
    call: viaAction((i) => revokeApiKey(pharmacist, String(i ?? ""))),
  }),
  "confirmDispenseAction (ZConfirmDispense)": () => ({
    schema: ZConfirmDispense,
    call: viaAction((i) => confirmDispense(callerFromActor(pharmacist), approvedId, i)),
  }),
  "reverseDispenseAction (ZReverseDispense)": () => ({
    schema: ZReverseDispense,
    call: viaAction((i) => reverseDispense(callerFromActor(pharmacist), approvedId, i)),
  }),
  "startDiscretionAction (ZStartDiscretion)": () => ({
    schema: ZStartDiscretion,
    call: viaAction((i) => startEnforcementDiscretion(admin, i)),
  }),
  "endDiscretionAction (ZEndDiscretion)": () => ({
    schema: ZEndDiscretion,
    call: viaAction((i) => endEnforcementDiscretion(admin, i)),
  }),
  "recordFollowUpAction (ZFollowUp)": () => ({ schema: ZFollowUp, call: viaAction((i) => recordFollowUp(admin, i)) }),
  "openCaseAction (ZOpenCase)": () => ({ schema: ZOpenCase, call: viaAction((i) => openCase(admin, i)) }),
  "takeStepAction (ZTakeStep)": () => ({ schema: ZTakeStep, call: viaAction((i) => takeStep(admin, i)) }),
  "addNoteAction (ZAddNote)": () => ({ schema: ZAddNote, call: viaAction((i) => addNote(admin, i)) }),
  "addLinkAction (ZAddLink)": () => ({ schema: ZAddLink, call: viaAction((i) => addLink(admin, i)) }),
};

/** What an accepted input would leave behind: audit rows by our users, and their rows in the main tables. */
async function serviceFootprint() {
  const client = db();
  const [audit, users, patients, labs, invitations, keys, authorizations] = await Promise.all([
    client.auditEvent.count({ where: { actorId: { in: ourUserIds } } }),
    client.user.count(),
    client.patient.count(),
    client.labResult.count(),
    client.invitation.count({ where: { invitedByUserId: { in: ourUserIds } } }),
    client.pharmacyApiKey.count({ where: { pharmacyId } }),
    client.dispenseAuthorization.findFirstOrThrow({
      where: { id: approvedId },
      select: { status: true, dispensedAt: true, reversedAt: true },
    }),
  ]);
  return { audit, users, patients, labs, invitations, keys, authorizations };
}

describe("fuzzing the server actions' input schemas", () => {
  for (const [name, target] of Object.entries(TARGETS)) {
    it(`${name}: invalid input is a VALIDATION error and changes nothing`, async () => {
      const { schema, call } = target();
      // Other test files may add users, patients and labs on PostgreSQL in parallel: compare only ours there.
      const scoped = async () => {
        const f = await serviceFootprint();
        return ON_PGLITE
          ? f
          : { audit: f.audit, invitations: f.invitations, keys: f.keys, authorizations: f.authorizations };
      };
      const before = await scoped();
      let n = 0;
      const codes = new Map<string, number>();
      const check = async (input: unknown) => {
        let outcome: unknown;
        try {
          outcome = await call(input);
        } catch (error) {
          outcome = error;
        }
        const detail = `${name} with ${preview(input)} → ${
          isAppError(outcome)
            ? `${outcome.code}: ${outcome.message}`
            : outcome instanceof Error
              ? outcome.stack
              : JSON.stringify(outcome)
        }`;
        // A refusal the person can act on: an AppError answered as a 4xx (VALIDATION for most).
        expect(outcome instanceof AppError && ERROR_STATUS[outcome.code] < 500, detail).toBe(true);
        const code = (outcome as AppError).code;
        codes.set(code, (codes.get(code) ?? 0) + 1);
        n++;
      };
      for (const input of BOUNDARY) await check(input);
      await fc.assert(fc.asyncProperty(invalidInputs(fieldsOf(schema)), check), { numRuns: SCHEMA_RUNS });
      counts[`${name} [${[...codes].map(([c, k]) => `${c} ${k}`).join(", ")}]`] = n;
      expect(await scoped()).toEqual(before);
    });
  }
});
