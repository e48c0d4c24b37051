import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { fillInfusionChecklist, fillSignatureCode, signIn, signOut, world } from "./helpers";

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help}`);
}

/** Dr. Ada enrolls a patient at Demo Infusion Center with the paper form on file (the patients journey's form). */
async function enrollPatient(page: Page, person: { firstName: string; lastName: string }, password: string) {
  await page.goto("/prescriber/patients/new");
  await page.getByLabel("First name").fill(person.firstName);
  await page.getByLabel("Last name").fill(person.lastName);
  await page.getByLabel("Date of birth").fill("1979-09-03");
  await page.getByLabel("Sex").selectOption("female");
  await page.getByLabel("Street address").fill("8 Mill Lane");
  await page.getByLabel("City").fill("Springfield");
  await page.getByLabel("State").selectOption("IL");
  await page.getByLabel("ZIP code").fill("62704");
  await page.getByLabel("Phone").fill("217-555-0148");
  const setting = page.locator("#healthcareSettingId option", { hasText: "Demo Infusion Center" });
  await page.getByLabel("Certified healthcare setting").selectOption((await setting.getAttribute("value")) ?? "");
  for (const box of await page.locator('input[name="counselledMaterialIds"]').all()) await box.check();
  await page.getByLabel("Signed paper form kept on file by the prescriber").check();
  for (const box of await page.locator('input[name="coAttestations"]').all()) await box.check();
  await page.getByLabel("Printed name").fill("Ada Lovelace");
  await page.getByLabel("Your password").fill(password);
  await fillSignatureCode(page, world().accounts.ada);
  await page.getByRole("button", { name: "Sign and enroll" }).click();
  await expect(page.getByRole("heading", { name: "Patient enrolled" })).toBeVisible();
}

test.describe("infusions", () => {
  test("a certified setting records a course day, acknowledging what is not in order; the course rules refuse a gap; the prescriber sees it", async ({
    page,
  }) => {
    const w = world();
    const person = { firstName: "Grace", lastName: `Hopper${Date.now().toString(36)}` };
    const name = `${person.firstName} ${person.lastName}`;
    await signIn(page, w.accounts.ada, w.password);
    await expect(page).toHaveURL(/\/prescriber$/);
    await enrollPatient(page, person, w.password);
    await signOut(page);

    await signIn(page, w.accounts.infusion, w.password);
    await expect(page).toHaveURL(/\/setting$/);
    const upcoming = page.getByRole("row").filter({ hasText: name });
    await expect(upcoming).toContainText("Course 1, day 1");
    expect(await axeViolations(page)).toEqual([]);
    await upcoming.getByRole("link", { name: /Record/ }).click();
    await expect(page.getByRole("heading", { name: "Record an infusion" })).toBeVisible();

    // A reaction needs its severity and narrative.
    await fillInfusionChecklist(page, "L2026A", "Yes");
    await page.getByRole("button", { name: "Record infusion" }).click();
    await expect(page.locator("#reactionSeverity-error")).toHaveText("Choose the severity of the reaction");
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel("Severity").selectOption("mild");
    await page
      .getByLabel("What happened and how it was managed")
      .fill("Flushing at 30 minutes; resolved with cetirizine.");
    await page.getByRole("button", { name: "Record infusion" }).click();

    // The new patient has no baseline result and no authorization is named: the registry says so,
    // point by point, and records nothing until each point is acknowledged.
    const concerns = page.getByRole("group", { name: "Not in order for this infusion" });
    await expect(concerns).toBeVisible();
    await expect(concerns.getByRole("listitem")).toHaveText([
      /^Baseline tests missing for course 1 \(first infusion .*\): Complete blood count with differential, Serum creatinine, Urinalysis with urine cell counts, Thyroid function \(TSH\) and Skin examination\./,
      /^No dispense authorization for course 1 is named/,
    ]);
    await expect(page.getByText(/Infusion recorded for/)).toHaveCount(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Record infusion" }).click();
    await expect(page.locator("#acknowledgedConcerns-error")).toHaveText(
      "Confirm that you have seen each point above, or correct the record.",
    );
    await expect(page.getByText(/Infusion recorded for/)).toHaveCount(0);
    await page.getByLabel(/I have seen each point above/).check();
    await page.getByRole("button", { name: "Record infusion" }).click();
    await expect(page.getByText(/Infusion recorded for .*: course 1, day 1\./)).toContainText(
      "2 points not in order were acknowledged and kept with the record.",
    );
    await expect(concerns).toHaveCount(0);

    // A day before the last infusion is refused: infusions are recorded in order.
    const today = await page.getByLabel("Infusion date").inputValue();
    const gap = new Date(`${today}T00:00:00Z`);
    gap.setUTCDate(gap.getUTCDate() - 3);
    await page.getByLabel("Infusion date").fill(gap.toISOString().slice(0, 10));
    await fillInfusionChecklist(page, "L2026A", "No");
    await page.getByRole("button", { name: "Record infusion" }).click();
    await expect(page.locator("#infusedOn-error")).toContainText("infusions are recorded in order");

    await page.goto("/setting");
    const recent = page.getByRole("row").filter({ hasText: name }).filter({ hasText: "L2026A" });
    await expect(recent).toContainText("Yes (mild)");
    await expect(recent).toContainText("Baseline tests missing; No dispense authorization named");
    await expect(page.getByRole("row").filter({ hasText: name }).first()).toContainText("Course 1, day 2");
    await signOut(page);

    await signIn(page, w.accounts.ada, w.password);
    const row = page.getByRole("row").filter({ hasText: name });
    await expect(row).toBeVisible();
    await row.getByRole("link", { name: /Timeline/ }).click();
    await expect(page.getByRole("heading", { name: `Timeline: ${name}` })).toBeVisible();
    await expect(page.getByText("Infusion, course 1 day 1")).toBeVisible();
    await expect(page.getByText(/mild infusion reaction/)).toBeVisible();
    await expect(page.getByText(/mild infusion reaction/)).toContainText(
      "Recorded with what was not in order acknowledged: Baseline tests missing for course 1",
    );
    expect(await axeViolations(page)).toEqual([]);
  });
});
