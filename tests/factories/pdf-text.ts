import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

/**
 * The texts a PDF shows, one string per drawn line, in drawing order, as a PDF viewer extracts
 * them (PDF.js, through each font's ToUnicode map). No Unicode normalisation is applied, so a
 * test sees exactly the characters a reader would copy out of the document.
 */
export async function pdfTexts(bytes: Uint8Array): Promise<string[]> {
  const task = getDocument({ data: new Uint8Array(bytes), verbosity: 0, useSystemFonts: false });
  try {
    const pdf = await task.promise;
    const texts: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent({ disableNormalization: true });
      for (const item of content.items) {
        if ("str" in item && item.str !== "") texts.push(item.str);
      }
    }
    return texts;
  } finally {
    await task.destroy();
  }
}
