import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEA_REGISTRANT_TYPES, deaCheckDigit, isDeaRegistrantType, isValidDeaNumber } from "./dea";

const digits = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n });
const upperLetter = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ");

describe("isValidDeaNumber", () => {
  it.each(["AB1234563", "BJ6125341", "MS1234563", "XK0000000"])("accepts %s", (dea) => {
    expect(isValidDeaNumber(dea)).toBe(true);
  });

  it.each([
    ["AB1234560", "wrong check digit"],
    ["ZB1234563", "Z is not a registrant type"],
    ["IB1234563", "I is not a registrant type"],
    ["ab1234563", "lower case (callers normalize)"],
    ["A11234563", "digit in second position"],
    ["AB123456", "6 digits"],
    ["AB12345634", "8 digits"],
    [" AB1234563", "leading space"],
    ["", "empty"],
  ])("rejects %j (%s)", (dea) => {
    expect(isValidDeaNumber(dea)).toBe(false);
  });

  it("accepts any registrant type, any second letter and any digits with the right check digit", () => {
    fc.assert(
      fc.property(fc.constantFrom(...DEA_REGISTRANT_TYPES), upperLetter, digits(6), (type, initial, first6) => {
        expect(isValidDeaNumber(type + initial + first6 + String(deaCheckDigit(first6)))).toBe(true);
      }),
    );
  });

  it("rejects any first letter outside the registrant-type set, even with a correct check digit", () => {
    fc.assert(
      fc.property(upperLetter, digits(6), (first, first6) => {
        fc.pre(!(DEA_REGISTRANT_TYPES as readonly string[]).includes(first));
        expect(isValidDeaNumber(`${first}B${first6}${deaCheckDigit(first6)}`)).toBe(false);
      }),
    );
  });

  it("rejects every wrong check digit", () => {
    fc.assert(
      fc.property(digits(6), fc.integer({ min: 1, max: 9 }), (first6, delta) => {
        const wrong = (deaCheckDigit(first6) + delta) % 10;
        expect(isValidDeaNumber(`AB${first6}${wrong}`)).toBe(false);
      }),
    );
  });
});

describe("deaCheckDigit and isDeaRegistrantType", () => {
  it("computes the documented sum", () => {
    expect(deaCheckDigit("123456")).toBe(3);
    expect(deaCheckDigit("612534")).toBe(1); // 6+2+3 = 11; 2 × (1+5+4) = 20; 31 → 1
  });

  it("throws on a malformed digit string", () => {
    expect(() => deaCheckDigit("12345")).toThrow(RangeError);
  });

  it("knows the registrant-type letters", () => {
    expect(DEA_REGISTRANT_TYPES).toHaveLength(18);
    expect(isDeaRegistrantType("M")).toBe(true);
    expect(isDeaRegistrantType("N")).toBe(false);
    expect(isDeaRegistrantType("m")).toBe(false);
  });
});
