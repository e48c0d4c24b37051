/**
 * The dispense authorization slip: one printable page the pharmacy files with the prescription
 * (or sends with the product) — the authorization number in large type, what was authorized,
 * until when, and any warnings. Only the authorization's own pharmacy gets it
 * (getDispenseAuthorization answers NOT_FOUND to anyone else); a denied request has no slip.
 */
import { type PDFFont, rgb } from "pdf-lib";
import type { Actor } from "../auth/actor";
import { db, type Db } from "../db";
import type { TDispenseAuthorizationView } from "../dispensing/schema";
import { callerFromActor } from "../dispensing/caller";
import { getDispenseAuthorizationDetails } from "../dispensing/service";
import { AppError } from "../errors";
import { DISPENSE_STATUS_LABELS } from "../format";
import { getProgramDefinition } from "../programs/registry";
import { formatUtc } from "./content";
import { unprintableCharacters, unprintableNotice } from "./fonts";
import { layoutText, newDocument, WARN } from "./pdf";
import type { PdfFile } from "./service";

export interface SlipDocument {
  title: string;
  programName: string;
  authorizationNumber: string;
  validUntil: string;
  /** What the authorization is when the slip is printed. */
  status: string;
  /** Printed prominently when it can no longer be used: dispensed, reversed or expired. */
  statusNote: string | null;
  fields: { label: string; value: string }[];
  warnings: string[];
  /** Printed when the authorization was given under enforcement discretion. */
  discretionNote: string | null;
  footer: string;
}

export function dispenseSlipPath(id: string): string {
  return `/documents/dispense-authorizations/${id}/slip.pdf`;
}

/** What the slip says, as plain data (no PDF, no database, no clock). */
export function slipDocument(input: {
  authorization: TDispenseAuthorizationView;
  programName: string;
  unit: string;
  pharmacyName: string;
  settingName: string | null;
  generatedAt: Date;
}): SlipDocument {
  const a = input.authorization;
  const unitsOf = (n: number) => `${n} ${input.unit}${n === 1 ? "" : "s"}`;
  const units = unitsOf(a.quantity);
  const { status, statusNote } = slipStatus(a, unitsOf);
  return {
    title: "Dispense authorization",
    programName: input.programName,
    authorizationNumber: a.authorizationNumber ?? "",
    validUntil: a.expiresAt ? formatUtc(a.expiresAt) : "—",
    status,
    statusNote,
    fields: [
      { label: "Status when printed", value: status },
      { label: "Programme", value: input.programName },
      { label: "Pharmacy", value: input.pharmacyName },
      { label: "Prescription number", value: a.prescriptionId },
      { label: "Patient REMS ID", value: a.patientRemsId },
      { label: "Prescriber NPI", value: a.prescriberNpi },
      {
        label: "Healthcare setting",
        value: input.settingName ? `${input.settingName} (${a.healthcareSettingId})` : a.healthcareSettingId,
      },
      { label: "NDC", value: a.ndc },
      { label: "Quantity", value: units },
      { label: "Approved at", value: formatUtc(a.requestedAt) },
      { label: "Valid until", value: a.expiresAt ? formatUtc(a.expiresAt) : "—" },
    ],
    warnings: a.warnings.map((w) => w.message),
    discretionNote: a.enforcementDiscretion
      ? "Approved under enforcement discretion: the REMS administrator temporarily relaxed the requirements listed as warnings. They still have to be resolved; the administrator follows up on this authorization."
      : null,
    footer: `Generated ${formatUtc(input.generatedAt)} · authorization ${a.authorizationNumber ?? a.prescriptionId}`,
  };
}

/** The status as the slip states it; a used or ended authorization says so and that it cannot be used. */
function slipStatus(
  a: TDispenseAuthorizationView,
  unitsOf: (n: number) => string,
): { status: string; statusNote: string | null } {
  switch (a.status) {
    case "DISPENSED":
      return {
        status: `Dispensed ${a.dispensedAt ? formatUtc(a.dispensedAt) : ""}: ${unitsOf(a.dispensedQuantity ?? a.quantity)}${a.lotNumber ? `, lot ${a.lotNumber}` : ""}`,
        statusNote: "Already dispensed: do not dispense under this authorization again.",
      };
    case "REVERSED":
      return {
        status: `Dispense reversed ${a.reversedAt ? formatUtc(a.reversedAt) : ""}`.trim(),
        statusNote: "The dispense was reversed: this authorization cannot be used again. Request a new one.",
      };
    case "EXPIRED":
      return {
        status: DISPENSE_STATUS_LABELS.EXPIRED,
        statusNote: "Expired: do not dispense under this authorization. Request a new one.",
      };
    default:
      return { status: DISPENSE_STATUS_LABELS[a.status], statusNote: null };
  }
}

const LETTER: [number, number] = [612, 792];
const MARGIN = 54;
const TEXT = rgb(0.1, 0.12, 0.14);
const MUTED = rgb(0.34, 0.38, 0.42);
const RULE = rgb(0.75, 0.78, 0.82);

/** Every text the slip prints, to find the characters it cannot show before laying it out. */
function slipTexts(doc: SlipDocument): string[] {
  return [
    doc.title,
    doc.programName,
    doc.authorizationNumber,
    doc.validUntil,
    doc.statusNote ?? "",
    ...doc.fields.flatMap((f) => [f.label, f.value]),
    doc.discretionNote ?? "",
    ...doc.warnings,
    doc.footer,
  ];
}

