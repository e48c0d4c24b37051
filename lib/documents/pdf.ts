/**
 * Lays out the documents of lib/documents/content.ts with pdf-lib: US Letter, the PDF standard
 * fonts (nothing to embed or download), wrapped text, page breaks, "Page n of m" footers.
 */
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from "pdf-lib";
import type { Block, CertificateDocument, RecordDocument } from "./content";

const LETTER: [number, number] = [612, 792];
const MARGIN = 54;
const LABEL_WIDTH = 170;
const COLUMN_GAP = 12;
const TEXT = rgb(0.1, 0.12, 0.14);
const MUTED = rgb(0.34, 0.38, 0.42);
const RULE = rgb(0.75, 0.78, 0.82);

const characterSets = new WeakMap<PDFFont, Set<number>>();

/**
 * The standard fonts only cover WinAnsi: any other character (e.g. from a name typed in another
 * script) becomes "?" instead of making the whole document fail. Line breaks and tabs become spaces.
 */
export function encodable(font: PDFFont, text: string): string {
  let set = characterSets.get(font);
  if (!set) {
    set = new Set(font.getCharacterSet());
    characterSets.set(font, set);
  }
  const known = set;
  return Array.from(text.normalize("NFC").replace(/[\r\n\t]+/g, " "))
    .map((ch) => (known.has(ch.codePointAt(0) ?? 0) ? ch : "?"))
    .join("");
}

