/**
 * The certification lookup has two entry points: the Next.js route handler (`next dev`, the route
 * tests) and the production server's own handler (lib/http/fast-routes.ts, scripts/serve.ts). Both
 * must give the caller the same answer. Each request below goes to both, over real HTTP, from
 * addresses of their own (lookups are counted per address), and status, body and headers are
 * compared; the fast path must also carry the security headers Next adds to every answer.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as lookupRoute from "../../app/api/v1/programs/[code]/certifications/route";
import { disconnectDb } from "../../lib/db";
import { resetEnvCache } from "../../lib/env";
import { serveFastRoute } from "../../lib/http/fast-routes";
import { EVERY_ANSWER_HEADERS, NO_SCRIPT_CONTENT_SECURITY_POLICY } from "../../lib/http/security-headers";
import {
  createPharmacyEnrollment,
  createPrescriberEnrollment,
  createSettingEnrollment,
  ensureProgram,
  uniqueNpi,
} from "../factories/certified";
import { uniqueIp } from "../factories/users";
import { type ServedRoutes, serveRoutes } from "../setup/http-routes";

const BASE = "/api/v1/programs/LEMTRADA/certifications";
let viaNext: ServedRoutes;
let fast: Server;
let fastUrl = "";

beforeAll(async () => {
  await ensureProgram();
  viaNext = await serveRoutes({ "/api/v1/programs/[code]/certifications": lookupRoute });
  fast = createServer((req, res) => {
    const requestId = String(req.headers["x-request-id"] ?? "") || "no-id";
    if (!serveFastRoute(req, res, requestId)) {
      res.writeHead(599, { "content-type": "text/plain" });
      res.end("left to Next");
    }
  });
  await new Promise<void>((resolve) => fast.listen(0, "127.0.0.1", () => resolve()));
  fastUrl = `http://127.0.0.1:${(fast.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await viaNext.close();
  await new Promise<void>((resolve) => fast.close(() => resolve()));
  await disconnectDb();
});

/** What node:http, the test server or the counting window put on an answer, not the route. */
const TRANSPORT = new Set(["date", "connection", "keep-alive", "transfer-encoding", "content-length"]);
const SECURITY = new Set([...EVERY_ANSWER_HEADERS.map((h) => h.key.toLowerCase()), "content-security-policy"]);

interface Seen {
  status: number;
  body: string;
  headers: Record<string, string>;
  all: Headers;
}

async function get(origin: string, path: string, headers: Record<string, string>, method = "GET"): Promise<Seen> {
  const response = await fetch(`${origin}${path}`, { method, headers });
  const kept: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!TRANSPORT.has(name) && !SECURITY.has(name)) kept[name] = value;
  });
  return { status: response.status, body: await response.text(), headers: kept, all: response.headers };
}

/** One address per entry point for a test; the same request id on both. */
function callers() {
  const next = uniqueIp();
  const ours = uniqueIp();
  return async (path: string, extra: Record<string, string> = {}) => {
    const requestId = `entry-points-${Math.random().toString(36).slice(2)}`;
    const a = await get(viaNext.url, path, { "x-real-ip": next, "x-request-id": requestId, ...extra });
    const b = await get(fastUrl, path, { "x-real-ip": ours, "x-request-id": requestId, ...extra });
    return { next: a, fast: b };
  };
}

function expectSame(pair: { next: Seen; fast: Seen }) {
  expect(pair.fast.status).toBe(pair.next.status);
  expect(pair.fast.body).toBe(pair.next.body);
  expect(pair.fast.headers).toEqual(pair.next.headers);
  for (const { key, value } of EVERY_ANSWER_HEADERS) expect(pair.fast.all.get(key)).toBe(value);
  expect(pair.fast.all.get("content-security-policy")).toBe(NO_SCRIPT_CONTENT_SECURITY_POLICY);
}

