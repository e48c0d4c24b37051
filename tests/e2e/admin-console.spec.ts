import { readFile } from "node:fs/promises";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { createPrismaClient } from "../../lib/db";
import { createAccount, createApplication, uniqueWord } from "../factories/applications";
import { signIn, world } from "./helpers";

/*
 * The administrator's console on the demo world: the dashboard (charts rendered under the CSP,
 * numbers that open their lists), the review queue refreshing itself, and the assessment report on
 * screen, as CSV and as PDF.
 */

async function signInAsAdmin(page: Page) {
  const w = world();
  await signIn(page, w.accounts.admin, w.password);
  await expect(page).toHaveURL(/\/admin$/);
}

async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`)).toEqual([]);
}

test("the dashboard draws its charts, gives their numbers as tables, and links each number to its list", async ({
  page,
}) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await signInAsAdmin(page);
  // The demo's dispense requests were made today: the chart has bars (recharts, a client component).
  const chart = page.getByTestId("authorizations-chart");
  for (const id of ["authorizations-chart", "denials-chart", "enrollments-chart"]) {
    await expect(page.getByTestId(id).locator(".recharts-bar-rectangle").first()).toBeVisible();
  }
  await chart.getByText("Show the numbers as a table").click();
  await expect(chart.getByRole("table", { name: "Dispense requests per day" })).toBeVisible();
  await expectNoAxeViolations(page);
  expect(violations).toEqual([]);

  const denied = page.getByTestId("denied-today");
  const count = Number(await denied.textContent());
  expect(count).toBeGreaterThan(0);
  await denied.click();
  await expect(page).toHaveURL(/\/admin\/authorizations\?decision=DENIED/);
  await expect(page.getByTestId("authorization-count")).toHaveText(
    `${count} request${count === 1 ? "" : "s"}, newest first.`,
  );
  await expect(page.getByRole("table", { name: "Dispense requests" })).toContainText("Denied");
  await expectNoAxeViolations(page);

  await page.goto("/admin");
  const sections = page.getByRole("navigation", { name: "Administration" });
  await expect(sections.getByRole("link", { name: "Overview", exact: true })).toHaveAttribute("aria-current", "page");
  await expect(sections.getByRole("link", { name: "Registry", exact: true })).not.toHaveAttribute("aria-current", /.*/);
  await page.getByTestId("overdue-monitoring").click();
  await expect(page).toHaveURL(/monitoring=overdue/);
  await expect(page.getByLabel("Patient monitoring")).toHaveValue("overdue");
});

test("a new application appears in the open review queue without a reload", async ({ page }) => {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("This journey writes an application to the e2e database: set E2E_DATABASE_URL.");
  test.setTimeout(60_000);
  const lastName = uniqueWord("Livequeue");
  await signInAsAdmin(page);
  await page.goto(`/admin/applications?q=${lastName}`);
  await expect(page.getByTestId("queue-count")).toHaveText("No applications match these filters.");
  await page.evaluate(() => {
    (window as unknown as { stillHere: boolean }).stillHere = true;
  });

  const client = createPrismaClient({ kind: "postgres", url });
  try {
    const application = await createApplication({ kind: "PRESCRIBER", lastName, submittedAt: new Date(), client });
    await expect(page.getByRole("row", { name: new RegExp(lastName) })).toContainText("Submitted, awaiting review", {
      timeout: 40_000,
    });
    await expect(page.getByTestId("queue-count")).toHaveText("1 application, oldest submission first.");
    // Same document: the row came from the refresh, not from a navigation.
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    // Leave the demo's queue as the other journeys expect it (one application waiting).
    await client.enrollment.update({ where: { id: application.enrollment.id }, data: { status: "REJECTED" } });
  } finally {
    await client.$disconnect();
  }
});

test("a claim the server refuses is rolled back in the banner, which says why", async ({ page }) => {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("This journey writes an application to the e2e database: set E2E_DATABASE_URL.");
  const client = createPrismaClient({ kind: "postgres", url });
  try {
    const application = await createApplication({ kind: "PRESCRIBER", submittedAt: new Date(), client });
    const other = await createAccount("ADMIN", `Olive ${uniqueWord("Other")}`, client);
    await signInAsAdmin(page);
    // The banner's refresh keeps answering "nobody", as it would between two polls.
    await page.route("**/api/admin/applications/*/claim", (route) =>
      route.fulfill({ json: { awaitsDecision: true, claim: null } }),
    );
    await page.goto(`/admin/applications/${application.enrollment.id}`);
    // Inside the Applications section: marked as the section, not as this page.
    const sections = page.getByRole("navigation", { name: "Administration" });
    await expect(sections.getByRole("link", { name: "Applications", exact: true })).toHaveAttribute(
      "aria-current",
      "true",
    );
    await expect(sections.getByRole("link", { name: "Overview", exact: true })).not.toHaveAttribute(
      "aria-current",
      /.*/,
    );
    const status = page.getByTestId("claim-status");
    await expect(status).toHaveText("Nobody is reviewing this application.");
    // Another administrator claims it meanwhile.
    await client.enrollment.update({
      where: { id: application.enrollment.id },
      data: { claimedByUserId: other.id, claimedAt: new Date() },
    });
    await page.getByRole("button", { name: "Claim for review" }).click();
    await expect(page.locator("#claim-error")).toContainText(`Being reviewed by ${other.name}`);
    await expect(status).toHaveText("Nobody is reviewing this application.");
    await expect(page.getByRole("button", { name: "Claim for review" })).toBeEnabled();
    await client.enrollment.update({
      where: { id: application.enrollment.id },
      data: { status: "REJECTED", claimedByUserId: null, claimedAt: null },
    });
  } finally {
    await client.$disconnect();
  }
});

test("an administrator reads an assessment report and downloads it as CSV and PDF", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Reports" }).click();
  await expect(page.getByRole("heading", { name: "Assessment reports" })).toBeVisible();

  // A period that ends before it starts is refused with a field error.
  await page.getByLabel("First day").fill("2026-03-01");
  await page.getByLabel("Last day").fill("2026-02-01");
  await page.getByRole("button", { name: "Show the report" }).click();
  await expect(page.getByLabel("Last day")).toHaveAccessibleDescription(
    "The last day must be on or after the first day",
  );

  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel("First day").fill(`${today.slice(0, 4)}-01-01`);
  await page.getByLabel("Last day").fill(today);
  await page.getByRole("button", { name: "Show the report" }).click();
  await expect(page.getByTestId("report-requests")).toContainText("approved");
  await expect(page.getByTestId("lost-definition")).toContainText("lost to follow-up when");
  await expectNoAxeViolations(page);

  const [csv] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV" }).click(),
  ]);
  expect(csv.suggestedFilename()).toMatch(/^rems-assessment-LEMTRADA-.*\.csv$/);
  const text = await readFile((await csv.path()) ?? "", "utf8");
  expect(text.split("\r\n")[0]).toBe("Programme,Period from,Period to,Section,Measure,Category,Value");
  expect(text).toContain("Dispense authorization requests,Requests,Approved,");

  const [pdf] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download PDF summary" }).click(),
  ]);
  expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
  const bytes = await readFile((await pdf.path()) ?? "");
  expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
});
