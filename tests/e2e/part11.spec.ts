import { expect, test } from "@playwright/test";
import { pdfTexts } from "../factories/pdf-text";
import { signIn, world } from "./helpers";

/*
 * The signature manifestation (printed name, date and time, meaning) on screen and in the PDF, with
 * the signature verified against the signed content in the audit trail. dr.ada's enrollment was
 * signed through the registry's own signing service when the demo world was seeded.
 */
test("an administrator sees dr.ada's signature with its manifestation, verified, on screen and in the PDF", async ({
  page,
}) => {
  const w = world();
  await signIn(page, w.accounts.admin, w.password);
  await page.goto(`/admin/applications?status=CERTIFIED&q=${w.prescribers.ada.npi}`);
  await page.getByRole("link", { name: "Ada Lovelace" }).click();

  const signatures = page.getByRole("table", { name: "Electronic signatures on this enrollment" });
  const row = signatures.getByRole("row").nth(1);
  await expect(row).toContainText("Ada Lovelace");
  await expect(row).toContainText(/\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC/);
  await expect(row.getByTestId("signature-verification")).toHaveText(/^Verified/);
  const meaning = (await row.getByRole("cell").nth(1).textContent()) ?? "";
  expect(meaning.length).toBeGreaterThan(10);

  const href = await page.getByRole("link", { name: "Signed enrollment form (PDF)" }).getAttribute("href");
  expect(href).toMatch(/^\/documents\/enrollments\/[0-9a-f-]{36}\/signed-form\.pdf$/);
  const pdf = await page.request.get(href ?? "");
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toContain("application/pdf");
  // Long values wrap onto several drawn lines: read the page as one run of words.
  const text = (await pdfTexts(await pdf.body())).join(" ").replace(/\s+/g, " ");
  expect(text).toContain("Printed name");
  expect(text).toContain("Ada Lovelace");
  expect(text).toContain("Meaning");
  expect(text).toContain(meaning.trim().slice(0, 30));
  expect(text).toMatch(/Signed \d{1,2} [A-Z][a-z]{2} \d{4}/);
  expect(text).toContain("Verified: the signed content in the audit trail matches this signature");
});
