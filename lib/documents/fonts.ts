/**
 * The fonts every document embeds, and what they can print. Names, addresses and answers are
 * printed as typed: DejaVu Sans (regular and bold) and DejaVu Sans Mono (from the
 * dejavu-fonts-ttf package, Bitstream Vera / public-domain licence) cover the Latin alphabets
 * (including Vietnamese and the letters of every European language), Greek, Cyrillic, Armenian
 * and Georgian. Each PDF carries only the glyphs it uses (subset), so a document stays small.
 *
 * Not covered: Chinese, Japanese and Korean characters, emoji and other scripts the fonts lack
 * (a CJK font would add megabytes to the server for rare use), and right-to-left scripts (Hebrew,
 * Arabic …), which the fonts have but the layout cannot order or join correctly. Such a character
 * is printed as U+FFFD "�" and the document says which characters these are (see
 * `unprintableNotice`): nothing that was typed disappears without a word.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import fontkit from "@pdf-lib/fontkit";
import type { PDFDocument, PDFFont } from "pdf-lib";

const FONT_DIR = path.join(/*turbopackIgnore: true*/ process.cwd(), "node_modules", "dejavu-fonts-ttf", "ttf");

const FONT_FILES = {
  regular: "DejaVuSans.ttf",
  bold: "DejaVuSans-Bold.ttf",
  mono: "DejaVuSansMono.ttf",
  monoBold: "DejaVuSansMono-Bold.ttf",
} as const;

export type FontRole = keyof typeof FONT_FILES;

export type DocumentFonts = Record<FontRole, PDFFont>;

/** What a character that cannot be printed is shown as. */
export const REPLACEMENT = "\uFFFD";

/** Scripts the fonts have glyphs for but that need right-to-left ordering or joining pdf-lib does not do. */
const NEEDS_SHAPING =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Lao}]/u;

/** Invisible format characters (zero-width joiner, variation selectors …): printing them shows nothing. */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

let fontBytes: Record<FontRole, Uint8Array> | null = null;

function bytesOf(role: FontRole): Uint8Array {
  if (!fontBytes) {
    fontBytes = {
      regular: readFileSync(path.join(FONT_DIR, FONT_FILES.regular)),
      bold: readFileSync(path.join(FONT_DIR, FONT_FILES.bold)),
      mono: readFileSync(path.join(FONT_DIR, FONT_FILES.mono)),
      monoBold: readFileSync(path.join(FONT_DIR, FONT_FILES.monoBold)),
    };
  }
  return fontBytes[role];
}

let printableSet: Set<number> | null = null;

/** The code points the regular font prints correctly: the measure of what a document can show. */
function printableCodePoints(): Set<number> {
  printableSet ??= new Set(
    fontkit.create(bytesOf("regular")).characterSet.filter((cp) => !NEEDS_SHAPING.test(String.fromCodePoint(cp))),
  );
  return printableSet;
}

/**
 * Embeds the fonts a document uses, each subset to the glyphs it draws. A role not asked for
 * draws with the regular font: an embedded font costs a few kilobytes even when nothing uses it.
 */
export async function embedDocumentFonts(pdf: PDFDocument, roles: readonly FontRole[]): Promise<DocumentFonts> {
  pdf.registerFontkit(fontkit);
  const regular = await pdf.embedFont(bytesOf("regular"), { subset: true });
  const embed = (role: FontRole) =>
    roles.includes(role) ? pdf.embedFont(bytesOf(role), { subset: true }) : Promise.resolve(regular);
  const [bold, mono, monoBold] = await Promise.all([embed("bold"), embed("mono"), embed("monoBold")]);
  return { regular, bold, mono, monoBold };
}

/**
 * The text as a document prints it: Unicode-composed (NFC), line breaks and tabs as spaces,
 * invisible format characters left out, and every character the fonts cannot print as "�".
 */
export function printable(text: string): string {
  const known = printableCodePoints();
  let out = "";
  for (const ch of text.normalize("NFC").replace(/[\r\n\t]+/g, " ")) {
    const cp = ch.codePointAt(0) ?? 0;
    if (known.has(cp)) out += ch;
    else if (!IGNORABLE.test(ch)) out += REPLACEMENT;
  }
  return out;
}

/** The characters of these texts that print as "�", each once, in order of appearance. */
export function unprintableCharacters(texts: readonly string[]): string[] {
  const known = printableCodePoints();
  const found = new Set<string>();
  for (const text of texts) {
    for (const ch of text.normalize("NFC")) {
      const cp = ch.codePointAt(0) ?? 0;
      if (!known.has(cp) && !IGNORABLE.test(ch) && !/[\r\n\t]/.test(ch)) found.add(ch);
    }
  }
  return [...found];
}

/**
 * What a document states when some characters print as "�": which ones (by Unicode code point,
 * since the glyph itself cannot be shown), and that the registry keeps them as entered.
 */
export function unprintableNotice(characters: readonly string[]): string | null {
  if (characters.length === 0) return null;
  const codes = characters.map((ch) => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`);
  const listed =
    codes.length > 12 ? `${codes.slice(0, 12).join(", ")} and ${codes.length - 12} more` : codes.join(", ");
  return `Some characters could not be printed in this document and are shown as ${REPLACEMENT} (Unicode ${listed}). The registry holds them exactly as entered; view the record online to read them.`;
}

/**
 * The font to draw a printable text in: the preferred one, or the regular font when the preferred
 * one lacks one of its characters (the bold and monospaced fonts cover a little less).
 */
export function fontFor(fonts: DocumentFonts, preferred: PDFFont, text: string): PDFFont {
  if (preferred === fonts.regular) return preferred;
  const set = characterSetOf(preferred);
  for (const ch of text) {
    if (!set.has(ch.codePointAt(0) ?? 0)) return fonts.regular;
  }
  return preferred;
}

const characterSets = new WeakMap<PDFFont, Set<number>>();

function characterSetOf(font: PDFFont): Set<number> {
  let set = characterSets.get(font);
  if (!set) {
    set = new Set(font.getCharacterSet());
    characterSets.set(font, set);
  }
  return set;
}
