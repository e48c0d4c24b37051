/**
 * CSV for spreadsheets (RFC 4180): fields separated by commas, records by CRLF; a field holding a
 * comma, a quote, a line break or edge spaces is quoted with inner quotes doubled. A text cell that
 * starts with = + - @ tab or carriage return would be read as a formula by a spreadsheet: it gets a
 * leading apostrophe. Numbers are written as numbers (a negative change stays a number). UTF-8,
 * with an optional byte order mark for spreadsheets that guess the encoding otherwise.
 */

export const BOM = "\uFEFF";

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export type CsvValue = string | number | null | undefined;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/**
 * A byte stream of CSV records produced one batch at a time: `records` is consumed lazily, so a long
 * report is sent while later sections are still being computed.
 */
export function csvStream(records: AsyncIterable<readonly CsvValue[][]>, options: { bom?: boolean } = {}) {
  const encoder = new TextEncoder();
  const iterator = records[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const prefix = !started && options.bom ? BOM : "";
      started = true;
      const next = await iterator.next();
      if (next.done) {
        if (prefix) controller.enqueue(encoder.encode(prefix));
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(prefix + next.value.map(csvRecord).join("")));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
