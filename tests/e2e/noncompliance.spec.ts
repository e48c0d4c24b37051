import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { signIn, world } from "./helpers";

/*
 * An administrator takes a non-compliance case against dr.ada from notice to suspension and
 * reinstatement, and closes it: ada ends certified, as she began (the specs after this one need
 * her). The seeded case against the demo infusion center (a corrective action plan in progress) is
 * only read.
 */
test.describe.configure({ mode: "serial" });

const ADA_NPI = "1234567893";

async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`)).toEqual([]);
}

async function signInAsAdmin(page: Page) {
  const w = world();
  await signIn(page, w.accounts.admin, w.password);
  await page.goto("/admin");
}

test("the dashboard and the list show the seeded case in progress", async ({ page }) => {
  await signInAsAdmin(page);
  const open = page.getByTestId("open-cases");
  expect(Number(await open.textContent())).toBeGreaterThanOrEqual(1);
  await open.click();
  await expect(page).toHaveURL(/\/admin\/non-compliance$/);
  const seeded = page.getByTestId("case-table").getByRole("row").filter({ hasText: "Demo Infusion Center" });
  await expect(seeded).toContainText("Corrective action plan running");
  await expect(seeded).toContainText("Infusion requirements not met");
  await expectNoAxeViolations(page);
  await seeded.getByRole("link", { name: /^NC-\d{4}-\d{5}$/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Corrective action plan running");
  await expect(page.getByTestId("evidence")).toContainText("observation-log.csv");
  await expectNoAxeViolations(page);
});

test("an administrator takes a case from notice to suspension and reinstatement", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAsAdmin(page);
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Non-compliance" }).click();
  await page.getByRole("link", { name: "Open a case" }).click();
  await page.getByLabel("Name, NPI, REMS id or certification number").fill(ADA_NPI);
  await page.getByRole("button", { name: "Find" }).click();
  await expectNoAxeViolations(page);
  await page.getByRole("link", { name: "Open a case against Ada Lovelace" }).click();

  await page.getByRole("button", { name: "Open the case" }).click();
  await expect(page.getByText("Describe what happened")).toBeVisible();
  await page.getByLabel("Type of non-compliance").selectOption({ label: "Required monitoring not done" });
  await page.getByLabel("What happened").fill("A patient's monthly CBC has not been done for three months.");
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Open the case" }).click();
  await expect(page).toHaveURL(/\/admin\/non-compliance\/NC-\d{4}-\d{5}\?done=opened$/);
  const caseUrl = page.url().replace(/\?.*$/, "");
  await expect(page.getByTestId("case-state")).toHaveText("Opened");
  await expect(page.getByTestId("certification-status")).toHaveText("Certified");

  // An empty reason is a field error and changes nothing.
  const notice = page.getByRole("form", { name: "Notice of non-compliance" });
  await notice.getByRole("button", { name: "Notice of non-compliance" }).click();
  await expect(notice.getByText("Give the reason for this step")).toBeVisible();
  await expect(page.getByTestId("case-state")).toHaveText("Opened");
  await notice.getByLabel("What the notice says").fill("Monthly blood tests are required for every patient.");
  await notice.getByRole("button", { name: "Notice of non-compliance" }).click();
  await expect(page.locator("#done-banner")).toHaveText("Notice sent to the stakeholder.");
  await expect(page.getByTestId("case-state")).toHaveText("Notice sent");
  await expect(page.getByRole("form", { name: "Notice of non-compliance" })).toHaveCount(0);

  // Evidence: a file whose declared type lies is refused; a text file is stored.
  const upload = page.getByRole("form", { name: "Upload a file" });
  await upload.getByLabel("File").setInputFiles({
    name: "scan.png",
    mimeType: "image/png",
    buffer: Buffer.from("<html><body>not an image</body></html>"),
  });
  await upload.getByRole("button", { name: "Upload the file" }).click();
  await expect(upload.getByRole("alert")).toContainText("does not match its content");
  await upload.getByLabel("File").setInputFiles({
    name: "call-notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("Called the practice manager on Monday.\n"),
  });
  await upload.getByRole("button", { name: "Upload the file" }).click();
  await expect(upload.getByRole("status")).toHaveText("File stored.");
  await expect(page.getByTestId("evidence")).toContainText("call-notes.txt");
  await expectNoAxeViolations(page);

  const suspend = page.getByRole("form", { name: "Suspension" });
  await suspend.getByLabel("Reason for suspension").fill("No response to the notice.");
  await suspend.getByRole("button", { name: "Suspension" }).click();
  await expect(page.locator("#done-banner")).toHaveText("Certification suspended. The stakeholder was told by e-mail.");
  await expect(page.getByTestId("case-state")).toHaveText("Certification suspended");
  await expect(page.getByTestId("certification-status")).toHaveText("Suspended");
  // Closing waits for reinstatement or decertification.
  await expect(page.getByRole("form", { name: "Close the case" })).toHaveCount(0);

  // The stakeholder's page shows the suspension (naming the case) and lists the case.
  await page.getByRole("link", { name: "Ada Lovelace" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Suspended");
  const caseNumber = caseUrl.split("/").at(-1) ?? "";
  await expect(page.getByTestId("history").getByRole("row").last()).toContainText(caseNumber);
  await expect(page.getByTestId("stakeholder-cases")).toContainText(caseNumber);
  await expect(page.getByTestId("stakeholder-cases")).toContainText("Certification suspended");
  await expectNoAxeViolations(page);

  await expect(page.getByTestId("stakeholder-cases").getByRole("link", { name: caseNumber })).toHaveAttribute(
    "href",
    `/admin/non-compliance/${caseNumber}`,
  );
  await page.goto(caseUrl, { waitUntil: "networkidle" });
  const reinstate = page.getByRole("form", { name: "Reinstate" });
  const reinstateReason = reinstate.getByLabel("Reason for reinstatement");
  await reinstateReason.fill("Blood tests done; the practice set up reminders.");
  await expect(reinstateReason).toHaveValue("Blood tests done; the practice set up reminders.");
  await reinstate.getByRole("button", { name: "Reinstate" }).click();
  await expect(page.locator("#done-banner")).toHaveText(
    "Certification reinstated. The stakeholder was told by e-mail.",
  );
  await expect(page.getByTestId("certification-status")).toHaveText("Certified");

  const close = page.getByRole("form", { name: "Close the case" });
  await close.getByLabel("Outcome and reason for closing").fill("Resolved after reinstatement.");
  await close.getByRole("button", { name: "Close the case" }).click();
  await expect(page.getByTestId("case-state")).toHaveText("Closed");
  const history = page.getByTestId("case-history").getByRole("row");
  await expect(history).toHaveCount(6);
  await expect(history.nth(3)).toContainText("No response to the notice.");
  await expectNoAxeViolations(page);
});
