import { expect, test } from "@playwright/test";
import { killServer, type ProductionServer, startServerWithoutDatabase } from "./production-server";

/**
 * The production server (scripts/serve.ts, the build under test) started against a PostgreSQL
 * address where nothing listens: API routes answer 503 with Retry-After and the error shape, pages
 * say the registry is temporarily unavailable, and the log gets one line per failure, no stack trace.
 */
const port = Number(process.env.E2E_PORT ?? 3210) + 1;
const base = `http://127.0.0.1:${port}`;

let server: ProductionServer | undefined;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startServerWithoutDatabase(port, "outage");
  await expect
    .poll(async () => (await fetch(`${base}/api/ready`).catch(() => null))?.status ?? 0, { timeout: 90_000 })
    .toBe(503);
});

test.afterAll(() => killServer(server));

test("API routes answer 503 UNAVAILABLE with Retry-After while the database is unreachable", async () => {
  // The log from here on.
  const mark = server?.output().length ?? 0;
  const output = () => (server?.output() ?? "").slice(mark);
  const calls: [string, RequestInit][] = [
    ["/api/v1/dispense-authorizations", { headers: { authorization: "Bearer rgk_test_0123456789abcdef" } }],
    [
      "/api/v1/dispense-authorizations",
      {
        method: "POST",
        headers: {
          authorization: "Bearer rgk_test_0123456789abcdef",
          "content-type": "application/json",
          "idempotency-key": "outage-1",
        },
        body: JSON.stringify({ programCode: "LEMTRADA" }),
      },
    ],
    ["/api/v1/programs/LEMTRADA/certifications?npi=1234567893", {}],
  ];
  for (const [path, init] of calls) {
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${base}${path}`, init);
      expect(response.status, path).toBe(503);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(response.headers.get("x-request-id")).toBeTruthy();
      const body = await response.json();
      expect(body).toEqual({ error: { code: "UNAVAILABLE", message: expect.stringMatching(/try again in a minute/) } });
    }
  }
  // Alive, but not ready: an orchestrator takes the instance out of rotation without restarting it.
  const health = await fetch(`${base}/api/health`);
  expect(health.status).toBe(200);
  const ready = await fetch(`${base}/api/ready`);
  expect(ready.status).toBe(503);
  expect(ready.headers.get("retry-after")).toBeTruthy();
  expect(await ready.json()).toMatchObject({ status: "not-ready", database: "unreachable" });

  // One short line per failure: no stack traces in the log.
  await expect
    .poll(
      () =>
        output()
          .split("\n")
          .filter((l) => l.includes("database unavailable")).length,
    )
    .toBe(15);
  expect(output()).not.toMatch(/^\s+at /m);
});

test("a page says the registry is temporarily unavailable", async ({ page }) => {
  await page.goto(`${base}/lookup?npi=1234567893`);
  await expect(page.getByRole("heading", { name: "The registry is temporarily unavailable" })).toBeVisible();
  await expect(page.getByText("Try again in a minute.")).toBeVisible();
});

test("signing in while the database is unreachable says so instead of failing", async ({ page }) => {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel("E-mail address").fill("someone@example.org");
  await page.getByLabel("Password", { exact: true }).fill("Some-Password-2026!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText(/temporarily unavailable/).first()).toBeVisible();
});
