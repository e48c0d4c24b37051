import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  csvCell,
  csvFileName,
  csvLine,
  csvRecordStream,
  csvStream,
  csvText,
  neutraliseFormula,
  UTF8_BOM,
} from "./writer";

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

async function* batches<T>(...items: T[]) {
  for (const item of items) yield item;
}

describe("csvCell", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\rhere", '"cr\rhere"'],
    ["", ""],
    ["Zoë — ünïcode ✓", "Zoë — ünïcode ✓"],
  ])("quotes %j as RFC 4180 says", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it.each([
    ["=SUM(A1:A9)", "'=SUM(A1:A9)"],
    ["+1-555", "'+1-555"],
    ["-2+3", "'-2+3"],
    ["@cmd", "'@cmd"],
    ["\tindent", "'\tindent"],
    ["\rcarriage", '"\'\rcarriage"'],
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
  ])("neutralises the formula-looking %j", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it("writes numbers, bigints, booleans and dates as values, and nothing for null", () => {
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(12n)).toBe("12");
    expect(csvCell(true)).toBe("true");
    expect(csvCell(new Date("2026-01-02T03:04:05.006Z"))).toBe("2026-01-02T03:04:05.006Z");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(Number.NaN)).toBe("");
  });

  it("round-trips any text through a CSV parser, with only formula starts changed", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme" }), { minLength: 1, maxLength: 6 }), (cells) => {
        const [parsed] = parse(csvLine(cells), { relax_column_count: false }) as string[][];
        expect(parsed).toEqual(cells.map(neutraliseFormula));
        for (const cell of parsed ?? []) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });
});

describe("csvText and csvStream", () => {
  const header = ["seq", "note"];
  const rows = [
    [1n, "=1+1"],
    [2n, "line one\r\nline two"],
  ];

  it("writes the same bytes whole or streamed, with CRLF line ends", async () => {
    const whole = csvText(header, rows);
    expect(whole).toBe('seq,note\r\n1,\'=1+1\r\n2,"line one\r\nline two"\r\n');
    const streamed = await readAll(csvStream(header, batches([rows[0] ?? []], [rows[1] ?? []])));
    expect(Buffer.from(streamed).toString("utf8")).toBe(whole);
  });

  it("starts with the UTF-8 byte order mark only when asked", async () => {
    const withBom = await readAll(csvStream(header, batches(rows), { bom: true }));
    expect([...withBom.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const without = await readAll(csvStream(header, batches(rows)));
    expect(Buffer.from(without).toString("utf8").startsWith("seq,")).toBe(true);
    expect(csvText(header, [], { bom: true })).toBe(`${UTF8_BOM}seq,note\r\n`);
  });

  it("stops pulling from the source when the reader cancels", async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled++;
        yield [[pulled, "x"]];
      }
    }
    const reader = csvStream(header, endless()).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(pulled).toBe(1);
  });
});

describe("csvFileName", () => {
  it("keeps a safe ASCII name and drops everything else", () => {
    expect(csvFileName("audit trail 2026-11.csv")).toBe("audit_trail_2026-11.csv");
    expect(csvFileName('"; evil\r\n')).toBe("_evil_.csv");
    expect(csvFileName("", "audit")).toBe("audit.csv");
  });
});

describe("csv records for spreadsheets", () => {
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

  it("quotes, neutralises formula-looking text and keeps numbers as numbers (golden file)", () => {
    const golden = readFileSync(path.join(__dirname, "../../tests/fixtures/reports/hostile-cells.csv"), "utf8");
    expect(HOSTILE.map(csvLine).join("")).toBe(golden);
  });

  it("streams records without a header, as UTF-8, with the byte order mark only when asked", async () => {
    async function* records() {
      yield [["a", 1]];
      yield [["b", 2]];
    }
    expect(Buffer.from(await readAll(csvRecordStream(records()))).toString("utf8")).toBe("a,1\r\nb,2\r\n");
    expect([...(await readAll(csvRecordStream(records(), { bom: true }))).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    async function* none() {}
    const empty = await readAll(csvRecordStream(none(), { bom: true }));
    expect(new TextDecoder("utf-8", { ignoreBOM: true }).decode(empty)).toBe(UTF8_BOM);
  });
});
