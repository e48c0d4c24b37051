import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";

async function searchOrganisations(page: Page, text: string) {
  await page.goto("/lookup");
  await page.getByLabel("Name, city, NPI or NCPDP provider ID").fill(text);
  await page.getByRole("button", { name: "Search organisations" }).click();
  await expect(page.getByRole("heading", { name: "Results" })).toBeVisible();
}

function resultRow(page: Page, name: string) {
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", { name }) });
}

test.describe("public certification lookup (no sign-in)", () => {
  test("finds the demo pharmacy by name and by NCPDP ID", async ({ page }) => {
    await searchOrganisations(page, "demo specialty");
    const row = resultRow(page, "Demo Specialty Pharmacy");
    await expect(row.locator('td[data-certified="true"]')).toContainText("Certified");
    await expect(row.locator('td[data-certified="true"]')).toContainText(/No\. DP-/);
    await expect(page).toHaveURL(/\/lookup\?program=LEMTRADA&q=demo\+specialty/);

    await searchOrganisations(page, "1234563");
    await expect(resultRow(page, "Demo Specialty Pharmacy")).toContainText("NCPDP 1234563");
    await expect(page.getByRole("rowheader")).toHaveCount(1);
  });

  test("finds the demo infusion center by city", async ({ page }) => {
    await searchOrganisations(page, "Springfield");
    const row = resultRow(page, "Demo Infusion Center");
    await expect(row).toContainText("Healthcare setting");
    await expect(row.locator('td[data-certified="true"]')).toContainText("Certified");
    // The setting's REMS ID, which a pharmacy can name it by in a dispense request, and its certification number.
    await expect(row).toContainText(/REMS ID HS-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]/);
    await expect(row).toContainText(/No\. HC-/);
  });

  test("says certified or not certified for a prescriber NPI, and nothing more", async ({ page }) => {
    await page.goto("/lookup");
    await page.getByLabel("Prescriber NPI", { exact: true }).fill("1234567893");
    await page.getByRole("button", { name: "Check prescriber" }).click();
    const result = page.getByTestId("prescriber-result");
    await expect(result.locator("strong")).toHaveText("Certified");
    await expect(page.getByText("Lovelace")).toHaveCount(0);

    await page.getByLabel("Prescriber NPI", { exact: true }).fill("1000000004");
    await page.getByRole("button", { name: "Check prescriber" }).click();
    await expect(page.getByTestId("prescriber-result").locator("strong")).toHaveText("Not certified");
    await expect(page.getByText("Carson-Reed")).toHaveCount(0);
  });

  test("explains a mistyped number next to the field", async ({ page }) => {
    await page.goto("/lookup");
    await page.getByLabel("Prescriber NPI", { exact: true }).fill("1234567890");
    await page.getByRole("button", { name: "Check prescriber" }).click();
    await expect(page.locator("#npi-error")).toContainText("check digit");
    await expect(page.getByLabel("Prescriber NPI", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByTestId("prescriber-result")).toHaveCount(0);
  });

  for (const path of ["/lookup", "/lookup?program=LEMTRADA&q=Springfield", "/lookup?program=LEMTRADA&npi=1234567893"]) {
    test(`${path} has no detectable WCAG A/AA violations`, async ({ page }) => {
      await page.goto(path);
      const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    });
  }
});
