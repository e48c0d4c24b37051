import { readFileSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { fillInfusionChecklist, signIn, signOut, world } from "./helpers";
import { formatDate } from "../../lib/format";

/** The demo patients the e2e server seeded (names and REMS ids), from its manifest. */
function patients(): Record<
  "compliant" | "overdueLabs" | "betweenCourses" | "disenrolled",
  { remsId: string; name: string }
> {
  const port = process.env.E2E_PORT ?? "3210";
  return JSON.parse(readFileSync(path.resolve(`.data/e2e-world-${port}.json`), "utf8")).patients;
}

function todayUtc(offsetDays = 0): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offsetDays);
  return d.toISOString().slice(0, 10);
}

async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

test.describe("clinical journeys on the demo patients", () => {
  test("the prescriber records the overdue labs and the overdue badge clears", async ({ page }) => {
    const w = world();
    const { name } = patients().overdueLabs;
    await signIn(page, w.accounts.ada, w.password);
    await expect(page).toHaveURL(/\/prescriber$/);
    const row = page.getByRole("row").filter({ hasText: name });
    await expect(row).toHaveAttribute("data-state", "overdue");
    // Overdue patients are listed first.
    await expect(page.locator("tbody tr").first()).toContainText(name);
    await expectAccessible(page);

    await row.getByRole("link", { name, exact: true }).click();
    await page.getByRole("link", { name: "Lab results", exact: true }).click();
    const form = page.getByRole("form", { name: "Record a result" });
    for (const test of ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "SKIN_EXAM"]) {
      await form.getByLabel("Test").selectOption(test);
      await form.getByLabel("Collection date").fill(todayUtc(-1));
      await form.getByRole("button", { name: "Record result" }).click();
      await expect(page.getByRole("status").filter({ hasText: /recorded/i })).toBeVisible();
    }
    // A collection date in the future is refused on the field, and nothing is recorded.
    await form.getByLabel("Test").selectOption("TSH");
    await form.getByLabel("Collection date").fill(todayUtc(3));
    await form.getByRole("button", { name: "Record result" }).click();
    await expect(form.locator("#lab-collectedOn-error")).toContainText("future");
    // A note past its limit is kept whole (not cut by the field) and refused on the field.
    await form.getByLabel("Collection date").fill(todayUtc(-1));
    const long = `${"Long note. ".repeat(250)}END`;
    await form.locator("#lab-note").fill(long);
    await expect(form.locator("#lab-note")).toHaveValue(long);
    await expect(form.locator("#lab-note-hint")).toContainText("At most 2,000 characters.");
    await form.getByRole("button", { name: "Record result" }).click();
    await expect(form.locator("#lab-note-error")).toContainText("Use at most 2000 characters");
    await expect(form.locator("#lab-note")).toHaveValue(long);

    await page.goto("/prescriber");
    await expect(page.getByRole("row").filter({ hasText: name })).not.toHaveAttribute("data-state", "overdue");
  });

  test("the healthcare setting records a whole course for the patient who is due for one", async ({ page }) => {
    const w = world();
    const { name } = patients().compliant;
    await signIn(page, w.accounts.infusion, w.password);
    await expect(page).toHaveURL(/\/setting$/);
    await expectAccessible(page);

    // Course 3 is three consecutive days; record them, the last one today.
    for (const [day, offset] of [
      [1, -2],
      [2, -1],
      [3, 0],
    ] as const) {
      await page.goto("/setting");
      const upcoming = page.getByRole("row").filter({ hasText: name }).first();
      await expect(upcoming).toContainText(`Course 3, day ${day}`);
      await upcoming.getByRole("link", { name: /Record/ }).click();
      await page.getByLabel("Infusion date").fill(todayUtc(offset));
      await fillInfusionChecklist(page, "L2026C3", "No");
      await page.getByRole("button", { name: "Record infusion" }).click();
      // No dispense authorization is named here: the setting sees it and acknowledges it.
      await expect(page.getByRole("group", { name: "Not in order for this infusion" })).toContainText(
        "No dispense authorization for course 3 is named",
      );
      await page.getByLabel(/I have seen each point above/).check();
      await page.getByRole("button", { name: "Record infusion" }).click();
      await expect(page.getByRole("status")).toContainText(
        `${name} on ${formatDate(todayUtc(offset))}: course 3, day ${day}`,
      );
    }
    await page.goto("/setting");
    await expect(page.getByRole("row").filter({ hasText: name }).filter({ hasText: "L2026C3" })).toHaveCount(3);
    await signOut(page);

    // The prescriber's timeline shows the new course.
    await signIn(page, w.accounts.ada, w.password);
    const row = page.getByRole("row").filter({ hasText: name });
    await row.getByRole("link", { name: `Timeline of ${name}` }).click();
    await expect(page.getByText(/Course 3/).first()).toBeVisible();
    await expectAccessible(page);
  });
});
