import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  generateRemsId,
  isValidRemsId,
  isValidRemsIdPrefix,
  makeRemsId,
  normalizeRemsId,
  REMS_ID_PREFIXES,
  remsIdCheckCharacter,
} from "./rems-id";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PREFIX_LETTERS = "ABCDEFGHJKMNPQRSTVWXYZ";

const prefixArb = fc.string({ unit: fc.constantFrom(...PREFIX_LETTERS), minLength: 2, maxLength: 2 });
const bodyArb = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 8, maxLength: 8 });
const idArb = fc.tuple(prefixArb, bodyArb).map(([prefix, body]) => makeRemsId(prefix, body));

/** "PT-ABCD-EFGH-J" → "PTABCDEFGHJ" and back. */
const compact = (id: string) => id.replaceAll("-", "");
const expand = (c: string) => `${c.slice(0, 2)}-${c.slice(2, 6)}-${c.slice(6, 10)}-${c.slice(10)}`;

describe("makeRemsId", () => {
  it("formats prefix, two groups of four and the check character", () => {
    // Worked by hand: P=22, T=26 then eight zeros fold to 23, which is "Q".
    expect(makeRemsId("PT", "00000000")).toBe("PT-0000-0000-Q");
    expect(remsIdCheckCharacter("PT", "00000000")).toBe("Q");
  });

  it("accepts a body typed loosely and folds look-alike letters", () => {
    expect(makeRemsId("HS", "7k4q m2xd")).toBe(makeRemsId("HS", "7K4QM2XD"));
    expect(makeRemsId("HS", "OOOO-IIII")).toBe(makeRemsId("HS", "00001111"));
    expect(makeRemsId("HS", "llll0000")).toBe(makeRemsId("HS", "11110000"));
  });

  it("puts the prefix into the check: the same body gets different check characters", () => {
    const checks = new Set(["PT", "HS", "PH", "RX"].map((p) => makeRemsId(p, "7K4QM2XD").slice(-1)));
    expect(checks.size).toBe(4);
  });

  it.each([
    ["P1", "12345678", "digit in prefix"],
    ["PTX", "12345678", "3-letter prefix"],
    ["IO", "12345678", "ambiguous prefix letters"],
    ["pt", "12345678", "lower-case prefix"],
    ["PT", "1234567", "7-character body"],
    ["PT", "123456789", "9-character body"],
    ["PT", "1234567U", "U is not Crockford base32"],
    ["PT", "1234567*", "symbol in body"],
  ])("throws for prefix %j body %j (%s)", (prefix, body) => {
    expect(() => makeRemsId(prefix, body)).toThrow(RangeError);
  });
});

