/**
 * Hostile text at every JSON API route, over real HTTP (tests/setup/http-routes.ts): NUL characters,
 * lone surrogates and bad percent-encoding in JSON bodies (values and keys, at any depth), query
 * strings and path segments are a 400/422 in the API's error shape naming the field — never a 5xx —
 * and nothing is stored. Inputs are generated with fast-check.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import * as lookupRoute from "../../app/api/v1/programs/[code]/certifications/route";
import * as itemRoute from "../../app/api/v1/dispense-authorizations/[id]/route";
import * as dispenseRoute from "../../app/api/v1/dispense-authorizations/[id]/dispense/route";
import * as reverseRoute from "../../app/api/v1/dispense-authorizations/[id]/reverse/route";
import * as collectionRoute from "../../app/api/v1/dispense-authorizations/route";
import type { Actor } from "../../lib/auth/actor";
import { addDays, dayOf } from "../../lib/calendar";
import { db, disconnectDb } from "../../lib/db";
import { createApiKey } from "../../lib/dispensing/api-keys";
import { ERROR_STATUS } from "../../lib/errors";
import { actorFor } from "../factories/applications";
import {
  createPharmacyEnrollment,
  createPrescriberEnrollment,
  createSettingEnrollment,
  ensureProgram,
} from "../factories/certified";
import { addResults, createPatient } from "../factories/clinical";
import { requestContext, stepUpCode, uniqueIp } from "../factories/users";
import { signUp } from "../../lib/auth/service";
import { actionError, checkActionInput } from "../../lib/http/action-result";
import { type ServedRoutes, serveRoutes } from "../setup/http-routes";

const BASE = "/api/v1/dispense-authorizations";
const RUNS = 40;

const ZErrorBody = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS]),
    message: z.string().min(1),
    fields: z.record(z.string(), z.array(z.string())).optional(),
  }),
});

/** Strings no field can hold: a NUL or a lone surrogate somewhere inside ordinary text. */
const hostileString = fc
  .tuple(
    fc.string({ maxLength: 8 }),
    fc.constantFrom("\u0000", "\ud800", "\udbff", "\udc00", "\udfff", "\u0000\u0000", "\ud83d"),
    fc.string({ maxLength: 8 }),
  )
  .map(([a, bad, b]) => a + bad + b);

/** Raw query or path text that is not valid percent-encoded UTF-8, or decodes to a NUL. */
const hostileEncoded = fc.constantFrom(
  "%00",
  "a%00b",
  "%ED%A0%80",
  "%E0%A4%A",
  "%ff",
  "%C3",
  "%",
  "%zz",
  "%F0%9F%98",
  "%C0%80",
);
/** Encodings that still decode (so the router can match them) but to a NUL. */
const hostileDecodable = fc.constantFrom("%00", "a%00b", "%00%00", "12345678-%00");

let server: ServedRoutes;
let key: string;
let pharmacyId: string;
let approvedId: string;
let validRequest: () => Record<string, unknown>;

function representative(pharmacy: Awaited<ReturnType<typeof createPharmacyEnrollment>>): Actor {
  return {
    ...actorFor({ id: pharmacy.user.id, email: pharmacy.user.email, name: pharmacy.user.name, role: "PHARMACIST" }),
    pharmacyId: pharmacy.pharmacy.id,
  };
}

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
  key = (
    await createApiKey(representative(pharmacy), {
      name: "Hostile input tests",
      password: pharmacy.password,
      code: await stepUpCode(pharmacy.user.id),
    })
  ).key;
  const prescriber = await createPrescriberEnrollment({ status: "CERTIFIED" });
  const setting = await createSettingEnrollment({ status: "CERTIFIED" });
  const { patient } = await createPatient({
    prescriberId: prescriber.prescriber.id,
    healthcareSettingId: setting.setting.id,
  });
  const fiveDaysAgo = addDays(dayOf(new Date()), -5);
  await addResults(
    patient.id,
    ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"].map((testCode) => ({
      testCode,
      collectedOn: fiveDaysAgo,
    })),
  );
  validRequest = () => ({
    programCode: "LEMTRADA",
    prescriberNpi: prescriber.prescriber.npi,
    patientRemsId: patient.remsId,
    healthcareSettingId: setting.setting.npi ?? "",
    ndc: "58468-0200-01",
    quantity: 5,
    prescriptionId: `RX-${randomUUID()}`,
  });
  const approved = await send("POST", BASE, validRequest());
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  approvedId = (approved.body as { id: string }).id;
});

afterAll(async () => {
  await server?.close();
  await disconnectDb();
});

interface Answer {
  status: number;
  body: unknown;
}

async function send(method: string, path: string, body?: unknown, rawBody?: string): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      "idempotency-key": randomUUID(),
      // Each request from an address of its own: the lookup's per-address limit is tested elsewhere.
      "x-real-ip": uniqueIp(),
      ...(body !== undefined || rawBody !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text: the assertion below shows it
  }
  return { status: response.status, body: parsed };
}

/** A 400 or 422 in the error shape, with a field error. */
function expectRefused(answer: Answer, field?: string) {
  expect([400, 422], JSON.stringify(answer.body)).toContain(answer.status);
  const parsed = ZErrorBody.parse(answer.body);
  expect(parsed.error.fields, JSON.stringify(parsed)).toBeDefined();
  if (field !== undefined) expect(Object.keys(parsed.error.fields ?? {})).toContain(field);
}

async function storedCount() {
  return db().dispenseAuthorization.count({ where: { pharmacyId } });
}

