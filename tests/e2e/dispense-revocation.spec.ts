import { randomUUID } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { signIn, world } from "./helpers";

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help}`);
}

/*
 * A pharmacy suspended mid-day: the pharmacist has an approved authorization open on screen, the
 * administrator suspends the pharmacy, and the confirmation is refused — the authorization was
 * revoked with the suspension. The pharmacy's API key answers 403 until it is reinstated, and
 * reinstatement does not bring the authorization back. Meanwhile the pharmacist's request screen
 * says the pharmacy is suspended, and what the gate answers it says nothing about the patient.
 * Runs in the dispense-gate project, last
 * (it suspends the demo pharmacy, and reinstates it before it ends).
 */
const BASE = "/api/v1/dispense-authorizations";

test("a pharmacy suspended mid-day: its open authorization is refused at confirmation", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const w = world();
  const key = w.pharmacy.apiKey;
  expect(key, "the seed writes the demo pharmacy's API key").toBeTruthy();
  const auth = { authorization: `Bearer ${key}` };

  // The pharmacy system gets an approval for the compliant patient.
  const prescriptionId = `E2E-SUSP-${randomUUID().slice(0, 8)}`;
  const approved = await page.request.post(BASE, {
    headers: { ...auth, "idempotency-key": randomUUID() },
    data: {
      programCode: w.programCode,
      ndc: w.ndc,
      prescriberNpi: w.prescribers.ada.npi,
      patientRemsId: w.patients.compliant.remsId,
      healthcareSettingId: w.setting.id,
      quantity: 3,
      prescriptionId,
    },
  });
  expect(approved.status()).toBe(200);
  const answer = (await approved.json()) as { id: string; decision: string; authorizationNumber: string };
  expect(answer.decision).toBe("APPROVED");

  // The pharmacist opens it, ready to confirm.
  await signIn(page, w.accounts.pharmacist, w.password);
  await page.goto(`/pharmacy/authorizations/${answer.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(answer.authorizationNumber);
  await expect(page.getByRole("button", { name: "Confirm dispense" })).toBeVisible();

  // Meanwhile the administrator suspends the pharmacy.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, w.accounts.admin, w.password);
  await admin.goto(`/admin/applications?status=CERTIFIED&q=${w.pharmacy.ncpdpId}`);
  await admin.getByRole("link", { name: "Demo Specialty Pharmacy" }).click();
  const suspend = admin.getByRole("form", { name: "Suspend" });
  await suspend.getByLabel("Reason for suspension").fill("Dispensed outside the programme during an audit.");
  await suspend.getByRole("button", { name: "Suspend certification" }).click();
  await expect(admin.locator("#done-banner")).toHaveText("Certification suspended.");
  // The approval just given and the demo world's waiting one.
  await expect(admin.locator("#revoked-banner")).toContainText("2 open dispense authorizations");

  // The confirmation is refused, and says why, in the pharmacist's words.
  await page.getByLabel("Lot number").fill("LOT-2026-11");
  await page.getByRole("button", { name: "Confirm dispense" }).click();
  const refusal = page.locator(".banner.error").first();
  await expect(refusal).toContainText("revoked");
  await expect(refusal).toContainText("do not dispense");
  await expect(refusal).toContainText("suspended");

  await page.reload();
  await expect(page.locator('[data-status="REVOKED"]').first()).toHaveText("Revoked — do not dispense");
  await expect(page.getByTestId("revocation-reason")).toContainText("Dispensed outside the programme");
  await expect(page.getByRole("button", { name: "Confirm dispense" })).toHaveCount(0);
  await page.goto("/pharmacy/authorizations?status=REVOKED");
  await expect(page.getByRole("cell", { name: answer.authorizationNumber })).toBeVisible();

  // The key is genuine, so the API says 403 with a reason, not 401.
  const barred = await page.request.get(`${BASE}/${answer.id}`, { headers: auth });
  expect(barred.status()).toBe(403);
  expect(((await barred.json()) as { error: { message: string } }).error.message).toContain("suspended");

  // While suspended, the request screen says so, in words, instead of offering the form.
  await page.goto("/pharmacy/dispense");
  const notCertified = page.getByTestId("pharmacy-not-certified");
  await expect(notCertified).toContainText("LEMTRADA REMS: Suspended");
  await expect(notCertified).toContainText(
    "Your pharmacy's certification in the LEMTRADA REMS is suspended — contact the REMS administrator",
  );
  await expect(notCertified).not.toContainText("SUSPENDED");
  await expect(page.getByRole("button", { name: "Request authorization" })).toHaveCount(0);
  expect(await axeViolations(page)).toEqual([]);
  // Asked anyway (the JSON API with the pharmacist's session), the gate answers with the pharmacy's
  // standing only: nothing about the patient whose labs are overdue, or their prescriber.
  const asked = await page.request.post(BASE, {
    headers: { "idempotency-key": randomUUID() },
    data: {
      programCode: w.programCode,
      ndc: w.ndc,
      prescriberNpi: w.prescribers.ada.npi,
      patientRemsId: w.patients.overdueLabs.remsId,
      healthcareSettingId: w.setting.id,
      quantity: 3,
      prescriptionId: `E2E-SUSP-ASK-${randomUUID().slice(0, 8)}`,
    },
  });
  expect(asked.status()).toBe(200);
  const denied = (await asked.json()) as { id: string; decision: string; reasons: { code: string }[] };
  expect(denied.decision).toBe("DENIED");
  expect(denied.reasons.map((r) => r.code)).toEqual(["PHARMACY_NOT_CERTIFIED"]);
  expect(JSON.stringify(denied)).not.toMatch(/monitoring|prescriber|baseline/i);
  await page.goto(`/pharmacy/authorizations/${denied.id}`);
  await expect(page.locator('[data-code="PHARMACY_NOT_CERTIFIED"]')).toContainText("is suspended");
  await expect(page.locator('[data-code="MONITORING_OVERDUE"]')).toHaveCount(0);
  await expect(page.getByTestId("facts")).toContainText("Suspended");
  await expect(page.getByTestId("facts")).not.toContainText("Enrolled");
  await expect(page.getByTestId("facts-withheld")).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  // No new API key while suspended.
  await page.goto("/pharmacy/api-keys");
  await expect(page.getByTestId("api-key-blocked")).toContainText("is suspended");
  await expect(page.getByRole("button", { name: "Create API key" })).toHaveCount(0);

  // Reinstated: the key works again; the revoked authorization stays revoked.
  const reinstate = admin.getByRole("form", { name: "Reinstate" });
  await reinstate.getByLabel("Reason for reinstatement").fill("Corrective action plan accepted.");
  await reinstate.getByRole("button", { name: "Reinstate certification" }).click();
  await expect(admin.locator("#done-banner")).toHaveText("Certification reinstated.");
  await adminContext.close();

  const after = await page.request.get(`${BASE}/${answer.id}`, { headers: auth });
  expect(after.status()).toBe(200);
  expect(((await after.json()) as { status: string }).status).toBe("REVOKED");
  const confirm = await page.request.post(`${BASE}/${answer.id}/dispense`, {
    headers: auth,
    data: { quantity: 3, lotNumber: "LOT-2026-11" },
  });
  expect(confirm.status()).toBe(409);
  expect(((await confirm.json()) as { error: { code: string } }).error.code).toBe("AUTHORIZATION_REVOKED");
});
