import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { enrolTotp, saveRecoveryCodes, signIn, uniqueEmail, world } from "./helpers";

const PASSWORD = "Granite-Harbour-Lamp-42";

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
}

/** A pharmacist of the demo pharmacy, made for this test through an invitation, signed in in `page`. */
async function newPharmacist(inviter: Page, page: Page, name: string): Promise<string> {
  const w = world();
  const email = uniqueEmail("deactivated-pharmacist");
  await signIn(inviter, w.accounts.pharmacist, w.password);
  await inviter.goto("/pharmacy/team");
  await inviter.getByLabel("E-mail address").fill(email);
  await inviter.getByRole("button", { name: "Send invitation" }).click();
  const link = await inviter.getByLabel("Invitation link").inputValue();
  await page.goto(link);
  await page.getByLabel("Full name").fill(name);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  // A pharmacist's account needs a second factor before anything else.
  await expect(page).toHaveURL(/\/account\/security\?required=1$/);
  await enrolTotp(page, email, PASSWORD);
  await saveRecoveryCodes(page);
  await expect(page).toHaveURL(/\/pharmacy$/);
  return email;
}

test("an administrator deactivates a user whose open session stops working on the next click", async ({ browser }) => {
  const w = world();
  const userContext = await browser.newContext();
  const adminContext = await browser.newContext();
  const user = await userContext.newPage();
  const admin = await adminContext.newPage();
  const name = "Rowan Achterberg";
  const email = await newPharmacist(admin, user, name);
  await expect(user.getByText(`Signed in as ${name}.`)).toBeVisible();

  await adminContext.clearCookies();
  await signIn(admin, w.accounts.admin, w.password);
  await admin.goto("/admin");
  await admin.getByRole("link", { name: "Manage users" }).click();
  await expect(admin.getByRole("heading", { name: "Users" })).toBeVisible();
  expect(await axeViolations(admin)).toEqual([]);

  await admin.getByLabel("Search").fill(email);
  await admin.getByLabel("Status").selectOption({ label: "Active" });
  await admin.getByRole("button", { name: "Apply filters" }).click();
  await expect(admin.getByTestId("users-count")).toHaveText("1 user, by name.");
  const row = admin.getByRole("row").filter({ hasText: email });
  await expect(row).toContainText("Pharmacy");
  await expect(row).toContainText("Demo Specialty Pharmacy");
  await row.getByRole("link", { name }).click();

  await expect(admin.getByRole("heading", { name })).toBeVisible();
  await expect(admin.getByTestId("account-state")).toHaveText("Active");
  await expect(admin.getByText("1 open session.")).toBeVisible();
  await expect(admin.getByRole("cell", { name: /Chrom(e|ium) on Linux|Chrome|Chromium/ }).first()).toBeVisible();
  await expect(admin.getByTestId("mfa-state")).toContainText("On since");
  await expect(admin.getByTestId("mfa-state")).toContainText("10 recovery codes left");
  expect(await axeViolations(admin)).toEqual([]);

  // A reason is required: nothing happens without one.
  const deactivate = admin.locator('form[data-action="deactivate"]');
  await deactivate.getByRole("button", { name: "Deactivate account" }).click();
  await expect(deactivate.getByText("Give a reason")).toBeVisible();
  await expect(admin.getByTestId("account-state")).toHaveText("Active");

  await deactivate.getByLabel(/^Reason/).fill("Left the pharmacy on Friday");
  await deactivate.getByRole("button", { name: "Deactivate account" }).click();
  await expect(admin.getByText("The account is deactivated and every session has ended.")).toBeVisible();
  await expect(admin.getByTestId("account-state")).toHaveText("Deactivated");
  await expect(admin.getByRole("row").filter({ hasText: "User deactivated" })).toContainText(
    "Left the pharmacy on Friday",
  );
  await expect(admin.getByRole("row").filter({ hasText: "Account deactivated" }).first()).toBeVisible();

  // The user's open page: the next click lands on the sign-in page, which says why.
  await user.getByRole("link", { name: new RegExp(name) }).click();
  await expect(user).toHaveURL(/\/sign-in\?/);
  await expect(user.getByText("Your account has been deactivated and you have been signed out.")).toBeVisible();

  // Reactivation lets them sign in again; the old session stays ended.
  const reactivate = admin.locator('form[data-action="reactivate"]');
  await reactivate.getByLabel(/^Reason/).fill("Came back");
  await reactivate.getByRole("button", { name: "Reactivate account" }).click();
  await expect(admin.getByTestId("account-state")).toHaveText("Active");
  await user.goto("/pharmacy");
  await expect(user).toHaveURL(/\/sign-in\?/);
  await signIn(user, email, PASSWORD);
  await expect(user).toHaveURL(/\/pharmacy$/);

  await userContext.close();
  await adminContext.close();
});
