import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { enrolTotp, saveRecoveryCodes, signIn, signOut, uniqueEmail, world } from "./helpers";

const PASSWORD = "Copper-Kettle-Winter-42";

/*
 * The invitation e-mail is not readable from here (no SMTP in the e2e server, and the embedded
 * database admits one process). The inviter is shown the link once after sending, because
 * representatives need it when an e-mail goes astray; these journeys take it from there.
 */
async function invite(page: Page, email: string): Promise<string> {
  await page.getByLabel("E-mail address").fill(email);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`Invitation sent to ${email}`)).toBeVisible();
  const link = await page.getByLabel("Invitation link").inputValue();
  expect(link).toMatch(/\/invitations\/[A-Za-z0-9_-]{43}$/);
  await expect(page.getByRole("row").filter({ hasText: email })).toContainText("Pending");
  return link;
}

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help}`);
}

test.describe("invitations", () => {
  test("a pharmacist invites a colleague, who accepts once and joins the pharmacy", async ({ page }) => {
    const w = world();
    const email = uniqueEmail("invited-pharmacist");
    await signIn(page, w.accounts.pharmacist, w.password);
    await expect(page).toHaveURL(/\/pharmacy$/);
    await page.goto("/pharmacy/team");
    await expect(page.getByRole("heading", { name: "Pharmacy team" })).toBeVisible();
    const link = await invite(page, email);
    expect(await axeViolations(page)).toEqual([]);

    // Opening the link while signed in offers to sign out first, and comes back to the invitation.
    await page.goto(link);
    await expect(page.getByText("You are signed in as Pat Pharmacist")).toBeVisible();
    await page.getByRole("button", { name: "Sign out to accept" }).click();
    await expect(page.getByRole("heading", { name: "Join the REMS registry" })).toBeVisible();
    await expect(page.getByText("invited you to join as a pharmacist at Demo Specialty Pharmacy")).toBeVisible();
    await expect(page.getByText(email)).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);

    // The sign-up password rules apply, field by field.
    await page.getByLabel("Full name").fill("Quinn Osei");
    await page.getByLabel("Password", { exact: true }).fill("qwerty123456");
    await page.getByLabel("Confirm password").fill("qwerty123456");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.locator("#password-error")).toContainText("too common");

    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Confirm password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    // A pharmacist's account needs a second factor before anything else.
    await expect(page).toHaveURL(/\/account\/security\?required=1$/);
    await enrolTotp(page, email, PASSWORD);
    await saveRecoveryCodes(page);
    await expect(page).toHaveURL(/\/pharmacy$/);
    await expect(page.getByText("Signed in as Quinn Osei.")).toBeVisible();
    await signOut(page);

    // Single use.
    await page.goto(link);
    await expect(page.getByText("This invitation has already been used.")).toBeVisible();

    // The inviter sees the new colleague and the accepted invitation.
    await signIn(page, w.accounts.pharmacist, w.password);
    await expect(page).toHaveURL(/\/pharmacy$/);
    await page.goto("/pharmacy/team");
    await expect(page.getByRole("row").filter({ hasText: "Quinn Osei" })).toContainText(email);
    await expect(page.getByRole("row").filter({ hasText: email }).last()).toContainText("Accepted");
    await signOut(page);
  });

  test("a certified prescriber invites office staff, who join as delegates", async ({ page }) => {
    const w = world();
    const email = uniqueEmail("office-staff");
    await signIn(page, w.accounts.ada, w.password);
    await expect(page).toHaveURL(/\/prescriber$/);
    await page.goto("/prescriber/team");
    await expect(page.getByRole("heading", { name: "Office staff" })).toBeVisible();
    const link = await invite(page, email);
    await signOut(page);

    await page.goto(link);
    await expect(page.getByText("as office staff (a delegate) for Ada Lovelace")).toBeVisible();
    await page.getByLabel("Full name").fill("Dana Moss");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Confirm password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(/\/prescriber$/);
    await expect(page.getByText("Signed in as Dana Moss.")).toBeVisible();

    // A delegate cannot invite anyone.
    const response = await page.goto("/prescriber/team");
    expect(response?.status()).toBe(403);
    await signOut(page);
  });

  test("a prescriber who is not certified yet is told so instead of getting the form", async ({ page }) => {
    const w = world();
    await signIn(page, w.accounts.ben, w.password);
    await expect(page).toHaveURL(/\/prescriber$/);
    await page.goto("/prescriber/team");
    await expect(page.getByText("You can invite office staff once you are certified.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Send invitation" })).toHaveCount(0);
    await signOut(page);
  });

  test("an unknown invitation link says it is not valid", async ({ page }) => {
    await page.goto(`/invitations/${"x".repeat(43)}`);
    await expect(page.getByText("This invitation link is not valid.")).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
  });
});
