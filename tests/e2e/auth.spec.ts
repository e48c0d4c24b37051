import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import {
  linkFromMail,
  signInWithForm as signIn,
  signOut,
  signUpAndActivate,
  startMailbox,
  uniqueEmail,
  world,
} from "./helpers";

const PASSWORD = "Correct-Horse-Battery-42";

test.describe("signing up", () => {
  test("a prescriber signs up, activates the account from the e-mail, lands on the prescriber dashboard and signs out", async ({
    page,
  }) => {
    const email = uniqueEmail("new-prescriber");
    await signUpAndActivate(page, {
      as: "Prescriber (healthcare provider)",
      name: "Dr. Grace Hopper",
      email,
      password: PASSWORD,
    });

    await expect(page).toHaveURL(/\/prescriber$/);
    await expect(page.getByRole("heading", { name: "Prescriber dashboard" })).toBeVisible();
    await expect(page.getByText("Signed in as Dr. Grace Hopper.")).toBeVisible();
    await signOut(page);
    await expect(page).toHaveURL(/\/sign-in/);

    // Signed out means signed out: the dashboard now asks for a sign-in.
    await page.goto("/prescriber");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fprescriber/);
  });

  test("bad input gets field-level messages and keeps what was typed", async ({ page }) => {
    await page.goto("/sign-up");
    await page.getByLabel("Full name").fill("Someone");
    await page.getByLabel("E-mail address").fill("not-an-email");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Confirm password").fill("different");
    await page.getByRole("button", { name: "Create account" }).click();

    await expect(page.getByText("Enter a valid e-mail address, like name@example.com")).toBeVisible();
    await expect(page.getByText("Use at least 12 characters")).toBeVisible();
    await expect(page.getByText("The passwords do not match")).toBeVisible();
    await expect(page.getByText("Choose what you are enrolling as")).toBeVisible();
    await expect(page.getByLabel("E-mail address")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("Full name")).toHaveValue("Someone");
    await expect(page).toHaveURL(/\/sign-up$/);
  });

  test("a common password is refused by the server; an existing e-mail gets the same answer as a new one", async ({
    page,
  }) => {
    await page.goto("/sign-up");
    await page.getByLabel("Pharmacy authorized representative").check();
    await page.getByLabel("Full name").fill("Rita Representative");
    await page.getByLabel("E-mail address").fill(uniqueEmail("common-pw"));
    await page.getByLabel("Password", { exact: true }).fill("qwerty123456");
    await page.getByLabel("Confirm password").fill("qwerty123456");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.locator("#password-error")).toContainText("too common");

    const mailbox = await startMailbox();
    try {
      await page.getByLabel("E-mail address").fill(world().accounts.ada.toUpperCase());
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("Confirm password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page.getByRole("heading", { name: "Check your e-mail to continue" })).toBeVisible();
      await expect(page.getByText("already exists")).toHaveCount(0);
      // The owner of the address is told, with the way back into the existing account.
      const { mail } = await linkFromMail(
        mailbox,
        world().accounts.ada,
        "Someone tried to create a REMS registry account with your address",
        "/forgot-password",
      );
      expect(mail.text).toContain("No new account was created.");
    } finally {
      await mailbox.close();
    }
  });
});

test.describe("signing in", () => {
  const landings = [
    ["admin", "/admin", "REMS administration"],
    ["ada", "/prescriber", "Prescriber dashboard"],
    ["ben", "/prescriber", "Prescriber dashboard"],
    ["pharmacist", "/pharmacy", "Pharmacy dashboard"],
    ["infusion", "/setting", "Healthcare setting dashboard"],
  ] as const;

  for (const [who, path, heading] of landings) {
    test(`${who} lands on ${path}`, async ({ page }) => {
      const w = world();
      await signIn(page, w.accounts[who], w.password);
      await expect(page).toHaveURL(new RegExp(`${path}$`));
      await expect(page.getByRole("heading", { name: heading })).toBeVisible();
      await signOut(page);
    });
  }

  test("the demo prescriber sees a certification, the waiting one does not", async ({ page }) => {
    const w = world();
    await signIn(page, w.accounts.ada, w.password);
    await expect(page.locator('td[data-status="CERTIFIED"]')).toHaveText("Certified");
    await signOut(page);
    await signIn(page, w.accounts.ben, w.password);
    await expect(page.locator('td[data-status="SUBMITTED"]')).toContainText("Submitted, awaiting review");
  });

  test("a wrong password shows an error and signs nobody in", async ({ page }) => {
    await signIn(page, world().accounts.infusion, "Wrong-Password-123");
    await expect(page.locator("#sign-in-error")).toHaveText("The e-mail address or password is incorrect.");
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto("/setting");
    await expect(page).toHaveURL(/\/sign-in\?next=/);
  });

  test("repeated failures earn a growing wait, not a lock: the right password works once the wait is over", async ({
    page,
  }) => {
    const email = uniqueEmail("delayme");
    await signUpAndActivate(page, {
      as: "Healthcare setting authorized representative",
      name: "Lou Delayed",
      email,
      password: PASSWORD,
    });
    await expect(page).toHaveURL(/\/setting$/);
    await signOut(page);

    for (let i = 1; i <= 4; i++) {
      await signIn(page, email, `Wrong-Password-${i}0000`);
      await expect(page.locator("#sign-in-error")).toHaveText("The e-mail address or password is incorrect.");
    }
    await signIn(page, email, "Wrong-Password-50000");
    await expect(page.locator("#sign-in-error")).toHaveText(
      "The e-mail address or password is incorrect. Wait 1 second before trying again.",
    );
    await expect(page.locator("#sign-in-error")).not.toContainText("locked");

    await page.waitForTimeout(1_100);
    await signIn(page, email, PASSWORD);
    await expect(page).toHaveURL(/\/setting$/);
  });
});

test.describe("access", () => {
  test("another role's page is a 403 page", async ({ page }) => {
    const w = world();
    await signIn(page, w.accounts.pharmacist, w.password);
    await expect(page).toHaveURL(/\/pharmacy$/);
    const response = await page.goto("/admin");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
  });

  test("an unknown address is a 404 page", async ({ page }) => {
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  });

  test("sign out everywhere ends the session in every browser", async ({ browser }) => {
    const w = world();
    const first = await browser.newContext();
    const second = await browser.newContext();
    const a = await first.newPage();
    const b = await second.newPage();
    await signIn(a, w.accounts.infusion, w.password);
    await signIn(b, w.accounts.infusion, w.password);
    await expect(b).toHaveURL(/\/setting$/);
    await a.goto("/account");
    await a.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(a.getByText("You have been signed out on every device.")).toBeVisible();
    await b.goto("/setting");
    await expect(b).toHaveURL(/\/sign-in\?next=%2Fsetting/);
    await first.close();
    await second.close();
  });
});

test.describe("accessibility", () => {
  for (const path of ["/", "/sign-in", "/sign-up"]) {
    test(`${path} has no detectable WCAG A/AA violations`, async ({ page }) => {
      await page.goto(path);
      const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    });
  }
});
