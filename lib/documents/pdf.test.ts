import { PDFDocument, type PDFFont, StandardFonts } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import type { Block, RecordDocument } from "./content";
import { encodable, renderCertificatePdf, renderRecordPdf, wrapText } from "./pdf";

const at = new Date("2026-12-01T09:30:00Z");

function record(blocks: Block[]): RecordDocument {
  return { title: "Test record", subtitle: "Generated for a test", subject: "Test", footer: "test footer", blocks };
}

describe("renderRecordPdf", () => {
  it("produces a PDF that loads, with title metadata", async () => {
    const bytes = await renderRecordPdf(
      record([
        { kind: "heading", text: "Section" },
        { kind: "field", label: "Name", value: "Ada Lovelace" },
        { kind: "check", checked: true, text: "I agree." },
        { kind: "field", label: "SHA-256", value: "f".repeat(64), mono: true },
      ]),
      at,
    );
    expect(Buffer.from(bytes.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getPageCount()).toBe(1);
    expect(pdf.getTitle()).toBe("Test record");
  });

  it("continues on new pages when the content is long", async () => {
    const blocks: Block[] = Array.from({ length: 120 }, (_, i) => ({
      kind: "field" as const,
      label: `Field ${i}`,
      value: "A value long enough to wrap onto a second line within the value column of the page layout. ".repeat(2),
    }));
    const pdf = await PDFDocument.load(await renderRecordPdf(record(blocks), at));
    expect(pdf.getPageCount()).toBeGreaterThan(3);
  });

  it("does not fail on characters the standard fonts cannot show", async () => {
    const bytes = await renderRecordPdf(
      record([{ kind: "field", label: "Name", value: "Zoë Ñúñez → 李小龍 🙂\nsecond line" }]),
      at,
    );
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
  });
});

describe("renderCertificatePdf", () => {
  it("is one landscape page", async () => {
    const pdf = await PDFDocument.load(
      await renderCertificatePdf(
        {
          title: "Certificate",
          subject: "Certification",
          lines: [{ text: "Certificate of REMS certification", size: 24 }],
        },
        at,
      ),
    );
    expect(pdf.getPageCount()).toBe(1);
    const { width, height } = pdf.getPage(0).getSize();
    expect(width).toBeGreaterThan(height);
  });
});

describe("wrapText and encodable", () => {
  let font: PDFFont;
  beforeAll(async () => {
    font = await (await PDFDocument.create()).embedFont(StandardFonts.Helvetica);
  });

  it("keeps lines within the width and loses no words", () => {
    const text = "The quick brown fox jumps over the lazy dog ".repeat(10).trim();
    const lines = wrapText(font, 10, text, 200);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(font.widthOfTextAtSize(line, 10)).toBeLessThanOrEqual(200);
    expect(lines.join(" ")).toBe(text);
  });

  it("breaks a word longer than the line", () => {
    const lines = wrapText(font, 10, "x".repeat(300), 100);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join("")).toBe("x".repeat(300));
  });

  it("replaces what the font cannot encode and keeps Latin-1 letters and typographic dashes", () => {
    expect(encodable(font, "Zoë — “ok” → 李")).toBe("Zoë — “ok” ? ?");
  });
});
