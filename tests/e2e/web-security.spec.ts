/**
 * The web-facing controls against the production server (scripts/serve.ts): return paths stay on
 * this origin, every route family carries its security headers, pages run under a nonce policy
 * without violations, cross-site requests that carry the session cookie are refused, and a
 * signed-out session cookie is dead everywhere.
 */
import { type APIResponse, expect, type Page, test } from "@playwright/test";
import { signIn, signInWithForm, signOut, world } from "./helpers";

const CROSS_SITE_MESSAGE =
  "This request came from another website and was refused. Use the registry's own pages to make changes.";

function origin(page: Page): string {
  return new URL(page.url()).origin;
}

test.describe("no open redirect after sign-in", () => {
  // The query strings exactly as an attacker writes them.
  for (const payload of ["/%5Cevil.example/phish", "/%09/evil.example", "//evil.example", "https://evil.example/"]) {
    test(`next=${payload} lands on a page of this registry`, async ({ page, baseURL }) => {
      const w = world();
      await signInWithForm(page, w.accounts.ada, w.password, `/sign-in?next=${payload}`);
      await expect(page).toHaveURL(/\/prescriber$/);
      expect(origin(page)).toBe(new URL(baseURL ?? "").origin);
    });
  }

  test("a same-origin next is still honoured", async ({ page }) => {
    const w = world();
    const next = encodeURIComponent("/prescriber/patients?page=1");
    await signInWithForm(page, w.accounts.ada, w.password, `/sign-in?next=${next}`);
    await expect(page).toHaveURL(/\/prescriber\/patients\?page=1$/);
  });
});

