import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { enrolTotp, fillSignatureCode, saveRecoveryCodes, signIn, signOut, uniqueEmail, world } from "./helpers";

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help}`);
}

/** Fills the whole enrollment form for a patient at Demo Infusion Center (paper form on file unless an e-mail is given). */
async function fillEnrollment(
  page: Page,
  person: { firstName: string; lastName: string; email?: string },
  password: string,
) {
  await page.getByLabel("First name").fill(person.firstName);
  await page.getByLabel("Last name").fill(person.lastName);
  await page.getByLabel("Date of birth").fill("1984-06-15");
  await page.getByLabel("Sex").selectOption("female");
  await page.getByLabel("Street address").fill("12 Elm Street");
  await page.getByLabel("City").fill("Springfield");
  await page.getByLabel("State").selectOption("IL");
  await page.getByLabel("ZIP code").fill("62701");
  await page.getByLabel("Phone").fill("217-555-0177");
  const setting = page.locator("#healthcareSettingId option", { hasText: "Demo Infusion Center" });
  await page.getByLabel("Certified healthcare setting").selectOption((await setting.getAttribute("value")) ?? "");
  for (const box of await page.locator('input[name="counselledMaterialIds"]').all()) await box.check();
  if (person.email) {
    await page.locator("#field-email").fill(person.email);
    await page.getByLabel("Signs in their own account").check();
  } else {
    await page.getByLabel("Signed paper form kept on file by the prescriber").check();
  }
  for (const box of await page.locator('input[name="coAttestations"]').all()) await box.check();
  await page.getByLabel("Printed name").fill("Ada Lovelace");
  await page.getByLabel("Your password").fill(password);
  await fillSignatureCode(page, world().accounts.ada);
}

test.describe("patients", () => {
  test("a certified prescriber enrolls a patient with the paper form on file, then is warned of a duplicate", async ({
    page,
  }) => {
    const w = world();
    const person = { firstName: "Edith", lastName: `Clarke${Date.now().toString(36)}` };
    await signIn(page, w.accounts.ada, w.password);
    await expect(page).toHaveURL(/\/prescriber$/);

    await page.goto("/prescriber/patients/new");
    await expect(page.getByRole("heading", { name: /Enroll a patient/ })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);

    // Field-level errors, and nothing typed is lost.
    await page.getByLabel("First name").fill(person.firstName);
    await page.getByLabel("Date of birth").fill("2999-01-01");
    await page.getByRole("button", { name: "Sign and enroll" }).click();
    await expect(page.locator("#field-lastName-error")).toHaveText("Last name is required");
    await expect(page.locator("#field-dateOfBirth-error")).toHaveText("The date of birth cannot be in the future");
    await expect(page.getByLabel("First name")).toHaveValue(person.firstName);
    expect(await axeViolations(page)).toEqual([]);

    await fillEnrollment(page, person, w.password);
    await page.getByRole("button", { name: "Sign and enroll" }).click();
    await expect(page.getByRole("heading", { name: "Patient enrolled" })).toBeVisible();
    const done = (await page.locator(".card[role=status]").textContent()) ?? "";
    const remsId = /PT-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]/.exec(done)?.[0];
    expect(remsId).toBeDefined();
    expect(done).toContain(`REMS patient id: ${remsId}`);

    await page.goto("/prescriber/patients");
    const row = page.getByRole("row").filter({ hasText: `${person.firstName} ${person.lastName}` });
    await expect(row).toContainText(remsId ?? "");
    await expect(row).toContainText("Enrolled");
    await expect(row).toContainText("Demo Infusion Center");
    expect(await axeViolations(page)).toEqual([]);

    await row.getByRole("link").click();
    await expect(page.getByRole("heading", { name: `${person.firstName} ${person.lastName}` })).toBeVisible();
    await expect(page.getByRole("link", { name: "Lab results" })).toHaveAttribute("href", /\/labs$/);
    await expect(page.getByRole("link", { name: "Patient Status Form" })).toHaveAttribute("href", /\/status-form$/);
    expect(await axeViolations(page)).toEqual([]);

    // The same person again: the prescriber is shown the match before a second record is made.
    await page.goto("/prescriber/patients/new");
    await fillEnrollment(page, person, w.password);
    await page.getByRole("button", { name: "Sign and enroll" }).click();
    await expect(page.getByRole("heading", { name: "Possible duplicate patient" })).toBeVisible();
    await expect(page.locator("#duplicates")).toContainText(remsId ?? "");
    await expect(page.locator("#duplicates")).toContainText("same name and date of birth");
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Go back and check" }).click();
    await page.goto("/prescriber/patients");
    await expect(page.getByRole("row").filter({ hasText: person.lastName })).toHaveCount(1);
    await signOut(page);
  });

  test("an invited patient signs their enrollment in their own account; another prescriber is refused", async ({
    page,
  }) => {
    // A long journey: the prescriber enrolls, the patient joins, enrols an authenticator and signs.
    test.setTimeout(90_000);
    const w = world();
    const person = { firstName: "Mary", lastName: `Jackson${Date.now().toString(36)}`, email: uniqueEmail("patient") };
    await signIn(page, w.accounts.ada, w.password);
    await expect(page).toHaveURL(/\/prescriber$/);
    await page.goto("/prescriber/patients/new");
    await fillEnrollment(page, person, w.password);
    await page.getByRole("button", { name: "Sign and enroll" }).click();
    await expect(page.getByRole("heading", { name: "Enrollment saved, waiting for signatures" })).toBeVisible();
    const link = await page.getByLabel("Invitation link").inputValue();
    expect(link).toMatch(/\/invitations\/[A-Za-z0-9_-]{43}$/);
    await page.getByRole("link", { name: "Open the patient's page" }).click();
    await expect(page.locator("dl").getByText("Pending signatures")).toBeVisible();
    const patientUrl = page.url();
    // "Pending signatures" wherever the prescriber looks, never the stored DRAFT.
    await page.goto("/prescriber");
    const dashboardRow = page.getByRole("row").filter({ hasText: person.lastName });
    await expect(dashboardRow).toContainText("Pending signatures");
    await expect(dashboardRow).not.toContainText(/draft/i);
    await page.goto(`${patientUrl}/timeline`);
    await expect(page.locator("main")).toContainText("Pending signatures");
    await expect(page.locator("main")).not.toContainText(/\bdraft\b/i);
    await signOut(page);

    await page.goto(link);
    await expect(page.getByText("invited you to join as a patient of")).toBeVisible();
    await page.getByLabel("Full name").fill(`${person.firstName} ${person.lastName}`);
    await page.getByLabel("Password", { exact: true }).fill("Copper-Kettle-Winter-42");
    await page.getByLabel("Confirm password").fill("Copper-Kettle-Winter-42");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(/\/patient$/);
    await expect(page.getByRole("heading", { name: "Sign your enrollment" })).toBeVisible();
    // LEMTRADA asks a second factor of every e-signer, the patient too: the page leads to enrolment.
    await expect(page.locator("#enrol-to-sign")).toContainText("requires two-step sign-in for electronic signatures");
    expect(await axeViolations(page)).toEqual([]);
    await page.locator("#enrol-to-sign").getByRole("link", { name: "Account security" }).click();
    await enrolTotp(page, person.email, "Copper-Kettle-Winter-42");
    await saveRecoveryCodes(page);
    await expect(page).toHaveURL(/\/patient$/);
    expect(await axeViolations(page)).toEqual([]);
    for (const box of await page.getByRole("checkbox").all()) await box.check();
    await page.getByLabel("Printed name").fill(`${person.firstName} ${person.lastName}`);
    await page.getByLabel("Your password").fill("Copper-Kettle-Winter-42");
    await fillSignatureCode(page, person.email);
    await page.getByRole("button", { name: "Sign my enrollment" }).click();
    await expect(page.getByRole("heading", { name: "Sign your enrollment" })).toHaveCount(0);
    await expect(page.locator("dl").getByText("Enrolled", { exact: true })).toBeVisible();
    await expect(page.getByText(/PT-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]/)).toBeVisible();
    await expect(page.getByText("Demo Infusion Center")).toBeVisible();
    await signOut(page);

    // Another prescriber never sees Ada's patient.
    await signIn(page, w.accounts.ben, w.password);
    await expect(page).toHaveURL(/\/prescriber$/);
    await page.goto(patientUrl);
    await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
  });
});