/** One US Letter page (more if there are many warnings). */
export async function renderSlipPdf(doc: SlipDocument, generatedAt: Date): Promise<Uint8Array> {
  const { pdf, fonts } = await newDocument(
    {
      title: `${doc.title} ${doc.authorizationNumber}`,
      subject: `${doc.programName} dispense authorization`,
      generatedAt,
    },
    ["bold", "monoBold"],
  );
  const { regular, bold, monoBold: mono } = fonts;
  const width = LETTER[0] - 2 * MARGIN;
  let page = pdf.addPage(LETTER);
  let y = LETTER[1] - MARGIN;
  const need = (height: number) => {
    if (y - height < MARGIN + 24) {
      page = pdf.addPage(LETTER);
      y = LETTER[1] - MARGIN;
    }
  };
  const write = (preferred: PDFFont, size: number, text: string, x = MARGIN, color = TEXT, w = width) => {
    const { font, lines } = layoutText(fonts, preferred, size, text, w);
    for (const line of lines) {
      need(size * 1.35);
      page.drawText(line, { x, y: y - size, size, font, color });
      y -= size * 1.35;
    }
  };
  const rule = () => {
    page.drawLine({ start: { x: MARGIN, y }, end: { x: LETTER[0] - MARGIN, y }, thickness: 0.5, color: RULE });
    y -= 8;
  };

  write(bold, 18, doc.title);
  write(regular, 11, doc.programName, MARGIN, MUTED);
  const notice = unprintableNotice(unprintableCharacters(slipTexts(doc)));
  if (notice) {
    y -= 6;
    write(bold, 10, notice, MARGIN, WARN);
  }
  y -= 14;
  write(regular, 10, "Authorization number", MARGIN, MUTED);
  write(mono, 30, doc.authorizationNumber);
  write(bold, 12, `Valid until ${doc.validUntil}`);
  if (doc.statusNote) {
    y -= 6;
    write(bold, 13, doc.statusNote, MARGIN, WARN);
  }
  y -= 10;
  rule();

  const labelWidth = 150;
  for (const field of doc.fields) {
    const label = layoutText(fonts, bold, 11, field.label, labelWidth - 8);
    const value = layoutText(fonts, regular, 11, field.value, width - labelWidth);
    need(Math.max(label.lines.length, value.lines.length) * 15);
    label.lines.forEach((line, i) => {
      page.drawText(line, { x: MARGIN, y: y - 11 - i * 15, size: 11, font: label.font, color: TEXT });
    });
    const labelBottom = y - label.lines.length * 15;
    for (const line of value.lines) {
      page.drawText(line, { x: MARGIN + labelWidth, y: y - 11, size: 11, font: value.font, color: TEXT });
      y -= 15;
    }
    y = Math.min(y, labelBottom) - 3;
  }

  if (doc.discretionNote) {
    y -= 8;
    rule();
    write(bold, 12, "Enforcement discretion", MARGIN, WARN);
    write(regular, 10, doc.discretionNote, MARGIN, WARN);
  }
  if (doc.warnings.length) {
    y -= 8;
    rule();
    write(bold, 12, "Warnings");
    for (const warning of doc.warnings) {
      need(14);
      page.drawText("-", { x: MARGIN, y: y - 10, size: 10, font: regular, color: TEXT });
      write(regular, 10, warning, MARGIN + 12, TEXT, width - 12);
    }
  }

  const pages = pdf.getPages();
  pages.forEach((p, i) => {
    const footer = layoutText(fonts, regular, 8, `Page ${i + 1} of ${pages.length} · ${doc.footer}`, width);
    p.drawText(footer.lines[0] ?? "", { x: MARGIN, y: MARGIN - 8, size: 8, font: footer.font, color: MUTED });
  });
  return pdf.save();
}

/** The slip of one of the actor's pharmacy's authorizations; CONFLICT for a denied request. */
export async function dispenseSlipPdf(
  actor: Actor,
  authorizationId: string,
  client: Db = db(),
  now: Date = new Date(),
): Promise<PdfFile> {
  const caller = callerFromActor(actor);
  const { view: authorization, pharmacy } = await getDispenseAuthorizationDetails(caller, authorizationId, {
    client,
    now,
  });
  if (authorization.decision !== "APPROVED" || !authorization.authorizationNumber) {
    throw new AppError(
      "CONFLICT",
      "This request was denied, so there is no authorization slip. Resolve the reasons and request a new authorization.",
    );
  }
  if (authorization.status === "REVOKED") {
    throw new AppError(
      "CONFLICT",
      `Authorization ${authorization.authorizationNumber} was revoked: do not dispense, and there is no slip to print. ${authorization.revocationReason?.message ?? ""}`.trim(),
    );
  }
  const setting = authorization.healthcareSettingId;
  const settingRow = await client.healthcareSetting.findFirst({
    where: { OR: [{ remsId: setting }, { npi: setting }, { enrollments: { some: { certificationNumber: setting } } }] },
    select: { name: true },
  });
  const program = getProgramDefinition(authorization.programCode);
  const doc = slipDocument({
    authorization,
    programName: program?.name ?? authorization.programCode,
    unit: program?.drug.dispenseUnit ?? "unit",
    pharmacyName: pharmacy.name,
    settingName: settingRow?.name ?? null,
    generatedAt: now,
  });
  return {
    filename: `dispense-authorization-${authorization.authorizationNumber.replace(/[^A-Za-z0-9-]+/g, "-")}.pdf`,
    bytes: await renderSlipPdf(doc, now),
  };
}
