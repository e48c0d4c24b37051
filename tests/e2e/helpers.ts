import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Cookie, expect, type Page, test } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
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
  patients: Record<
    "compliant" | "overdueLabs" | "betweenCourses" | "disenrolled",
    { remsId: string; name: string; given: string; family: string; birthDate: string; sex: "female" | "male" }
  >;
  interop: { remsPatientIdSystem: string; npiSystem: string; cdsServices: string; fhirBase: string };
  /** The demo accounts' TOTP secrets (base32). */
  totp: Record<string, string>;
}

/** The demo world the e2e server seeded (scripts/e2e-server.ts). */
export function world(): World {
  const port = process.env.E2E_PORT ?? "3210";
  return JSON.parse(readFileSync(path.resolve(`.data/e2e-world-${port}.json`), "utf8")) as World;
}

// ---------------------------------------------------------------------------
// Second factor: every demo account has TOTP on, and accounts a spec creates may enrol.

const port = () => process.env.E2E_PORT ?? "3210";
const TOTP_PERIOD_MS = 30_000;

interface TotpLedger {
  /** Base32 secret per e-mail address (the demo accounts' come from the manifest). */
  secrets: Record<string, string>;
  /** The last time step whose code was used, per e-mail address: the server refuses a step twice. */
  lastStep: Record<string, number>;
}

function ledgerPath(): string {
  return path.resolve(`.data/e2e-totp-${port()}.json`);
}

// The ledger is a file, not module state: each spec file may run in a fresh worker, and a step
// used by one spec must not be offered to the next within the same 90 seconds.
function readLedger(): TotpLedger {
  try {
    return JSON.parse(readFileSync(ledgerPath(), "utf8")) as TotpLedger;
  } catch {
    return { secrets: {}, lastStep: {} };
  }
}

function writeLedger(ledger: TotpLedger) {
  mkdirSync(path.dirname(ledgerPath()), { recursive: true });
  writeFileSync(ledgerPath(), JSON.stringify(ledger));
}

function secretOf(email: string): string | undefined {
  const known = readLedger().secrets[email];
  if (known) return known;
  const w = world();
  const key = Object.entries(w.accounts as Record<string, string>).find(([, address]) => address === email)?.[0];
  return key ? w.totp[key] : undefined;
}

/** Remembers the TOTP secret an account enrolled with in a spec, for its later sign-ins and signatures. */
export function rememberTotpSecret(email: string, secret: string) {
  const ledger = readLedger();
  ledger.secrets[email] = secret;
  writeLedger(ledger);
}

export function hasTotp(email: string): boolean {
  return secretOf(email) !== undefined;
}

