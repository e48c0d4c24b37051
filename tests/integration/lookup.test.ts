import { resetEnvCache } from "../../lib/env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import {
  enforceLookupRateLimit,
  lookupCertification,
  lookupPrescriberCertified,
  lookupRateLimitPerMinute,
  MAX_SEARCH_RESULTS,
  searchOrganisations,
} from "../../lib/lookup/service";
import {
  createPharmacyEnrollment,
  createPrescriberEnrollment,
  createSettingEnrollment,
  ensureProgram,
  uniqueNcpdpId,
  uniqueNpi,
  uniqueWord,
} from "../factories/certified";
import { uniqueIp } from "../factories/users";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import * as lookupRoute from "../../app/api/v1/programs/[code]/certifications/route";
import { type ServedRoutes, serveRoutes } from "../setup/http-routes";
import { appError } from "../factories/errors";

beforeAll(async () => {
  await ensureProgram();
});

afterAll(async () => {
  await disconnectDb();
});

const today = () => new Date().toISOString().slice(0, 10);

async function settingRemsId(id: string): Promise<string> {
  return (await db().healthcareSetting.findUniqueOrThrow({ where: { id }, select: { remsId: true } })).remsId;
}

describe("lookupCertification (the API answer)", () => {
  it("answers a certified prescriber by NPI with name, certification number and date", async () => {
    const { prescriber, enrollment } = await createPrescriberEnrollment({ firstName: "Grace" });
    expect(await lookupCertification("LEMTRADA", { npi: prescriber.npi })).toEqual({
      kind: "prescriber",
      name: `Grace ${prescriber.lastName}, MD`,
      certified: true,
      certificationNumber: enrollment?.certificationNumber,
      certifiedOn: today(),
      expiresOn: null,
      remsId: null,
    });
  });

  it.each(["SUBMITTED", "CHANGES_REQUESTED", "REJECTED", "SUSPENDED", "DECERTIFIED"] as const)(
    "answers a %s prescriber exactly as an NPI nobody has: nothing says who applied or was refused",
    async (status) => {
      const { prescriber } = await createPrescriberEnrollment({ status });
      const known = await appError(lookupCertification("LEMTRADA", { npi: prescriber.npi }));
      const nobody = await appError(lookupCertification("LEMTRADA", { npi: uniqueNpi() }));
      expect(known.code).toBe("NOT_FOUND");
      expect({ code: known.code, message: known.message, details: known.details }).toEqual({
        code: nobody.code,
        message: nobody.message,
        details: nobody.details,
      });
      expect(JSON.stringify(known)).not.toContain(status);
    },
  );

  it("answers a prescriber without an enrollment in the programme as not found too", async () => {
    const { prescriber } = await createPrescriberEnrollment({ enrolled: false });
    expect((await appError(lookupCertification("LEMTRADA", { npi: prescriber.npi }))).code).toBe("NOT_FOUND");
  });

  it.each(["SUBMITTED", "REJECTED", "SUSPENDED", "DECERTIFIED", "EXPIRED"] as const)(
    "shows a %s pharmacy as not certified, without its status",
    async (status) => {
      const { pharmacy } = await createPharmacyEnrollment({ status });
      expect(await lookupCertification("LEMTRADA", { ncpdpId: pharmacy.ncpdpId })).toEqual({
        kind: "pharmacy",
        name: pharmacy.name,
        certified: false,
        certificationNumber: null,
        certifiedOn: null,
        expiresOn: null,
        remsId: null,
      });
    },
  );

  it("finds pharmacies by NCPDP ID or NPI and healthcare settings by NPI, with the setting's REMS ID", async () => {
    const { pharmacy, enrollment } = await createPharmacyEnrollment();
    const byNcpdp = await lookupCertification("LEMTRADA", { ncpdpId: ` ${pharmacy.ncpdpId} ` });
    expect(byNcpdp).toEqual({
      kind: "pharmacy",
      name: pharmacy.name,
      certified: true,
      certificationNumber: enrollment?.certificationNumber,
      certifiedOn: today(),
      expiresOn: null,
      remsId: null,
    });
    expect(await lookupCertification("LEMTRADA", { npi: pharmacy.npi ?? "" })).toEqual(byNcpdp);

    const { setting } = await createSettingEnrollment();
    expect(await lookupCertification("lemtrada", { npi: setting.npi ?? "" })).toEqual({
      kind: "healthcareSetting",
      name: setting.name,
      certified: true,
      certificationNumber: expect.stringMatching(/^HC-/),
      certifiedOn: today(),
      expiresOn: null,
      remsId: await settingRemsId(setting.id),
    });
    const suspended = await createSettingEnrollment({ status: "SUSPENDED" });
    expect(await lookupCertification("LEMTRADA", { npi: suspended.setting.npi ?? "" })).toMatchObject({
      certified: false,
      certificationNumber: null,
      remsId: await settingRemsId(suspended.setting.id),
    });
  });

  it("is NOT_FOUND for an identifier nobody has, and for an unknown programme", async () => {
    expect((await appError(lookupCertification("LEMTRADA", { npi: uniqueNpi() }))).code).toBe("NOT_FOUND");
    expect((await appError(lookupCertification("LEMTRADA", { ncpdpId: uniqueNcpdpId() }))).code).toBe("NOT_FOUND");
    const unknown = await appError(lookupCertification("NO_SUCH_PROGRAM", { npi: uniqueNpi() }));
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toContain("NO_SUCH_PROGRAM");
  });

  it("is BAD_REQUEST with field errors for a malformed identifier, and without exactly one identifier", async () => {
    const npi = await appError(lookupCertification("LEMTRADA", { npi: "12345" }));
    expect(npi.code).toBe("BAD_REQUEST");
    expect(npi.details?.fields).toEqual({ npi: ["NPI must be 10 digits"] });
    const check = await appError(lookupCertification("LEMTRADA", { npi: "1234567890" }));
    expect(check.details?.fields?.npi?.[0]).toMatch(/check digit/);
    const ncpdp = await appError(lookupCertification("LEMTRADA", { ncpdpId: "12a" }));
    expect(ncpdp.details?.fields).toEqual({ ncpdpId: ["NCPDP provider ID must be 7 digits"] });
    expect((await appError(lookupCertification("LEMTRADA", {}))).code).toBe("BAD_REQUEST");
    const both = await appError(lookupCertification("LEMTRADA", { npi: uniqueNpi(), ncpdpId: uniqueNcpdpId() }));
    expect(both.code).toBe("BAD_REQUEST");
  });
});

