/**
 * DEA registration number: 2 letters then 7 digits. The first letter is the
 * registrant type, the second is usually the initial of the registrant's last
 * or business name. The 7th digit is a check digit:
 * (d1 + d3 + d5) + 2 × (d2 + d4 + d6), taken mod 10.
 */

/** Registrant-type letters that may start a DEA number. */
export const DEA_REGISTRANT_TYPES = [
  "A",
  "B",
  "C",
  "D",
  "E",
  "F",
  "G",
  "H",
  "J",
  "K",
  "L",
  "M",
  "P",
  "R",
  "S",
  "T",
  "U",
  "X",
] as const;

export type TDeaRegistrantType = (typeof DEA_REGISTRANT_TYPES)[number];

const DEA_PATTERN = /^[A-Z]{2}\d{7}$/;
const DEA_DIGITS_PATTERN = /^\d{6}$/;
const registrantTypes: ReadonlySet<string> = new Set(DEA_REGISTRANT_TYPES);

/** True when `letter` is one of the DEA registrant-type letters (upper case only). */
export function isDeaRegistrantType(letter: string): letter is TDeaRegistrantType {
  return registrantTypes.has(letter);
}

/**
 * Check digit for the first 6 digits of a DEA number.
 * Throws a RangeError when `first6` is not exactly 6 decimal digits.
 */
export function deaCheckDigit(first6: string): number {
  if (!DEA_DIGITS_PATTERN.test(first6)) {
    throw new RangeError("deaCheckDigit expects exactly 6 decimal digits");
  }
  const d = (i: number) => first6.charCodeAt(i) - 48;
  return (d(0) + d(2) + d(4) + 2 * (d(1) + d(3) + d(5))) % 10;
}

/**
 * True when `s` is 2 upper-case letters and 7 digits, starts with a registrant-type
 * letter and has a correct check digit. No trimming or case folding: callers
 * normalize first (the zod schema does).
 */
export function isValidDeaNumber(s: string): boolean {
  if (!DEA_PATTERN.test(s)) return false;
  if (!isDeaRegistrantType(s.charAt(0))) return false;
  return deaCheckDigit(s.slice(2, 8)) === s.charCodeAt(8) - 48;
}
