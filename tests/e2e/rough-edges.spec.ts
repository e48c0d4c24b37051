import { expect, type Page, test } from "@playwright/test";
import { signIn, signOut, world } from "./helpers";

/*
 * What a new user met on first contact: raw stored values on screens, a form offered to someone
 * who may not submit it, an action offered where it no longer applies, a page wider than a phone,
 * a missing icon.
 */

/**
 * Stored enum values, and the lower-cased forms they leaked as ("prescriber · submitted: 1",
 * "draft/enrolled"); a person should never read these.
 */
const RAW =
  /\b(DRAFT|SUBMITTED|CHANGES_REQUESTED|NOT_AUTHORIZED|DISENROLLED|HEALTHCARE_SETTING|PRESCRIBER_DELEGATE)\b|draft\/enrolled|· (draft|submitted|changes requested|certified|rejected|enrolled)\b/;

async function expectNoRawValues(page: Page, url: string) {
  await page.goto(url);
  await expect(page.locator("main")).toBeVisible();
  const text = (await page.locator("main").textContent()) ?? "";
  expect(RAW.exec(text)?.[0], `raw value on ${url}`).toBeUndefined();
}

test("the main pages a prescriber and an administrator see show no raw status values", async ({ page }) => {
  test.setTimeout(90_000);
  const w = world();
  await signIn(page, w.accounts.ada, w.password);
  await expect(page).toHaveURL(/\/prescriber$/);
  for (const url of ["/prescriber", "/prescriber/patients"]) await expectNoRawValues(page, url);
  await page.goto("/prescriber/patients");
  await page.getByRole("row").filter({ hasText: w.patients.disenrolled.name }).getByRole("link").first().click();
  await expect(page).toHaveURL(/\/prescriber\/patients\/[0-9a-f-]{36}$/);
  const patientUrl = new URL(page.url()).pathname;
  for (const url of [patientUrl, `${patientUrl}/timeline`, `${patientUrl}/labs`, `${patientUrl}/status-form`]) {
    await expectNoRawValues(page, url);
  }
  await signOut(page);

  await signIn(page, w.accounts.ben, w.password);
  await expectNoRawValues(page, "/prescriber");
  await signOut(page);

  await signIn(page, w.accounts.admin, w.password);
  await expect(page).toHaveURL(/\/admin$/);
  for (const url of ["/admin", "/admin/applications", "/admin/applications?status=ANY"]) {
    await expectNoRawValues(page, url);
  }
  await page.goto(`/admin/applications?status=ANY&q=${w.prescribers.ben.npi}`);
  await page.getByRole("row").filter({ hasText: w.prescribers.ben.npi }).getByRole("link").first().click();
  await expect(page).toHaveURL(/\/admin\/applications\/[0-9a-f-]{36}/);
  await expectNoRawValues(page, new URL(page.url()).pathname);
  await signOut(page);
});

test("a prescriber awaiting certification is told so instead of being offered the patient form", async ({ page }) => {
  const w = world();
  await signIn(page, w.accounts.ben, w.password);
  await expect(page).toHaveURL(/\/prescriber$/);
  // The dashboard leads with certification and offers no patient enrollment.
  await expect(page.locator("main h2").first()).toHaveText("Certification");
  await expect(
    page.getByText("Your certification is pending review: you can enroll patients once certified."),
  ).toBeVisible();
  await expect(page.getByRole("link", { name: "Enroll a patient" })).toHaveCount(0);

  await page.goto("/prescriber/patients/new");
  const notice = page.getByTestId("certification-needed");
  await expect(notice).toContainText("Your certification is pending review: you can enroll patients once certified.");
  await expect(notice.getByRole("link", { name: "View your application" })).toHaveAttribute(
    "href",
    /^\/enrollment\/[0-9a-f-]{36}$/,
  );
  await expect(page.getByLabel("First name")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Sign and enroll/ })).toHaveCount(0);

  await page.goto("/prescriber/patients");
  await expect(page.getByTestId("certification-needed")).toBeVisible();
  await expect(page.getByRole("link", { name: "Enroll a patient" })).toHaveCount(0);
  await signOut(page);

  // A certified prescriber still gets the form.
  await signIn(page, w.accounts.ada, w.password);
  await page.goto("/prescriber/patients/new");
  await expect(page.getByLabel("First name")).toBeVisible();
  await expect(page.getByTestId("certification-needed")).toHaveCount(0);
});

test("a decided application's review page does not offer 'Claim for review'", async ({ page }) => {
  const w = world();
  await signIn(page, w.accounts.admin, w.password);
  for (const [who, status] of [
    ["ada", "Certified"],
    ["cora", "Rejected"],
  ] as const) {
    await page.goto(`/admin/applications?status=ANY&q=${w.prescribers[who].npi}`);
    await page.getByRole("row").filter({ hasText: w.prescribers[who].npi }).getByRole("link").first().click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(status);
    await expect(page.getByRole("button", { name: "Claim for review" })).toHaveCount(0);
  }
  // A certified prescriber's page still offers what applies to it.
  await page.goto(`/admin/applications?status=ANY&q=${w.prescribers.ada.npi}`);
  await page.getByRole("row").filter({ hasText: w.prescribers.ada.npi }).getByRole("link").first().click();
  await expect(page.getByRole("form", { name: "Suspend" })).toBeVisible();

  await page.goto(`/admin/applications?status=ANY&q=${w.prescribers.ben.npi}`);
  await page.getByRole("row").filter({ hasText: w.prescribers.ben.npi }).getByRole("link").first().click();
  await expect(page.getByRole("button", { name: "Claim for review" })).toBeVisible();
});

test.describe("at a phone's width", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("/api-docs does not overflow sideways", async ({ page }) => {
    await page.goto("/api-docs");
    await expect(page.getByRole("heading", { name: "API documentation" })).toBeVisible();
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      // What sticks out, to say why when it fails.
      wide: [...document.querySelectorAll("main *")]
        .filter((el) => el.getBoundingClientRect().right > 391)
        .filter((el) => {
          // Inside a box that scrolls on its own, width is that box's business.
          for (let p = el.parentElement; p; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== "visible") return false;
          }
          return true;
        })
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
    }));
    expect(widths.wide).toEqual([]);
    expect(widths.scroll).toBeLessThanOrEqual(390);
  });
});

test("every page has an icon: /favicon.ico answers 200 with an icon", async ({ page, request }) => {
  const ico = await request.get("/favicon.ico");
  expect(ico.status()).toBe(200);
  expect(ico.headers()["content-type"]).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);
  expect((await ico.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
  await page.goto("/");
  const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(href).toBeTruthy();
  expect((await request.get(href ?? "")).status()).toBe(200);
});
