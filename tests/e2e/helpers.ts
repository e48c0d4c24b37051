import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { type ReceivedMail, startSmtpServer, type TestSmtpServer } from "../setup/smtp";

export interface World {
  password: string;
  accounts: { admin: string; ada: string; ben: string; pharmacist: string; infusion: string };
  programCode: string;
  ndc: string;
  prescribers: Record<"ada" | "ben" | "cora" | "dan", { npi: string }>;
  pharmacy: { ncpdpId: string; npi: string; apiKey: string | null };
  /** `id` is the healthcare setting's REMS ID. */
  setting: { id: string; npi: string };
  patients: Record<"compliant" | "overdueLabs" | "betweenCourses" | "disenrolled", { remsId: string; name: string }>;
}

/** The demo world the e2e server seeded (scripts/e2e-server.ts). */
export function world(): World {
  const port = process.env.E2E_PORT ?? "3210";
  return JSON.parse(readFileSync(path.resolve(`.data/e2e-world-${port}.json`), "utf8")) as World;
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Settled: either signed in (the page left /sign-in) or refused (the error is shown).
  await expect
    .poll(
      async () =>
        !new URL(page.url()).pathname.startsWith("/sign-in") || (await page.locator("#sign-in-error").isVisible()),
    )
    .toBe(true);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You have signed out.")).toBeVisible();
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@e2e.test`;
}

/** Fills the record-infusion form's checklist: vial lot, premedication and observation done, reaction yes/no. */
export async function fillInfusionChecklist(page: Page, vialLot: string, reaction: "Yes" | "No") {
  await page.getByLabel("Vial lot number").fill(vialLot);
  await page
    .getByRole("group", { name: /premedication/ })
    .getByLabel("Yes")
    .check();
  await page
    .getByRole("group", { name: /observation/ })
    .getByLabel("Yes")
    .check();
  await page.getByRole("group", { name: "Infusion reaction?" }).getByLabel(reaction).check();
}

/** Internal ids the demo seed writes to the manifest (lib/demo/seed.ts), for URLs with dynamic segments. */
export interface WorldIds {
  enrollments: { ada: string; ben: string; pharmacy: string; setting: string };
  patients: Record<"compliant" | "overdueLabs" | "betweenCourses" | "disenrolled", string>;
  /** The demo pharmacy's authorizations by prescription id (DEMO-RX-…). */
  authorizations: Record<string, string>;
  users: { infusion: string };
}

export function worldIds(): WorldIds {
  return (world() as World & { ids: WorldIds }).ids;
}

/** The loopback port the e2e server mails to (playwright.config.ts passes it as SMTP_URL). */
export function mailPort(): number {
  return Number(process.env.E2E_PORT ?? 3210) + 1000;
}

/**
 * Listens where the e2e server sends mail. Start it before the action that mails; messages that
 * failed earlier (nobody listening) are retried by the server and may arrive too, so match on
 * recipient and subject. Close it when done: only one mailbox can listen at a time.
 */
export function startMailbox(): Promise<TestSmtpServer> {
  return startSmtpServer({ port: mailPort() });
}

/** Waits for the mail to `to` whose subject matches, and returns the first link in it under `path`. */
export async function linkFromMail(
  mailbox: TestSmtpServer,
  to: string,
  subject: string | RegExp,
  path: string,
): Promise<{ link: string; mail: ReceivedMail }> {
  const address = to.toLowerCase();
  const mail = await mailbox.waitFor(
    (m) =>
      m.envelopeTo.includes(address) && (typeof subject === "string" ? m.subject === subject : subject.test(m.subject)),
    20_000,
  );
  const found = mail.text.match(new RegExp(`https?://\\S+${path.replace(/[/.]/g, "\\$&")}[A-Za-z0-9_-]*`));
  if (!found) throw new Error(`no ${path} link in the e-mail to ${to}: ${mail.text}`);
  return { link: found[0], mail };
}

/**
 * Signs up through the form, opens the activation link from the e-mail, activates the account and
 * signs in: the page ends on the new user's home page.
 */
export async function signUpAndActivate(
  page: Page,
  person: { as: string; name: string; email: string; password: string },
) {
  const mailbox = await startMailbox();
  try {
    await page.goto("/sign-up");
    await page.getByLabel(person.as).check();
    await page.getByLabel("Full name").fill(person.name);
    await page.getByLabel("E-mail address").fill(person.email);
    await page.getByLabel("Password", { exact: true }).fill(person.password);
    await page.getByLabel("Confirm password").fill(person.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("heading", { name: "Check your e-mail to continue" })).toBeVisible();
    const { link } = await linkFromMail(mailbox, person.email, "Activate your REMS registry account", "/verify-email/");
    await page.goto(link);
    await page.getByRole("button", { name: "Activate my account" }).click();
    await expect(page.getByText("Your account is active.")).toBeVisible();
  } finally {
    await mailbox.close();
  }
  await signIn(page, person.email, person.password);
}
