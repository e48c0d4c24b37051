import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { signIn, world } from "./helpers";

/*
 * The administrator's review journey on the seeded demo world. The tests run in order and share
 * one server: dr.ben's application (the only SUBMITTED one) is looked at, claimed and refused a
 * reason-less rejection before it is returned for changes; dr.ada is suspended and reinstated, so
 * she ends certified as she started.
 */
test.describe.configure({ mode: "serial" });

const BEN_NPI = "1000000004";
const ADA_NPI = "1234567893";

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
  await expect(page.getByTestId("no-form-answers")).toBeVisible();
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
  await expect(page.locator("#done-banner")).toHaveText("You are now reviewing this application.");
  await expect(page.getByTestId("claim-status")).toContainText("You have been reviewing this application since");

  await page.goto(`/admin/applications?q=${BEN_NPI}`);
  await expect(page.getByRole("row", { name: /Ben Carson-Reed/ })).toContainText("You, since");

  await page.getByRole("link", { name: "Ben Carson-Reed" }).click();
  await page.getByRole("button", { name: "Release claim" }).click();
  await expect(page.locator("#done-banner")).toHaveText("You are no longer reviewing this application.");
  await expect(page.getByTestId("claim-status")).toHaveText("Nobody is reviewing this application.");
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
  await openApplication(a, BEN_NPI, "Ben Carson-Reed");
  await openApplication(b, BEN_NPI, "Ben Carson-Reed");

  const changes = a.getByRole("form", { name: "Request changes" });
  await changes.getByRole("button", { name: "Request changes" }).click();
  await expect(changes.getByText("Say what the applicant needs to change")).toBeVisible();
  await changes.getByLabel("What the applicant must change").fill("Add your DEA number and the practice phone.");
  await changes.getByRole("button", { name: "Request changes" }).click();
  await expect(a.locator("#done-banner")).toHaveText("Changes requested. The applicant has been told what to change.");
  await expect(a.getByRole("heading", { level: 1 })).toContainText("Changes requested");
  const history = a.getByTestId("history");
  await expect(history.getByRole("row").last()).toContainText("Submitted, awaiting review → Changes requested");
  await expect(history.getByRole("row").last()).toContainText("Add your DEA number and the practice phone.");
  await expect(history.getByRole("row").last()).toContainText("Avery Admin");

  // The second administrator still sees the old page (and its version) and approves.
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

test("dr.ben sees that changes were requested", async ({ page }) => {
  const w = world();
  await signIn(page, w.accounts.ben, w.password);
  await expect(page.locator('td[data-status="CHANGES_REQUESTED"]')).toContainText("Changes requested");
});

test("a certified prescriber is suspended and reinstated, each with a reason", async ({ page }) => {
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
