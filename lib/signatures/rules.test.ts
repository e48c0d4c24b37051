import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { printedNameMatches, printedNameMismatchMessage, signatureNameKey } from "./rules";

describe("printedNameMatches", () => {
  it("accepts the account's name however its case, spaces and accents are typed", () => {
    expect(printedNameMatches("Ada Lovelace", "Ada Lovelace")).toBe(true);
    expect(printedNameMatches("  ada   LOVELACE ", "Ada Lovelace")).toBe(true);
    expect(printedNameMatches("Zoe Lukasiewicz", "Zoë Łukasiewicz")).toBe(true);
    expect(printedNameMatches("Zoë Łukasiewicz", "Zoe Lukasiewicz")).toBe(true);
    expect(printedNameMatches("Nguyen Van An", "Nguyễn Văn An")).toBe(true);
    expect(printedNameMatches("JOSÉ ÑÚÑEZ", "José Ñúñez")).toBe(true);
    expect(printedNameMatches("Søren Kierkegaard", "Soren Kierkegaard")).toBe(true);
    expect(printedNameMatches("Strasse", "Straße")).toBe(true);
    expect(printedNameMatches("Ελένη Παπαδοπούλου", "ΕΛΕΝΗ ΠΑΠΑΔΟΠΟΥΛΟΥ")).toBe(true);
    expect(printedNameMatches("дмитрий шостакович", "Дмитрий Шостакович")).toBe(true);
    // Composed and decomposed accents are the same letters.
    expect(printedNameMatches("Zoe\u0308 Smith", "Zoë Smith")).toBe(true);
  });

  it("forgives hyphens, apostrophes and full stops", () => {
    expect(printedNameMatches("Jean Luc Picard", "Jean-Luc Picard")).toBe(true);
    expect(printedNameMatches("Siobhan OBrien", "Siobhán O’Brien")).toBe(true);
    expect(printedNameMatches("Martin Luther King Jr", "Martin Luther King Jr.")).toBe(true);
  });

  it("accepts a title before and credentials after the name", () => {
    expect(printedNameMatches("Dr. Ada Lovelace", "Ada Lovelace")).toBe(true);
    expect(printedNameMatches("Ada Lovelace, MD", "Ada Lovelace")).toBe(true);
    expect(printedNameMatches("Prof Ada Lovelace MD PhD", "Ada Lovelace")).toBe(true);
    expect(printedNameMatches("Ada Lovelace", "Dr Ada Lovelace")).toBe(true);
    expect(printedNameMatches("Priya Raman, PharmD, RPh", "Priya Raman")).toBe(true);
    expect(printedNameMatches("Noor Haddad, DO", "Noor Haddad")).toBe(true);
  });

  it("refuses another person's name, part of the name, or the name reordered", () => {
    expect(printedNameMatches("Mickey Mouse", "Ada Lovelace")).toBe(false);
    expect(printedNameMatches("Ada", "Ada Lovelace")).toBe(false);
    expect(printedNameMatches("Lovelace", "Ada Lovelace")).toBe(false);
    expect(printedNameMatches("A. Lovelace", "Ada Lovelace")).toBe(false);
    expect(printedNameMatches("Lovelace, Ada", "Ada Lovelace")).toBe(false);
    expect(printedNameMatches("Ada Lovelace Byron", "Ada Lovelace")).toBe(false);
    expect(printedNameMatches("Dr", "Ada Lovelace")).toBe(false);
    expect(printedNameMatches("", "Ada Lovelace")).toBe(false);
    expect(printedNameMatches("...", "...")).toBe(false);
  });

  it("does not take a surname that is also a credential for a credential", () => {
    // Đỗ is a Vietnamese surname; "DO" is also a medical degree.
    expect(printedNameMatches("Nguyen", "Nguyễn Đỗ")).toBe(false);
    expect(printedNameMatches("Nguyen Do", "Nguyễn Đỗ")).toBe(true);
    expect(printedNameMatches("Minh Pa", "Minh Pa")).toBe(true);
    expect(printedNameMatches("Minh", "Minh Pa")).toBe(false);
  });

  it("always accepts the recorded name itself and refuses a name with a different letter", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[A-Za-zÀ-ÿĀ-ſ]{2,12}$/), { minLength: 2, maxLength: 4 }),
        fc.nat(),
        (words, pick) => {
          const name = words.join(" ");
          expect(printedNameMatches(name, name)).toBe(true);
          expect(printedNameMatches(` ${name.toUpperCase()} `, name)).toBe(true);
          const i = pick % words.length;
          const changed = words.map((w, j) => (j === i ? `${w}q` : w)).join(" ");
          expect(printedNameMatches(changed, name)).toBe(false);
        },
      ),
    );
  });

  it("keys a name by its letters only", () => {
    expect(signatureNameKey("Dr. Zoë Łukasiewicz-Nguyễn, MD")).toBe("zoelukasiewicznguyen");
  });
});

describe("printedNameMismatchMessage", () => {
  it("names the expected name as the account records it", () => {
    expect(printedNameMismatchMessage("Zoë Łukasiewicz")).toBe(
      "Type your name as it appears on your account: Zoë Łukasiewicz",
    );
  });
});