/** Splits text into lines no wider than `width`; words longer than a line are broken anywhere. */
export function wrapText(font: PDFFont, size: number, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  const fits = (s: string) => font.widthOfTextAtSize(s, size) <= width;
  for (const word of encodable(font, text).split(" ").filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = "";
    let rest = word;
    while (!fits(rest)) {
      let cut = rest.length - 1;
      while (cut > 1 && !fits(rest.slice(0, cut))) cut--;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
}

async function newDocument(meta: { title: string; subject: string; generatedAt: Date }) {
  const pdf = await PDFDocument.create();
  pdf.setTitle(meta.title);
  pdf.setSubject(meta.subject);
  pdf.setAuthor("REMS registry");
  pdf.setCreator("remsgate");
  pdf.setProducer("remsgate");
  pdf.setCreationDate(meta.generatedAt);
  pdf.setModificationDate(meta.generatedAt);
  const fonts: Fonts = {
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
    mono: await pdf.embedFont(StandardFonts.Courier),
  };
  return { pdf, fonts };
}

/** A top-to-bottom writer that starts a new page when the next item does not fit. */
class Cursor {
  page: PDFPage;
  y: number;
  constructor(
    private readonly pdf: PDFDocument,
    private readonly bottom: number,
  ) {
    this.page = pdf.addPage(LETTER);
    this.y = LETTER[1] - MARGIN;
  }
  need(height: number) {
    if (this.y - height < this.bottom) {
      this.page = this.pdf.addPage(LETTER);
      this.y = LETTER[1] - MARGIN;
    }
  }
  lines(font: PDFFont, size: number, lines: string[], x: number, color = TEXT) {
    const leading = size * 1.35;
    for (const line of lines) {
      this.need(leading);
      this.page.drawText(line, { x, y: this.y - size, size, font, color });
      this.y -= leading;
    }
  }
}

function drawBlock(cursor: Cursor, fonts: Fonts, block: Block) {
  const width = LETTER[0] - 2 * MARGIN;
  switch (block.kind) {
    case "heading": {
      cursor.y -= 10;
      cursor.need(40);
      cursor.lines(fonts.bold, 13, wrapText(fonts.bold, 13, block.text, width), MARGIN);
      cursor.page.drawLine({
        start: { x: MARGIN, y: cursor.y + 2 },
        end: { x: LETTER[0] - MARGIN, y: cursor.y + 2 },
        thickness: 0.5,
        color: RULE,
      });
      cursor.y -= 4;
      return;
    }
    case "subheading":
      cursor.y -= 4;
      cursor.need(30);
      cursor.lines(fonts.bold, 10.5, wrapText(fonts.bold, 10.5, block.text, width), MARGIN, MUTED);
      return;
    case "paragraph":
      cursor.y -= 2;
      cursor.lines(fonts.regular, 9.5, wrapText(fonts.regular, 9.5, block.text, width), MARGIN, MUTED);
      return;
    case "check": {
      const box = block.checked ? "[x]" : "[  ]";
      const lines = wrapText(fonts.regular, 10, block.text, width - 24);
      cursor.need(Math.min(lines.length, 3) * 13.5);
      cursor.page.drawText(box, { x: MARGIN, y: cursor.y - 10, size: 10, font: fonts.mono, color: TEXT });
      cursor.lines(fonts.regular, 10, lines, MARGIN + 24);
      cursor.y -= 3;
      return;
    }
    case "field": {
      const valueFont = block.mono ? fonts.mono : fonts.regular;
      // 8pt Courier keeps a 64-character SHA-256 on one line of the value column.
      const size = block.mono ? 8 : 10;
      const valueWidth = width - LABEL_WIDTH - COLUMN_GAP;
      const labelLines = wrapText(fonts.bold, 10, block.label, LABEL_WIDTH);
      const valueLines = wrapText(valueFont, size, block.value, valueWidth);
      const rows = Math.max(labelLines.length, valueLines.length);
      // Keep short fields on one page; long ones may break across pages.
      if (rows <= 6) cursor.need(rows * 13.5);
      const top = cursor.y;
      const page = cursor.page;
      cursor.lines(fonts.bold, 10, labelLines, MARGIN);
      const afterLabel = cursor.y;
      const labelPage = cursor.page;
      if (cursor.page === page) cursor.y = top;
      cursor.lines(valueFont, size, valueLines, MARGIN + LABEL_WIDTH + COLUMN_GAP);
      if (cursor.page === labelPage) cursor.y = Math.min(cursor.y, afterLabel);
      cursor.y -= 3;
      return;
    }
  }
}

/** The signed enrollment form (or any record) as PDF bytes. */
export async function renderRecordPdf(doc: RecordDocument, generatedAt: Date): Promise<Uint8Array> {
  const { pdf, fonts } = await newDocument({ title: doc.title, subject: doc.subject, generatedAt });
  const cursor = new Cursor(pdf, MARGIN + 24);
  const width = LETTER[0] - 2 * MARGIN;
  cursor.lines(fonts.bold, 17, wrapText(fonts.bold, 17, doc.title, width), MARGIN);
  cursor.lines(fonts.regular, 10, wrapText(fonts.regular, 10, doc.subtitle, width), MARGIN, MUTED);
  cursor.y -= 6;
  for (const block of doc.blocks) drawBlock(cursor, fonts, block);

  const pages = pdf.getPages();
  pages.forEach((page, i) => {
    const footer = encodable(fonts.regular, `Page ${i + 1} of ${pages.length} · ${doc.footer}`);
    const lines = wrapText(fonts.regular, 8, footer, width);
    page.drawText(lines[0] ?? "", { x: MARGIN, y: MARGIN - 8, size: 8, font: fonts.regular, color: MUTED });
  });
  return pdf.save();
}

/** The certificate: one landscape page, centred text inside a double border. */
export async function renderCertificatePdf(doc: CertificateDocument, generatedAt: Date): Promise<Uint8Array> {
  const { pdf, fonts } = await newDocument({ title: doc.title, subject: doc.subject, generatedAt });
  const [pageWidth, pageHeight] = [LETTER[1], LETTER[0]];
  const page = pdf.addPage([pageWidth, pageHeight]);
  for (const inset of [28, 36]) {
    page.drawRectangle({
      x: inset,
      y: inset,
      width: pageWidth - 2 * inset,
      height: pageHeight - 2 * inset,
      borderColor: rgb(0.04, 0.36, 0.68),
      borderWidth: inset === 28 ? 2 : 0.75,
    });
  }
  const textWidth = pageWidth - 2 * 80;
  const laidOut = doc.lines.map((line) => {
    const font = line.bold ? fonts.bold : fonts.regular;
    return { line, font, texts: wrapText(font, line.size, line.text, textWidth) };
  });
  const height = laidOut.reduce((sum, l) => sum + (l.line.gap ?? 0) + l.texts.length * l.line.size * 1.3, 0);
  // Centred vertically: the first baseline sits half the free space below the top.
  let y = (pageHeight + height) / 2 - (doc.lines[0]?.size ?? 0);
  for (const { line, font, texts } of laidOut) {
    y -= line.gap ?? 0;
    for (const text of texts) {
      const w = font.widthOfTextAtSize(text, line.size);
      page.drawText(text, { x: (pageWidth - w) / 2, y, size: line.size, font, color: TEXT });
      y -= line.size * 1.3;
    }
  }
  return pdf.save();
}
