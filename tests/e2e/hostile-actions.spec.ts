import { expect, type Page, test } from "@playwright/test";
import { signIn, world } from "./helpers";

/*
 * Server actions refuse text no field can hold (here a NUL) at their shared boundary check: the form
 * shows the field error the server named, and nothing is recorded.
 */

const NUL_MESSAGE = "Contains a NUL character (\\u0000), which is not allowed in any field.";

/** Sets a field's value the way typing would (through the native setter, so React sees the change). */
async function setValueWithNul(page: Page, selector: string) {
  await page.locator(selector).evaluate((element) => {
    const field = element as HTMLInputElement | HTMLTextAreaElement;
    const prototype = field instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(prototype, "value")?.set?.call(field, "abc\u0000def");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

function yesterdayUtc(): string {
  return new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
}

test.describe("hostile text in a server action", () => {
  test("a NUL in a lab result's note is a field error from the server and no result is recorded", async ({ page }) => {
    const w = world();
    const { name } = w.patients.compliant;
    await signIn(page, w.accounts.ada, w.password);
    await expect(page).toHaveURL(/\/prescriber$/);
    await page.getByRole("row").filter({ hasText: name }).getByRole("link", { name, exact: true }).click();
    await page.getByRole("link", { name: "Lab results", exact: true }).click();
    const results = page.getByRole("region", { name: "Results", exact: true });
    await expect(results).toBeVisible();
    const before = await results.textContent();

    const form = page.getByRole("form", { name: "Record a result" });
    await form.getByLabel("Test").selectOption("TSH");
    await form.getByLabel("Collection date").fill(yesterdayUtc());
    await setValueWithNul(page, "#lab-note");
    await expect(form.locator("#lab-note")).toHaveValue("abc\u0000def");
    await form.getByRole("button", { name: "Record result" }).click();

    // The message is the server's: the browser's own schema has no rule about NUL characters.
    await expect(form.locator("#lab-note-error")).toHaveText(NUL_MESSAGE);
    await expect(form.locator("#lab-note")).toHaveAttribute("aria-invalid", "true");
    await expect(form.getByText(`"note": contains a NUL character`)).toBeVisible();
    // What was typed stays in the form.
    await expect(form.locator("#lab-note")).toHaveValue("abc\u0000def");

    await page.reload();
    await expect(page.getByRole("region", { name: "Results", exact: true })).toHaveText(before ?? "");
  });

  test("a NUL in a posted form (no JavaScript) is a field error from the server and no request is stored", async ({
    browser,
    page,
  }) => {
    const w = world();
    const prescription = `RX-nul-${Date.now().toString(36)}`;
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
    // Without JavaScript the form posts its FormData to the action as typed.
    await noJs.locator("#prescriptionId").evaluate((element, value) => {
      (element as HTMLInputElement).value = value;
    }, `${prescription}\u0000x`);
    await noJs.getByRole("button", { name: "Request authorization" }).click();
    await expect(noJs.locator("#prescriptionId-error")).toHaveText(NUL_MESSAGE);
    await expect(noJs.getByText("Denied — do not dispense")).toHaveCount(0);
    await context.close();

    await page.goto(`/pharmacy/authorizations?prescriptionId=${encodeURIComponent(prescription)}`);
    await expect(page.getByTestId("authorization-count")).toHaveText("No authorizations match these filters.");
  });
});
