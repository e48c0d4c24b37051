import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { linkFromMail, signIn, signOut, signUpAndActivate, startMailbox, uniqueEmail } from "./helpers";

const PASSWORD = "Correct-Horse-Battery-42";
const NEW_PASSWORD = "Lantern-Orchard-Pebble-58";

async function axeViolations(page: import("@playwright/test").Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help}`);
}

test("a prescriber resets a forgotten password from the e-mail, and the used link says so", async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const email = uniqueEmail("forgetful");
  const password = PASSWORD;
  // Another device holds a session; the reset will end it.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signUpAndActivate(otherPage, {
    as: "Prescriber (healthcare provider)",
    name: "Dr. Felix Amari",
    email,
    password,
  });
  await expect(otherPage).toHaveURL(/\/prescriber$/);

  const mailbox = await startMailbox();
  try {
    await page.goto("/sign-in");
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await expect(page).toHaveURL(/\/forgot-password$/);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel("E-mail address").fill(email.toUpperCase());
    await page.getByRole("button", { name: "Send me a reset link" }).click();
    await expect(page.getByText("If an account exists for this address, we sent a link")).toBeVisible();

    const { link } = await linkFromMail(mailbox, email, "Reset your REMS registry password", "/reset-password/");
    await page.goto(link);
    await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    // The password rules apply here too.
    await page.getByLabel("New password", { exact: true }).fill("qwerty123456");
    await page.getByLabel("Confirm new password").fill("qwerty123456");
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect(page.locator("#password-error")).toContainText("too common");

    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel("Confirm new password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect(page.getByText("Your password has been changed")).toBeVisible();

    const { mail } = await linkFromMail(mailbox, email, "Your REMS registry password was changed", "/forgot-password");
    expect(mail.text).toContain("every device that was signed in has been signed out");

    // The link worked once.
    await page.goto(link);
    await expect(page.getByText("This reset link has already been used.")).toBeVisible();
    await expect(page.getByRole("link", { name: "Send me a new link" })).toBeVisible();
  } finally {
    await mailbox.close();
  }

  // The other device's session ended.
  await otherPage.goto("/prescriber");
  await expect(otherPage).toHaveURL(/\/sign-in/);
  await other.close();

  // The old password no longer works; the new one does.
  await signIn(page, email, password);
  await expect(page.locator("#sign-in-error")).toHaveText("The e-mail address or password is incorrect.");
  await signIn(page, email, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/prescriber$/);
  await signOut(page);
});

test("a used or unknown reset link says so and offers a new one; an unknown address gets the same answer", async ({
  page,
}) => {
  await page.goto("/reset-password/not-a-real-token-at-all");
  await expect(page.getByText("This reset link is not valid.")).toBeVisible();
  await page.getByRole("link", { name: "Send me a new link" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel("E-mail address").fill("nobody-here@e2e.test");
  await page.getByRole("button", { name: "Send me a reset link" }).click();
  await expect(page.getByText("If an account exists for this address, we sent a link")).toBeVisible();
});