/** The code of one time step, computed as an authenticator app does (RFC 6238, SHA-1, 6 digits, 30 s). */
export function totpCodeFor(secret: string, step: number): string {
  return new TOTP({ algorithm: "SHA1", digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({
    timestamp: step * TOTP_PERIOD_MS,
  });
}

/**
 * A code the server accepts now for this account: the smallest time step after the last one used,
 * within the step before and the step after the current one (the server's window). Waits only when
 * all three are used up. The step before is skipped near the end of a step, when it could fall out
 * of the window before the request arrives.
 */
export async function totpCode(email: string): Promise<string> {
  const secret = secretOf(email);
  if (!secret) throw new Error(`No TOTP secret is known for ${email}`);
  for (;;) {
    const ledger = readLedger();
    const now = Date.now();
    const current = Math.floor(now / TOTP_PERIOD_MS);
    const intoStep = now - current * TOTP_PERIOD_MS;
    const earliest = intoStep < TOTP_PERIOD_MS - 8_000 ? current - 1 : current;
    const last = ledger.lastStep[email] ?? Number.NEGATIVE_INFINITY;
    const step = Math.max(earliest, last + 1);
    if (step <= current + 1) {
      ledger.lastStep[email] = step;
      writeLedger(ledger);
      return totpCodeFor(secret, step);
    }
    // Every step in the window is used: the next one opens when the clock reaches step `last`.
    // Waiting for the clock is not the page being slow, so the test gets that time on top.
    const wait = last * TOTP_PERIOD_MS - now + 50;
    test.info().setTimeout(test.info().timeout + wait);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Fills a signing form's code field with a fresh code for this signer. */
export async function fillSignatureCode(page: Page, email: string) {
  await page.getByLabel("Authentication code").fill(await totpCode(email));
}

/**
 * Enrols an authenticator for the signed-in account at /account/security: reads the secret key
 * shown for manual entry, confirms with the password and the current code, and returns the
 * recovery codes shown once (the page is left on them, before "I have saved these codes").
 */
export async function enrolTotp(page: Page, email: string, password: string): Promise<string[]> {
  if (!new URL(page.url()).pathname.startsWith("/account/security")) await page.goto("/account/security");
  const secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").trim();
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  rememberTotpSecret(email, secret);
  await page.locator("#enrol-password").fill(password);
  await page.locator("#enrol-code").fill(await totpCode(email));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  const list = page.getByTestId("recovery-codes").getByRole("listitem");
  await expect(list).toHaveCount(10);
  return (await list.allTextContents()).map((c) => c.trim());
}

/** Leaves the recovery codes page ("I have saved these codes"). */
export async function saveRecoveryCodes(page: Page) {
  await page.getByRole("link", { name: "I have saved these codes" }).click();
  await expect(page.getByTestId("recovery-codes")).toHaveCount(0);
}

// ---------------------------------------------------------------------------
// Signing in

function sessionCachePath(email: string, password: string): string {
  const key = createHash("sha256").update(`${email}\n${password}`).digest("hex").slice(0, 32);
  return path.resolve(`.data/e2e-sessions-${port()}/${key}.json`);
}

/**
 * Signs in through the sign-in page: e-mail and password, then, when the account asks for its
 * second factor and its secret is known, a fresh code. Settles on either a signed-in page or the
 * refusal shown on the form.
 */
export async function signInWithForm(page: Page, email: string, password: string, from = "/sign-in") {
  await page.goto(from);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const left = () => !new URL(page.url()).pathname.startsWith("/sign-in");
  const prompt = page.locator("#sign-in-code-prompt");
  await expect
    .poll(async () => left() || (await page.locator("#sign-in-error").isVisible()) || (await prompt.isVisible()))
    .toBe(true);
  if (!left() && (await prompt.isVisible()) && hasTotp(email)) {
    await page.getByLabel("Authentication code").fill(await totpCode(email));
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(async () => left() || (await page.locator("#sign-in-error").isVisible())).toBe(true);
  }
}

/**
 * Signs in as this account. A TOTP code works once per 30-second step, so signing in through the
 * form every time would make specs wait; the session cookies of a successful sign-in are kept per
 * account and tried first in a fresh browser context (kept when a portal page opens without a
 * redirect to /sign-in), and the form is used when they no longer work. Specs about signing in
 * itself use signInWithForm.
 */
export async function signIn(page: Page, email: string, password: string) {
  const cache = sessionCachePath(email, password);
  if (existsSync(cache)) {
    const cookies = JSON.parse(readFileSync(cache, "utf8")) as Cookie[];
    await page.context().addCookies(cookies);
    await page.goto("/dashboard");
    if (!new URL(page.url()).pathname.startsWith("/sign-in")) return;
    rmSync(cache, { force: true });
  }
  await signInWithForm(page, email, password);
  if (!new URL(page.url()).pathname.startsWith("/sign-in")) {
    mkdirSync(path.dirname(cache), { recursive: true });
    writeFileSync(cache, JSON.stringify(await page.context().cookies()));
  }
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You have signed out.")).toBeVisible();
}

/**
 * Creates an account through the sign-up page and leaves the browser signed in as it. The one
 * place specs create accounts by sign-up, so a change to how sign-up confirms an address is made
 * here.
 */
export async function signUpAs(page: Page, as: string, person: { name: string; email: string; password: string }) {
  await signUpAndActivate(page, { as, ...person });
  await expect(page).not.toHaveURL(/\/sign-up/);
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
  /** The demo non-compliance case and its evidence file. */
  nonCompliance: { caseId: string; fileId: string };
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