/** Puts `value` at a path (existing or new) of a copy of `body`. */
function placeAt(body: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = structuredClone(body);
  let target: Record<string, unknown> = copy;
  for (const part of path.slice(0, -1)) {
    const next = target[part];
    target[part] = typeof next === "object" && next !== null ? next : {};
    target = target[part] as Record<string, unknown>;
  }
  target[path.at(-1) ?? "x"] = value;
  return copy;
}

const requestFields = [
  "programCode",
  "prescriberNpi",
  "patientRemsId",
  "healthcareSettingId",
  "ndc",
  "prescriptionId",
  "extra",
];

describe("hostile text at the JSON API", () => {
  it("JSON bodies: a hostile value anywhere, or a hostile key, is refused naming the field; nothing is stored", async () => {
    const before = await storedCount();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...requestFields),
        fc.array(fc.constantFrom("nested", "deeper", "0"), { maxLength: 2 }),
        hostileString,
        fc.boolean(),
        async (field, depth, bad, asArray) => {
          const path = [field, ...depth];
          const body = placeAt(validRequest(), path, asArray ? ["ok", bad] : bad);
          const expected = asArray ? [...path, "1"].join(".") : path.join(".");
          expectRefused(await send("POST", BASE, body), expected);
        },
      ),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(hostileString, async (badKey) => {
        const body = { ...validRequest(), [badKey]: "x" };
        expectRefused(await send("POST", BASE, body), "(field name)");
      }),
      { numRuns: RUNS / 2 },
    );
    expect(await storedCount()).toBe(before);
  });

  it("JSON bodies of the dispense and reverse routes: refused, and the authorization is unchanged", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("dispense", "reverse"),
        fc.constantFrom("lotNumber", "reason", "dispensedAt", "note"),
        hostileString,
        async (action, field, bad) => {
          const body = { quantity: 5, lotNumber: "LOT-1", reason: "not picked up", [field]: bad };
          expectRefused(await send("POST", `${BASE}/${approvedId}/${action}`, body), field);
        },
      ),
      { numRuns: RUNS },
    );
    const row = await db().dispenseAuthorization.findFirstOrThrow({ where: { id: approvedId } });
    expect(row.status).toBe("APPROVED");
  });

  it("JSON text escapes (\\u0000, \\ud800) written by hand are refused like parsed ones", async () => {
    const raw = JSON.stringify(validRequest()).replace('"ndc":"', '"ndc":"\\u0000');
    expectRefused(await send("POST", BASE, undefined, raw), "ndc");
    const surrogate = JSON.stringify(validRequest()).replace('"prescriptionId":"', '"prescriptionId":"\\ud800');
    expectRefused(await send("POST", BASE, undefined, surrogate), "prescriptionId");
  });

  it("query strings: bad percent-encoding or a NUL in any parameter is a 400 naming it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("status", "decision", "patientRemsId", "prescriptionId", "from", "page", "other"),
        hostileEncoded,
        async (name, bad) => {
          const list = await send("GET", `${BASE}?${name}=${bad}`);
          expect(list.status, JSON.stringify(list.body)).toBe(400);
          expectRefused(list, `?${name}`);
          const lookup = await send("GET", `/api/v1/programs/LEMTRADA/certifications?npi=${bad}`);
          expect(lookup.status).toBe(400);
          expectRefused(lookup, "?npi");
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("path segments that decode to a NUL are a 400 at every route with a path parameter", async () => {
    const before = await storedCount();
    await fc.assert(
      fc.asyncProperty(hostileDecodable, fc.constantFrom("", "/dispense", "/reverse"), async (bad, suffix) => {
        const method = suffix === "" ? "GET" : "POST";
        const answer = await send(method, `${BASE}/${bad}${suffix}`, method === "POST" ? {} : undefined);
        expect(answer.status, JSON.stringify(answer.body)).toBe(400);
        expectRefused(answer);
        const lookup = await send("GET", `/api/v1/programs/${bad}/certifications?npi=1234567893`);
        expect(lookup.status).toBe(400);
        expectRefused(lookup, "path");
      }),
      { numRuns: RUNS / 2 },
    );
    expect(await storedCount()).toBe(before);
  });
});

describe("names and numbers that would display differently from what is stored", () => {
  it("a sign-up name with a right-to-left override or a control character is a field error, and no account is made", async () => {
    for (const name of ["Zoë O'Brien \u202egnp.exe", "Bell\u0007 Ringer", "Isolated \u2067name\u2069"]) {
      const email = `bidi-${randomUUID()}@test.local`;
      const password = "Quartz lantern meadow 2026";
      const input = { name, email, password, confirmPassword: password, enrollingAs: "PRESCRIBER" as const };
      let refused: unknown;
      try {
        checkActionInput(input);
        await signUp(input, requestContext());
      } catch (error) {
        refused = error;
      }
      const result = actionError(refused);
      expect(result, JSON.stringify(name)).toMatchObject({ ok: false, code: "VALIDATION" });
      expect(result.ok ? undefined : result.fields?.name?.[0]).toMatch(
        /(bidirectional )?control character \(U\+[0-9A-F]{4}\)/,
      );
      expect(await db().user.count({ where: { email } })).toBe(0);
    }
  });

  it("a prescription number with a right-to-left override is refused by the dispense API naming the field; nothing stored", async () => {
    const before = await storedCount();
    const answer = await send("POST", BASE, {
      ...validRequest(),
      prescriptionId: `RX-\u202e${randomUUID().slice(0, 8)}`,
    });
    expectRefused(answer, "prescriptionId");
    expect(JSON.stringify(answer.body)).toContain("U+202E");
    expect(await storedCount()).toBe(before);
  });
});