describe("lookupPrescriberCertified (the lookup page)", () => {
  it("answers certified or not certified, and nothing else", async () => {
    const certified = await createPrescriberEnrollment();
    const waiting = await createPrescriberEnrollment({ status: "SUBMITTED" });
    const suspended = await createPrescriberEnrollment({ status: "SUSPENDED" });
    expect(await lookupPrescriberCertified("LEMTRADA", certified.prescriber.npi)).toEqual({ certified: true });
    expect(await lookupPrescriberCertified("LEMTRADA", waiting.prescriber.npi)).toEqual({ certified: false });
    expect(await lookupPrescriberCertified("LEMTRADA", suspended.prescriber.npi)).toEqual({ certified: false });
    // A prescriber the registry does not know is simply not certified.
    expect(await lookupPrescriberCertified("LEMTRADA", uniqueNpi())).toEqual({ certified: false });
  });

  it("reports a malformed NPI on the npi field", async () => {
    const error = await appError(lookupPrescriberCertified("LEMTRADA", "123"));
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.fields?.npi).toEqual(["NPI must be 10 digits"]);
  });
});

describe("searchOrganisations", () => {
  it("finds pharmacies and settings by part of the name or the city, case-insensitively", async () => {
    const word = uniqueWord("Harbor");
    const city = uniqueWord("Town");
    const pharmacy = await createPharmacyEnrollment({ name: `${word} Pharmacy`, city });
    const setting = await createSettingEnrollment({ name: `${word} Infusion`, status: "SUSPENDED" });
    const other = await createSettingEnrollment({ city });

    const byName = await searchOrganisations("LEMTRADA", word.toLowerCase());
    expect(byName.results.map((r) => r.name)).toEqual([`${word} Infusion`, `${word} Pharmacy`]);
    expect(byName.results[0]).toMatchObject({
      kind: "healthcareSetting",
      certified: false,
      certificationNumber: null,
      remsId: await settingRemsId(setting.setting.id),
    });
    expect(byName.results[0]).not.toHaveProperty("status");
    expect(byName.results[1]).toMatchObject({
      kind: "pharmacy",
      certified: true,
      ncpdpId: pharmacy.pharmacy.ncpdpId,
      certificationNumber: pharmacy.enrollment?.certificationNumber,
    });
    expect(byName.truncated).toBe(false);

    const byCity = await searchOrganisations("LEMTRADA", city.toUpperCase());
    expect(byCity.results.map((r) => r.id).sort()).toEqual([pharmacy.pharmacy.id, other.setting.id].sort());
    expect(setting.setting.id).not.toBe(other.setting.id);
  });

  it("finds a pharmacy or setting by the REMS id or certification number its result shows", async () => {
    const pharmacy = await createPharmacyEnrollment();
    const setting = await createSettingEnrollment({ status: "CERTIFIED" });
    const pharmacyRemsId = (
      await db().pharmacy.findUniqueOrThrow({ where: { id: pharmacy.pharmacy.id }, select: { remsId: true } })
    ).remsId;
    const settingId = await settingRemsId(setting.setting.id);
    for (const [typed, id] of [
      [pharmacyRemsId, pharmacy.pharmacy.id],
      [pharmacy.enrollment?.certificationNumber ?? "", pharmacy.pharmacy.id],
      [settingId.replace(/-/g, "").toLowerCase(), setting.setting.id],
      [setting.enrollment?.certificationNumber ?? "", setting.setting.id],
    ] as const) {
      const found = await searchOrganisations("LEMTRADA", typed);
      expect(
        found.results.map((r) => r.id),
        typed,
      ).toEqual([id]);
      expect(found.results[0]?.certified).toBe(true);
    }
  });

  it("finds a setting whose REMS id is all letters when it is typed without dashes, and still finds names", async () => {
    const setting = await createSettingEnrollment({ status: "CERTIFIED" });
    let lettersOnly = "";
    while (!lettersOnly) {
      const id = generateRemsId("HS");
      if (!/\d/.test(id)) lettersOnly = id;
    }
    await db().healthcareSetting.update({ where: { id: setting.setting.id }, data: { remsId: lettersOnly } });
    const typed = lettersOnly.replace(/-/g, "").toLowerCase();
    const named = await createSettingEnrollment({ name: `Clinic ${typed.toUpperCase()} West` });

    const found = await searchOrganisations("LEMTRADA", typed);
    expect(found.results.map((r) => r.id).sort()).toEqual([setting.setting.id, named.setting.id].sort());
  });

  it("finds by NPI or NCPDP ID, and marks an organisation not enrolled in the programme", async () => {
    const { pharmacy } = await createPharmacyEnrollment({ enrolled: false });
    const byNcpdp = await searchOrganisations("LEMTRADA", pharmacy.ncpdpId);
    expect(byNcpdp.results).toEqual([
      expect.objectContaining({ id: pharmacy.id, certified: false, certificationNumber: null }),
    ]);
    const byNpi = await searchOrganisations("LEMTRADA", pharmacy.npi ?? "");
    expect(byNpi.results.map((r) => r.id)).toEqual([pharmacy.id]);
  });

  it(`returns at most ${MAX_SEARCH_RESULTS} matches and says so`, async () => {
    const city = uniqueWord("Metro");
    for (let i = 0; i < MAX_SEARCH_RESULTS + 1; i++) await createSettingEnrollment({ city, enrolled: false });
    const result = await searchOrganisations("LEMTRADA", city);
    expect(result.results).toHaveLength(MAX_SEARCH_RESULTS);
    expect(result.truncated).toBe(true);
  });

  it("refuses a search it cannot read, on the q field", async () => {
    const error = await appError(searchOrganisations("LEMTRADA", "12345"));
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.fields?.q?.[0]).toMatch(/10 digits/);
  });
});

