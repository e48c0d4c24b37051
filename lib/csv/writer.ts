/**
 * CSV for spreadsheets, shared by every export (lab import rejections, the audit trail, reports):
 * RFC 4180 (comma-separated, CRLF line ends, a field quoted when it holds a comma, quote, CR or LF,
 * quotes doubled; also when it starts or ends with a space, which spreadsheets would trim), UTF-8, optionally preceded by a byte order mark so spreadsheet programs read the
 * encoding right. Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a
 * carriage return) is prefixed with an apostrophe; numbers are written as numbers.
 */

export type CsvValue = string | number | bigint | boolean | Date | null | undefined;

/** The UTF-8 byte order mark, as text (TextEncoder writes it as EF BB BF). */
export const UTF8_BOM = "\uFEFF";

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** Text that a spreadsheet will show as written rather than evaluate. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One field: dates as ISO 8601 (UTC), numbers as they are, text neutralised and quoted as needed. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  const text = value instanceof Date ? value.toISOString() : neutraliseFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, with its CRLF. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/** A whole (small) file as a string. */
export function csvText(
  header: readonly string[],
  rows: Iterable<readonly CsvValue[]>,
  options: { bom?: boolean } = {},
) {
  let out = (options.bom ? UTF8_BOM : "") + csvLine(header);
  for (const row of rows) out += csvLine(row);
  return out;
}

/**
 * A file streamed as UTF-8 bytes: the header, then each batch of rows as the source yields it, so
 * a long export never sits in memory. A failure mid-stream aborts the response (the download ends
 * incomplete rather than looking whole).
 */
export function csvStream(
  header: readonly string[],
  batches: AsyncIterable<readonly (readonly CsvValue[])[]>,
  options: { bom?: boolean } = {},
): ReadableStream<Uint8Array> {
  async function* withHeader() {
    yield [header];
    yield* batches;
  }
  return csvRecordStream(withHeader(), options);
}

/**
 * Records streamed as UTF-8 bytes, batch by batch as the source yields them, with no header of its
 * own (a report whose sections each carry their own). The source is pulled lazily and told to stop
 * when the reader cancels.
 */
export function csvRecordStream(
  batches: AsyncIterable<readonly (readonly CsvValue[])[]>,
  options: { bom?: boolean } = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = batches[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const prefix = !started && options.bom ? UTF8_BOM : "";
      started = true;
      const next = await iterator.next();
      if (next.done) {
        if (prefix) controller.enqueue(encoder.encode(prefix));
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(prefix + next.value.map(csvLine).join("")));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** A file name safe in a Content-Disposition header (ASCII letters, digits, dot, dash, underscore). */
export function csvFileName(base: string, fallback = "export"): string {
  const safe = base
    .replace(/\.csv$/i, "")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .slice(0, 80);
  return `${safe || fallback}.csv`;
}

/** Headers for a CSV download that is never cached. */
export function csvHeaders(fileName: string, requestId: string): Headers {
  return new Headers({
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="${fileName}"`,
    "cache-control": "private, no-store",
    "x-content-type-options": "nosniff",
    "x-request-id": requestId,
  });
}
