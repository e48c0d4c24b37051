import { readFile } from "node:fs/promises";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { addDays } from "../../lib/calendar";
import { formatDate } from "../../lib/format";
import { fillSignatureCode, signIn, signOut, world } from "./helpers";

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help}`);
}

/** Enrolls a patient through the prescriber's form (paper form on file); returns the patient page URL and REMS id. */
async function enrollPatient(page: Page, lastName: string, password: string) {
  await page.goto("/prescriber/patients/new");
  await page.getByLabel("First name").fill("Grace");
  await page.getByLabel("Last name").fill(lastName);
  await page.getByLabel("Date of birth").fill("1981-03-09");
  await page.getByLabel("Sex").selectOption("female");
  await page.getByLabel("Street address").fill("4 Oak Lane");
  await page.getByLabel("City").fill("Springfield");
  await page.getByLabel("State").selectOption("IL");
  await page.getByLabel("ZIP code").fill("62701");
  await page.getByLabel("Phone").fill("217-555-0123");
  const setting = page.locator("#healthcareSettingId option", { hasText: "Demo Infusion Center" });
  await page.getByLabel("Certified healthcare setting").selectOption((await setting.getAttribute("value")) ?? "");
  for (const box of await page.locator('input[name="counselledMaterialIds"]').all()) await box.check();
  await page.getByLabel("Signed paper form kept on file by the prescriber").check();
  for (const box of await page.locator('input[name="coAttestations"]').all()) await box.check();
  await page.getByLabel("Printed name").fill("Ada Lovelace");
  await page.getByLabel("Your password").fill(password);
  await fillSignatureCode(page, world().accounts.ada);
  await page.getByRole("button", { name: "Sign and enroll" }).click();
  await expect(page.getByRole("heading", { name: "Patient enrolled" })).toBeVisible();
  const done = (await page.locator(".card[role=status]").textContent()) ?? "";
  const remsId = /PT-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]/.exec(done)?.[0] ?? "";
  await page.goto("/prescriber/patients");
  await page.getByRole("row").filter({ hasText: lastName }).getByRole("link").first().click();
  await expect(page).toHaveURL(/\/prescriber\/patients\/[0-9a-f-]{36}$/);
  return { url: page.url(), remsId };
}

test.describe("monitoring results and status forms", () => {
  test("before the first dose, each baseline test says whether its result is fresh, too old or missing; the dashboard says baseline tests are missing", async ({
    page,
  }) => {
    test.setTimeout(90_000);
    const w = world();
    await signIn(page, w.accounts.ada, w.password);
    await expect(page).toHaveURL(/\/prescriber$/);
    const patient = await enrollPatient(page, `Baseline${Date.now().toString(36)}`, w.password);
    await page.goto(`${patient.url}/labs`);
    const yesterday = addDays(new Date().toISOString().slice(0, 10), -1);
    for (const [test, on] of [
      ["Complete blood count with differential", yesterday],
      ["Thyroid function (TSH)", "2026-01-05"],
    ] as const) {
      await page.getByLabel("Test").selectOption({ label: test });
      await page.getByLabel("Collection date").fill(on);
      await page.getByRole("button", { name: "Record result" }).click();
      await expect(page.getByText("Result recorded.")).toBeVisible();
      await page.reload();
    }
    const schedule = page.locator("table").filter({ has: page.getByRole("columnheader", { name: "Next due" }) });
    const row = (name: string) => schedule.getByRole("row").filter({ hasText: name });
    await expect(row("Complete blood count with differential")).toContainText(
      `Baseline fresh until ${formatDate(addDays(yesterday, 30))}`,
    );
    await expect(row("Thyroid function (TSH)")).toContainText("Baseline too old (last 5 Jan 2026)");
    await expect(row("Serum creatinine")).toContainText("Baseline missing");
    await expect(row("Complete blood count with differential")).not.toContainText("Not started");
    expect(await axeViolations(page)).toEqual([]);

    // The dashboard and the timeline do not call this patient up to date: they name what is missing.
    await page.goto("/prescriber");
    const dashboardRow = page.getByRole("row").filter({ hasText: patient.remsId });
    await expect(dashboardRow).toHaveAttribute("data-state", "baseline_missing");
    await expect(dashboardRow).toContainText("Baseline tests missing");
    await expect(dashboardRow).not.toContainText("Up to date");
    await expect(dashboardRow).toContainText("Serum creatinine (baseline missing)");
    await expect(dashboardRow).toContainText("Thyroid function (TSH) (baseline too old, last 5 Jan 2026)");
    expect(await axeViolations(page)).toEqual([]);
    await dashboardRow.getByRole("link", { name: /Timeline/ }).click();
    await expect(page.locator("#monitoring-heading")).toHaveText("Monitoring Baseline tests missing");
    await expect(page.getByTestId("monitoring-attention")).toHaveText(
      "Needs attention: Serum creatinine (baseline missing); Urinalysis with urine cell counts (baseline missing); Skin examination (baseline missing); Thyroid function (TSH) (baseline too old, last 5 Jan 2026).",
    );
    expect(await axeViolations(page)).toEqual([]);
  });

  test("a prescriber records a result, imports a lab feed, signs a status form; the administrator reviews the adverse event", async ({
    page,
  }) => {
    test.setTimeout(90_000);
    const w = world();
    const lastName = `Hopper${Date.now().toString(36)}`;
    await signIn(page, w.accounts.ada, w.password);
    await expect(page).toHaveURL(/\/prescriber$/);
    const patient = await enrollPatient(page, lastName, w.password);

    // One result through the form: an abnormal result needs a note.
    await page.goto(`${patient.url}/labs`);
    await expect(page.getByRole("heading", { name: /Monitoring results/ })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel("Test").selectOption({ label: "Thyroid function (TSH)" });
    await page.getByLabel("Collection date").fill("2026-01-05");
    await page.getByLabel("The result is abnormal").check();
    await page.getByRole("button", { name: "Record result" }).click();
    await expect(page.locator("#lab-note-error")).toHaveText("Describe the abnormal result");
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel(/^Note/).fill("TSH 0.05 mIU/L, referred to endocrinology");
    await page.getByRole("button", { name: "Record result" }).click();
    await expect(page.getByText("Result recorded.")).toBeVisible();
    const row = page
      .getByRole("region", { name: "Results", exact: true })
      .getByRole("row")
      .filter({ hasText: "5 Jan 2026" });
    await expect(row).toContainText("Thyroid function (TSH)");
    await expect(row).toContainText("Abnormal");

    // A lab feed with one good and one bad row, importing the valid rows.
    await page.goto("/prescriber/labs");
    expect(await axeViolations(page)).toEqual([]);
    const csv = [
      "rems_patient_id,test_code,collected_date,result_flag,lab_id",
      `${patient.remsId},CBC_DIFF,2026-01-06,normal,LAB-E2E`,
      `${patient.remsId},BLOOD_TYPE,2026-01-06,normal,LAB-E2E`,
    ].join("\n");
    await page.getByLabel("Lab feed file (CSV, UTF-8)").setInputFiles({
      name: "feed.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(csv),
    });
    await page.getByLabel("Import the valid rows").check();
    await page.getByRole("button", { name: "Import" }).click();
    await expect(page.getByText("2 rows: 1 imported, 0 already recorded, 1 rejected.")).toBeVisible();
    const downloadPromise = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download the rejected rows (CSV)" }).click();
    const download = await downloadPromise;
    const report = await readFile((await download.path()) ?? "", "utf8");
    expect(report).toContain(`3,${patient.remsId},BLOOD_TYPE,2026-01-06,normal,LAB-E2E,`);
    expect(report).toContain("unknown test code");
    // The same rows posted as a text/csv body: nothing is recorded twice.
    const again = await page.request.post("/prescriber/labs/imports?mode=valid_rows&fileName=again.csv", {
      headers: { "content-type": "text/csv" },
      data: csv,
    });
    expect(again.status()).toBe(201);
    expect(await again.json()).toMatchObject({ totalRows: 2, acceptedRows: 0, duplicateRows: 1, rejectedRows: 1 });
    expect(await axeViolations(page)).toEqual([]);

    // The Patient Status Form, reporting a serious infection.
    await page.goto(`${patient.url}/status-form`);
    await expect(page.getByRole("heading", { name: /Patient Status Form/ })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    const answer = async (question: RegExp, value: "Yes" | "No") =>
      page.getByRole("group", { name: question }).getByLabel(value).check();
    await answer(/required tests for this period/, "Yes");
    await answer(/new autoimmune condition/, "No");
    await answer(/serious infection/, "Yes");
    await answer(/new malignancy/, "No");
    await answer(/pregnancy/, "No");
    await page.getByLabel("Details of any answer above").fill("Herpes zoster, hospitalised for 3 days");
    await page.getByLabel("Your full name (printed name)").fill("Ada Lovelace");
    await page.getByLabel("Your password").fill(w.password);
    await fillSignatureCode(page, w.accounts.ada);
    await page.getByRole("button", { name: "Sign and submit" }).click();
    await expect(page.getByText("The serious adverse event was flagged")).toBeVisible();
    await expect(page.getByText("serious adverse event (awaiting review)")).toBeVisible();
    await signOut(page);

    await signIn(page, w.accounts.admin, w.password);
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto("/admin/adverse-events");
    const card = page.locator("section.card").filter({ hasText: patient.remsId });
    await expect(card).toContainText("Herpes zoster");
    expect(await axeViolations(page)).toEqual([]);
    await card.getByRole("button", { name: /Mark reviewed/ }).click();
    await expect(page.locator("section.card").filter({ hasText: patient.remsId })).toHaveCount(0);
    await signOut(page);
  });
});