/** The directives of a Content-Security-Policy header, by name. */
function csp(response: APIResponse): Map<string, string[]> {
  const policies = response.headersArray().filter((h) => h.name.toLowerCase() === "content-security-policy");
  expect(policies, `one Content-Security-Policy on ${response.url()}`).toHaveLength(1);
  return new Map(
    (policies[0]?.value ?? "").split(";").map((d) => {
      const [name = "", ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

function expectSecurityHeaders(response: APIResponse, kind: "page" | "no-script") {
  const url = response.url();
  expect(response.headers()["x-content-type-options"], url).toBe("nosniff");
  expect(response.headers()["referrer-policy"], url).toBe("strict-origin-when-cross-origin");
  // Served over plain HTTP: no HSTS.
  expect(response.headers()["strict-transport-security"], url).toBeUndefined();
  const policy = csp(response);
  expect(policy.get("object-src"), url).toEqual(["'none'"]);
  expect(policy.get("base-uri"), url).toEqual(["'none'"]);
  expect(policy.get("frame-ancestors"), url).toEqual(["'none'"]);
  if (kind === "page") {
    const scripts = policy.get("script-src") ?? [];
    expect(
      scripts.some((s) => /^'nonce-[A-Za-z0-9+/]{22}==?'$/.test(s)),
      url,
    ).toBe(true);
    expect(scripts, url).not.toContain("'unsafe-inline'");
    expect(scripts, url).not.toContain("'unsafe-eval'");
  } else {
    expect(policy.get("default-src"), url).toEqual(["'none'"]);
    expect(policy.has("script-src"), url).toBe(false);
  }
  return policy;
}

test.describe("security headers on every route family", () => {
  test("page, API JSON, PDF, CSV, static asset and favicon", async ({ page, request }) => {
    const w = world();

    // A page: a fresh nonce on every request, carried by the scripts Next renders.
    const first = await request.get("/sign-in");
    expect(first.status()).toBe(200);
    const nonce = (expectSecurityHeaders(first, "page").get("script-src") ?? []).find((s) => s.startsWith("'nonce-"));
    const second = await request.get("/sign-in");
    expect(
      (expectSecurityHeaders(second, "page").get("script-src") ?? []).find((s) => s.startsWith("'nonce-")),
    ).not.toBe(nonce);
    const html = await first.text();
    const value = nonce?.slice("'nonce-".length, -1) ?? "";
    expect(html).toContain(`nonce="${value}"`);
    // Every script element carries it.
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${value}"`);

    // The JSON API.
    const api = await request.get("/api/v1/openapi.json");
    expect(api.status()).toBe(200);
    expectSecurityHeaders(api, "no-script");
    const apiError = await request.get("/api/v1/dispense-authorizations");
    expect(apiError.status()).toBe(401);
    expectSecurityHeaders(apiError, "no-script");
    // The certification lookup, which the server answers without Next's router
    // (lib/http/fast-routes.ts). 429 when api-lookup.spec.ts has just used up this address's
    // allowance for the minute: the headers are the same on every answer.
    for (const query of ["npi=1234567893", "npi=12345"]) {
      const lookup = await request.get(`/api/v1/programs/LEMTRADA/certifications?${query}`);
      expect([query.length > 9 ? 200 : 400, 429]).toContain(lookup.status());
      expectSecurityHeaders(lookup, "no-script");
    }

    // A static asset and the favicon.
    const asset = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const js = await request.get(asset ?? "");
    expect(js.status()).toBe(200);
    expectSecurityHeaders(js, "no-script");
    const favicon = await request.get("/favicon.ico");
    expect(favicon.status()).toBe(200);
    expectSecurityHeaders(favicon, "no-script");

    // A PDF: the signed-in prescriber's certificate.
    await signIn(page, w.accounts.ada, w.password);
    await page.goto("/enrollment");
    const certificate = await page
      .getByRole("link", { name: "Certificate of certification (PDF)" })
      .getAttribute("href");
    const pdf = await page.request.get(certificate ?? "");
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expectSecurityHeaders(pdf, "page");

    // A CSV: the report of a lab import (sent from this origin, as the page does).
    const imported = await page.request.post("/prescriber/labs/imports?mode=valid_rows&fileName=headers.csv", {
      headers: { "content-type": "text/csv", origin: origin(page) },
      data: "rems_patient_id,test_code,collected_date,result_flag,lab_id\nPT-0000-0000-0,CBC_DIFF,2026-01-06,normal,LAB-E2E\n",
    });
    expect(imported.status()).toBe(201);
    expectSecurityHeaders(imported, "no-script");
    const { importId } = (await imported.json()) as { importId: string };
    const report = await page.request.get(`/prescriber/labs/imports/${importId}/report.csv`);
    expect(report.status()).toBe(200);
    expect(report.headers()["content-type"]).toContain("text/csv");
    expectSecurityHeaders(report, "no-script");
  });

  test("a client's own X-Forwarded-Proto does not turn on HSTS (no trusted proxy)", async ({ request }) => {
    const response = await request.get("/sign-in", { headers: { "x-forwarded-proto": "https" } });
    expect(response.headers()["strict-transport-security"]).toBeUndefined();
    expect(csp(response).has("upgrade-insecure-requests")).toBe(false);
  });
});

/** Records CSP violations (console and securitypolicyviolation events) on a page. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const seen: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  await page.addInitScript(() => {
    const store: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = store;
    document.addEventListener("securitypolicyviolation", (event) => {
      store.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return async () => [
    ...seen,
    ...(await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])),
  ];
}

/** Next's client runtime started, so the nonce let its scripts run. */
async function expectHydrated(page: Page) {
  await page.waitForFunction(() => Boolean((window as unknown as { next?: { version?: string } }).next?.version));
}

test.describe("pages run under the policy without violations", () => {
  test("the sign-in page, a portal page with a chart, and the API documentation", async ({ page }) => {
    const w = world();
    const violations = await watchViolations(page);

    await page.goto("/sign-in");
    await expectHydrated(page);
    // Client-side validation runs: the scripts are alive.
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("#email-error, [id$='-error']").first()).toBeVisible();

    await signIn(page, w.accounts.ada, w.password);
    await page.goto("/prescriber/patients");
    await page.getByRole("row").filter({ hasText: w.patients.compliant.remsId }).getByRole("link").first().click();
    await expect(page).toHaveURL(/\/prescriber\/patients\/[0-9a-f-]{36}$/);
    await page.goto(`${page.url()}/timeline`);
    await expectHydrated(page);
    await expect(page.locator(".recharts-wrapper").first()).toBeVisible();

    await page.goto("/api-docs");
    await expectHydrated(page);
    await expect(page.getByRole("heading", { name: "API documentation" })).toBeVisible();

    expect(await violations()).toEqual([]);
  });
});

test.describe("request forgery", () => {
  test("a cross-site lab import with the session cookie is refused with 403 and imports nothing", async ({ page }) => {
    const w = world();
    await signIn(page, w.accounts.ada, w.password);
    const csv =
      "rems_patient_id,test_code,collected_date,result_flag,lab_id\nPT-0000-0000-0,CBC_DIFF,2026-01-06,normal,LAB-E2E\n";
    const foreign: Array<Record<string, string>> = [
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
    ];
    for (const headers of foreign) {
      const refused = await page.request.post("/prescriber/labs/imports?mode=valid_rows&fileName=forged.csv", {
        headers: { "content-type": "text/csv", ...headers },
        data: csv,
      });
      expect(refused.status()).toBe(403);
      expect(await refused.json()).toEqual({ error: { code: "FORBIDDEN", message: CROSS_SITE_MESSAGE } });
    }
    await page.goto("/prescriber/labs");
    await expect(page.getByText("forged.csv")).toHaveCount(0);
  });

  test("the dispense API called with a session cookie from another site is refused with 403", async ({ page }) => {
    const w = world();
    await signIn(page, w.accounts.pharmacist, w.password);
    const refused = await page.request.post("/api/v1/dispense-authorizations", {
      headers: { origin: "https://evil.example", "idempotency-key": crypto.randomUUID() },
      data: { patientRemsId: w.patients.compliant.remsId },
    });
    expect(refused.status()).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: "FORBIDDEN", message: CROSS_SITE_MESSAGE } });
  });

  test("a cross-site server-action call answers 403, not 500", async ({ request }) => {
    const foreign: Array<Record<string, string>> = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
    ];
    for (const headers of foreign) {
      const response = await request.post("/sign-in", {
        headers: { "next-action": "0".repeat(42), "content-type": "text/plain;charset=UTF-8", ...headers },
        data: "[]",
      });
      expect(response.status()).toBe(403);
      expect(await response.json()).toEqual({ error: { code: "FORBIDDEN", message: CROSS_SITE_MESSAGE } });
    }
    // A form posted without scripts (no Next-Action header), as a page on another site would.
    const form = await request.post("/account", {
      headers: { origin: "https://evil.example", accept: "text/html" },
      form: { $ACTION_ID_0000: "" },
    });
    expect(form.status()).toBe(403);
    expect(await form.text()).toContain("This request came from another website and was refused.");
  });
});

test.describe("signed-out cookies are dead", () => {
  test("a session cookie replayed after sign-out gets the signed-out answer everywhere", async ({
    browser,
    request,
  }) => {
    const w = world();
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, w.accounts.ada, w.password);
    await expect(page).toHaveURL(/\/prescriber$/);
    const cookies = await context.cookies();
    const live = await page.request.get("/api/auth/session");
    expect(((await live.json()) as { user?: { email?: string } }).user?.email).toBe(w.accounts.ada);
    await signOut(page);
    await context.close();

    const anonymous = await (await request.get("/api/auth/session")).json();
    const replay = await browser.newContext();
    await replay.addCookies(cookies);
    const replayed = await replay.request.get("/api/auth/session");
    expect(replayed.status()).toBe(200);
    const body = await replayed.json();
    expect(body).toEqual(anonymous);
    expect(JSON.stringify(body)).not.toContain(w.accounts.ada);

    const portal = await replay.newPage();
    await portal.goto("/prescriber");
    await expect(portal).toHaveURL(/\/sign-in\?next=%2Fprescriber$/);
    await replay.close();
  });
});
