import { readFileSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { lemtrada } from "../../lib/programs/lemtrada";
import {
  enrolTotp,
  fillSignatureCode,
  saveRecoveryCodes,
  signIn,
  signOut,
  signUpAndActivate,
  uniqueEmail,
  world,
} from "./helpers";
import { uniqueNpi, uniqueNcpdpId } from "../factories/identifiers";

const PASSWORD = "Correct-Horse-Battery-42";

function requirement(kind: "prescriber" | "pharmacy" | "healthcareSetting") {
  const r = lemtrada.stakeholders[kind];
  if (!r) throw new Error(`no ${kind} requirement`);
  return r;
}

/** The seeded pharmacy's NCPDP id, from the manifest the e2e server wrote. */
function demoPharmacyNcpdp(): string {
  const port = process.env.E2E_PORT ?? "3210";
  const manifest = JSON.parse(readFileSync(path.resolve(`.data/e2e-world-${port}.json`), "utf8")) as {
    pharmacy: { ncpdpId: string };
  };
  return manifest.pharmacy.ncpdpId;
}

async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(
    results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
  ).toEqual([]);
}

async function signUp(page: Page, as: string, name: string) {
  const email = uniqueEmail("enroll");
  await signUpAndActivate(page, { as, name, email, password: PASSWORD });
  return email;
}

/** Ticks every training box, waiting for each to be saved, then moves on. */
async function acknowledgeTraining(page: Page, sections: number) {
  const boxes = page.getByRole("checkbox", { name: /I have read this section/ });
  await expect(boxes).toHaveCount(sections);
  for (let i = 0; i < sections; i++) {
    const box = boxes.nth(i);
    await box.check();
    await expect(box).toBeChecked();
    await expect(box).toBeEnabled();
  }
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toHaveCount(1);
}

async function tickAttestations(page: Page, count: number) {
  const boxes = page.getByRole("group", { name: "I attest that:" }).getByRole("checkbox");
  await expect(boxes).toHaveCount(count);
  for (let i = 0; i < count; i++) {
    await boxes.nth(i).check();
    await expect(boxes.nth(i)).toBeChecked();
  }
}

async function answer(page: Page, wrong: number) {
  const assessment = requirement("prescriber").knowledgeAssessment;
  if (!assessment) throw new Error("no assessment");
  for (const [i, q] of assessment.questions.entries()) {
    const option =
      i < wrong
        ? q.options.find((o) => !q.correctOptionIds.includes(o.id))
        : q.options.find((o) => o.id === q.correctOptionIds[0]);
    if (!option) throw new Error("no option");
    const group = page.getByRole("group", {
      name: new RegExp(`^Question ${i + 1} of ${assessment.questions.length}:`),
    });
    await group.getByLabel(option.text, { exact: true }).check();
  }
}

