import { readFile } from "node:fs/promises";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { signIn, world } from "./helpers";

/*
 * The administrator's audit trail: verify the chain from the last checkpoint, filter the trail,
 * open a change with its before and after values, download the filtered events as CSV and run a
 * full re-walk in the background. Reads the demo world and adds only audit events and checkpoints.
 */

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const DA_NUMBER = /DA-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]/;

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

  // Filter: approvals of enrollments, the action chosen by its words from its group.
  await page.getByLabel("Record type", { exact: true }).selectOption({ label: "Enrollment" });
  const action = page.getByLabel("Action", { exact: true });
  await expect(action).toHaveValue("");
  await expect(action.locator("option:checked")).toHaveText("Any action");
  await expect(
    action.locator('optgroup[label="Enrollment and certification"] option', { hasText: /^Enrollment approved$/ }),
  ).toHaveCount(1);
  await expect(action.locator("option", { hasText: "." })).toHaveCount(0);
  await action.selectOption({ label: "Enrollment approved" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  // The address keeps the action's code: bookmarks and existing links go on working.
  await expect(page).toHaveURL(/entityType=Enrollment&.*action=enrollment\.approve/);
  await expect(action.locator("option:checked")).toHaveText("Enrollment approved");
  const rows = page.getByTestId("audit-table").locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  for (const cell of await rows.locator("td:nth-child(5)").allTextContents()) expect(cell).toBe("Enrollment approved");
  expect(await axeViolations(page)).toEqual([]);

  // An action no event has, from an old or mistyped link: said so on the page, the other filters kept.
  await page.goto("/admin/audit?entityType=Enrollment&action=enrollment.approved");
  await expect(
    page.getByText('No event in the audit trail has the action "enrollment.approved". Choose an action from the list.'),
  ).toBeVisible();
  await expect(page.getByTestId("audit-count")).toHaveText("No events shown until the filters are corrected.");
  await expect(page.getByLabel("Record type", { exact: true })).toHaveValue("Enrollment");
  await expect(action).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("link", { name: "CSV", exact: true })).toHaveCount(0);
  expect(await axeViolations(page)).toEqual([]);

  // A bad date is a field error, not a failure.
  await page.goto("/admin/audit?from=yesterday");
  await expect(page.getByText("Enter a date as YYYY-MM-DD.")).toBeVisible();
  await expect(page.getByTestId("audit-count")).toHaveText("No events shown until the filters are corrected.");

  // Open one change: before and after side by side, the changed fields marked.
  await page.goto("/admin/audit?entityType=Enrollment&action=enrollment.approve");
  await rows.first().getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/Event #\d+: Enrollment approved/);
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
    "seq,time_utc,actor_name,actor_email,actor_role,action,action_words,entity_type,entity_id,entity_words,before,after,request_id,hash",
  );
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.slice(1).every((l) => l.includes(",enrollment.approve,Enrollment approved,Enrollment,"))).toBe(true);
  // The raw id for the machine, the words for people: ',Enrollment,<uuid>,"Enrollment: <who>, LEMTRADA…"'.
  const words = new RegExp(`,Enrollment,${UUID.source},"Enrollment: (Prescriber|Pharmacy|Healthcare setting) `, "i");
  expect(lines.slice(1).filter((l) => !words.test(l))).toEqual([]);
});

test("the trail names records by their DA- numbers and REMS ids and finds them by those", async ({ page }) => {
  const w = world();
  await signIn(page, w.accounts.admin, w.password);
  const table = page.getByTestId("audit-table");
  const rows = table.locator("tbody tr");

  // Dispense authorizations by their numbers, never by an internal id.
  await page.goto("/admin/audit");
  await page.getByLabel("Record type", { exact: true }).selectOption({ label: "Dispense authorization" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/entityType=DispenseAuthorization/);
  await expect(rows.first()).toBeVisible();
  const daCells = await rows.locator("td:nth-child(6)").allTextContents();
  expect(daCells.every((cell) => cell.startsWith("Dispense authorization"))).toBe(true);
  const number = daCells.join(" ").match(DA_NUMBER)?.[0];
  expect(number, daCells.join(" | ")).toBeDefined();
  expect(await table.textContent()).not.toMatch(UUID);

  // The refusals among them: "Dispense denied", from the dispensing actions.
  const action = page.getByLabel("Action", { exact: true });
  await expect(
    action.locator('optgroup[label="Dispensing and infusions"] option', { hasText: /^Dispense denied$/ }),
  ).toHaveCount(1);
  await action.selectOption({ label: "Dispense denied" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/action=dispense\.denied/);
  await expect(rows.first()).toBeVisible();
  for (const cell of await rows.locator("td:nth-child(5)").allTextContents()) expect(cell).toBe("Dispense denied");

  // The Record filter takes the DA- number as people quote it.
  await page.goto("/admin/audit");
  await page.getByLabel("Record", { exact: true }).fill(number ?? "");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(rows.first()).toBeVisible();
  for (const cell of await rows.locator("td:nth-child(6)").allTextContents()) {
    expect(cell).toBe(`Dispense authorization${number}`);
  }
  expect(await table.textContent()).not.toMatch(UUID);

  // A patient by REMS id: the patient's own events and their enrollment's.
  const remsId = w.patients.compliant.remsId;
  await page.goto(`/admin/audit?record=${encodeURIComponent(remsId)}`);
  await expect(rows.first()).toBeVisible();
  for (const cell of await rows.locator("td:nth-child(6)").allTextContents()) expect(cell).toContain(remsId);
  expect(await table.textContent()).not.toMatch(UUID);

  // The whole first page of the trail: labels, no internal ids.
  await page.goto("/admin/audit");
  await expect(rows.first()).toBeVisible();
  expect(await table.textContent()).not.toMatch(UUID);
  expect(await axeViolations(page)).toEqual([]);

  // One event: the record in words, the raw id in small print for support.
  await page.goto(`/admin/audit?record=${encodeURIComponent(number ?? "")}`);
  await rows.first().getByRole("link").click();
  await expect(page.getByTestId("audit-record")).toHaveText(`Dispense authorization: ${number}`);
  await expect(page.getByTestId("audit-record-id")).toHaveText(UUID);
  await page.getByRole("link", { name: "Every event of this record" }).click();
  await expect(rows.first()).toBeVisible();
  await expect(page.getByText("Only the events of one record are shown.")).toBeVisible();

  // A value that names nothing says so.
  await page.goto("/admin/audit?record=nobody-at-all%40example.test");
  await expect(
    page.getByText("Nothing in the registry has the e-mail address nobody-at-all@example.test."),
  ).toBeVisible();
  await expect(page.getByTestId("audit-count")).toHaveText("No events shown until the filters are corrected.");
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