describe("generateRemsId", () => {
  it("maps the 40 random bits onto eight characters, most significant first", () => {
    const bytes = (values: number[]) => () => Uint8Array.from(values);
    expect(generateRemsId("PT", bytes([0, 0, 0, 0, 0]))).toBe("PT-0000-0000-Q");
    expect(generateRemsId("PT", bytes([0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(makeRemsId("PT", "ZZZZZZZZ"));
    // 00001 repeated eight times
    expect(generateRemsId("PH", bytes([0x08, 0x42, 0x10, 0x84, 0x21]))).toBe(makeRemsId("PH", "11111111"));
    // 00000 00001 00010 00011 00100 00101 00110 00111
    expect(generateRemsId("RX", bytes([0x00, 0x44, 0x32, 0x14, 0xc7]))).toBe(makeRemsId("RX", "01234567"));
  });

  it("asks the random source for exactly 5 bytes", () => {
    const requested: number[] = [];
    generateRemsId("HS", (n) => {
      requested.push(n);
      return new Uint8Array(n);
    });
    expect(requested).toEqual([5]);
  });

  it("always produces a valid id with the requested prefix", () => {
    fc.assert(
      fc.property(prefixArb, fc.uint8Array({ minLength: 5, maxLength: 5 }), (prefix, random) => {
        const id = generateRemsId(prefix, () => random);
        expect(id).toMatch(/^[A-Z]{2}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
        expect(isValidRemsId(id, prefix)).toBe(true);
      }),
    );
  });

  it("uses the platform CSPRNG by default", () => {
    const ids = new Set(Array.from({ length: 50 }, () => generateRemsId(REMS_ID_PREFIXES.patient)));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(isValidRemsId(id, "PT")).toBe(true);
  });

  it("rejects a bad prefix or a short random source", () => {
    expect(() => generateRemsId("P")).toThrow(RangeError);
    expect(() => generateRemsId("PT", () => new Uint8Array(4))).toThrow(/expected 5/);
  });
});

describe("isValidRemsId", () => {
  const id = makeRemsId("PT", "7K4QM2XD");

  it("accepts a canonical id, with or without the expected prefix", () => {
    expect(isValidRemsId(id)).toBe(true);
    expect(isValidRemsId(id, "PT")).toBe(true);
  });

  it("rejects an id with another prefix than expected", () => {
    expect(isValidRemsId(id, "HS")).toBe(false);
  });

  it("rejects non-canonical spellings (normalize first)", () => {
    expect(isValidRemsId(id.toLowerCase())).toBe(false);
    expect(isValidRemsId(compact(id))).toBe(false);
    expect(isValidRemsId(` ${id}`)).toBe(false);
    expect(isValidRemsId("")).toBe(false);
  });

  it("rejects a wrong check character", () => {
    const wrong = ALPHABET.split("").filter((c) => c !== id.slice(-1));
    for (const c of wrong) expect(isValidRemsId(id.slice(0, -1) + c)).toBe(false);
  });

  it("detects every single-character substitution, prefix and check character included", () => {
    fc.assert(
      fc.property(idArb, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 31 }), (valid, pos, shift) => {
        const chars = compact(valid);
        const pool = pos < 2 ? PREFIX_LETTERS : ALPHABET;
        const original = chars.charAt(pos);
        const replacement = pool.charAt((pool.indexOf(original) + shift) % pool.length);
        fc.pre(replacement !== original);
        const typo = expand(chars.slice(0, pos) + replacement + chars.slice(pos + 1));
        expect(isValidRemsId(typo)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("detects every swap of two different adjacent characters", () => {
    fc.assert(
      fc.property(idArb, fc.integer({ min: 0, max: 9 }), (valid, pos) => {
        const chars = compact(valid);
        const a = chars.charAt(pos);
        const b = chars.charAt(pos + 1);
        fc.pre(a !== b);
        const swapped = expand(chars.slice(0, pos) + b + a + chars.slice(pos + 2));
        expect(isValidRemsId(swapped)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("detects every substitution and transposition exhaustively for one id", () => {
    const chars = compact(id);
    for (let pos = 0; pos < chars.length; pos++) {
      for (const c of pos < 2 ? PREFIX_LETTERS : ALPHABET) {
        if (c === chars.charAt(pos)) continue;
        expect(isValidRemsId(expand(chars.slice(0, pos) + c + chars.slice(pos + 1)))).toBe(false);
      }
    }
    for (let pos = 0; pos < chars.length - 1; pos++) {
      const swapped = chars.slice(0, pos) + chars.charAt(pos + 1) + chars.charAt(pos) + chars.slice(pos + 2);
      if (swapped !== chars) expect(isValidRemsId(expand(swapped))).toBe(false);
    }
  });
});

describe("normalizeRemsId", () => {
  it("upper-cases, strips spaces and dashes and regroups", () => {
    expect(normalizeRemsId("pt 0000 0000 q")).toBe("PT-0000-0000-Q");
    expect(normalizeRemsId("PT00000000Q")).toBe("PT-0000-0000-Q");
    expect(normalizeRemsId("  pt-0000–0000—q ")).toBe("PT-0000-0000-Q");
  });

  it("reads O as zero and I or L as one in the body and check character", () => {
    expect(normalizeRemsId("PT-OOOO-oooo-Q")).toBe("PT-0000-0000-Q");
    expect(normalizeRemsId("RX-IiLl-0000-L")).toBe("RX-1111-0000-1");
  });

  it("returns null when the input cannot be an id", () => {
    expect(normalizeRemsId("")).toBeNull();
    expect(normalizeRemsId("PT-0000-0000")).toBeNull();
    expect(normalizeRemsId("PT-0000-0000-QQ")).toBeNull();
    expect(normalizeRemsId("P1-0000-0000-Q")).toBeNull();
    expect(normalizeRemsId("PO-0000-0000-Q")).toBeNull();
    expect(normalizeRemsId("PT-0000-000U-Q")).toBeNull();
    expect(normalizeRemsId("PT-0000-000*-Q")).toBeNull();
  });

  it("does not judge the check character", () => {
    expect(normalizeRemsId("PT-0000-0000-R")).toBe("PT-0000-0000-R");
  });

  it("recovers any valid id from a sloppy spelling", () => {
    const sloppy = fc
      .tuple(idArb, fc.boolean(), fc.boolean(), fc.boolean())
      .map(([id, lower, dropDashes, lookAlikes]) => {
        let s = id;
        if (lookAlikes) s = s.slice(0, 3) + s.slice(3).replaceAll("0", "O").replaceAll("1", "l");
        if (dropDashes) s = s.replaceAll("-", " ");
        if (lower) s = s.toLowerCase();
        return { id, s };
      });
    fc.assert(
      fc.property(sloppy, ({ id, s }) => {
        expect(normalizeRemsId(s)).toBe(id);
      }),
    );
  });
});

describe("isValidRemsIdPrefix", () => {
  it("accepts the app's prefixes and rejects others", () => {
    for (const prefix of Object.values(REMS_ID_PREFIXES)) expect(isValidRemsIdPrefix(prefix)).toBe(true);
    for (const bad of ["", "P", "PTX", "pt", "P1", "UI", "OL"]) expect(isValidRemsIdPrefix(bad)).toBe(false);
  });
});
