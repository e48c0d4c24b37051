/**
 * CDS Hooks and FHIR $rems-etasu against a real database: the services called directly for the card
 * and GuidanceResponse rules, and the route handlers over real HTTP (tests/setup/http-routes.ts) for
 * authentication (CDS Hooks JWTs signed with a key made here, its JWKS given inline), hostile bodies
 * and the fhirServer allow-list. Requests come from the fixtures under tests/fixtures.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as discoveryRoute from "../../app/cds-services/route";
import * as serviceRoute from "../../app/cds-services/[service]/route";
import * as etasuRoute from "../../app/fhir/GuidanceResponse/[operation]/route";
import { addDays, addMonths, dayOf } from "../../lib/calendar";
import { db, disconnectDb } from "../../lib/db";
import { createApiKey } from "../../lib/dispensing/api-keys";
import { resetEnvCache } from "../../lib/env";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { formatDate } from "../../lib/format";
import { type CdsCard, runCdsService } from "../../lib/interop/cds-hooks";
import { remsEtasu } from "../../lib/interop/etasu";
import { checkRequirements } from "../../lib/interop/requirements";
import { remsPatientIdSystem } from "../../lib/interop/identifiers";
import { matchPatient } from "../../lib/interop/patient-match";
import { lemtrada } from "../../lib/programs/lemtrada";
import { actorFor } from "../factories/applications";
import {
  createPharmacyEnrollment,
  createPrescriberEnrollment,
  ensureProgram,
  uniqueNpi,
  uniqueWord,
} from "../factories/certified";
import { addInfusions, addResults, createCareTeam, createPatient } from "../factories/clinical";
import { stepUpCode } from "../factories/users";
import { fixture } from "../fixtures/fixture";
import { type ServedRoutes, serveRoutes } from "../setup/http-routes";

const BASELINE = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];
const ISSUER = "https://ehr.integration.test";
const APP_URL = "http://localhost:3000";
const today = dayOf(new Date());

let server: ServedRoutes;
let privateKey: CryptoKey;
const savedEnv = { ...process.env };

type Team = Awaited<ReturnType<typeof createCareTeam>>;
let team: Team;

interface PatientFixture {
  remsId: string;
  given: string;
  family: string;
  birthDate: string;
  gender: string;
}

async function enrolledPatient(options: { withBaseline?: boolean; prescriberId?: string } = {}) {
  const { patient } = await createPatient({
    prescriberId: options.prescriberId ?? team.prescriber.prescriber.id,
    healthcareSettingId: team.setting.setting.id,
    enrolledOn: addDays(today, -20),
  });
  if (options.withBaseline !== false) {
    await addResults(
      patient.id,
      BASELINE.map((testCode) => ({ testCode, collectedOn: addDays(today, -10) })),
    );
  }
  return {
    id: patient.id,
    remsId: patient.remsId,
    given: patient.firstName,
    family: patient.lastName,
    birthDate: "1985-04-12",
    gender: "female",
  };
}

function values(p: PatientFixture, npi: string, extra: Record<string, string | number> = {}) {
  return {
    hookInstance: randomUUID(),
    remsIdSystem: remsPatientIdSystem(),
    patientRemsId: p.remsId,
    given: p.given,
    family: p.family,
    birthDate: p.birthDate,
    gender: p.gender,
    npi,
    quantity: 5,
    ...extra,
  };
}

function expectCardShape(card: CdsCard) {
  expect(card.uuid).toMatch(/^[0-9a-f-]{36}$/);
  expect(card.source.label).toBe("LEMTRADA REMS");
  expect(card.summary.length).toBeLessThanOrEqual(140);
  for (const l of card.links ?? []) expect(l.type).toBe("absolute");
}

beforeAll(async () => {
  const keys = await generateKeyPair("ES384", { extractable: true });
  privateKey = keys.privateKey as CryptoKey;
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: "test-key", alg: "ES384", use: "sig" };
  process.env.APP_URL = APP_URL;
  process.env.CDS_HOOKS_ISSUERS = JSON.stringify({ [ISSUER]: { keys: [jwk] } });
  process.env.CDS_HOOKS_ALLOW_UNAUTHENTICATED = "false";
  process.env.INTEROP_MAX_BODY_BYTES = String(64 * 1024);
  resetEnvCache();
  await ensureProgram();
  team = await createCareTeam();
  server = await serveRoutes({
    "/cds-services": discoveryRoute,
    "/cds-services/[service]": serviceRoute,
    "/fhir/GuidanceResponse/[operation]": etasuRoute,
  });
});

afterEach(() => {
  process.env.CDS_HOOKS_FHIR_SERVERS = "";
  resetEnvCache();
});

afterAll(async () => {
  await server.close();
  process.env = savedEnv;
  resetEnvCache();
  await disconnectDb();
});

interface TokenOptions {
  aud?: string;
  iss?: string;
  lifetime?: number;
  iatOffset?: number;
  jti?: string;
}

async function token(path: string, options: TokenOptions = {}) {
  const now = Math.floor(Date.now() / 1000) + (options.iatOffset ?? 0);
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES384", kid: "test-key", typ: "JWT" })
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? `${APP_URL}${path}`)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.lifetime ?? 300))
    .setJti(options.jti ?? randomUUID())
    .sign(privateKey);
}

async function post(
  path: string,
  body: unknown,
  options: { auth?: string | null; contentType?: string; raw?: string } = {},
) {
  const headers = new Headers({ "content-type": options.contentType ?? "application/json" });
  const auth = options.auth === undefined ? `Bearer ${await token(path)}` : options.auth;
  if (auth) headers.set("authorization", auth);
  const response = await fetch(`${server.url}${path.replace("$", "%24")}`, {
    method: "POST",
    headers,
    body: options.raw ?? JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : null };
}

// ---------------------------------------------------------------------------------------------

describe("CDS Hooks discovery", () => {
  it("lists the three services with their hooks and prefetch templates", async () => {
    const response = await fetch(`${server.url}/cds-services`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      services: { id: string; hook: string; prefetch: Record<string, string> }[];
    };
    expect(body.services.map((s) => [s.id, s.hook])).toEqual([
      ["rems-order-sign", "order-sign"],
      ["rems-order-select", "order-select"],
      ["rems-patient-view", "patient-view"],
    ]);
    for (const s of body.services) {
      expect(s.prefetch.patient).toBe("Patient/{{context.patientId}}");
      expect(s.prefetch.practitioner).toBe("{{context.userId}}");
    }
    expect(body.services[2]?.prefetch.medicationRequests).toMatch(
      /^MedicationRequest\?subject=\{\{context.patientId\}\}/,
    );
  });
});

describe("CDS Hooks cards", () => {
  it("order-sign for a patient who meets every requirement: one info card with the REMS patient id", async () => {
    const p = await enrolledPatient();
    const { cards } = await runCdsService(
      "rems-order-sign",
      fixture("cds-hooks/order-sign.json", values(p, team.prescriber.prescriber.npi)),
    );
    expect(cards).toHaveLength(1);
    const [card] = cards;
    if (!card) throw new Error("no card");
    expectCardShape(card);
    expect(card.indicator).toBe("info");
    expect(card.detail).toContain(p.remsId);
    const validity = lemtrada.dispensing.authorizationValidityDays;
    expect(card.detail).toContain(`valid through ${formatDate(addDays(today, validity))}.`);
  });

  it("a quantity over the first course's maximum is a warning about the quantity", async () => {
    const p = await enrolledPatient();
    const { cards } = await runCdsService(
      "rems-order-sign",
      fixture("cds-hooks/order-sign.json", values(p, team.prescriber.prescriber.npi, { quantity: 9 })),
    );
    expect(cards.map((c) => c.indicator)).toEqual(["warning"]);
    expect(cards[0]?.detail).toMatch(/9 vials is more than course 1 allows \(5 vials\)/);
  });

  it("a prescriber whose application awaits review is linked to the application; an unknown one to enrollment", async () => {
    const pending = await createPrescriberEnrollment({ status: "SUBMITTED" });
    const p = await enrolledPatient();
    const { cards } = await runCdsService(
      "rems-order-sign",
      fixture("cds-hooks/order-sign.json", values(p, pending.prescriber.npi)),
    );
    const card = cards.find((c) => /awaiting review/.test(c.summary));
    expect(card?.indicator).toBe("warning");
    expect(card?.links).toEqual([{ label: "Open your application", url: `${APP_URL}/enrollment`, type: "absolute" }]);
    expect(cards.some((c) => c.indicator === "info")).toBe(false);

    const unknown = await runCdsService(
      "rems-order-sign",
      fixture("cds-hooks/order-sign.json", values(p, uniqueNpi())),
    );
    const enroll = unknown.cards.find((c) => /^Enroll in the LEMTRADA REMS/.test(c.summary));
    expect(enroll?.links?.[0]?.url).toBe(`${APP_URL}/enroll/LEMTRADA`);
  });

  it("a patient the registry does not know gets an enrollment link prefilled from the FHIR Patient", async () => {
    const stranger = {
      remsId: generateRemsId("PT"),
      given: "Noor",
      family: uniqueWord("Haddad"),
      birthDate: "1990-02-03",
      gender: "male",
    };
    const request = fixture("cds-hooks/order-sign.json", values(stranger, team.prescriber.prescriber.npi)) as {
      prefetch: { patient: { identifier: unknown[] } };
    };
    request.prefetch.patient.identifier = [];
    const { cards } = await runCdsService("rems-order-sign", request);
    const card = cards.find((c) => /^Enroll the patient/.test(c.summary));
    expect(card).toBeDefined();
    if (!card) return;
    expectCardShape(card);
    const url = new URL(card.links?.[0]?.url ?? "");
    expect(url.pathname).toBe("/prescriber/patients/new");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      program: "LEMTRADA",
      given: "Noor",
      family: stranger.family,
      birthDate: "1990-02-03",
      sex: "male",
    });
  });

  it("name and birth date of an enrolled patient only propose a match: no info card, nothing reported met", async () => {
    const p = await enrolledPatient();
    const request = fixture("cds-hooks/order-sign.json", values(p, team.prescriber.prescriber.npi)) as {
      prefetch: { patient: { identifier: unknown[] } };
    };
    request.prefetch.patient.identifier = [{ system: "urn:oid:2.16.840.1.113883.3.9999.mrn", value: "MRN-1" }];
    const { cards } = await runCdsService("rems-order-sign", request);
    expect(cards.some((c) => c.indicator === "info")).toBe(false);
    const proposal = cards.find((c) => /name and birth date is enrolled .* confirm/.test(c.summary));
    expect(proposal?.indicator).toBe("warning");
    expect(JSON.stringify(cards)).not.toContain(p.remsId);

    const match = await matchPatient(db(), { given: p.given, family: p.family, birthDate: p.birthDate });
    expect(match).toEqual({ kind: "proposed", via: "name-and-birth-date" });
    const etasu = await remsEtasu(
      { pharmacyId: null },
      stripIdentifiers(
        fixture("fhir/etasu-patient-medication-request.json", values(p, team.prescriber.prescriber.npi)),
      ),
    );
    expect(guidanceOf(etasu).status).toBe("failure");
  });

  it("a REMS patient id that belongs to someone with another name or birth date checks nothing and says so", async () => {
    const p = await enrolledPatient();
    const other = { ...p, given: "James", family: uniqueWord("Whitaker"), birthDate: "1979-11-02" };
    const { cards } = await runCdsService(
      "rems-order-sign",
      fixture("cds-hooks/order-sign.json", values(other, team.prescriber.prescriber.npi)),
    );
    expect(cards.some((c) => c.indicator === "info")).toBe(false);
    const card = cards.find((c) => /belongs to another patient/.test(c.summary));
    expect(card?.indicator).toBe("critical");
    expect(card?.detail).toContain(`${p.remsId} is the REMS patient id of a patient whose name and birth date differ`);
    expect(
      await matchPatient(db(), {
        identifiers: [{ system: remsPatientIdSystem(), value: p.remsId }],
        birthDate: "1979-11-02",
      }),
    ).toEqual({
      kind: "mismatch",
      remsId: p.remsId,
      differs: ["birth date"],
    });
    // Accents, case and punctuation are not a difference.
    expect(
      (
        await matchPatient(db(), {
          identifiers: [{ system: remsPatientIdSystem(), value: p.remsId }],
          given: p.given.toUpperCase(),
          family: ` ${p.family.toLowerCase()}.`,
          birthDate: p.birthDate,
        })
      ).kind,
    ).toBe("identified");
    const etasu = await remsEtasu(
      { pharmacyId: null },
      fixture("fhir/etasu-patient-medication-request.json", values(other, team.prescriber.prescriber.npi)),
    );
    const guidance = guidanceOf(etasu);
    expect(guidance.status).toBe("failure");
    expect(JSON.stringify(guidance)).toContain("differ from this Patient's");
  });

  it("overdue monitoring names each test and the day it fell due; a too-early course gives the earliest date", async () => {
    const p = await enrolledPatient({ withBaseline: false });
    const firstDose = addDays(today, -150);
    await addInfusions(
      p.id,
      team.setting.setting.id,
      team.setting.user.id,
      [0, 1, 2, 3, 4].map((d) => ({ infusedOn: addDays(firstDose, d), courseNumber: 1, dayInCourse: d + 1 })),
    );
    const { cards } = await runCdsService(
      "rems-order-sign",
      fixture("cds-hooks/order-sign.json", values(p, team.prescriber.prescriber.npi, { quantity: 3 })),
    );
    for (const card of cards) expectCardShape(card);
    const monitoring = cards.find((c) => c.summary.startsWith("Safety monitoring overdue"));
    expect(monitoring?.summary).toContain("Complete blood count");
    expect(monitoring?.detail).toContain(`due since ${formatDate(addDays(addDays(firstDose, 0), 31))}`);
    const interval = cards.find((c) => c.summary.startsWith("Too early for the next course"));
    expect(interval?.summary).toBe(
      `Too early for the next course: not before ${formatDate(addMonths(addDays(firstDose, 4), 12))}`,
    );
  });

  it("a drug outside every programme gives no cards, and asks for nothing", async () => {
    const body = fixture("cds-hooks/unknown-drug.json", { hookInstance: randomUUID() });
    expect(await runCdsService("rems-order-sign", body)).toEqual({ cards: [] });
  });

  it("order-select reads only the selected order, through a contained Medication's NDC (any coding)", async () => {
    const p = await enrolledPatient();
    const body = fixture("cds-hooks/order-select.json", values(p, team.prescriber.prescriber.npi)) as {
      context: { selections: string[] };
    };
    const { cards } = await runCdsService("rems-order-select", body);
    expect(cards.map((c) => c.indicator)).toEqual(["info"]);
    body.context.selections = ["MedicationRequest/not-there"];
    expect(await runCdsService("rems-order-select", body)).toEqual({ cards: [] });
  });

  it("patient-view checks active orders from prefetch, resolving a Medication included in the bundle", async () => {
    const p = await enrolledPatient();
    const { cards } = await runCdsService(
      "rems-patient-view",
      fixture("cds-hooks/patient-view.json", values(p, team.prescriber.prescriber.npi)),
    );
    expect(cards.map((c) => c.indicator)).toEqual(["info"]);
  });
});

describe("CDS Hooks prefetch and the fhirServer allow-list", () => {
  let fhir: Server;
  let fhirUrl: string;
  const asked: string[] = [];
  let patientResource: unknown = null;

  beforeAll(async () => {
    fhir = createServer((req, res) => {
      asked.push(req.url ?? "");
      if (req.url?.startsWith("/fhir/Patient/") && patientResource) {
        res.writeHead(200, { "content-type": "application/fhir+json" });
        res.end(JSON.stringify(patientResource));
        return;
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((resolve) => fhir.listen(0, "127.0.0.1", resolve));
    fhirUrl = `http://127.0.0.1:${(fhir.address() as AddressInfo).port}/fhir`;
  });
  afterAll(() => new Promise<void>((resolve) => fhir.close(() => resolve())));

  let removedPatient: unknown = null;
  /** An order-sign request whose prefetch lacks the Patient (kept in removedPatient). */
  async function signRequestWithoutPatient() {
    const p = await enrolledPatient();
    const body = fixture("cds-hooks/order-sign.json", values(p, team.prescriber.prescriber.npi)) as Record<
      string,
      unknown
    > & {
      prefetch: Record<string, unknown>;
    };
    removedPatient = body.prefetch.patient;
    delete body.prefetch.patient;
    return body;
  }

  it("without prefetch and without an allowed server: 412, and a named server is never contacted", async () => {
    const body = await signRequestWithoutPatient();
    body.fhirServer = fhirUrl;
    body.fhirAuthorization = {
      access_token: "ehr-token",
      token_type: "Bearer",
      expires_in: 300,
      scope: "patient/*.read",
      subject: "x",
    };
    asked.length = 0;
    const answer = await post("/cds-services/rems-order-sign", body);
    expect(answer.status).toBe(412);
    expect(asked).toEqual([]);
  });

  it("with the server on the allow-list, the missing Patient is read from it", async () => {
    const body = await signRequestWithoutPatient();
    patientResource = removedPatient;
    body.fhirServer = fhirUrl;
    process.env.CDS_HOOKS_FHIR_SERVERS = fhirUrl;
    resetEnvCache();
    asked.length = 0;
    const answer = await post("/cds-services/rems-order-sign", body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(asked).toEqual(["/fhir/Patient/chart-1"]);
    expect((answer.body as { cards: CdsCard[] }).cards.map((c) => c.indicator)).toEqual(["info"]);
  });
});

