/**
 * National Provider Identifier (NPI): 10 digits, the last being a Luhn check
 * digit. CMS computes the Luhn digit as if the 9-digit body were prefixed with
 * "80840" (the ISO 7812 issuer prefix for US health identifiers), so a plain
 * Luhn check over the 10 digits alone gives the wrong answer.
 */

const NPI_PATTERN = /^\d{10}$/;
const NPI_BODY_PATTERN = /^\d{9}$/;
const NPI_ISSUER_PREFIX = "80840";

/** Luhn check digit for a payload of decimal digits (the digit that would be appended). */
function luhnCheckDigit(payload: string): number {
  let sum = 0;
  // The rightmost payload digit sits next to the check digit, so it is the first to be doubled.
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Check digit for the first 9 digits of an NPI.
 * Throws a RangeError when `first9` is not exactly 9 decimal digits.
 */
export function npiCheckDigit(first9: string): number {
  if (!NPI_BODY_PATTERN.test(first9)) {
    throw new RangeError("npiCheckDigit expects exactly 9 decimal digits");
  }
  return luhnCheckDigit(NPI_ISSUER_PREFIX + first9);
}

/** True when `s` is exactly 10 decimal digits with a correct check digit (no trimming). */
export function isValidNpi(s: string): boolean {
  if (!NPI_PATTERN.test(s)) return false;
  return npiCheckDigit(s.slice(0, 9)) === s.charCodeAt(9) - 48;
}
