import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvProblemInWords } from "./problems";

/** What the reader says of `text`, read with the lab import's options. */
function problemOf(text: string): string {
  try {
    parse(text, { relax_column_count: true, skip_empty_lines: true });
  } catch (error) {
    return csvProblemInWords(error as { code?: string; lines?: number; message: string });
  }
  throw new Error("the text was read without a problem");
}

describe("csvProblemInWords", () => {
  it("names the line and says how to put a quote right", () => {
    expect(problemOf('a,b\n"1,2\n')).toBe(
      'The file is not valid CSV: a value opened with a double quote (") is never closed — the file ends inside it (the quote is on line 2 or before). Close the quote, or remove it.',
    );
    expect(problemOf('a,b\n"1"x,2\n')).toBe(
      "The file is not valid CSV: on line 2, a value in double quotes is followed by other characters before the next comma. Put the whole value inside the quotes, or remove them.",
    );
    expect(problemOf('a,b\nc,d\n1"2",3\n')).toBe(
      'The file is not valid CSV: on line 3, a double quote (") appears inside a value that does not start with one. Put the value in double quotes and write the quote inside it twice (""), or remove it.',
    );
  });

  it("never shows the reader's own wording for the problems it knows", () => {
    for (const text of ['a,b\n"1,2\n', 'a,b\n"1"x,2\n', 'a,b\n1"2",3\n']) {
      const words = problemOf(text);
      expect(words).not.toMatch(/Invalid|Quote Not Closed|trimable|delimiter/);
    }
  });

  it("keeps the reader's message, with the line, for a problem it does not know", () => {
    expect(csvProblemInWords({ code: "CSV_SOMETHING_NEW", lines: 4, message: "Something new" })).toBe(
      "The file is not valid CSV (line 4): Something new",
    );
  });
});
