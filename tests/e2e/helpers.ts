import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";

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
}

export function worldIds(): WorldIds {
  return (world() as World & { ids: WorldIds }).ids;
}
