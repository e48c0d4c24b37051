import { randomInt } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
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
import { uniqueNpi } from "../factories/identifiers";

/*
 * The administrator's journeys on the seeded demo world. The tests run in order and share one
 * server (with the other spec files, which run after this one), so seeded rows end as they began:
 * dr.ben's application is searched for, opened, claimed and released, and refused a rejection
 * without a reason, but stays SUBMITTED; dr.ada is suspended and reinstated. The decisions that
 * change an application for good are made on a healthcare setting that enrolls here first.
 */
test.describe.configure({ mode: "serial" });

const BEN_NPI = "1000000004";
const ADA_NPI = "1234567893";
const PASSWORD = "Correct-Horse-Battery-42";

/** The healthcare setting enrolled by this spec, and what the tests after it need to know. */
const setting = {
  name: `Riverbend Infusion Center ${randomInt(1000, 9999)}`,
  npi: uniqueNpi(),
  rep: "Marta Quinones",
  email: uniqueEmail("setting-rep"),
  change: "Add the suite number to the street address.",
};

async function signInAsRep(page: Page) {
  await signIn(page, setting.email, PASSWORD);
  await expect(page).toHaveURL(/\/setting$/);
}

/** Signs the review step (ticking any attestation not yet ticked) and submits. */
async function signAndSubmit(page: Page) {
  await expect(page).toHaveURL(/\/review$/);
  const boxes = page.getByRole("group", { name: "I attest that:" }).getByRole("checkbox");
  for (const box of await boxes.all()) {
    if (!(await box.isChecked())) await box.check();
    await expect(box).toBeChecked();
  }
  await page.getByLabel("Printed name").fill(setting.rep);
  await page.getByLabel("Your password").fill(PASSWORD);
  await fillSignatureCode(page, setting.email);
  await page.getByRole("button", { name: "Sign and submit" }).click();
  await expect(page.locator('[data-status="SUBMITTED"]')).toHaveText("Submitted, awaiting review");
}

async function signInAsAdmin(page: Page) {
  const w = world();
  await signIn(page, w.accounts.admin, w.password);
  await expect(page).toHaveURL(/\/admin$/);
}

