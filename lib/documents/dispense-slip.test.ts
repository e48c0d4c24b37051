import { describe, expect, it } from "vitest";
import type { TDispenseAuthorizationView } from "../dispensing/schema";
import { pdfTexts } from "../../tests/factories/pdf-text";
import { renderSlipPdf, slipDocument } from "./dispense-slip";

const approved: TDispenseAuthorizationView = {
  id: "0b6f3f0e-7c1a-4a8e-9a57-1f2f3c4d5e6f",
  decision: "APPROVED",
  status: "APPROVED",
  authorizationNumber: "DA-7K3M-9Q2D-X",
  programCode: "LEMTRADA",
  prescriptionId: "RX-1",
  prescriberNpi: "1234567893",
  patientRemsId: "PT-7K3M-9Q2D-X",
  healthcareSettingId: "HS-7K3M-9Q2D-X",
  ndc: "58468-0200-01",
  quantity: 3,
  reasons: [],
  warnings: [],
  enforcementDiscretion: false,
  duplicateOfId: null,
  duplicateOfNumber: null,
  requestedAt: "2026-11-30T10:00:00.000Z",
  expiresAt: "2026-12-07T23:59:59.999Z",
  dispensedAt: null,
  dispensedQuantity: null,
  lotNumber: null,
  reversedAt: null,
  reversalReason: null,
  revokedAt: null,
  revocationReason: null,
};

const slip = (authorization: TDispenseAuthorizationView) =>
  slipDocument({
    authorization,
    programName: "LEMTRADA REMS",
    unit: "vial",
    pharmacyName: "Demo Specialty Pharmacy",
    settingName: null,
    generatedAt: new Date("2026-11-30T12:00:00Z"),
  });

describe("slipDocument", () => {
  it("states the status when printed: usable, or used / reversed / expired and not to be used again", () => {
    const usable = slip(approved);
    expect(usable.status).toBe("Approved, not yet dispensed");
    expect(usable.statusNote).toBeNull();
    expect(usable.fields[0]).toEqual({ label: "Status when printed", value: "Approved, not yet dispensed" });

    const dispensed = slip({
      ...approved,
      status: "DISPENSED",
      dispensedAt: "2026-11-30T11:00:00.000Z",
      dispensedQuantity: 2,
      lotNumber: "LOT-7",
    });
    expect(dispensed.status).toMatch(/^Dispensed 30 Nov 2026.*: 2 vials, lot LOT-7$/);
    expect(dispensed.statusNote).toMatch(/do not dispense under this authorization again/);

    const reversed = slip({ ...approved, status: "REVERSED", reversedAt: "2026-11-30T11:30:00.000Z" });
    expect(reversed.status).toMatch(/^Dispense reversed 30 Nov 2026/);
    expect(reversed.statusNote).toMatch(/cannot be used again/);

    expect(slip({ ...approved, status: "EXPIRED" }).statusNote).toMatch(/^Expired: do not dispense/);
  });

  it("renders a PDF for every status", async () => {
    for (const status of ["APPROVED", "DISPENSED", "REVERSED", "EXPIRED"] as const) {
      const bytes = await renderSlipPdf(slip({ ...approved, status }), new Date("2026-11-30T12:00:00Z"));
      expect(Buffer.from(bytes.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
    }
  });

  it("prints the pharmacy and setting names exactly as entered, and the authorization number", async () => {
    const doc = slipDocument({
      authorization: approved,
      programName: "LEMTRADA REMS",
      unit: "vial",
      pharmacyName: "Apteka Łódź Żółć",
      settingName: "Κέντρο Έγχυσης Άγιος Νικόλαος",
      generatedAt: new Date("2026-11-30T12:00:00Z"),
    });
    const texts = await pdfTexts(await renderSlipPdf(doc, new Date("2026-11-30T12:00:00Z")));
    expect(texts).toContain("Apteka Łódź Żółć");
    expect(texts).toContain("Κέντρο Έγχυσης Άγιος Νικόλαος (HS-7K3M-9Q2D-X)");
    expect(texts).toContain("DA-7K3M-9Q2D-X");
    expect(texts.join(" ")).not.toContain("could not be printed");
  });
});
