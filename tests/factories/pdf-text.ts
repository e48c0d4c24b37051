import { inflateSync } from "node:zlib";

/**
 * The words a PDF that lib/documents/pdf.ts drew shows, one string per drawn text, in drawing order.
 * pdf-lib writes each text as a hex string (`<…> Tj`) in a Flate-compressed content stream, in
 * WinAnsi, so this reads exactly what a PDF viewer would show, without a PDF parsing library.
 */
export function pdfTexts(bytes: Uint8Array): string[] {
  const raw = Buffer.from(bytes);
  const texts: string[] = [];
  let from = 0;
  for (;;) {
    const start = raw.indexOf("stream\n", from, "latin1");
    if (start < 0) break;
    const end = raw.indexOf("\nendstream", start, "latin1");
    if (end < 0) break;
    from = end + 10;
    let content: string;
    try {
      content = inflateSync(raw.subarray(start + 7, end)).toString("latin1");
    } catch {
      continue;
    }
    for (const match of content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) {
      texts.push(Buffer.from(match[1] ?? "", "hex").toString("latin1"));
    }
  }
  return texts;
}
