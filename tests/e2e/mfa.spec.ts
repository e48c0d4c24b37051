import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import {
  enrolTotp,
  rememberTotpSecret,
  saveRecoveryCodes,
  signInWithForm,
  signOut,
  signUpAs,
  totpCode,
  totpCodeFor,
  uniqueEmail,
} from "./helpers";

const PASSWORD = "Quartz-Meadow-Lantern-58";

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help}`);
}

/** The sign-in form up to the code prompt: e-mail and the right password. */
async function passwordStep(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#sign-in-code-prompt")).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
}

async function submitCode(page: Page, code: string) {
  await page.getByLabel("Authentication code").fill(code);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a pharmacist enrolls TOTP and signs in with it; a wrong or replayed code is refused; a recovery code works once", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("mfa-pharmacist");
  await signUpAs(page, "Pharmacy authorized representative", { name: "Tomasz Wren", email, password: PASSWORD });

  // The role requires a second factor: the account is taken to enrolment, and other pages send it back.
  await expect(page).toHaveURL(/\/account\/security\?required=1$/);
  await expect(page.locator("#mfa-required")).toContainText("Your role requires two-step sign-in");
  await page.goto("/pharmacy");
  await expect(page).toHaveURL(/\/account\/security\?required=1$/);

  await expect(page.getByRole("img", { name: "QR code for your authenticator app" }).locator("svg")).toBeVisible();
  await expect(page.getByText("Secret key", { exact: true })).toBeVisible();
  const secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(await axeViolations(page)).toEqual([]);

  // A code that is not the app's is refused on its field, and nothing is switched on.
  await page.locator("#enrol-password").fill(PASSWORD);
  await page.locator("#enrol-code").fill("000000");
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  await expect(page.locator("#enrol-code-error")).toHaveText("That code does not match the QR code above");
  await expect(page.getByTestId("totp-secret")).toHaveText(secret);

  rememberTotpSecret(email, secret);
  await page.locator("#enrol-password").fill(PASSWORD);
  await page.locator("#enrol-code").fill(await totpCode(email));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();

  // Ten recovery codes, shown once.
  const codes = page.getByTestId("recovery-codes").getByRole("listitem");
  await expect(codes).toHaveCount(10);
  const recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
  for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
  expect(await axeViolations(page)).toEqual([]);
  await saveRecoveryCodes(page);
  await expect(page).toHaveURL(/\/pharmacy$/);
  await page.goto("/account/security");
  await expect(page.getByRole("heading", { name: "Two-step sign-in is on" })).toBeVisible();
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("10 of 10");
  await expect(page.getByText(recoveryCodes[0] ?? "-")).toHaveCount(0);
  await expect(page.getByText("Your role requires two-step sign-in, so it cannot be turned off.")).toBeVisible();
  await signOut(page);

  // Password and a wrong code: refused, still on the sign-in page.
  await passwordStep(page, email);
  await submitCode(page, "000000");
  await expect(page.locator("#sign-in-error")).toContainText("The code is incorrect or has already been used.");
  await expect(page).toHaveURL(/\/sign-in/);

  // Password and the app's current code: signed in.
  const code = await totpCode(email);
  await submitCode(page, code);
  await expect(page).toHaveURL(/\/pharmacy$/);
  await expect(page.getByText("Signed in as Tomasz Wren.")).toBeVisible();
  await signOut(page);

  // The same code again is a replay: refused.
  await passwordStep(page, email);
  await submitCode(page, code);
  await expect(page.locator("#sign-in-error")).toContainText("The code is incorrect or has already been used.");
  // So is a code computed from another secret.
  await submitCode(page, totpCodeFor("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", Math.floor(Date.now() / 30_000)));
  await expect(page.locator("#sign-in-error")).toContainText("The code is incorrect or has already been used.");

  // A recovery code signs in once.
  const recovery = recoveryCodes[3] ?? "";
  await submitCode(page, recovery.toUpperCase());
  await expect(page).toHaveURL(/\/pharmacy$/);
  await page.goto("/account/security");
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("9 of 10");
  await signOut(page);
  await passwordStep(page, email);
  await submitCode(page, recovery);
  await expect(page.locator("#sign-in-error")).toContainText("The code is incorrect or has already been used.");
  await expect(page).toHaveURL(/\/sign-in/);

  // The helper every other spec uses signs this account in with a fresh code.
  await signInWithForm(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/pharmacy$/);
});

test("a prescriber turns two-step sign-in on, makes new recovery codes and turns it off, each with password and code", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("mfa-prescriber");
  await signUpAs(page, "Prescriber (healthcare provider)", { name: "Dr. Iris Vega", email, password: PASSWORD });
  await expect(page).toHaveURL(/\/prescriber$/);
  await page.goto("/account");
  await page.getByRole("link", { name: "Account security" }).click();
  await expect(page.locator("#mfa-required")).toHaveCount(0);
  const first = await enrolTotp(page, email, PASSWORD);
  await saveRecoveryCodes(page);
  await expect(page).toHaveURL(/\/prescriber$/);

  await page.goto("/account/security");
  const regenerate = page.getByRole("form", { name: "New recovery codes" });
  await regenerate.getByLabel("Your password").fill(PASSWORD);
  await regenerate.getByRole("button", { name: "Make new recovery codes" }).click();
  await expect(regenerate.locator("#regenerate-code-error")).toHaveText(
    "Enter the 6-digit code from your authenticator app",
  );
  await regenerate.getByLabel("Your password").fill(PASSWORD);
  await regenerate.getByLabel("Authentication code").fill(await totpCode(email));
  await regenerate.getByRole("button", { name: "Make new recovery codes" }).click();
  const fresh = page.getByTestId("recovery-codes").getByRole("listitem");
  await expect(fresh).toHaveCount(10);
  const second = (await fresh.allTextContents()).map((c) => c.trim());
  expect(second.filter((c) => first.includes(c))).toEqual([]);
  await saveRecoveryCodes(page);
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("10 of 10");

  const disable = page.getByRole("form", { name: "Turn off two-step sign-in" });
  await disable.getByLabel("Your password").fill("Not-The-Password-11");
  await disable.getByLabel("Authentication code").fill(await totpCode(email));
  await disable.getByRole("button", { name: "Turn off two-step sign-in" }).click();
  await expect(disable.locator("#disable-password-error")).toHaveText("The password is incorrect");
  // The old recovery codes stopped working when the new ones were made; a new one turns it off.
  await disable.getByLabel("Your password").fill(PASSWORD);
  await disable.getByLabel("Authentication code").fill(first[0] ?? "");
  await disable.getByRole("button", { name: "Turn off two-step sign-in" }).click();
  await expect(disable.locator("#disable-code-error")).toHaveText("The code is incorrect or has already been used.");
  await disable.getByLabel("Your password").fill(PASSWORD);
  await disable.getByLabel("Authentication code").fill(second[0] ?? "");
  await disable.getByRole("button", { name: "Turn off two-step sign-in" }).click();
  await expect(page.getByText("Two-step sign-in is off.")).toBeVisible();
  await signOut(page);

  // Without a factor the password alone signs in again.
  await page.goto("/sign-in");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/prescriber$/);
});