test.describe("enrollment", () => {
  test("a prescriber enrolls: form, training, a failed and a passed assessment, review and signature", async ({
    page,
  }) => {
    test.setTimeout(180_000);
    const email = await signUp(page, "Prescriber (healthcare provider)", "Dr. Noor Haddad");
    await expect(page).toHaveURL(/\/prescriber$/);
    await page.getByRole("link", { name: "Start enrollment" }).click();

    // Step 1: the enrollment form.
    await expect(page).toHaveURL(/\/enroll\/LEMTRADA\/details$/);
    await expect(page.getByRole("heading", { name: "Enrollment form" })).toBeVisible();
    await expect(page.getByRole("link", { name: /Enrollment form/ })).toHaveAttribute("aria-current", "step");
    await expectAccessible(page);
    const npi = uniqueNpi();
    const wrongNpi = `${npi.slice(0, 9)}${(Number(npi[9]) + 1) % 10}`;
    await page.getByLabel("First name").fill("Noor");
    await page.getByLabel("Last name").fill("Haddad");
    await page.getByLabel("Credentials").selectOption("md");
    await page.getByLabel("NPI", { exact: true }).fill(wrongNpi);
    await page.getByLabel("Specialty").fill("Neurology");
    await page.getByLabel("Practice or institution name").fill("Lakeside Neurology");
    await page.getByLabel("Street address").fill("12 Harbor Street");
    await page.getByLabel("City").fill("Madison");
    await page.getByLabel("State").selectOption("WI");
    await page.getByLabel("ZIP code").fill("53703");
    await page.getByLabel("Phone").fill("608-555-0142");
    await expect(page.getByLabel("Email", { exact: true })).not.toHaveValue("");
    await page.getByRole("button", { name: "Save and continue" }).click();

    await expect(page.locator("#field-npi-error")).toHaveText("NPI check digit is wrong — check for a typo");
    await expect(page.getByLabel("NPI", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("NPI", { exact: true })).toHaveAttribute("aria-describedby", /field-npi-error/);
    await expect(page.getByRole("alert").filter({ hasText: "There is a problem with 1 field" })).toBeVisible();
    await expect(page.getByLabel("Specialty")).toHaveValue("Neurology");
    await expect(page).toHaveURL(/\/details$/);
    await expectAccessible(page);

    await page.getByLabel("NPI", { exact: true }).fill(npi);
    await page.reload();
    await expect(page.getByLabel("NPI", { exact: true })).toHaveValue(npi);
    await expect(page.getByLabel("First name")).toHaveValue("Noor");
    await expect(page.getByLabel("State")).toHaveValue("WI");
    await expect(page.getByText("We restored what you typed earlier")).toBeVisible();
    await page.getByRole("button", { name: "Save and continue" }).click();

    // Step 2: training, one acknowledgement per section, saved immediately.
    await expect(page).toHaveURL(/\/enroll\/LEMTRADA\/training$/);
    const training = requirement("prescriber").training;
    await expect(page.getByRole("heading", { level: 1, name: training?.title })).toBeVisible();
    await expect(page.getByRole("link", { name: /Enrollment form \(completed\)/ })).toBeVisible();
    await expectAccessible(page);
    await acknowledgeTraining(page, training?.sections.length ?? 0);
    await page.reload();
    for (const box of await page.getByRole("checkbox", { name: /I have read this section/ }).all()) {
      await expect(box).toBeChecked();
    }
    // The saved form comes back from the server, not only from this browser.
    await page.getByRole("link", { name: /Enrollment form/ }).click();
    await expect(page.getByLabel("NPI", { exact: true })).toHaveValue(npi);
    await expect(page.getByText("We restored what you typed earlier")).toHaveCount(0);
    await page.getByRole("link", { name: /Training/ }).click();
    await page.getByRole("link", { name: "Continue to the knowledge assessment" }).click();

    // Step 3: the assessment. The page never carries the answers.
    await expect(page).toHaveURL(/\/assessment$/);
    const assessment = requirement("prescriber").knowledgeAssessment;
    const html = await page.content();
    for (const q of assessment?.questions ?? []) expect(html).not.toContain(q.explanation);
    expect(html).not.toContain("correctOptionIds");
    await expectAccessible(page);
    await answer(page, 2);
    await page.getByRole("button", { name: "Submit answers" }).click();

    await expect(page.getByRole("heading", { name: "Result of attempt 1" })).toBeVisible();
    await expect(page.getByText("You answered 6 of 8 questions correctly")).toBeVisible();
    await expect(page.getByRole("link", { name: "Autoimmunity" })).toHaveAttribute(
      "href",
      "/enroll/LEMTRADA/training#section-autoimmunity",
    );
    await expect(page.getByRole("link", { name: "Infusion reactions" })).toBeVisible();
    const result = await page.content();
    for (const q of assessment?.questions.slice(0, 2) ?? []) {
      expect(result).not.toContain(q.explanation);
      for (const id of q.correctOptionIds) expect(result).not.toContain(q.options.find((o) => o.id === id)?.text);
    }
    await expectAccessible(page);

    await page.getByRole("link", { name: "Retake the assessment" }).click();
    await expect(page.getByText("This is attempt 2.")).toBeVisible();
    await answer(page, 0);
    await page.getByRole("button", { name: "Submit answers" }).click();
    await expect(page.getByText("You passed the knowledge assessment: 8 of 8")).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("link", { name: "Continue to review and sign" }).click();

    // Step 4: review, attestations, signature.
    await expect(page).toHaveURL(/\/review$/);
    await expect(page.getByRole("definition").filter({ hasText: npi })).toBeVisible();
    await expect(page.getByText("Passed on attempt 2: 8 of 8 correct")).toBeVisible();
    // LEMTRADA asks a second factor of e-signers: without one, the page leads to enrolment.
    const reviewUrl = page.url();
    await expect(page.locator("#enrol-to-sign")).toContainText("requires two-step sign-in for electronic signatures");
    await expectAccessible(page);
    await page.locator("#enrol-to-sign").getByRole("link", { name: "Account security" }).click();
    await expect(page.locator("#mfa-required")).toContainText("Signing in this programme requires two-step sign-in");
    await enrolTotp(page, email, PASSWORD);
    await saveRecoveryCodes(page);
    await page.goto(reviewUrl);
    await expect(page.getByText(requirement("prescriber").signatureMeaning)).toBeVisible();
    await expectAccessible(page);
    await tickAttestations(page, requirement("prescriber").attestations.length);
    // The printed name must be the name on the account; the field says which and refuses another.
    await expect(page.getByLabel("Printed name")).toHaveAccessibleDescription(
      "Type your name as it appears on your account: Dr. Noor Haddad",
    );
    await page.getByLabel("Printed name").fill("Mickey Mouse");
    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign and submit" }).click();
    await expect(page.locator("#printedName-error")).toHaveText(
      "Type your name as it appears on your account: Dr. Noor Haddad",
    );
    await expect(page).toHaveURL(/\/review$/);
    await page.getByLabel("Printed name").fill("Noor Haddad");
    await page.getByLabel("Your password").fill("Not-The-Password-99");
    await page.getByRole("button", { name: "Sign and submit" }).click();
    await expect(page.locator("#password-error")).toHaveText("The password is incorrect");
    await expect(page).toHaveURL(/\/review$/);
    await expectAccessible(page);

    // The ticks were saved: a reload keeps them.
    await page.reload();
    for (const box of await page.getByRole("group", { name: "I attest that:" }).getByRole("checkbox").all()) {
      await expect(box).toBeChecked();
    }
    await page.getByLabel("Printed name").fill("Noor Haddad");
    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByLabel("Authentication code").fill("000000");
    await page.getByRole("button", { name: "Sign and submit" }).click();
    await expect(page.locator("#code-error")).toHaveText("The code is incorrect or has already been used.");
    await page.getByLabel("Your password").fill(PASSWORD);
    await fillSignatureCode(page, email);
    await page.getByRole("button", { name: "Sign and submit" }).click();

    await expect(page).toHaveURL(/\/enrollment\/[0-9a-f-]{36}$/);
    await expect(page.locator('[data-status="SUBMITTED"]')).toHaveText("Submitted, awaiting review");
    const signatures = page.getByRole("table", { name: "Electronic signatures on this application" });
    await expect(signatures.getByRole("cell", { name: "Noor Haddad" })).toBeVisible();
    await expect(signatures.getByRole("cell", { name: /^[0-9a-f]{64}$/ })).toBeVisible();
    await expect(page.getByRole("link", { name: "Signed enrollment form (PDF)" })).toHaveAttribute(
      "href",
      /\/documents\/enrollments\/[0-9a-f-]{36}\/signed-form\.pdf$/,
    );
    await expectAccessible(page);

    // Submitted means read-only: the form now leads to the status page.
    await page.goto("/enroll/LEMTRADA/details");
    await expect(page).toHaveURL(/\/enrollment\/[0-9a-f-]{36}$/);
    await page.goto("/prescriber");
    await expect(page.locator('td[data-status="SUBMITTED"]')).toContainText("Submitted, awaiting review");
    await expect(page.getByRole("link", { name: /View enrollment status/ })).toBeVisible();
    await signOut(page);
  });

  test("a healthcare setting representative enrolls the setting and submits", async ({ page }) => {
    test.setTimeout(120_000);
    const email = await signUp(page, "Healthcare setting authorized representative", "Rosa Delgado");
    await expect(page).toHaveURL(/\/setting$/);
    await enrolTotp(page, email, PASSWORD);
    await saveRecoveryCodes(page);
    await expect(page).toHaveURL(/\/setting$/);
    await page.getByRole("link", { name: "Start enrollment" }).click();
    await expect(page).toHaveURL(/\/details$/);
    await expect(page.getByLabel("Contact name")).toHaveValue("Rosa Delgado");

    // Neither an NPI nor another identifier: the rule is reported on both fields.
    await page.getByLabel("Healthcare setting name").fill("Lakeview Infusion Center");
    await page.getByLabel("Type of setting").selectOption("infusion_center");
    await page.getByLabel("Street address").fill("8 Lakeview Drive");
    await page.getByLabel("City").fill("Evanston");
    await page.getByLabel("State").selectOption("IL");
    await page.getByLabel("ZIP code").fill("60201");
    await page.getByLabel("Contact phone").fill("847-555-0110");
    await page.getByRole("button", { name: "Save and continue" }).click();
    await expect(page.locator("#field-npi-error")).toHaveText("Give the setting's NPI or another identifier.");
    await expect(page.locator("#field-otherIdentifier-error")).toBeVisible();
    await page.getByLabel("NPI").fill(uniqueNpi());
    await page.getByRole("button", { name: "Save and continue" }).click();

    await expect(page).toHaveURL(/\/training$/);
    await acknowledgeTraining(page, requirement("healthcareSetting").training?.sections.length ?? 0);
    await expect(page.getByRole("navigation", { name: "Enrollment steps" }).getByRole("listitem")).toHaveCount(3);
    await page.getByRole("link", { name: "Continue to review and sign" }).click();

    await expect(page).toHaveURL(/\/review$/);
    await expect(page.getByText("Lakeview Infusion Center")).toBeVisible();
    await expectAccessible(page);
    await tickAttestations(page, requirement("healthcareSetting").attestations.length);
    await page.getByLabel("Printed name").fill("Rosa Delgado");
    await page.getByLabel("Your password").fill(PASSWORD);
    await fillSignatureCode(page, email);
    await page.getByRole("button", { name: "Sign and submit" }).click();
    await expect(page.locator('[data-status="SUBMITTED"]')).toHaveText("Submitted, awaiting review");
    await page.goto("/setting");
    await expect(page.locator('td[data-status="SUBMITTED"]')).toBeVisible();
  });

  test("a pharmacy representative enrolls the pharmacy; another organisation cannot open it", async ({ page }) => {
    test.setTimeout(120_000);
    const email = await signUp(page, "Pharmacy authorized representative", "Omar Farouk");
    // A pharmacist's account is unusable until it has a second factor: the sign-up leads to enrolment.
    await expect(page).toHaveURL(/\/account\/security\?required=1$/);
    await expect(page.locator("#mfa-required")).toContainText("Your role requires two-step sign-in");
    await enrolTotp(page, email, PASSWORD);
    await saveRecoveryCodes(page);
    await expect(page).toHaveURL(/\/pharmacy$/);
    await page.getByRole("link", { name: "Start enrollment" }).click();
    await expect(page).toHaveURL(/\/details$/);

    await page.getByLabel("Pharmacy name").fill("Harborview Specialty Pharmacy");
    await page.getByLabel("Type of pharmacy").selectOption("specialty");
    await page.getByLabel("NCPDP provider ID").fill(demoPharmacyNcpdp());
    await page.getByLabel("NPI").fill(uniqueNpi());
    await page.getByLabel("Street address").fill("99 Harbor Road");
    await page.getByLabel("City").fill("Portland");
    await page.getByLabel("State").selectOption("ME");
    await page.getByLabel("ZIP code").fill("04101");
    await page.getByLabel("Contact phone").fill("207-555-0123");
    await page.getByRole("button", { name: "Save and continue" }).click();

    // Taken by the demo pharmacy: refused by the server, shown on the field.
    await expect(page.locator("#field-ncpdpId-error")).toContainText("already enrolled by another pharmacy");
    await expect(page.getByLabel("NCPDP provider ID")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("Pharmacy name")).toHaveValue("Harborview Specialty Pharmacy");
    await expectAccessible(page);
    await page.getByLabel("NCPDP provider ID").fill(uniqueNcpdpId());
    await page.getByRole("button", { name: "Save and continue" }).click();

    await expect(page).toHaveURL(/\/training$/);
    await acknowledgeTraining(page, requirement("pharmacy").training?.sections.length ?? 0);
    await page.getByRole("link", { name: "Continue to review and sign" }).click();
    await tickAttestations(page, requirement("pharmacy").attestations.length);
    await page.getByLabel("Printed name").fill("Omar Farouk");
    await page.getByLabel("Your password").fill(PASSWORD);
    await fillSignatureCode(page, email);
    await page.getByRole("button", { name: "Sign and submit" }).click();
    await expect(page.locator('[data-status="SUBMITTED"]')).toHaveText("Submitted, awaiting review");
    const statusUrl = page.url();
    await signOut(page);

    // The demo healthcare setting's representative is refused this pharmacy's application.
    const w = world();
    await signIn(page, w.accounts.infusion, w.password);
    await expect(page).toHaveURL(/\/setting$/);
    const response = await page.goto(statusUrl);
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
    await signOut(page);

    // An administrator approves it, and the public lookup then finds it certified.
    await signIn(page, w.accounts.admin, w.password);
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto("/admin/applications?q=Harborview");
    await page.getByRole("link", { name: "Harborview Specialty Pharmacy" }).click();
    await page.getByRole("button", { name: "Approve and certify" }).click();
    await expect(page.locator("#done-banner")).toContainText(
      /Certification number DP-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]/,
    );
    await signOut(page);
    await page.goto("/lookup");
    await page.getByLabel("Name, city, NPI or NCPDP provider ID").fill("Harborview");
    await page.getByRole("button", { name: "Search organisations" }).click();
    await expect(page.getByRole("row").filter({ hasText: "Harborview Specialty Pharmacy" })).toContainText("Certified");
  });

  test("an administrator is refused the applicant's enrollment pages", async ({ page }) => {
    const w = world();
    await signIn(page, w.accounts.admin, w.password);
    await expect(page).toHaveURL(/\/admin/);
    const response = await page.goto("/enroll/LEMTRADA/details");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
  });
});
