import AxeBuilder from "@axe-core/playwright";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { formatDateTime } from "../../lib/format";
import { signIn, world } from "./helpers";

/*
 * The administrator switches LEMTRADA into enforcement discretion, pharmacists see it, and the
 * administrator ends it early. The other spec files share this server and must not run under
 * discretion, so the spec ends any period it left active even when a step fails (afterAll).
 */
test.describe.configure({ mode: "serial" });

const PAGE = "/admin/enforcement-discretion";
const REASON = `Certification portal outage ${Date.now().toString(36)}: pharmacies cannot re-certify in time.`;

async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`)).toEqual([]);
}

async function signInAsAdmin(page: Page) {
  const w = world();
  await signIn(page, w.accounts.admin, w.password);
  await expect(page).toHaveURL(/\/admin$/);
}

async function signInAsPharmacist(page: Page) {
  const w = world();
  await signIn(page, w.accounts.pharmacist, w.password);
  await expect(page).toHaveURL(/\/pharmacy$/);
}

/** Ends LEMTRADA's period if one is still active (a failed step must not leave it running). */
async function endIfActive(browser: Browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signInAsAdmin(page);
    await page.goto(PAGE);
    const card = page.getByTestId("programme-LEMTRADA");
    if ((await card.getByTestId("discretion-state").getAttribute("data-active")) === "true") {
      await card.getByLabel("Why it ends early").fill("Clean-up after the end-to-end test.");
      await card.getByRole("button", { name: "End enforcement discretion now" }).click();
      await expect(card.getByTestId("discretion-state")).toHaveAttribute("data-active", "false");
    }
  } finally {
    await context.close();
  }
}

test.afterAll(async ({ browser }) => {
  await endIfActive(browser);
});

test("the page says what discretion does, is accessible, and refuses a start without a reason", async ({ page }) => {
  await signInAsAdmin(page);
  await expect(page.getByTestId("discretion-summary")).toHaveText("Every requirement is enforced.");
  await page.getByRole("link", { name: "Manage enforcement discretion" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Enforcement discretion" })).toBeVisible();
  await expect(page.getByTestId("utc-now")).toContainText("All times on this page are in UTC");
  const card = page.getByTestId("programme-LEMTRADA");
  await expect(card.getByTestId("discretion-state")).toHaveAttribute("data-active", "false");
  await expect(card.getByText("What this does:")).toBeVisible();
  await expectNoAxeViolations(page);

  // The refused form keeps the end time that was typed.
  const endsAt = card.getByLabel("Ends at (UTC)");
  const typedEnd = await endsAt.inputValue();
  expect(typedEnd).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
  await card.getByRole("button", { name: "Start enforcement discretion" }).click();
  await expect(card.locator('[id$="-reason-error"]')).toHaveText("Enter the reason");
  await expect(endsAt).toHaveValue(typedEnd);
  await expect(card.getByTestId("discretion-state")).toHaveAttribute("data-active", "false");
});

test("the administrator switches LEMTRADA into enforcement discretion until a time typed in UTC", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto(PAGE);
  const card = page.getByTestId("programme-LEMTRADA");
  // Two days from now at 18:30 UTC, typed as the datetime-local input takes it.
  const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  await card.getByLabel("Reason").fill(REASON);
  await card.getByLabel("Ends at (UTC)").fill(`${day}T18:30`);
  await card.getByRole("button", { name: "Start enforcement discretion" }).click();
  await expect(card.getByTestId("discretion-state")).toHaveAttribute("data-active", "true");
  // The registry writes every date one way (lib/format.ts): "4 May 2026, 18:30 UTC".
  await expect(card.getByTestId("discretion-state")).toContainText(`until ${formatDateTime(`${day}T18:30:00Z`)}`);
  await expect(card.getByTestId("discretion-reason")).toHaveText(REASON);
  await expect(page.getByTestId("discretion-history").getByRole("row").filter({ hasText: REASON })).toContainText(
    "In effect",
  );
  await expectNoAxeViolations(page);
});

test("while it is in effect, the pharmacist's dashboard shows the banner", async ({ page }) => {
  await signInAsPharmacist(page);
  const banner = page.getByTestId("discretion-banner");
  await expect(banner).toBeVisible();
  await expect(banner).toContainText(REASON);
});

test("the administrator ends it early", async ({ page }) => {
  await signInAsAdmin(page);
  await expect(page.getByTestId("discretion-summary")).toContainText("In effect for");
  await page.goto(PAGE);
  const card = page.getByTestId("programme-LEMTRADA");
  await expect(card.getByTestId("discretion-state")).toHaveAttribute("data-active", "true");
  await card.getByLabel("Why it ends early").fill("The certification portal is back.");
  await card.getByRole("button", { name: "End enforcement discretion now" }).click();
  await expect(card.getByTestId("discretion-state")).toHaveAttribute("data-active", "false");
  await expect(card.getByTestId("discretion-state")).toHaveText("Every requirement is enforced.");
  const history = page.getByTestId("discretion-history").getByRole("row").filter({ hasText: REASON });
  await expect(history).toContainText("The certification portal is back.");
  await expect(history).not.toContainText("In effect");
});

test("once ended, pharmacists no longer see the banner", async ({ page }) => {
  await signInAsPharmacist(page);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByTestId("discretion-banner")).toHaveCount(0);
});
