import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { signIn, totpCode, world } from "./helpers";

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help}`);
}

function prescriptionNumber(tag: string): string {
  return `RX-${tag}-${Date.now().toString(36)}`;
}

/** Types the request the way a scanner does: each value followed by Enter, which moves to the next field. */
async function scanRequest(
  page: Page,
  request: { npi: string; patient: string; setting: string; quantity: string; prescription: string },
) {
  await expect(page.getByLabel("Prescriber NPI")).toBeFocused();
  for (const value of [request.npi, request.patient, request.setting]) {
    await page.keyboard.type(value);
    await page.keyboard.press("Enter");
  }
  // The NDC is prefilled with the programme's; Enter keeps it and moves on.
  await expect(page.getByLabel("NDC")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByLabel("Quantity")).toBeFocused();
  await page.keyboard.type(request.quantity);
  await page.keyboard.press("Enter");
  await expect(page.getByLabel("Prescription number")).toBeFocused();
  await page.keyboard.type(request.prescription);
}

test.describe("dispense authorization (pharmacist)", () => {
  test("the compliant patient is approved; the slip downloads; the dispense is confirmed and reversed", async ({
    page,
  }) => {
    test.setTimeout(90_000);
    const w = world();
    const prescription = prescriptionNumber("ok");
    await signIn(page, w.accounts.pharmacist, w.password);
    await expect(page).toHaveURL(/\/pharmacy$/);
    await page.getByRole("link", { name: "Request a dispense authorization" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Request a dispense authorization" })).toBeVisible();
    await expect(page.getByLabel("Programme")).toHaveValue("LEMTRADA");
    await expect(page.getByLabel("NDC")).toHaveValue(w.ndc);

    // Course 3 for the compliant patient: a later course allows 3 vials.
    await scanRequest(page, {
      npi: w.prescribers.ada.npi,
      patient: w.patients.compliant.remsId,
      setting: w.setting.id,
      quantity: "3",
      prescription,
    });
    await page.getByRole("button", { name: "Request authorization" }).click();

    const result = page.getByTestId("dispense-result");
    await expect(result.getByText("Approved", { exact: true })).toBeVisible();
    const number = result.getByTestId("authorization-number");
    await expect(number).toHaveText(/^DA-/);
    const fontSize = await number.evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(32);
    const authorizationNumber = (await number.textContent()) ?? "";
    // The typed values stay in the form.
    await expect(page.getByLabel("Prescription number")).toHaveValue(prescription);
    expect(await axeViolations(page)).toEqual([]);

    const slip = result.getByRole("link", { name: "Print / download slip (PDF)" });
    const slipResponse = await page.request.get((await slip.getAttribute("href")) ?? "");
    expect(slipResponse.status()).toBe(200);
    expect(slipResponse.headers()["content-type"]).toBe("application/pdf");
    expect((await slipResponse.body()).subarray(0, 5).toString()).toBe("%PDF-");

    // Asking again for the same prescription: denied as a duplicate, naming the approval by its number.
    await page.getByRole("button", { name: "Request authorization" }).click();
    await expect(result.getByText("Denied — do not dispense")).toBeVisible();
    const duplicate = result.locator('[data-code="DUPLICATE_REQUEST"]');
    await expect(duplicate).toContainText(authorizationNumber);
    await expect(duplicate).not.toContainText(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await result.getByRole("link", { name: `Open authorization ${authorizationNumber}` }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(authorizationNumber);
    await expect(page.getByText("Approved, not yet dispensed")).toBeVisible();

    // The time dispensed: optional, in UTC, and a time in the future is refused next to the field.
    const dispensedAt = page.getByLabel("Time dispensed, in UTC (optional)");
    await expect(page.locator("#confirm-dispensedAt-hint")).toContainText("Leave empty to use the current time");
    await page.getByLabel("Lot number").fill("L2026-77");
    await dispensedAt.fill("2099-01-01T10:00");
    await page.getByRole("button", { name: "Confirm dispense" }).click();
    await expect(page.locator("#confirm-dispensedAt-error")).toHaveText("The dispense time is in the future");
    await expect(dispensedAt).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByTestId("dispense-confirmed")).toHaveCount(0);
    await dispensedAt.fill("");
    await page.getByRole("button", { name: "Confirm dispense" }).click();
    await expect(page.getByTestId("dispense-confirmed")).toContainText(
      `Dispense confirmed. 3 vials, lot L2026-77, dispensed`,
    );
    await expect(page.getByTestId("dispense-confirmed")).toContainText(`${authorizationNumber} is now used`);
    await expect(page.locator("[data-status]").first()).toHaveText("Dispensed");
    await expect(page.getByText(/3 vials, lot L2026-77/).first()).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel("Reason for the reversal").fill("Not picked up by the infusion center");
    await page.getByRole("button", { name: "Reverse dispense" }).click();
    await expect(page.locator("[data-status]").first()).toHaveText("Dispense reversed");

    await page.goto(`/pharmacy/authorizations?prescriptionId=${encodeURIComponent(prescription)}`);
    // The approval (dispensed, then reversed) and the duplicate request that was denied.
    await expect(page.getByTestId("authorization-count")).toHaveText("2 authorizations, newest first.");
    await expect(page.getByRole("row").filter({ hasText: authorizationNumber })).toContainText("Dispense reversed");
    expect(await axeViolations(page)).toEqual([]);
  });

  test("the overdue-labs patient is denied with plain-language reasons and who must act", async ({ page }) => {
    test.setTimeout(60_000);
    const w = world();
    const prescription = prescriptionNumber("labs");
    await signIn(page, w.accounts.pharmacist, w.password);
    await page.goto("/pharmacy/dispense");

    // A malformed NPI is refused next to its field; nothing typed is lost.
    await page.getByLabel("Prescriber NPI").fill("12345");
    await page.getByLabel("Patient REMS ID").fill(w.patients.overdueLabs.remsId);
    await page.getByLabel("Healthcare setting", { exact: true }).fill(w.setting.id);
    await page.getByLabel("Quantity").fill("3");
    await page.getByLabel("Prescription number").fill(prescription);
    await page.getByRole("button", { name: "Request authorization" }).click();
    const npi = page.getByLabel("Prescriber NPI");
    await expect(page.locator("#prescriberNpi-error")).toHaveText("The prescriber's NPI is 10 digits");
    await expect(npi).toHaveAttribute("aria-invalid", "true");
    await expect(npi).toHaveAttribute("aria-describedby", /prescriberNpi-error/);
    await expect(page.getByLabel("Patient REMS ID")).toHaveValue(w.patients.overdueLabs.remsId);
    await expect(page.getByLabel("Prescription number")).toHaveValue(prescription);

    await npi.fill(w.prescribers.ada.npi);
    await page.getByRole("button", { name: "Request authorization" }).click();
    const result = page.getByTestId("dispense-result");
    await expect(result.getByText("Denied — do not dispense")).toBeVisible();
    const reasons = result.getByTestId("reasons");
    const prescriberGroup = reasons.locator('[data-actor="prescriber"]');
    await expect(prescriberGroup.getByRole("heading", { name: "The prescriber must act" })).toBeVisible();
    await expect(prescriberGroup.locator('[data-code="MONITORING_OVERDUE"]')).toContainText(
      "Safety monitoring is overdue",
    );
    await expect(prescriberGroup.locator('[data-code="MONITORING_OVERDUE"]')).toContainText("contact the prescriber");
    await expect(result.getByRole("link", { name: "Print / download slip (PDF)" })).toHaveCount(0);
    expect(await axeViolations(page)).toEqual([]);

    // The denied request is in the history, and has no slip.
    await page.goto(`/pharmacy/authorizations?decision=DENIED&prescriptionId=${encodeURIComponent(prescription)}`);
    const row = page.getByRole("row").filter({ hasText: prescription });
    await expect(row).toContainText("Denied");
    await row.getByRole("link").click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(prescription);
    await expect(page.locator('[data-code="MONITORING_OVERDUE"]')).toBeVisible();
    await expect(page.getByTestId("facts")).toContainText("Enrolled");
    expect(await axeViolations(page)).toEqual([]);
    const id = new URL(page.url()).pathname.split("/").pop() ?? "";
    const slip = await page.request.get(`/documents/dispense-authorizations/${id}/slip.pdf`);
    expect(slip.status()).toBe(409);
    const other = await page.request.get(
      "/documents/dispense-authorizations/00000000-0000-4000-8000-000000000000/slip.pdf",
    );
    expect(other.status()).toBe(404);
  });

  test("the request form works before JavaScript has loaded (a denial, with the typed values kept)", async ({
    browser,
    page,
  }) => {
    test.setTimeout(60_000);
    const w = world();
    const prescription = prescriptionNumber("nojs");
    await signIn(page, w.accounts.pharmacist, w.password);
    const context = await browser.newContext({
      javaScriptEnabled: false,
      baseURL: test.info().project.use.baseURL,
      storageState: await page.context().storageState(),
    });
    const noJs = await context.newPage();
    await noJs.goto("/pharmacy/dispense");
    await noJs.getByLabel("Prescriber NPI").fill(w.prescribers.ada.npi);
    await noJs.getByLabel("Patient REMS ID").fill(w.patients.overdueLabs.remsId);
    await noJs.getByLabel("Healthcare setting", { exact: true }).fill(w.setting.id);
    await noJs.getByLabel("Quantity").fill("3");
    await noJs.getByLabel("Prescription number").fill(prescription);
    await noJs.getByRole("button", { name: "Request authorization" }).click();
    await expect(noJs.getByText("Denied — do not dispense")).toBeVisible();
    await expect(noJs.locator('[data-code="MONITORING_OVERDUE"]')).toBeVisible();
    await expect(noJs.getByLabel("Prescription number")).toHaveValue(prescription);
    await context.close();
  });

  test("a mistyped patient REMS ID is a field error as the pharmacist types, and on the server; nothing is stored", async ({
    browser,
    page,
  }) => {
    test.setTimeout(60_000);
    const w = world();
    const prescription = prescriptionNumber("typo");
    const remsId = w.patients.compliant.remsId;
    // One character of the body changed: a slip of the finger.
    const typo = `${remsId.slice(0, 3)}${remsId.charAt(3) === "7" ? "8" : "7"}${remsId.slice(4)}`;
    const message = "The check character does not match — probably a typo";
    await signIn(page, w.accounts.pharmacist, w.password);
    await page.goto("/pharmacy/dispense");

    const patient = page.getByLabel("Patient REMS ID");
    const patientError = page.locator("#patientRemsId-error");
    await page.getByLabel("Prescriber NPI").fill(w.prescribers.ada.npi);
    await patient.fill(typo);
    await expect(patientError).toHaveCount(0);
    // Leaving the field checks it, before anything is sent.
    await patient.press("Tab");
    await expect(patientError).toHaveText(message);
    await expect(patient).toHaveAttribute("aria-invalid", "true");
    await expect(patient).toHaveAttribute("aria-describedby", /patientRemsId-error/);
    // From then on it is checked as they type: corrected, the error goes; mistyped again, it is back.
    await patient.fill(remsId);
    await expect(patientError).toHaveCount(0);
    await patient.fill(typo);
    await expect(patientError).toHaveText(message);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel("Healthcare setting", { exact: true }).fill(w.setting.id);
    await page.getByLabel("Quantity").fill("3");
    await page.getByLabel("Prescription number").fill(prescription);
    await page.getByRole("button", { name: "Request authorization" }).click();
    await expect(patient).toBeFocused();
    await expect(patientError).toHaveText(message);
    await expect(page.getByTestId("dispense-result")).toHaveCount(0);

    // Without JavaScript the server's check says the same, next to the field, and keeps what was typed.
    const context = await browser.newContext({
      javaScriptEnabled: false,
      baseURL: test.info().project.use.baseURL,
      storageState: await page.context().storageState(),
    });
    const noJs = await context.newPage();
    await noJs.goto("/pharmacy/dispense");
    await noJs.getByLabel("Prescriber NPI").fill(w.prescribers.ada.npi);
    await noJs.getByLabel("Patient REMS ID").fill(typo);
    await noJs.getByLabel("Healthcare setting", { exact: true }).fill(w.setting.id);
    await noJs.getByLabel("Quantity").fill("3");
    await noJs.getByLabel("Prescription number").fill(prescription);
    await noJs.getByRole("button", { name: "Request authorization" }).click();
    await expect(noJs.locator("#patientRemsId-error")).toHaveText(message);
    await expect(noJs.getByLabel("Patient REMS ID")).toHaveAttribute("aria-invalid", "true");
    await expect(noJs.getByLabel("Patient REMS ID")).toHaveValue(typo);
    await expect(noJs.getByLabel("Prescription number")).toHaveValue(prescription);
    await expect(noJs.getByTestId("dispense-result")).toHaveCount(0);
    await context.close();

    // Nothing was stored: no decision, not even a denial, for this prescription.
    await page.goto(`/pharmacy/authorizations?prescriptionId=${encodeURIComponent(prescription)}`);
    await expect(page.getByTestId("authorization-count")).toHaveText("No authorizations match these filters.");
  });

  test("the pharmacy's representative creates an API key, sees it once, and revokes it", async ({ page }) => {
    test.setTimeout(60_000);
    const w = world();
    const name = `E2E system ${Date.now().toString(36)}`;
    await signIn(page, w.accounts.pharmacist, w.password);
    await page.getByRole("link", { name: "API keys for your pharmacy system" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "API keys" })).toBeVisible();
    await page.getByLabel("Key name").fill(name);
    // A key acts for the pharmacy: creating one asks for the password and a code again.
    await page.getByRole("button", { name: "Create API key" }).click();
    await expect(page.locator("#api-key-password-error")).toHaveText("Enter your password");
    await expect(page.getByTestId("api-key-secret")).toHaveCount(0);
    await page.getByLabel("Your password").fill(w.password);
    await page.getByLabel("Authentication code").fill(await totpCode(w.accounts.pharmacist));
    await page.getByRole("button", { name: "Create API key" }).click();
    const secret = page.getByTestId("api-key-secret");
    await expect(secret).toHaveText(/^rg_/);
    const key = (await secret.textContent()) ?? "";
    await expect(page.getByTestId("new-api-key")).toContainText("it will not be shown again");
    const row = page.getByRole("row").filter({ hasText: name });
    await expect(row).toContainText(key.slice(0, 6));
    expect(await axeViolations(page)).toEqual([]);

    // Shown once: after a reload only the prefix is left.
    await page.reload();
    await expect(page.getByTestId("api-key-secret")).toHaveCount(0);
    await expect(page.getByText(key)).toHaveCount(0);

    await row.locator("summary").click();
    await row.getByRole("button", { name: `Yes, revoke ${name}` }).click();
    await expect(row).toContainText("Revoked");
    await expect(row.getByRole("button", { name: /revoke/i })).toHaveCount(0);
  });
});
