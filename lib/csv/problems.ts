/**
 * What a CSV reader's complaint means to the person who made the file: the line, what is wrong on
 * it and how to put it right, instead of the parser's own wording. Pure: the parser's error code,
 * line and message in, a sentence out.
 */

export interface CsvReadProblem {
  /** csv-parse's error code (CSV_QUOTE_NOT_CLOSED, INVALID_OPENING_QUOTE, …). */
  code?: string;
  /** The line the reader had reached (1-based), when it says. */
  lines?: number;
  message: string;
}

export function csvProblemInWords(problem: CsvReadProblem): string {
  const line = typeof problem.lines === "number" && problem.lines > 0 ? problem.lines : null;
  const at = line ? `line ${line}` : "the file";
  switch (problem.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return `The file is not valid CSV: a value opened with a double quote (") is never closed — the file ends inside it (the quote is on ${at} or before). Close the quote, or remove it.`;
    case "CSV_INVALID_CLOSING_QUOTE":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return `The file is not valid CSV: on ${at}, a value in double quotes is followed by other characters before the next comma. Put the whole value inside the quotes, or remove them.`;
    case "INVALID_OPENING_QUOTE":
      return `The file is not valid CSV: on ${at}, a double quote (") appears inside a value that does not start with one. Put the value in double quotes and write the quote inside it twice (""), or remove it.`;
    case "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH":
    case "CSV_RECORD_INCONSISTENT_COLUMNS":
      return `The file is not valid CSV: ${at} has a different number of values from the header.`;
    case "CSV_MAX_RECORD_SIZE":
      return `The file is not valid CSV: ${at} is longer than a row may be. Check that its quotes are closed.`;
    case "CSV_INVALID_ARGUMENT":
    case "CSV_INVALID_OPTION_BOM":
      return "The file could not be read as CSV.";
    default:
      return `The file is not valid CSV${line ? ` (${at})` : ""}: ${problem.message}`;
  }
}