describe("enforceLookupRateLimit", () => {
  it("refuses the (N+1)th lookup from one address in a minute, with Retry-After, then allows again", async () => {
    const ip = uniqueIp();
    const now = new Date("2026-12-01T12:00:10Z");
    for (let i = 1; i <= 3; i++) {
      const result = await enforceLookupRateLimit("api", ip, db(), { limit: 3, now });
      expect(result.remaining).toBe(3 - i);
    }
    const refused = await appError(enforceLookupRateLimit("api", ip, db(), { limit: 3, now }));
    expect(refused.code).toBe("RATE_LIMITED");
    expect(refused.details?.retryAfterSeconds).toBe(50);
    // Another address, and the page (a separate counter), are not affected.
    await enforceLookupRateLimit("api", uniqueIp(), db(), { limit: 3, now });
    await enforceLookupRateLimit("page", ip, db(), { limit: 3, now });
    // The next minute starts a new window.
    await enforceLookupRateLimit("api", ip, db(), { limit: 3, now: new Date("2026-12-01T12:01:00Z") });
  });

  it("reads the limit from LOOKUP_RATE_LIMIT_PER_MINUTE, 60 by default", () => {
    const saved = process.env.LOOKUP_RATE_LIMIT_PER_MINUTE;
    try {
      delete process.env.LOOKUP_RATE_LIMIT_PER_MINUTE;
      resetEnvCache();
      expect(lookupRateLimitPerMinute()).toBe(60);
      process.env.LOOKUP_RATE_LIMIT_PER_MINUTE = "5";
      resetEnvCache();
      expect(lookupRateLimitPerMinute()).toBe(5);
      process.env.LOOKUP_RATE_LIMIT_PER_MINUTE = "zero";
      resetEnvCache();
      expect(() => lookupRateLimitPerMinute()).toThrow(/LOOKUP_RATE_LIMIT_PER_MINUTE/);
    } finally {
      if (saved === undefined) delete process.env.LOOKUP_RATE_LIMIT_PER_MINUTE;
      else process.env.LOOKUP_RATE_LIMIT_PER_MINUTE = saved;
      resetEnvCache();
    }
  });
});

