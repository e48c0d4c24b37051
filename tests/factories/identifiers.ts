/** Valid identifiers no other test uses: random bodies with their real check digits. */
import { randomInt } from "node:crypto";
import { ncpdpCheckDigit } from "../../lib/identifiers/ncpdp";
import { npiCheckDigit } from "../../lib/identifiers/npi";

/** A valid NPI (first digit 1 or 2, Luhn check digit) that no other test uses. */
export function uniqueNpi(): string {
  const body = `${randomInt(1, 3)}${String(randomInt(0, 100_000_000)).padStart(8, "0")}`;
  return `${body}${npiCheckDigit(body)}`;
}

/** A valid NCPDP provider id that no other test uses. */
export function uniqueNcpdpId(): string {
  const body = String(randomInt(0, 1_000_000)).padStart(6, "0");
  return `${body}${ncpdpCheckDigit(body)}`;
}
