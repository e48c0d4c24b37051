import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import { signIn, world } from "./helpers";

/*
 * CDS Hooks and FHIR $rems-etasu against the production server, as an EHR calls them: JWTs signed
 * with a key made here, whose JWKS this spec serves where the server expects the test EHR's
 * (scripts/e2e-server.ts: port + 2000). Then the round trip a prescriber makes: a card's
 * enrollment link opens the patient enrollment form filled in from the EHR's Patient.
 */

const ISSUER = "https://ehr.e2e.test";
const port = Number(process.env.E2E_PORT ?? 3210);
const base = `http://127.0.0.1:${port}`;
let jwks: Server;
let privateKey: CryptoKey;
let kid = "";

/**
 * The test EHR's key, kept per port across Playwright workers: the server caches the JWKS it
 * fetched, so a worker restarted after a failure must sign with the same key.
 */
async function ehrKey(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const file = path.resolve(`.data/e2e-ehr-key-${port}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as { privateJwk: JWK; publicJwk: JWK };
  const pair = await generateKeyPair("RS384", { extractable: true });
  const kid = `e2e-${randomUUID()}`;
  const keys = {
    privateJwk: { ...(await exportJWK(pair.privateKey)), kid, alg: "RS384" },
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg: "RS384", use: "sig" },
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(keys));
  return keys;
}

test.beforeAll(async () => {
  const { privateJwk, publicJwk } = await ehrKey();
  privateKey = (await importJWK(privateJwk, "RS384")) as CryptoKey;
  kid = publicJwk.kid ?? "";
  jwks = createServer((_, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(port + 2000, "127.0.0.1", resolve));
});

test.afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

async function token(path: string, jti = randomUUID()): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS384", kid, typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(`${base}${path}`)
    .setIssuedAt(now)
    .setExpirationTime(now + 120)
    .setJti(jti)
    .sign(privateKey);
}

function orderSign(patient: Record<string, unknown>) {
  const w = world();
  return {
    hook: "order-sign",
    hookInstance: randomUUID(),
    context: {
      userId: "Practitioner/ada",
      patientId: String(patient.id),
      draftOrders: {
        resourceType: "Bundle",
        type: "collection",
        entry: [
          {
            resource: {
              resourceType: "MedicationRequest",
              id: "draft-1",
              status: "draft",
              intent: "order",
              medicationCodeableConcept: {
                coding: [{ system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "1594663" }],
              },
              subject: { reference: `Patient/${String(patient.id)}` },
              dispenseRequest: { quantity: { value: 3, unit: "vial" } },
            },
          },
        ],
      },
    },
    prefetch: {
      patient,
      practitioner: {
        resourceType: "Practitioner",
        id: "ada",
        identifier: [{ system: w.interop.npiSystem, value: w.prescribers.ada.npi }],
      },
    },
  };
}

/** $rems-etasu's overall status for a case number, asked with a signed token. */
async function etasuStatus(request: APIRequestContext, caseNumber: string): Promise<string | undefined> {
  const etasuPath = "/fhir/GuidanceResponse/$rems-etasu";
  const answer = await request.post(etasuPath, {
    data: { resourceType: "Parameters", parameter: [{ name: "case_number", valueString: caseNumber }] },
    headers: { authorization: `Bearer ${await token(etasuPath)}`, "content-type": "application/fhir+json" },
  });
  expect(answer.status(), await answer.text()).toBe(200);
  const out = (await answer.json()) as { parameter: { name: string; resource: { status: string } }[] };
  return out.parameter.find((p) => p.name === "rems-etasu")?.resource.status;
}

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help}`);
}