describe("the certification lookup answers the same through Next and through the server's own handler", () => {
  it("certified prescriber, pharmacy and healthcare setting; 304 on an unchanged answer", async () => {
    const call = callers();
    const { prescriber } = await createPrescriberEnrollment({ status: "CERTIFIED" });
    const { pharmacy } = await createPharmacyEnrollment();
    const { setting } = await createSettingEnrollment();

    const ada = await call(`${BASE}?npi=${prescriber.npi}`);
    expect(ada.next.status).toBe(200);
    expect(JSON.parse(ada.next.body)).toMatchObject({ kind: "prescriber", certified: true });
    expectSame(ada);
    const etag = ada.fast.headers.etag ?? "";
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    const unchanged = await call(`${BASE}?npi=${prescriber.npi}`, { "if-none-match": etag });
    expect(unchanged.fast.status).toBe(304);
    expect(unchanged.fast.body).toBe("");
    expectSame(unchanged);

    const byNcpdp = await call(`${BASE}?ncpdpId=${pharmacy.ncpdpId}`);
    expect(JSON.parse(byNcpdp.next.body)).toMatchObject({ kind: "pharmacy", certified: true });
    expectSame(byNcpdp);
    const bySettingNpi = await call(`/api/v1/programs/lemtrada/certifications?npi=${setting.npi}`);
    expect(JSON.parse(bySettingNpi.next.body)).toMatchObject({ kind: "healthcareSetting" });
    expectSame(bySettingNpi);
    // A percent-encoded programme code, and a repeated parameter (the last one counts).
    const encoded = await call(`/api/v1/programs/LEM%54RADA/certifications?npi=12345&npi=${prescriber.npi}`);
    expect(encoded.next.status).toBe(200);
    expectSame(encoded);
  });

  it("400 with field errors, 404 for an unknown programme or identifier", async () => {
    const call = callers();
    const cases = [
      `${BASE}?npi=12345`,
      `${BASE}?ncpdpId=1234560`,
      `${BASE}?npi=${uniqueNpi()}&ncpdpId=1234563`,
      `${BASE}`,
      `${BASE}?npi=${uniqueNpi()}`,
      `/api/v1/programs/NOPE/certifications?npi=${uniqueNpi()}`,
      `/api/v1/programs/%20/certifications?npi=1234567893`,
    ];
    const statuses: number[] = [];
    for (const path of cases) {
      const pair = await call(path);
      expectSame(pair);
      expect(JSON.parse(pair.fast.body)).toMatchObject({
        error: { code: expect.any(String), message: expect.any(String) },
      });
      statuses.push(pair.fast.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 404, 404, 404]);
  });

  it("429 with Retry-After past the limit, the same way", async () => {
    const saved = process.env.LOOKUP_RATE_LIMIT_PER_MINUTE;
    process.env.LOOKUP_RATE_LIMIT_PER_MINUTE = "2";
    resetEnvCache();
    try {
      const { prescriber } = await createPrescriberEnrollment({ status: "CERTIFIED" });
      // The limiter counts per minute: a sequence that straddles a minute's end is run again.
      for (let attempt = 0; attempt < 2; attempt++) {
        const minute = Math.floor(Date.now() / 60_000);
        const call = callers();
        const pairs = [];
        for (let i = 0; i < 3; i++) pairs.push(await call(`${BASE}?npi=${prescriber.npi}`));
        if (Math.floor(Date.now() / 60_000) !== minute) continue;
        expect(pairs.map((p) => [p.next.status, p.fast.status])).toEqual([
          [200, 200],
          [200, 200],
          [429, 429],
        ]);
        for (const pair of pairs) expectSame(pair);
        expect(Number(pairs[2]?.fast.headers["retry-after"])).toBeGreaterThan(0);
        return;
      }
      throw new Error("two attempts straddled a minute's end");
    } finally {
      if (saved === undefined) delete process.env.LOOKUP_RATE_LIMIT_PER_MINUTE;
      else process.env.LOOKUP_RATE_LIMIT_PER_MINUTE = saved;
      resetEnvCache();
    }
  });

  it("HEAD answers the headers without a body; anything else is left to Next", async () => {
    const { prescriber } = await createPrescriberEnrollment({ status: "CERTIFIED" });
    const head = await get(fastUrl, `${BASE}?npi=${prescriber.npi}`, { "x-real-ip": uniqueIp() }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers.etag).toMatch(/^"/);
    expect(head.all.get("content-type")).toBe("application/json");

    for (const [method, path] of [
      ["POST", `${BASE}?npi=${prescriber.npi}`],
      ["GET", `${BASE}/?npi=${prescriber.npi}`],
      ["GET", `/api/v1/programs/A/B/certifications?npi=${prescriber.npi}`],
      ["GET", `/api/v1/programs/%E0%A4%A/certifications`],
      ["GET", "/api/v1/dispense-authorizations"],
    ] as const) {
      const left = await get(fastUrl, path, { "x-real-ip": uniqueIp() }, method);
      expect([method, path, left.status]).toEqual([method, path, 599]);
    }
  });
});
