import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidNpi, npiCheckDigit } from "./npi";

const digits = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n });
const withCheckDigit = (first9: string) => first9 + String(npiCheckDigit(first9));

describe("isValidNpi", () => {
  it.each(["1234567893", "1000000004", "1000000012", "1000000020"])("accepts %s", (npi) => {
    expect(isValidNpi(npi)).toBe(true);
  });

  it.each([
    ["1234567890", "wrong check digit"],
    ["1234567894", "wrong check digit"],
    ["123456789", "9 digits"],
    ["12345678930", "11 digits"],
    ["123456789A", "a letter"],
    [" 1234567893", "leading space (callers trim)"],
    ["1234-567893", "a separator"],
    ["", "empty"],
  ])("rejects %s (%s)", (npi) => {
    expect(isValidNpi(npi)).toBe(false);
  });

  it("uses the 80840 prefix: a plain Luhn over the 10 digits would accept 1234567897 instead", () => {
    expect(isValidNpi("1234567897")).toBe(false);
  });

  it("accepts every 9-digit body followed by its check digit, and no other last digit", () => {
    fc.assert(
      fc.property(digits(9), fc.integer({ min: 0, max: 9 }), (first9, last) => {
        expect(isValidNpi(first9 + String(last))).toBe(last === npiCheckDigit(first9));
      }),
    );
  });

  it("detects every single-digit substitution", () => {
    fc.assert(
      fc.property(digits(9), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (first9, pos, delta) => {
        const npi = withCheckDigit(first9);
        const changed = String((npi.charCodeAt(pos) - 48 + delta) % 10);
        const typo = npi.slice(0, pos) + changed + npi.slice(pos + 1);
        expect(isValidNpi(typo)).toBe(false);
      }),
    );
  });

  it("detects adjacent transpositions except the 0↔9 pair Luhn cannot see", () => {
    fc.assert(
      fc.property(digits(9), fc.integer({ min: 0, max: 8 }), (first9, pos) => {
        const npi = withCheckDigit(first9);
        const a = npi.charAt(pos);
        const b = npi.charAt(pos + 1);
        fc.pre(a !== b && !(a + b === "09" || a + b === "90"));
        const swapped = npi.slice(0, pos) + b + a + npi.slice(pos + 2);
        expect(isValidNpi(swapped)).toBe(false);
      }),
    );
  });
});

describe("npiCheckDigit", () => {
  it("computes the check digit of known NPIs", () => {
    expect(npiCheckDigit("123456789")).toBe(3);
    expect(npiCheckDigit("100000000")).toBe(4);
    expect(npiCheckDigit("100000001")).toBe(2);
    expect(npiCheckDigit("100000002")).toBe(0);
  });

  it.each(["12345678", "1234567890", "12345678X", ""])("throws on %j", (bad) => {
    expect(() => npiCheckDigit(bad)).toThrow(RangeError);
  });
});
