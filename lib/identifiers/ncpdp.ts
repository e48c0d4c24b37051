/**
 * NCPDP provider ID (formerly NABP number): 7 digits identifying a pharmacy.
 * The 7th digit is a check digit: add digits 1, 3 and 5, add twice the sum of
 * digits 2, 4 and 6; the last digit of the total must equal digit 7.
 */

const NCPDP_PATTERN = /^\d{7}$/;
const NCPDP_BODY_PATTERN = /^\d{6}$/;

/**
 * Check digit for the first 6 digits of an NCPDP provider ID.
 * Throws a RangeError when `first6` is not exactly 6 decimal digits.
 */
export function ncpdpCheckDigit(first6: string): number {
  if (!NCPDP_BODY_PATTERN.test(first6)) {
    throw new RangeError("ncpdpCheckDigit expects exactly 6 decimal digits");
  }
  const d = (i: number) => first6.charCodeAt(i) - 48;
  return (d(0) + d(2) + d(4) + 2 * (d(1) + d(3) + d(5))) % 10;
}

/** True when `s` is exactly 7 decimal digits with a correct check digit (no trimming). */
export function isValidNcpdpId(s: string): boolean {
  if (!NCPDP_PATTERN.test(s)) return false;
  return ncpdpCheckDigit(s.slice(0, 6)) === s.charCodeAt(6) - 48;
}