describe("CDS Hooks over HTTP: authentication and hostile input", () => {
  const PATH = "/cds-services/rems-order-sign";
  let body: unknown;
  beforeAll(async () => {
    body = fixture("cds-hooks/order-sign.json", values(await enrolledPatient(), team.prescriber.prescriber.npi));
  });

  it("accepts a JWT from a configured issuer, for this endpoint or the service base", async () => {
    expect((await post(PATH, body)).status).toBe(200);
    expect(
      (await post(PATH, body, { auth: `Bearer ${await token(PATH, { aud: `${APP_URL}/cds-services` })}` })).status,
    ).toBe(200);
  });

  it.each([
    ["no Authorization header", async () => null],
    [
      "a token for another audience",
      async () => `Bearer ${await token(PATH, { aud: "https://elsewhere.test/cds-services/rems-order-sign" })}`,
    ],
    ["an unknown issuer", async () => `Bearer ${await token(PATH, { iss: "https://rogue.test" })}`],
    ["an expired token", async () => `Bearer ${await token(PATH, { iatOffset: -600 })}`],
    ["a token living longer than five minutes", async () => `Bearer ${await token(PATH, { lifetime: 3600 })}`],
    [
      "a token not signed by the issuer's key",
      async () => {
        const other = await generateKeyPair("ES384");
        const now = Math.floor(Date.now() / 1000);
        return `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: "ES384", kid: "test-key" })
          .setIssuer(ISSUER)
          .setAudience(`${APP_URL}${PATH}`)
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .setJti(randomUUID())
          .sign(other.privateKey)}`;
      },
    ],
    [
      "an HMAC-signed token",
      async () => {
        const now = Math.floor(Date.now() / 1000);
        return `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: "HS256" })
          .setIssuer(ISSUER)
          .setAudience(`${APP_URL}${PATH}`)
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .setJti(randomUUID())
          .sign(new TextEncoder().encode("a-shared-secret-of-32-characters!"))}`;
      },
    ],
    ["not a JWT", async () => "Bearer rg_live_not-a-jwt"],
  ])("refuses %s with 401", async (_, auth) => {
    const answer = await post(PATH, body, { auth: await auth() });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toBe("Bearer");
    expect((answer.body as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
  });

  it("refuses a replayed jti", async () => {
    const jti = randomUUID();
    const auth = `Bearer ${await token(PATH, { jti })}`;
    expect((await post(PATH, body, { auth })).status).toBe(200);
    const again = await post(PATH, body, { auth });
    expect(again.status).toBe(401);
    expect(JSON.stringify(again.body)).toMatch(/already used/);
    // The same jti in a token signed again (another iat and exp) is a replay too.
    const resigned = await post(PATH, body, { auth: `Bearer ${await token(PATH, { jti, iatOffset: -5 })}` });
    expect(resigned.status).toBe(401);
  });

  it("without a token but with the development switch on, the call is answered", async () => {
    process.env.CDS_HOOKS_ALLOW_UNAUTHENTICATED = "true";
    resetEnvCache();
    try {
      expect((await post(PATH, body, { auth: null })).status).toBe(200);
    } finally {
      process.env.CDS_HOOKS_ALLOW_UNAUTHENTICATED = "false";
      resetEnvCache();
    }
  });

  it.each([
    [
      "a wrong hook",
      { ...(fixture("cds-hooks/unknown-drug.json", { hookInstance: "x" }) as object), hook: "patient-view" },
      /answers the order-sign hook/,
    ],
    [
      "no hookInstance",
      {
        hook: "order-sign",
        context: { userId: "Practitioner/1", patientId: "1", draftOrders: { resourceType: "Bundle" } },
      },
      /hookInstance/,
    ],
    [
      "no draftOrders",
      { hook: "order-sign", hookInstance: "x", context: { userId: "Practitioner/1", patientId: "1" } },
      /draftOrders/,
    ],
    [
      "draftOrders that are not a Bundle",
      {
        hook: "order-sign",
        hookInstance: "x",
        context: { userId: "Practitioner/1", patientId: "1", draftOrders: { resourceType: "Patient" } },
      },
      /draftOrders/,
    ],
    [
      "a malformed MedicationRequest",
      {
        hook: "order-sign",
        hookInstance: "x",
        context: {
          userId: "Practitioner/1",
          patientId: "1",
          draftOrders: {
            resourceType: "Bundle",
            entry: [{ resource: { resourceType: "MedicationRequest", medicationCodeableConcept: { coding: "nope" } } }],
          },
        },
      },
      /MedicationRequest|coding/,
    ],
    ["a NUL in a value", { hook: "order-sign", hookInstance: "a\u0000b", context: {} }, /NUL/],
    ["an array for a body", [1, 2, 3], /request/],
  ])("answers 400 to %s", async (_, payload, message) => {
    const answer = await post(PATH, payload);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toMatch(message);
  });

  it("answers 400 to a lone surrogate, deep nesting, bad JSON and a wrong content type; 413 to a huge body; 404 to an unknown service", async () => {
    expect((await post(PATH, null, { raw: '{"hook":"\\ud800"}' })).status).toBe(400);
    expect((await post(PATH, null, { raw: `${"[".repeat(5000)}${"]".repeat(5000)}` })).status).toBe(400);
    expect((await post(PATH, null, { raw: "{" })).status).toBe(400);
    expect((await post(PATH, body, { contentType: "text/plain" })).status).toBe(400);
    const huge = await post(PATH, null, { raw: JSON.stringify({ hook: "order-sign", padding: "x".repeat(200_000) }) });
    expect(huge.status).toBe(413);
    const unknown = await post("/cds-services/no-such-service", body, {
      auth: `Bearer ${await token("/cds-services/no-such-service")}`,
    });
    expect(unknown.status).toBe(404);
  });
});

// ---------------------------------------------------------------------------------------------

type GuidanceResponse = {
  resourceType: string;
  status: string;
  contained?: {
    resourceType: string;
    id: string;
    parameter: { name: string; valueString?: string; resource?: GuidanceResponse }[];
  }[];
  outputParameters?: { reference: string };
  note?: { text: string }[];
  subject?: unknown;
};

function guidanceOf(output: unknown): GuidanceResponse {
  const parameters = output as { resourceType: string; parameter: { name: string; resource: GuidanceResponse }[] };
  expect(parameters.resourceType).toBe("Parameters");
  const etasu = parameters.parameter.find((p) => p.name === "rems-etasu")?.resource;
  if (!etasu) throw new Error("no rems-etasu parameter");
  expect(etasu.resourceType).toBe("GuidanceResponse");
  return etasu;
}

function requirementsOf(guidance: GuidanceResponse) {
  const contained = guidance.contained?.find((c) => `#${c.id}` === guidance.outputParameters?.reference);
  if (!contained) throw new Error("no contained output Parameters");
  return contained.parameter;
}

function stripIdentifiers(parameters: unknown): unknown {
  const copy = structuredClone(parameters) as { parameter: { name: string; resource?: { identifier?: unknown } }[] };
  for (const p of copy.parameter) if (p.name === "patient" && p.resource) delete p.resource.identifier;
  return copy;
}

describe("FHIR $rems-etasu", () => {
  it("success when every requirement is met, with one GuidanceResponse per requirement and the case number", async () => {
    const p = await enrolledPatient();
    const out = await remsEtasu(
      { pharmacyId: null },
      fixture("fhir/etasu-patient-medication-request.json", values(p, team.prescriber.prescriber.npi)),
    );
    const guidance = guidanceOf(out);
    expect(guidance.status).toBe("success");
    const parts = requirementsOf(guidance);
    expect(parts.find((x) => x.name === "case_number")?.valueString).toBe(p.remsId);
    const named = parts.filter((x) => x.resource).map((x) => [x.name, x.resource?.status]);
    expect(named).toContainEqual(["Prescriber certification", "success"]);
    expect(named).toContainEqual(["Patient enrollment", "success"]);
    expect(named.every(([, status]) => status === "success")).toBe(true);
  });

  it.each(["caseNumber", "case_number"])("accepts the case number as %s", async (caseParameter) => {
    const p = await enrolledPatient();
    const out = await remsEtasu(
      { pharmacyId: null },
      fixture("fhir/etasu-case-number.json", { caseParameter, patientRemsId: p.remsId }),
    );
    expect(guidanceOf(out).status).toBe("success");
  });

  it("data-required naming the unmet requirement; failure when no case is found", async () => {
    const p = await enrolledPatient({ withBaseline: false });
    const out = await remsEtasu(
      { pharmacyId: null },
      fixture("fhir/etasu-case-number-medication.json", { patientRemsId: p.remsId }),
    );
    const guidance = guidanceOf(out);
    expect(guidance.status).toBe("data-required");
    const baseline = requirementsOf(guidance).find((x) => x.name === "Baseline tests");
    expect(baseline?.resource?.status).toBe("data-required");
    expect(baseline?.resource?.note?.[0]?.text).toMatch(/Baseline results are missing/);

    const none = await remsEtasu(
      { pharmacyId: null },
      fixture("fhir/etasu-case-number.json", { caseParameter: "caseNumber", patientRemsId: generateRemsId("PT") }),
    );
    expect(guidanceOf(none).status).toBe("failure");
  });

  it("a pharmacy asking with its API key has its own certification checked", async () => {
    const p = await enrolledPatient();
    const applying = await createPharmacyEnrollment({ status: "SUBMITTED" });
    const certified = await createPharmacyEnrollment();
    const key = await createApiKey(
      { ...actorFor({ ...certified.user, role: "PHARMACIST" }), pharmacyId: certified.pharmacy.id },
      { name: "FHIR test", password: certified.password, code: await stepUpCode(certified.user.id) },
    );
    const input = fixture("fhir/etasu-case-number.json", { caseParameter: "caseNumber", patientRemsId: p.remsId });
    const ok = await post("/fhir/GuidanceResponse/$rems-etasu", input, { auth: `Bearer ${key.key}` });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^application\/fhir\+json/);
    expect(guidanceOf(ok.body).status).toBe("success");

    const out = await remsEtasu({ pharmacyId: applying.pharmacy.id }, input);
    const guidance = guidanceOf(out);
    expect(guidance.status).toBe("data-required");
    // Its own certification, and nothing about the case: no patient requirement, no case number.
    const parts = requirementsOf(guidance);
    expect(parts.map((x) => [x.name, x.resource?.status])).toEqual([["Pharmacy certification", "data-required"]]);
    expect(parts[0]?.resource?.note?.[0]?.text).toMatch(/enrollment in the LEMTRADA REMS is awaiting review/);
    expect(JSON.stringify(out)).not.toContain(p.remsId);

    // Asked about someone else's id with this patient's name, or about an id nobody has: the same
    // answer, so the pharmacy cannot tell who is enrolled.
    const stranger = await enrolledPatient();
    const probes = [
      fixture("fhir/etasu-patient-medication-request.json", {
        ...values(p, team.prescriber.prescriber.npi),
        patientRemsId: stranger.remsId,
      }),
      fixture("fhir/etasu-case-number.json", { caseParameter: "caseNumber", patientRemsId: generateRemsId("PT") }),
    ];
    for (const probe of probes) {
      const answer = await remsEtasu({ pharmacyId: applying.pharmacy.id }, probe);
      expect(requirementsOf(guidanceOf(answer)).map((x) => x.name)).toEqual(["Pharmacy certification"]);
    }
  });

  it("the requirements told to a pharmacy whose own certification denies it are its own and the prescription's", async () => {
    const p = await enrolledPatient({ withBaseline: false });
    const applying = await createPharmacyEnrollment({ status: "SUSPENDED" });
    const result = await checkRequirements({
      program: lemtrada,
      ndc: "58468-0200-01",
      quantity: 9,
      prescriberNpi: uniqueNpi(),
      patientRemsId: p.remsId,
      pharmacyId: applying.pharmacy.id,
    });
    expect(result.requirements.map((r) => [r.id, r.met])).toEqual([
      ["prescription", true],
      ["pharmacy-certification", false],
    ]);
    expect(result).toMatchObject({ patient: null, overdue: [], courseEarliestOn: null, prescriberStatus: null });
    expect(result.facts).toMatchObject({ patient: null, prescriber: null, setting: null });
    expect(result.decision.reasons.map((r) => r.code)).toEqual(["PHARMACY_NOT_CERTIFIED"]);
  });

  it.each([
    ["a Patient instead of Parameters", { resourceType: "Patient" }],
    ["neither patient and medication nor a case number", { resourceType: "Parameters", parameter: [] }],
    [
      "a malformed case number",
      { resourceType: "Parameters", parameter: [{ name: "caseNumber", valueString: "12345" }] },
    ],
    ["an unknown parameter", { resourceType: "Parameters", parameter: [{ name: "prescriber", valueString: "x" }] }],
    [
      "a medication that is an Observation",
      {
        resourceType: "Parameters",
        parameter: [
          { name: "patient", resource: { resourceType: "Patient" } },
          { name: "medication", resource: { resourceType: "Observation" } },
        ],
      },
    ],
    [
      "a patient with a bad birthDate",
      {
        resourceType: "Parameters",
        parameter: [
          { name: "patient", resource: { resourceType: "Patient", birthDate: "yesterday" } },
          { name: "medication", resource: { resourceType: "Medication" } },
        ],
      },
    ],
  ])("answers %s with a 400 OperationOutcome", async (_, input) => {
    const answer = await post("/fhir/GuidanceResponse/$rems-etasu", input);
    expect(answer.status).toBe(400);
    const outcome = answer.body as {
      resourceType: string;
      issue: { severity: string; code: string; diagnostics: string }[];
    };
    expect(outcome.resourceType).toBe("OperationOutcome");
    expect(outcome.issue[0]).toMatchObject({ severity: "error", code: "invalid" });
  });

  it("401 OperationOutcome without a token, 413 for a huge body, 404 for another operation", async () => {
    const input = { resourceType: "Parameters", parameter: [] };
    const anonymous = await post("/fhir/GuidanceResponse/$rems-etasu", input, { auth: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ resourceType: "OperationOutcome", issue: [{ code: "login" }] });
    const huge = await post("/fhir/GuidanceResponse/$rems-etasu", null, {
      raw: JSON.stringify({ resourceType: "Parameters", x: "y".repeat(100_000) }),
    });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ resourceType: "OperationOutcome" });
    const other = await post("/fhir/GuidanceResponse/$apply", input);
    expect(other.status).toBe(404);
  });
});
