import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidNcpdpId, ncpdpCheckDigit } from "./ncpdp";

const digits = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n });

describe("isValidNcpdpId", () => {
  it("accepts 1234563", () => {
    // 1+3+5 = 9; 2 × (2+4+6) = 24; 9 + 24 = 33 → 3
    expect(isValidNcpdpId("1234563")).toBe(true);
  });

  it.each([
    ["1234560", "wrong check digit"],
    ["1234564", "wrong check digit"],
    ["123456", "6 digits"],
    ["12345634", "8 digits"],
    ["12345a3", "a letter"],
    ["1234563 ", "trailing space (callers trim)"],
    ["", "empty"],
  ])("rejects %j (%s)", (id) => {
    expect(isValidNcpdpId(id)).toBe(false);
  });

  it("accepts every 6-digit body followed by its check digit, and no other last digit", () => {
    fc.assert(
      fc.property(digits(6), fc.integer({ min: 0, max: 9 }), (first6, last) => {
        expect(isValidNcpdpId(first6 + String(last))).toBe(last === ncpdpCheckDigit(first6));
      }),
    );
  });

  it("detects any change to digits 1, 3, 5 or 7", () => {
    fc.assert(
      fc.property(digits(6), fc.constantFrom(0, 2, 4, 6), fc.integer({ min: 1, max: 9 }), (first6, pos, delta) => {
        const id = first6 + String(ncpdpCheckDigit(first6));
        const changed = String((id.charCodeAt(pos) - 48 + delta) % 10);
        expect(isValidNcpdpId(id.slice(0, pos) + changed + id.slice(pos + 1))).toBe(false);
      }),
    );
  });
});

describe("ncpdpCheckDigit", () => {
  it("computes the documented sum", () => {
    expect(ncpdpCheckDigit("123456")).toBe(3);
    expect(ncpdpCheckDigit("000000")).toBe(0);
    expect(ncpdpCheckDigit("999999")).toBe(1); // 27 + 54 = 81
  });

  it.each(["12345", "1234567", "12a456"])("throws on %j", (bad) => {
    expect(() => ncpdpCheckDigit(bad)).toThrow(RangeError);
  });
});
