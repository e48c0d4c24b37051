import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";

/*
 * The dispense-authorization API over real HTTP against the production server and the seeded demo
 * world, authenticated with the API key the seed wrote to the manifest — what the README's curl
 * example does.
 */
interface Manifest {
  programCode: string;
  ndc: string;
  prescribers: { ada: { npi: string } };
  pharmacy: { apiKey: string | null };
  setting: { id: string };
  patients: Record<"compliant" | "overdueLabs", { remsId: string }>;
}

function manifest(): Manifest {
  const port = process.env.E2E_PORT ?? "3210";
  return JSON.parse(readFileSync(path.resolve(`.data/e2e-world-${port}.json`), "utf8")) as Manifest;
}

const BASE = "/api/v1/dispense-authorizations";

function requestBody(w: Manifest, patient: "compliant" | "overdueLabs") {
  return {
    programCode: w.programCode,
    ndc: w.ndc,
    prescriberNpi: w.prescribers.ada.npi,
    patientRemsId: w.patients[patient].remsId,
    healthcareSettingId: w.setting.id,
    quantity: 3,
    prescriptionId: `E2E-${randomUUID().slice(0, 12)}`,
  };
}

test("the manifest's API key gets an approval, confirms it once, and reads it back", async ({ request }) => {
  const w = manifest();
  expect(w.pharmacy.apiKey).toMatch(/^rg_/);
  const headers = { authorization: `Bearer ${w.pharmacy.apiKey}`, "idempotency-key": randomUUID() };
  const body = requestBody(w, "compliant");

  const first = await request.post(BASE, { headers, data: body });
  expect(first.status()).toBe(200);
  const answer = await first.json();
  expect(answer).toMatchObject({ decision: "APPROVED", warnings: [] });
  expect(answer.authorizationNumber).toMatch(/^DA-/);

  const replay = await request.post(BASE, { headers, data: body });
  expect(replay.headers()["idempotent-replayed"]).toBe("true");
  expect((await replay.json()).id).toBe(answer.id);

  const confirm = await request.post(`${BASE}/${answer.id}/dispense`, {
    headers: { authorization: headers.authorization },
    data: { quantity: 3, lotNumber: "E2E-LOT-1" },
  });
  expect(confirm.status()).toBe(200);
  expect((await confirm.json()).status).toBe("DISPENSED");
  const again = await request.post(`${BASE}/${answer.id}/dispense`, {
    headers: { authorization: headers.authorization },
    data: { quantity: 3, lotNumber: "E2E-LOT-1" },
  });
  expect(again.status()).toBe(409);

  const read = await request.get(`${BASE}/${answer.id}`, { headers: { authorization: headers.authorization } });
  expect(read.status()).toBe(200);
  expect(await read.json()).toMatchObject({ id: answer.id, status: "DISPENSED", lotNumber: "E2E-LOT-1" });

  // Reversed, the vials count toward the patient's course no more: the gate's other specs get her
  // course 3 (3 vials) whole.
  const reversed = await request.post(`${BASE}/${answer.id}/reverse`, {
    headers: { authorization: headers.authorization },
    data: { reason: "Returned to stock: the infusion was rescheduled" },
  });
  expect(reversed.status()).toBe(200);
  expect((await reversed.json()).status).toBe("REVERSED");
});

test("the patient with overdue monitoring is denied with the reasons", async ({ request }) => {
  const w = manifest();
  const response = await request.post(BASE, {
    headers: { authorization: `Bearer ${w.pharmacy.apiKey}`, "idempotency-key": randomUUID() },
    data: requestBody(w, "overdueLabs"),
  });
  expect(response.status()).toBe(200);
  const answer = await response.json();
  expect(answer.decision).toBe("DENIED");
  expect(answer.reasons.map((r: { code: string }) => r.code)).toContain("MONITORING_OVERDUE");
});

test("no key is 401 and the OpenAPI document describes the endpoint", async ({ request }) => {
  const w = manifest();
  const response = await request.post(BASE, {
    headers: { "idempotency-key": randomUUID() },
    data: requestBody(w, "compliant"),
  });
  expect(response.status()).toBe(401);
  expect((await response.json()).error.code).toBe("UNAUTHENTICATED");

  const doc = await request.get("/api/v1/openapi.json");
  expect(doc.status()).toBe(200);
  const openapi = await doc.json();
  expect(openapi.openapi).toMatch(/^3\.1/);
  expect(Object.keys(openapi.paths)).toContain("/api/v1/dispense-authorizations");
});
