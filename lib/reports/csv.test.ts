import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BOM, csvCell, csvRecord, csvStream } from "./csv";

const HOSTILE: (string | number | null)[][] = [
  ["Cell", "Why"],
  ['=HYPERLINK("http://x")', "formula"],
  ["+1+2", "plus"],
  ["-3", "minus as text"],
  ["@SUM(A1)", "at sign"],
  ["\tTAB", "tab"],
  ["\rCR", "carriage return"],
  ["a,b", "comma"],
  ['say "hi"', "quotes"],
  ["two\nlines", "line feed"],
  [" padded ", "edge spaces"],
  ["Zoë Ångström – 東京", "UTF-8"],
  [-3, "negative number"],
  [null, "empty"],
];

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("CSV writer", () => {
  it("quotes, neutralises formula-looking text and keeps numbers as numbers (golden file)", () => {
    const golden = readFileSync(path.join(__dirname, "../../tests/fixtures/reports/hostile-cells.csv"), "utf8");
    expect(HOSTILE.map(csvRecord).join("")).toBe(golden);
  });

  it("never lets a text cell start with a formula character", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) {
      const cell = csvCell(`${start}1`);
      expect(cell.replace(/^"/, "").startsWith("'")).toBe(true);
    }
    expect(csvCell(-1.5)).toBe("-1.5");
    expect(csvCell(Number.NaN)).toBe("");
  });

  it("streams batches as UTF-8, with the byte order mark only when asked", async () => {
    async function* batches() {
      yield [["a", 1]];
      yield [["b", 2]];
    }
    expect(await text(csvStream(batches()))).toBe("a,1\r\nb,2\r\n");
    const bytes = new Uint8Array(await new Response(csvStream(batches(), { bom: true })).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    async function* none() {}
    const empty = new Uint8Array(await new Response(csvStream(none(), { bom: true })).arrayBuffer());
    expect(new TextDecoder("utf-8", { ignoreBOM: true }).decode(empty)).toBe(BOM);
  });
});
