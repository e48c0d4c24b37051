import { readFile } from "node:fs/promises";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { signIn, world } from "./helpers";

/*
 * The administrator's audit trail: verify the chain from the last checkpoint, filter the trail,
 * open a change with its before and after values, download the filtered events as CSV and run a
 * full re-walk in the background. Reads the demo world and adds only audit events and checkpoints.
 */

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
}

test("an administrator verifies the audit chain, filters the trail, reads a change and downloads it", async ({
  page,
}) => {
  const w = world();
  await signIn(page, w.accounts.admin, w.password);
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByTestId("audit-chain")).toBeVisible();

  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Audit trail" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit trail" })).toBeVisible();

  // Verify now: walks from the last checkpoint and writes a new one.
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page).toHaveURL(/verified=verified/);
  await expect(page.getByText("Verified: a new checkpoint was written.")).toBeVisible();
  await expect(page.getByTestId("audit-chain")).toHaveAttribute("data-state", "verified");
  await expect(page.getByTestId("audit-chain")).toContainText(
    /Verified up to #\d+ at \d+ \w+ \d{4}, \d{2}:\d{2} UTC\./,
  );
  expect(await axeViolations(page)).toEqual([]);

  // The dashboard says the same, without walking the chain.
  await page.goto("/admin");
  await expect(page.getByTestId("audit-chain")).toContainText(/Verified up to #\d+ at/);
  await page.getByRole("link", { name: "Open the audit trail" }).click();

  // Filter: approvals of enrollments.
  await page.getByLabel("Record type", { exact: true }).fill("Enrollment");
  await page.getByLabel("Action", { exact: true }).fill("enrollment.approve");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/entityType=Enrollment/);
  const rows = page.getByTestId("audit-table").locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  for (const cell of await rows.locator("td:nth-child(5)").allTextContents()) expect(cell).toBe("Enrollment approve");

  // A bad date is a field error, not a failure.
  await page.goto("/admin/audit?from=yesterday");
  await expect(page.getByText("Enter a date as YYYY-MM-DD.")).toBeVisible();
  await expect(page.getByTestId("audit-count")).toHaveText("No events shown until the filters are corrected.");

  // Open one change: before and after side by side, the changed fields marked.
  await page.goto("/admin/audit?entityType=Enrollment&action=enrollment.approve");
  await rows.first().getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/Event #\d+: Enrollment approve/);
  const status = page
    .getByTestId("audit-changes")
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader", { name: "status" }) });
  await expect(status).toHaveAttribute("data-changed", "true");
  const [before, after] = [status.locator("td").nth(0), status.locator("td").nth(1)];
  expect(await before.textContent()).not.toBe(await after.textContent());
  await expect(status).toContainText("Changed");
  expect(await axeViolations(page)).toEqual([]);

  // Download the filtered trail as CSV.
  await page.goto("/admin/audit?entityType=Enrollment&action=enrollment.approve");
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "CSV", exact: true }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^audit-trail-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile((await download.path()) ?? "", "utf8");
  const lines = csv.split("\r\n").filter(Boolean);
  expect(lines[0]).toBe(
    "seq,time_utc,actor_name,actor_email,actor_role,action,action_words,entity_type,entity_id,before,after,request_id,hash",
  );
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.slice(1).every((l) => l.includes(",enrollment.approve,Enrollment approve,Enrollment,"))).toBe(true);
});

test("a full re-walk runs in the background and the page follows its progress", async ({ page }) => {
  const w = world();
  await signIn(page, w.accounts.admin, w.password);
  await page.goto("/admin/audit");
  await page.getByRole("button", { name: "Start a full re-walk" }).click();
  await expect(page).toHaveURL(/full=(started|running)/);
  // The page refreshes itself while the walk runs; the walk ends verified.
  await expect(page.getByTestId("full-walk")).toHaveAttribute("data-state", "verified", { timeout: 60_000 });
  await expect(page.getByTestId("full-walk")).toContainText(
    /Last full re-walk: started .* UTC, finished .* UTC; \d+ events verified/,
  );
  expect(await axeViolations(page)).toEqual([]);
});
