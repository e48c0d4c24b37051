import { PDFDocument, type PDFFont } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { pdfTexts } from "../../tests/factories/pdf-text";
import type { Block, RecordDocument } from "./content";
import { embedDocumentFonts, printable, unprintableCharacters, unprintableNotice } from "./fonts";
import { renderCertificatePdf, renderRecordPdf, wrapText } from "./pdf";

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

  it("prints names in Latin, Vietnamese, Greek and Cyrillic letters exactly as typed", async () => {
    const names = ["Zoë Łukasiewicz", "Nguyễn Thị Minh Khai", "José Ñúñez", "Ελένη Παπαδοπούλου", "Дмитрий Шостакович"];
    const bytes = await renderRecordPdf(
      record([
        { kind: "heading", text: "Ὀδυσσεύς Ørsted" },
        ...names.map((value) => ({ kind: "field" as const, label: "Name", value })),
        { kind: "check", checked: true, text: "Çağrı Şahin attests." },
      ]),
      at,
    );
    const texts = await pdfTexts(bytes);
    for (const name of names) expect(texts).toContain(name);
    expect(texts).toContain("Ὀδυσσεύς Ørsted");
    expect(texts).toContain("Çağrı Şahin attests.");
    expect(texts.join(" ")).not.toMatch(/[?\uFFFD]/);
  });

  it("marks what the fonts cannot print and says so on the document, naming the characters", async () => {
    const bytes = await renderRecordPdf(
      record([{ kind: "field", label: "Name", value: "Zoë 李小龍 🙂\nsecond line" }]),
      at,
    );
    const texts = await pdfTexts(bytes);
    expect(texts).toContain("Zoë \uFFFD\uFFFD\uFFFD \uFFFD second line");
    expect(texts.join(" ")).toContain("Some characters could not be printed in this document and are shown as \uFFFD");
    expect(texts.join(" ")).toContain("U+674E, U+5C0F, U+9F8D, U+1F642");
  });

  it("says nothing about unprintable characters when there are none", async () => {
    const texts = await pdfTexts(await renderRecordPdf(record([{ kind: "field", label: "Name", value: "Zoë" }]), at));
    expect(texts.join(" ")).not.toContain("could not be printed");
  });

  it("embeds only the glyphs it uses", async () => {
    const short = await renderRecordPdf(record([{ kind: "field", label: "Name", value: "Ada" }]), at);
    // The regular, bold and monospaced fonts in full weigh 1.8 MB.
    expect(short.byteLength).toBeLessThan(40_000);
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

describe("wrapText and printable", () => {
  let font: PDFFont;
  beforeAll(async () => {
    font = (await embedDocumentFonts(await PDFDocument.create(), [])).regular;
  });

  it("keeps lines within the width and loses no words", () => {
    const text = "The quick brown fox jumps over the lazy dog ".repeat(10).trim();
    const lines = wrapText(font, 10, text, 200);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(font.widthOfTextAtSize(line, 10)).toBeLessThanOrEqual(200);
    expect(lines.join(" ")).toBe(text);
  });

  it("breaks a word longer than the line, never inside a character", () => {
    const lines = wrapText(font, 10, "x".repeat(300), 100);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join("")).toBe("x".repeat(300));
    expect(wrapText(font, 10, "🙂".repeat(40), 50).join("")).toBe("\uFFFD".repeat(40));
  });

  it("keeps every letter the fonts have and marks the rest", () => {
    expect(printable("Zoë — “ok” → Łódź Nguyễn Ελένη Жуков")).toBe("Zoë — “ok” → Łódź Nguyễn Ελένη Жуков");
    expect(printable("李 🙂 שלום")).toBe("\uFFFD \uFFFD \uFFFD\uFFFD\uFFFD\uFFFD");
    // An invisible tag character the fonts lack is left out rather than marked.
    expect(printable("Zoë\u{E0001}")).toBe("Zoë");
    // Decomposed input prints composed; line breaks and tabs become spaces.
    expect(printable("Zoe\u0308\r\nA\tB")).toBe("Zoë A B");
  });

  it("lists each unprintable character once and names them by code point", () => {
    const found = unprintableCharacters(["李 Zoë 李", "🙂\u{E0001}", "\n"]);
    expect(found).toEqual(["李", "🙂"]);
    expect(unprintableNotice(found)).toContain("(Unicode U+674E, U+1F642)");
    expect(unprintableNotice([])).toBeNull();
  });
});