describe("GET /api/v1/programs/{code}/certifications over HTTP: conditional answers", () => {
  let server: ServedRoutes;
  beforeAll(async () => {
    server = await serveRoutes({ "/api/v1/programs/[code]/certifications": lookupRoute });
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers 304 while nothing changed and the new answer as soon as the certification changes", async () => {
    const { prescriber, enrollment } = await createPrescriberEnrollment({ status: "CERTIFIED" });
    const url = `${server.url}/api/v1/programs/LEMTRADA/certifications?npi=${prescriber.npi}`;
    // An address of its own: lookups are counted per address, and other suites share the database.
    const fetch = (target: string, init: RequestInit = {}) =>
      globalThis.fetch(target, { ...init, headers: { ...(init.headers as Record<string, string>), "x-real-ip": ip } });
    const ip = uniqueIp();
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-cache");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(await first.json()).toMatchObject({ certified: true });

    const again = await fetch(url, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    // A list of validators, or the weak form, matches as well; another one does not.
    expect((await fetch(url, { headers: { "if-none-match": `"other", W/${etag}` } })).status).toBe(304);
    expect((await fetch(url, { headers: { "if-none-match": '"other"' } })).status).toBe(200);

    await db().enrollment.update({ where: { id: enrollment?.id ?? "" }, data: { status: "SUSPENDED" } });
    // Seen at once, not a stale 304: a prescriber who is not certified is not found (see above).
    const changed = await fetch(url, { headers: { "if-none-match": etag } });
    expect(changed.status).toBe(404);
    expect(await changed.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});
