/**
 * Request forgery over real HTTP: a route handler that changes something refuses a request that
 * carries the session cookie and comes from another site (403, the API error shape, nothing
 * stored), before it reads the session or the body. API-key callers are not subject to it.
 * The lab import and Auth.js routes import server-only modules that vitest cannot load; the
 * production-server test (tests/e2e/web-security.spec.ts) covers them with a real session.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as dispenseRoute from "../../app/api/v1/dispense-authorizations/[id]/dispense/route";
import * as reverseRoute from "../../app/api/v1/dispense-authorizations/[id]/reverse/route";
import * as collectionRoute from "../../app/api/v1/dispense-authorizations/route";
import { db, disconnectDb } from "../../lib/db";
import { type ServedRoutes, serveRoutes } from "../setup/http-routes";

const AUTHORIZATION = "/api/v1/dispense-authorizations/6f0d1c9e-7a57-4a8e-9a3c-3f3b1f0c2d11";
const COOKIE = "authjs.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0.stolen";

let server: ServedRoutes;

beforeAll(async () => {
  server = await serveRoutes({
    "/api/v1/dispense-authorizations": collectionRoute,
    "/api/v1/dispense-authorizations/[id]/dispense": dispenseRoute,
    "/api/v1/dispense-authorizations/[id]/reverse": reverseRoute,
  });
});

afterAll(async () => {
  await server.close();
  await disconnectDb();
});

async function rowCounts() {
  const client = db();
  return {
    authorizations: await client.dispenseAuthorization.count(),
  };
}

const POSTS: Array<{ name: string; path: string; contentType: string; body: string }> = [
  {
    name: "a dispense request",
    path: "/api/v1/dispense-authorizations",
    contentType: "application/json",
    body: JSON.stringify({ patientRemsId: "PT-AAAA-BBBB-C" }),
  },
  { name: "a dispense confirmation", path: `${AUTHORIZATION}/dispense`, contentType: "application/json", body: "{}" },
  { name: "a dispense reversal", path: `${AUTHORIZATION}/reverse`, contentType: "application/json", body: "{}" },
];

const FOREIGN: Array<{ name: string; headers: Record<string, string> }> = [
  { name: "Origin https://evil.example", headers: { origin: "https://evil.example" } },
  { name: "Origin null", headers: { origin: "null" } },
  { name: "Sec-Fetch-Site cross-site", headers: { "sec-fetch-site": "cross-site" } },
  { name: "Sec-Fetch-Site same-site", headers: { "sec-fetch-site": "same-site", origin: "https://sub.evil.example" } },
];

describe("a mutating route handler with the session cookie, from another site", () => {
  for (const post of POSTS) {
    for (const foreign of FOREIGN) {
      it(`refuses ${post.name} (${foreign.name}) with 403 and stores nothing`, async () => {
        const before = await rowCounts();
        const response = await fetch(`${server.url}${post.path}`, {
          method: "POST",
          headers: {
            ...foreign.headers,
            cookie: COOKIE,
            "content-type": post.contentType,
            "idempotency-key": crypto.randomUUID(),
          },
          body: post.body,
        });
        expect(response.status).toBe(403);
        expect(response.headers.get("x-request-id")).toBeTruthy();
        expect(await response.json()).toEqual({
          error: {
            code: "FORBIDDEN",
            message:
              "This request came from another website and was refused. Use the registry's own pages to make changes.",
          },
        });
        expect(await rowCounts()).toEqual(before);
      });
    }
  }
});

describe("callers the check leaves alone", () => {
  it("an API key (Authorization header) from anywhere is authenticated as usual, even with a cookie", async () => {
    const response = await fetch(`${server.url}/api/v1/dispense-authorizations`, {
      method: "POST",
      headers: {
        origin: "https://evil.example",
        cookie: COOKIE,
        authorization: "Bearer rg_not_a_real_key",
        "content-type": "application/json",
        "idempotency-key": crypto.randomUUID(),
      },
      body: "{}",
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
  });

  it("a dispense call without the session cookie, from another site, is answered as anonymous (401), not 403", async () => {
    for (const post of POSTS) {
      const response = await fetch(`${server.url}${post.path}`, {
        method: "POST",
        headers: {
          origin: "https://evil.example",
          "content-type": post.contentType,
          "idempotency-key": crypto.randomUUID(),
        },
        body: post.body,
      });
      expect(response.status, post.name).toBe(401);
    }
  });
});