async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`)).toEqual([]);
}

/** Searches the queue (any status) and opens the one matching application. */
async function openApplication(page: Page, npi: string, name: string) {
  await page.goto(`/admin/applications?status=ANY&q=${npi}`);
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
}

test("the queue finds dr.ben by NPI, and the queue and review page are accessible", async ({ page }) => {
  await signInAsAdmin(page);
  await expect(page.getByTestId("awaiting-review")).toHaveText("1");
  await page.getByRole("link", { name: "Open the review queue" }).click();
  await expect(page.getByRole("heading", { name: "Review queue" })).toBeVisible();
  await expect(page.getByLabel("Status")).toHaveValue("SUBMITTED");
  await expectNoAxeViolations(page);

  await page.getByLabel("Search").fill(BEN_NPI);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`q=${BEN_NPI}`));
  await expect(page.getByTestId("queue-count")).toHaveText("1 application, oldest submission first.");
  const row = page.getByRole("row", { name: /Ben Carson-Reed/ });
  await expect(row).toContainText(`NPI ${BEN_NPI}`);
  await expect(row).toContainText("Submitted, awaiting review");

  // Keyboard only: tab to the applicant's link and follow it.
  await row.getByRole("link", { name: "Ben Carson-Reed" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Ben Carson-Reed");
  // The seeded application went through the real enrollment engine: the whole application shows.
  await expect(page.getByRole("region", { name: "Enrollment form" })).toContainText("Springfield Neurology Associates");
  await expect(page.getByRole("region", { name: "Knowledge assessment" })).toContainText("8");
  await expect(page.getByRole("region", { name: "Signatures" })).toContainText("Dr. Ben Carson-Reed");
  await expect(page.getByRole("region", { name: "Signatures" })).toContainText(/[0-9a-f]{64}/);
  await expect(page.getByRole("region", { name: "Stakeholder" })).toContainText(BEN_NPI);
  await expect(page.getByRole("form", { name: "Approve" })).toBeVisible();
  await expect(page.getByRole("form", { name: "Reject" })).toBeVisible();
  await expect(page.getByRole("form", { name: "Request changes" })).toBeVisible();
  await expectNoAxeViolations(page);
});

test("a rejection without a reason shows the field error and changes nothing", async ({ page }) => {
  await signInAsAdmin(page);
  await openApplication(page, BEN_NPI, "Ben Carson-Reed");
  const reject = page.getByRole("form", { name: "Reject" });
  await reject.getByRole("button", { name: "Reject application" }).click();
  const reason = reject.getByLabel("Reason for rejection");
  await expect(reject.getByText("Give the reason for the rejection")).toBeVisible();
  await expect(reason).toHaveAttribute("aria-invalid", "true");
  await expect(reason).toHaveAttribute("aria-describedby", /reason-error/);

  // Blank is not a reason either.
  await reason.fill("    ");
  await reject.getByRole("button", { name: "Reject application" }).click();
  await expect(reject.getByText("Give the reason for the rejection")).toBeVisible();

  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Submitted, awaiting review");
  await expectNoAxeViolations(page);
});

test("claiming shows who is reviewing, in the page and in the queue", async ({ page }) => {
  await signInAsAdmin(page);
  await openApplication(page, BEN_NPI, "Ben Carson-Reed");
  await expect(page.getByTestId("claim-status")).toHaveText("Nobody is reviewing this application.");
  await page.getByRole("button", { name: "Claim for review" }).click();
  await expect(page.locator("#claim-done")).toHaveText("You are now reviewing this application.");
  await expect(page.getByTestId("claim-status")).toContainText("You have been reviewing this application since");

  await page.goto(`/admin/applications?q=${BEN_NPI}`);
  await expect(page.getByRole("row", { name: /Ben Carson-Reed/ })).toContainText("You, since");

  await page.getByRole("link", { name: "Ben Carson-Reed" }).click();
  await page.getByRole("button", { name: "Release claim" }).click();
  await expect(page.locator("#claim-done")).toHaveText("You are no longer reviewing this application.");
  await expect(page.getByTestId("claim-status")).toHaveText("Nobody is reviewing this application.");
});

test("a new healthcare setting enrolls and submits its application", async ({ page }) => {
  test.setTimeout(90_000);
  await signUpAndActivate(page, {
    as: "Healthcare setting authorized representative",
    name: setting.rep,
    email: setting.email,
    password: PASSWORD,
  });
  await expect(page).toHaveURL(/\/setting$/);
  // LEMTRADA asks a second factor of whoever e-signs.
  await enrolTotp(page, setting.email, PASSWORD);
  await saveRecoveryCodes(page);
  await page.getByRole("link", { name: "Start enrollment" }).click();

  await expect(page).toHaveURL(/\/details$/);
  await page.getByLabel("Healthcare setting name").fill(setting.name);
  await page.getByLabel("Type of setting").selectOption("infusion_center");
  await page.getByLabel("NPI").fill(setting.npi);
  await page.getByLabel("Street address").fill("40 Riverbend Road");
  await page.getByLabel("City").fill("Peoria");
  await page.getByLabel("State").selectOption("IL");
  await page.getByLabel("ZIP code").fill("61602");
  await page.getByLabel("Contact phone").fill("309-555-0177");
  await page.getByRole("button", { name: "Save and continue" }).click();

  await expect(page).toHaveURL(/\/training$/);
  const boxes = page.getByRole("checkbox", { name: /I have read this section/ });
  await expect(boxes.first()).toBeVisible();
  for (const box of await boxes.all()) {
    await box.check();
    await expect(box).toBeChecked();
    await expect(box).toBeEnabled();
  }
  await page.getByRole("link", { name: "Continue to review and sign" }).click();
  await signAndSubmit(page);
});

test("two administrators: one returns the application for changes, the other's stale approval is refused", async ({
  browser,
}) => {
  const first = await browser.newContext();
  const second = await browser.newContext();
  const a = await first.newPage();
  const b = await second.newPage();
  await signInAsAdmin(a);
  await signInAsAdmin(b);
  await openApplication(a, setting.npi, setting.name);
  await openApplication(b, setting.npi, setting.name);
  // What the applicant entered, with the definition's labels.
  const form = a.getByRole("region", { name: "Enrollment form" });
  await expect(form.getByRole("term").filter({ hasText: "Type of setting" })).toBeVisible();
  await expect(form).toContainText("Infusion center");
  await expect(a.getByRole("region", { name: "Signatures" })).toContainText(setting.rep);
  await expect(
    a.getByRole("region", { name: "Signatures" }).getByRole("cell", { name: /^[0-9a-f]{64}$/ }),
  ).toBeVisible();
  await expectNoAxeViolations(a);

  const changes = a.getByRole("form", { name: "Request changes" });
  await changes.getByRole("button", { name: "Request changes" }).click();
  await expect(changes.getByText("Say what the applicant needs to change")).toBeVisible();
  await changes.getByLabel("What the applicant must change").fill(setting.change);
  await changes.getByRole("button", { name: "Request changes" }).click();
  await expect(a.locator("#done-banner")).toHaveText("Changes requested. The applicant has been told what to change.");
  await expect(a.getByRole("heading", { level: 1 })).toContainText("Changes requested");
  const last = a.getByTestId("history").getByRole("row").last();
  await expect(last).toContainText("Submitted, awaiting review → Changes requested");
  await expect(last).toContainText(setting.change);
  await expect(last).toContainText("Avery Admin");

  // The second administrator still has the old page (and its version) and approves.
  await b.getByRole("form", { name: "Approve" }).getByRole("button", { name: "Approve and certify" }).click();
  const stale = b.locator("#decision-approve-error");
  await expect(stale).toContainText("changed by someone else");
  await stale.getByRole("link", { name: "Reload the application" }).click();
  await expect(b.getByRole("heading", { level: 1 })).toContainText("Changes requested");
  await expect(b.getByText("No administrator action applies")).toBeVisible();
  await expect(b.getByRole("form", { name: "Approve" })).toHaveCount(0);

  await first.close();
  await second.close();
});

test("the applicant sees what to change and submits again", async ({ page }) => {
  await signInAsRep(page);
  await expect(page.locator('td[data-status="CHANGES_REQUESTED"]')).toContainText("Changes requested");
  await page.getByRole("link", { name: "Make the requested changes" }).click();
  await expect(page.getByText(setting.change)).toBeVisible();
  await page.getByRole("link", { name: /Enrollment form/ }).click();
  await expect(page).toHaveURL(/\/details$/);
  await page.getByLabel("Street address").fill("40 Riverbend Road, Suite 200");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page).toHaveURL(/\/training$/);
  await page.getByRole("link", { name: "Continue to review and sign" }).click();
  await signAndSubmit(page);
});

test("the resubmitted application is approved; both sides see the certification number", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto(`/admin/applications?q=${setting.npi}`);
  await expect(page.getByRole("row", { name: new RegExp(setting.name) })).toContainText("Submitted, awaiting review");
  await page.getByRole("link", { name: setting.name }).click();
  await expect(page.getByRole("region", { name: "Enrollment form" })).toContainText("40 Riverbend Road, Suite 200");
  const history = page.getByTestId("history");
  await expect(history.getByRole("row").last()).toContainText("Changes requested → Submitted, awaiting review");

  await page.getByRole("button", { name: "Approve and certify" }).click();
  const banner = page.locator("#done-banner");
  await expect(banner).toContainText(
    /Application approved\. Certification number HC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z] issued\./,
  );
  const number = (await page.getByTestId("certification-number").textContent()) ?? "";
  await expect(banner).toContainText(number);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Certified");
  await expect(page.getByRole("form", { name: "Suspend" })).toBeVisible();

  await signOut(page);
  await signInAsRep(page);
  await expect(page.locator('td[data-status="CERTIFIED"]')).toHaveText("Certified");
  await expect(page.getByRole("cell", { name: number })).toBeVisible();
});

test("a certified prescriber is suspended and reinstated, each with a reason", async ({ page, browser }) => {
  // A long journey through three browser pages; the default 30 s is too tight on a busy 2-core machine.
  test.setTimeout(90_000);
  await signInAsAdmin(page);
  await page.goto(`/admin/applications?status=CERTIFIED&q=${ADA_NPI}`);
  await page.getByRole("link", { name: "Ada Lovelace" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Certified");
  const number = await page.getByTestId("certification-number").textContent();
  expect(number).toMatch(/^RX-/);

  const suspend = page.getByRole("form", { name: "Suspend" });
  await suspend.getByRole("button", { name: "Suspend certification" }).click();
  await expect(suspend.getByText("Give the reason for the suspension")).toBeVisible();
  await suspend.getByLabel("Reason for suspension").fill("Patient status forms overdue.");
  await suspend.getByRole("button", { name: "Suspend certification" }).click();
  await expect(page.locator("#done-banner")).toHaveText("Certification suspended.");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Suspended");
  await expect(page.getByRole("form", { name: "Suspend" })).toHaveCount(0);
  await expectNoAxeViolations(page);

  // While suspended: the public lookup says "Not certified", and the prescriber sees why.
  const visitor = await browser.newContext();
  const lookup = await visitor.newPage();
  await lookup.goto("/lookup");
  await lookup.getByLabel("Prescriber NPI", { exact: true }).fill(ADA_NPI);
  await lookup.getByRole("button", { name: "Check prescriber" }).click();
  await expect(lookup.getByTestId("prescriber-result").locator("strong")).toHaveText("Not certified");
  const prescriber = await visitor.newPage();
  await signIn(prescriber, world().accounts.ada, world().password);
  await expect(prescriber.locator('td[data-status="SUSPENDED"]')).toBeVisible();
  await prescriber.goto("/enrollment");
  await expect(prescriber.getByRole("paragraph").filter({ hasText: "Patient status forms overdue." })).toBeVisible();
  await visitor.close();

  const reinstate = page.getByRole("form", { name: "Reinstate" });
  await reinstate.getByLabel("Reason for reinstatement").fill("Forms received.");
  await reinstate.getByRole("button", { name: "Reinstate certification" }).click();
  await expect(page.locator("#done-banner")).toHaveText("Certification reinstated.");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Certified");
  await expect(page.getByTestId("certification-number")).toHaveText(number ?? "");
  const rows = page.getByTestId("history").getByRole("row");
  await expect(rows.nth(-2)).toContainText("Patient status forms overdue.");
  await expect(rows.last()).toContainText("Suspended → Certified");
  await expect(rows.last()).toContainText("Forms received.");

  // The stakeholder page shows the same record.
  const id = new URL(page.url()).pathname.split("/").at(-1);
  await page.goto(`/admin/stakeholders/${id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Ada Lovelace");
  await expect(page.getByRole("form", { name: "Decertify" })).toBeVisible();
});
