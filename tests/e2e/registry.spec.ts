import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { signIn, world } from "./helpers";

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
}

// Four pages checked with axe on a shared machine take longer than the default 30 s.
test.describe.configure({ timeout: 120_000 });

test("an administrator finds a prescriber and a patient in the registry and reads their history", async ({ page }) => {
  const w = world();
  await signIn(page, w.accounts.admin, w.password);
  await page.goto("/admin");
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Registry" }).click();
  await expect(page.getByRole("heading", { name: "Registry", level: 1 })).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);

  await page.getByRole("navigation", { name: "Registry lists" }).getByRole("link", { name: "Prescribers" }).click();
  await page.getByRole("searchbox", { name: "Search" }).fill("lovel");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/admin\/registry\/prescribers\?q=lovel/);
  const row = page.getByRole("row", { name: new RegExp(w.prescribers.ada.npi) });
  await expect(row).toContainText("LEMTRADA: Certified");
  expect(await axeViolations(page)).toEqual([]);
  await row.getByRole("link").click();

  await expect(page).toHaveURL(new RegExp(`/admin/registry/prescribers/${w.prescribers.ada.npi}$`));
  await expect(page.getByRole("heading", { name: /Ada Lovelace/, level: 1 })).toBeVisible();
  const enrollments = page.getByRole("region", { name: "Enrollments" });
  await expect(enrollments).toContainText("Certified");
  await expect(enrollments.getByRole("link", { name: /Open the LEMTRADA certification/ })).toBeVisible();
  await expect(page.getByRole("region", { name: "Signatures" }).getByRole("row")).not.toHaveCount(0);
  await expect(page.getByRole("region", { name: "Status changes" })).toBeVisible();
  await expect(page.getByRole("region", { name: "E-mails sent" })).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);

  // The compliant demo patient, found by REMS id typed without dashes.
  await page.goto("/admin/registry/patients");
  await page
    .getByRole("searchbox", { name: "Search" })
    .fill(w.patients.compliant.remsId.replace(/-/g, "").toLowerCase());
  await page.getByRole("button", { name: "Search" }).click();
  await page
    .getByRole("row", { name: new RegExp(w.patients.compliant.remsId) })
    .getByRole("link")
    .click();
  await expect(page.getByRole("heading", { name: w.patients.compliant.name, level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: "Lab results" }).getByRole("row")).not.toHaveCount(0);
  await expect(page.getByRole("region", { name: "Profile" })).toContainText(w.patients.compliant.remsId);
  expect(await axeViolations(page)).toEqual([]);

  // A hostile search answers with a field error, not a failure.
  await page.goto(`/admin/registry/patients?q=${"x".repeat(300)}&sort=password&after=garbage`);
  await expect(page.getByText("Search for at most 100 characters.")).toBeVisible();
  await expect(page.getByText(/That sort order is not offered/)).toBeVisible();
  // Text no field can hold is refused at the boundary (the proxy's 400 page) or by the search: both say why.
  for (const [query, message] of [
    ["q=a%00b", /NUL character/],
    ["q=a%ED%A0%80b", /not valid|surrogate/],
    ["after=%FF%FE", /not valid/],
    ["after=bm90IGEgY3Vyc29y", /page link is not valid/],
  ] as const) {
    const response = await page.goto(`/admin/registry/patients?${query}`);
    expect(response?.status(), query).toBeLessThan(500);
    await expect(page.locator("main"), query).toContainText(message);
  }
  // A malformed escape in the path is refused by the proxy; a well-formed id of no one is not found.
  expect((await page.goto("/admin/registry/patients/%E0%A4%A"))?.status()).toBe(400);
  expect((await page.goto("/admin/registry/patients/PT-0000-0000-0"))?.status()).toBe(404);
  expect((await page.goto("/admin/registry/doctors"))?.status()).toBe(404);
});

test("an administrator opens the programme view with its answer key, ready to print", async ({ page }) => {
  const w = world();
  await signIn(page, w.accounts.admin, w.password);
  await page.goto("/admin");
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Programmes" }).click();
  await page.getByRole("link", { name: "LEMTRADA REMS" }).click();
  await expect(page).toHaveURL(/\/admin\/programs\/lemtrada$/);
  await expect(page.getByRole("heading", { name: "LEMTRADA REMS", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Prescriber: requirements" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Monitoring schedule" })).toBeVisible();
  await expect(page.getByText(/— correct answer/).first()).toBeVisible();
  await expect(page.getByRole("table", { name: /refused or warned/ })).toContainText("Blocks: the request is denied");
  await expect(page.getByRole("button", { name: "Print this programme" })).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  // Printed, the site's header and navigation are left out.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("navigation", { name: "Administration" })).toBeHidden();
  await expect(page.getByRole("button", { name: "Print this programme" })).toBeHidden();
});
