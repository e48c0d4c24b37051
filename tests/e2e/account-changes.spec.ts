import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { linkFromMail, signInWithForm, signOut, signUpAndActivate, startMailbox, uniqueEmail } from "./helpers";

const PASSWORD = "Granite-Harbour-Violet-31";
const NEW_PASSWORD = "Copper-Meadow-Lantern-77";

async function axeViolations(page: import("@playwright/test").Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help}`);
}

test("a prescriber changes the password and then the sign-in address from the account page", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("mover");
  const newEmail = uniqueEmail("moved");
  // A second device is signed in; changing the password signs it out, this one stays.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signUpAndActivate(otherPage, {
    as: "Prescriber (healthcare provider)",
    name: "Dr. Ines Okoro",
    email,
    password: PASSWORD,
  });
  // Through the form: a session of its own, not the other device's (signIn reuses cached cookies).
  await signInWithForm(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/prescriber$/);

  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Password" })).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  const passwordForm = page.locator("section", { has: page.getByRole("heading", { name: "Password" }) });
  await passwordForm.getByLabel("Current password").fill("not my password");
  await passwordForm.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await passwordForm.getByLabel("Confirm new password").fill(NEW_PASSWORD);
  await passwordForm.getByRole("button", { name: "Change password" }).click();
  await expect(page.locator("#currentPassword-error")).toHaveText("The password is incorrect");

  await passwordForm.getByLabel("Current password").fill(PASSWORD);
  await passwordForm.getByRole("button", { name: "Change password" }).click();
  await expect(passwordForm.getByText("Your password has been changed. 1 other session was signed out.")).toBeVisible();
  // This session goes on; the other device's has ended.
  await page.goto("/prescriber");
  await expect(page).toHaveURL(/\/prescriber$/);
  await otherPage.goto("/prescriber");
  await expect(otherPage).toHaveURL(/\/sign-in/);
  await other.close();

  const mailbox = await startMailbox();
  try {
    await page.goto("/account");
    const emailForm = page.locator("section", { has: page.getByRole("heading", { name: "Sign-in e-mail address" }) });
    await emailForm.getByLabel("New e-mail address").fill(newEmail);
    await emailForm.getByLabel("Your password").fill(NEW_PASSWORD);
    await emailForm.getByRole("button", { name: "Send a confirmation link" }).click();
    await expect(emailForm.getByText(`We sent a confirmation link to ${newEmail}`)).toBeVisible();

    const { mail: notice } = await linkFromMail(
      mailbox,
      email,
      "A change of your REMS registry sign-in address was requested",
      "/forgot-password",
    );
    expect(notice.text).toContain(newEmail);
    const { link } = await linkFromMail(
      mailbox,
      newEmail,
      "Confirm your new REMS registry sign-in address",
      "/confirm-email/",
    );
    await page.goto(link);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Use this address" }).click();
    await expect(page.getByText(`Your sign-in address is now ${newEmail}.`)).toBeVisible();
    const told = await mailbox.waitFor(
      (m) => m.envelopeTo.includes(email) && m.subject === "Your REMS registry sign-in address was changed",
      20_000,
    );
    expect(told.text).toContain(`to ${newEmail}`);
  } finally {
    await mailbox.close();
  }

  // Every session ended with the change; the new address signs in, the old one does not.
  await page.goto("/prescriber");
  await expect(page).toHaveURL(/\/sign-in/);
  await signInWithForm(page, email, NEW_PASSWORD);
  await expect(page.locator("#sign-in-error")).toHaveText("The e-mail address or password is incorrect.");
  await signInWithForm(page, newEmail, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/prescriber$/);
  await signOut(page);
});