test("an EHR's signed order-sign call is answered with cards; an unsigned or replayed one is refused", async ({
  request,
}) => {
  const w = world();
  const path = "/cds-services/rems-order-sign";
  const compliant = w.patients.compliant;
  const body = orderSign({
    resourceType: "Patient",
    id: "chart-maria",
    identifier: [{ system: w.interop.remsPatientIdSystem, value: compliant.remsId }],
    name: [{ family: compliant.family, given: [compliant.given] }],
    birthDate: compliant.birthDate,
    gender: compliant.sex,
  });

  const discovery = await request.get("/cds-services");
  expect(discovery.status()).toBe(200);
  expect(((await discovery.json()) as { services: { id: string }[] }).services.map((s) => s.id)).toContain(
    "rems-order-sign",
  );

  expect((await request.post(path, { data: body })).status()).toBe(401);
  const jti = randomUUID();
  const signed = await request.post(path, {
    data: body,
    headers: { authorization: `Bearer ${await token(path, jti)}` },
  });
  expect(signed.status(), await signed.text()).toBe(200);
  // Other specs record infusions for this patient, so what the cards say depends on when this runs:
  // they must agree with $rems-etasu asked about the same case at the same time (one engine).
  const { cards } = (await signed.json()) as {
    cards: { uuid: string; indicator: string; detail?: string; source: { label: string } }[];
  };
  expect(cards.length).toBeGreaterThan(0);
  for (const card of cards) {
    expect(card.source.label).toBe("LEMTRADA REMS");
    expect(card.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(["info", "warning"]).toContain(card.indicator);
  }
  const allMet = cards.length === 1 && cards[0]?.indicator === "info";
  if (allMet) expect(cards[0]?.detail).toContain(compliant.remsId);
  const replay = await request.post(path, {
    data: body,
    headers: { authorization: `Bearer ${await token(path, jti)}` },
  });
  expect(replay.status()).toBe(401);
  expect(await etasuStatus(request, compliant.remsId)).toBe(allMet ? "success" : "data-required");

  // The patient whose monthly labs stopped: requirements are missing, whatever ran before.
  expect(await etasuStatus(request, w.patients.overdueLabs.remsId)).toBe("data-required");
});

test("a card's enrollment link opens the patient enrollment form filled in from the EHR's Patient", async ({
  page,
  request,
}) => {
  const w = world();
  const family = `Okonkwo-${randomUUID().slice(0, 6)}`;
  const path = "/cds-services/rems-order-sign";
  const answer = await request.post(path, {
    data: orderSign({
      resourceType: "Patient",
      id: "chart-new",
      name: [{ use: "official", family, given: ["Adaeze"] }],
      birthDate: "1992-09-17",
      gender: "female",
    }),
    headers: { authorization: `Bearer ${await token(path)}` },
  });
  expect(answer.status(), await answer.text()).toBe(200);
  const { cards } = (await answer.json()) as { cards: { summary: string; links?: { url: string; type: string }[] }[] };
  const card = cards.find((c) => c.summary.startsWith("Enroll the patient"));
  const link = card?.links?.[0];
  expect(link?.type).toBe("absolute");
  const url = new URL(link?.url ?? "");
  expect(url.origin).toBe(base);

  await signIn(page, w.accounts.ada, w.password);
  await page.goto(url.pathname + url.search);
  await expect(page.getByRole("heading", { name: "Enroll a patient in the LEMTRADA REMS" })).toBeVisible();
  await expect(page.getByLabel("First name")).toHaveValue("Adaeze");
  await expect(page.getByLabel("Last name")).toHaveValue(family);
  await expect(page.getByLabel("Date of birth")).toHaveValue("1992-09-17");
  await expect(page.getByLabel("Sex")).toHaveValue("female");
  expect(await axeViolations(page)).toEqual([]);

  // A value that does not fit its field is left for the prescriber to type, never trusted.
  await page.goto(`/prescriber/patients/new?program=LEMTRADA&given=%3Cb%3E&birthDate=1992-02-31&sex=robot`);
  await expect(page.getByLabel("First name")).toHaveValue("");
  await expect(page.getByLabel("Date of birth")).toHaveValue("");
  await expect(page.getByLabel("Sex")).toHaveValue("");
});
