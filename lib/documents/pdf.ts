/**
 * Lays out the documents of lib/documents/content.ts with pdf-lib: US Letter, the embedded
 * Unicode fonts of ./fonts.ts, wrapped text, page breaks, "Page n of m" footers.
 */
import { PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";
import type { Block, CertificateDocument, CertificateLine, RecordDocument } from "./content";
import {
  type DocumentFonts,
  type FontRole,
  embedDocumentFonts,
  fontFor,
  printable,
  unprintableCharacters,
  unprintableNotice,
} from "./fonts";

const LETTER: [number, number] = [612, 792];
const MARGIN = 54;
const LABEL_WIDTH = 170;
const COLUMN_GAP = 12;
const TEXT = rgb(0.1, 0.12, 0.14);
const MUTED = rgb(0.34, 0.38, 0.42);
const RULE = rgb(0.75, 0.78, 0.82);
export const WARN = rgb(0.55, 0.32, 0.02);

const charWidths = new WeakMap<PDFFont, Map<string, number>>();

/** The width of a character at size 1, measured once per font: wrapping measures every character. */
function charWidth(font: PDFFont, ch: string): number {
  let widths = charWidths.get(font);
  if (!widths) {
    widths = new Map();
    charWidths.set(font, widths);
  }
  let w = widths.get(ch);
  if (w === undefined) {
    w = font.widthOfTextAtSize(ch, 1);
    widths.set(ch, w);
  }
  return w;
}

/**
 * Splits text into lines no wider than `width`; words longer than a line are broken between
 * characters. The lines are printable (./fonts.ts `printable`): what the fonts cannot show is "�".
 */
export function wrapText(font: PDFFont, size: number, text: string, width: number): string[] {
  const measure = (chars: readonly string[]) => chars.reduce((sum, ch) => sum + charWidth(font, ch) * size, 0);
  const space = charWidth(font, " ") * size;
  const lines: string[] = [];
  let line = "";
  let lineWidth = 0;
  for (const word of printable(text).split(" ").filter(Boolean)) {
    const chars = Array.from(word);
    const wordWidth = measure(chars);
    if (line && lineWidth + space + wordWidth <= width) {
      line = `${line} ${word}`;
      lineWidth += space + wordWidth;
      continue;
    }
    if (line) lines.push(line);
    line = "";
    lineWidth = 0;
    for (const ch of chars) {
      const w = charWidth(font, ch) * size;
      if (line && lineWidth + w > width) {
        lines.push(line);
        line = "";
        lineWidth = 0;
      }
      line += ch;
      lineWidth += w;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** The font a text is drawn in (the preferred one unless it lacks a character) and its lines. */
export function layoutText(
  fonts: DocumentFonts,
  preferred: PDFFont,
  size: number,
  text: string,
  width: number,
): { font: PDFFont; lines: string[] } {
  const font = fontFor(fonts, preferred, printable(text));
  return { font, lines: wrapText(font, size, text, width) };
}

/** A new PDF with its metadata (title and subject keep every character) and the document fonts. */
export async function newDocument(
  meta: { title: string; subject: string; generatedAt: Date },
  fontRoles: readonly FontRole[],
) {
  const pdf = await PDFDocument.create();
  pdf.setTitle(meta.title);
  pdf.setSubject(meta.subject);
  pdf.setAuthor("REMS registry");
  pdf.setCreator("remsgate");
  pdf.setProducer("remsgate");
  pdf.setCreationDate(meta.generatedAt);
  pdf.setModificationDate(meta.generatedAt);
  return { pdf, fonts: await embedDocumentFonts(pdf, fontRoles) };
}

/** A top-to-bottom writer that starts a new page when the next item does not fit. */
class Cursor {
  page: PDFPage;
  y: number;
  constructor(
    private readonly pdf: PDFDocument,
    private readonly fonts: DocumentFonts,
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
  /** Wraps and writes a text in the preferred font (or the regular one where it lacks a character). */
  text(preferred: PDFFont, size: number, text: string, x: number, width: number, color = TEXT) {
    const { font, lines } = layoutText(this.fonts, preferred, size, text, width);
    this.lines(font, size, lines, x, color);
  }
}

function drawBlock(cursor: Cursor, fonts: DocumentFonts, block: Block) {
  const width = LETTER[0] - 2 * MARGIN;
  switch (block.kind) {
    case "heading": {
      cursor.y -= 10;
      cursor.need(40);
      cursor.text(fonts.bold, 13, block.text, MARGIN, width);
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
      cursor.text(fonts.bold, 10.5, block.text, MARGIN, width, MUTED);
      return;
    case "paragraph":
      cursor.y -= 2;
      cursor.text(fonts.regular, 9.5, block.text, MARGIN, width, MUTED);
      return;
    case "notice":
      cursor.y -= 4;
      cursor.text(fonts.bold, 10, block.text, MARGIN, width, WARN);
      cursor.y -= 4;
      return;
    case "check": {
      const box = block.checked ? "[x]" : "[  ]";
      const { font, lines } = layoutText(fonts, fonts.regular, 10, block.text, width - 24);
      cursor.need(Math.min(lines.length, 3) * 13.5);
      cursor.page.drawText(box, { x: MARGIN, y: cursor.y - 10, size: 10, font: fonts.mono, color: TEXT });
      cursor.lines(font, 10, lines, MARGIN + 24);
      cursor.y -= 3;
      return;
    }
    case "field": {
      // 8pt monospace keeps a 64-character SHA-256 on one line of the value column.
      const size = block.mono ? 8 : 10;
      const valueWidth = width - LABEL_WIDTH - COLUMN_GAP;
      const label = layoutText(fonts, fonts.bold, 10, block.label, LABEL_WIDTH);
      const value = layoutText(fonts, block.mono ? fonts.mono : fonts.regular, size, block.value, valueWidth);
      const rows = Math.max(label.lines.length, value.lines.length);
      // Keep short fields on one page; long ones may break across pages.
      if (rows <= 6) cursor.need(rows * 13.5);
      const top = cursor.y;
      const page = cursor.page;
      cursor.lines(label.font, 10, label.lines, MARGIN);
      const afterLabel = cursor.y;
      const labelPage = cursor.page;
      if (cursor.page === page) cursor.y = top;
      cursor.lines(value.font, size, value.lines, MARGIN + LABEL_WIDTH + COLUMN_GAP);
      if (cursor.page === labelPage) cursor.y = Math.min(cursor.y, afterLabel);
      cursor.y -= 3;
      return;
    }
  }
}

/** The signed enrollment form (or any record) as PDF bytes. */
export async function renderRecordPdf(doc: RecordDocument, generatedAt: Date): Promise<Uint8Array> {
  const { pdf, fonts } = await newDocument({ title: doc.title, subject: doc.subject, generatedAt }, ["bold", "mono"]);
  const cursor = new Cursor(pdf, fonts, MARGIN + 24);
  const width = LETTER[0] - 2 * MARGIN;
  cursor.text(fonts.bold, 17, doc.title, MARGIN, width);
  cursor.text(fonts.regular, 10, doc.subtitle, MARGIN, width, MUTED);
  cursor.y -= 6;
  const notice = unprintableNotice(unprintableCharacters(recordTexts(doc)));
  if (notice) drawBlock(cursor, fonts, { kind: "notice", text: notice });
  for (const block of doc.blocks) drawBlock(cursor, fonts, block);

  const pages = pdf.getPages();
  pages.forEach((page, i) => {
    const footer = `Page ${i + 1} of ${pages.length} · ${doc.footer}`;
    const { font, lines } = layoutText(fonts, fonts.regular, 8, footer, width);
    page.drawText(lines[0] ?? "", { x: MARGIN, y: MARGIN - 8, size: 8, font, color: MUTED });
  });
  return pdf.save();
}

/** Every text a record prints, to find the characters it cannot show before laying it out. */
function recordTexts(doc: RecordDocument): string[] {
  const texts = [doc.title, doc.subtitle, doc.footer];
  for (const block of doc.blocks) {
    if (block.kind === "field") texts.push(block.label, block.value);
    else texts.push(block.text);
  }
  return texts;
}

/** The certificate: one landscape page, centred text inside a double border. */
export async function renderCertificatePdf(doc: CertificateDocument, generatedAt: Date): Promise<Uint8Array> {
  const { pdf, fonts } = await newDocument({ title: doc.title, subject: doc.subject, generatedAt }, ["bold"]);
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
  const notice = unprintableNotice(unprintableCharacters(doc.lines.map((l) => l.text)));
  const lines: CertificateLine[] = notice
    ? [...doc.lines, { text: notice, size: 9, bold: true, gap: 14, warn: true }]
    : doc.lines;
  const laidOut = lines.map((line) => ({
    line,
    ...layoutText(fonts, line.bold ? fonts.bold : fonts.regular, line.size, line.text, textWidth),
  }));
  const height = laidOut.reduce((sum, l) => sum + (l.line.gap ?? 0) + l.lines.length * l.line.size * 1.3, 0);
  // Centred vertically: the first baseline sits half the free space below the top.
  let y = (pageHeight + height) / 2 - (lines[0]?.size ?? 0);
  for (const { line, font, lines: texts } of laidOut) {
    y -= line.gap ?? 0;
    const color = line.warn ? WARN : TEXT;
    for (const text of texts) {
      const w = font.widthOfTextAtSize(text, line.size);
      page.drawText(text, { x: (pageWidth - w) / 2, y, size: line.size, font, color });
      y -= line.size * 1.3;
    }
  }
  return pdf.save();
}
