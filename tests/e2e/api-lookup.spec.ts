import { expect, test } from "@playwright/test";
import { npiCheckDigit } from "../../lib/identifiers/npi";

/*
 * The public certification API over real HTTP against the seeded demo world: certified demo
 * pharmacy (NCPDP 1234563), certified dr.ada (NPI 1234567893), dr.ben awaiting review
 * (NPI 1000000004), certified demo infusion center (NPI 1000000020).
 */
const BASE = "/api/v1/programs/LEMTRADA/certifications";

/** A valid NPI that nobody in the demo world has. */
function unknownNpi(): string {
  const body = `19876543${Math.floor(Math.random() * 10)}`;
  return `${body}${npiCheckDigit(body)}`;
}

test.describe("GET /api/v1/programs/{code}/certifications", () => {
  test("a certified pharmacy by NCPDP ID is certified, with its certification number", async ({ request }) => {
    const response = await request.get(`${BASE}?ncpdpId=1234563`);
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toContain("application/json");
    expect(response.headers()["x-request-id"]).toBeTruthy();
    // Caches keep the answer but ask every time: an unchanged answer is a 304 without a body.
    expect(response.headers()["cache-control"]).toBe("no-cache");
    const etag = response.headers().etag ?? "";
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    const again = await request.get(`${BASE}?ncpdpId=1234563`, { headers: { "if-none-match": etag } });
    expect(again.status()).toBe(304);
    const body = await response.json();
    // Open-ended unless the programme asks for recertification.
    expect(body.expiresOn === null || /^\d{4}-\d{2}-\d{2}$/.test(body.expiresOn)).toBe(true);
    expect(body).toEqual({
      kind: "pharmacy",
      name: "Demo Specialty Pharmacy",
      certified: true,
      certificationNumber: expect.stringMatching(/^DP-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/),
      certifiedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      expiresOn: body.expiresOn,
      remsId: null,
    });
  });

  test("a certified prescriber is named; one who applied is answered as an NPI nobody has", async ({ request }) => {
    const ada = await request.get(`${BASE}?npi=1234567893`);
    expect(await ada.json()).toMatchObject({ kind: "prescriber", name: "Ada Lovelace, MD", certified: true });

    // Ben applied (seeded SUBMITTED; admin.spec.ts may return his application for changes): nothing says so.
    const ben = await request.get(`${BASE}?npi=1000000004`);
    const nobody = await request.get(`${BASE}?npi=${unknownNpi()}`);
    expect(ben.status()).toBe(404);
    const benBody = await ben.json();
    expect(benBody).toEqual(await nobody.json());
    expect(JSON.stringify(benBody)).not.toMatch(/SUBMITTED|CHANGES_REQUESTED|REJECTED|status|Carson/);
  });

  test("a healthcare setting is found by NPI, and the programme code is case-insensitive", async ({ request }) => {
    const response = await request.get("/api/v1/programs/lemtrada/certifications?npi=1000000020");
    expect(await response.json()).toMatchObject({
      kind: "healthcareSetting",
      name: "Demo Infusion Center",
      certified: true,
      certificationNumber: expect.stringMatching(/^HC-/),
      remsId: expect.stringMatching(/^HS-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/),
    });
  });

  test("an identifier nobody has is 404 with the error shape", async ({ request }) => {
    const response = await request.get(`${BASE}?npi=${unknownNpi()}`);
    expect(response.status()).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
  });

  test("a malformed identifier is 400 with field errors", async ({ request }) => {
    const response = await request.get(`${BASE}?npi=12345`);
    expect(response.status()).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe("BAD_REQUEST");
    expect(body.error.fields.npi).toEqual(["NPI must be 10 digits"]);

    const checkDigit = await request.get(`${BASE}?ncpdpId=1234560`);
    expect(checkDigit.status()).toBe(400);
    expect((await checkDigit.json()).error.fields.ncpdpId[0]).toMatch(/check digit/);

    const none = await request.get(BASE);
    expect(none.status()).toBe(400);
    expect((await none.json()).error.message).toMatch(/npi or ncpdpId/);
  });

  test("an unknown programme is 404", async ({ request }) => {
    const response = await request.get("/api/v1/programs/NO_SUCH_PROGRAM/certifications?npi=1234567893");
    expect(response.status()).toBe(404);
    expect((await response.json()).error).toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("NO_SUCH_PROGRAM"),
    });
  });

  // Last in this file: it uses up this address's allowance for the rest of the minute.
  test("past the per-minute limit the API answers 429 with Retry-After", async ({ request }) => {
    // The server's limit: LOOKUP_RATE_LIMIT_PER_MINUTE reaches it from this process's environment, default 60.
    const limit = Number(process.env.LOOKUP_RATE_LIMIT_PER_MINUTE || 60);
    let refused: Awaited<ReturnType<typeof request.get>> | undefined;
    // Fixed one-minute windows: 2 × limit + 1 requests exceed the limit within one window even if a
    // window boundary falls in the middle of the burst.
    for (let i = 0; i < 2 * limit + 1 && !refused; i++) {
      const response = await request.get(`${BASE}?ncpdpId=1234563`);
      if (response.status() === 429) refused = response;
      else expect(response.status()).toBe(200);
    }
    expect(refused, "no request was refused").toBeDefined();
    if (!refused) return;
    const retryAfter = Number(refused.headers()["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({
      error: { code: "RATE_LIMITED", message: expect.stringMatching(/Too many/) },
    });
  });
});
