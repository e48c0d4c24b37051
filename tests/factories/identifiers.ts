/** Valid identifiers no other test uses: random bodies with their real check digits. */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { randomInt } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { ncpdpCheckDigit } from "../../lib/identifiers/ncpdp";
import { npiCheckDigit } from "../../lib/identifiers/npi";

/**
 * Where the identifiers drawn in this test run are reserved: one folder per run, named after the
 * process that started the test files (the vitest or Playwright runner), shared by its workers.
 * A random draw alone repeats: 113 pharmacies among a million NCPDP bodies collide in about one
 * run in 150, and the registry refuses the second.
 */
export const reservedIdentifiersFolder = (runner = process.ppid) =>
  path.join(tmpdir(), "remsgate-test-ids", String(runner));

/** Draws until a value no other test of this run has drawn; reserved by an exclusive file create. */
export function unused(kind: string, draw: () => string): string {
  const folder = reservedIdentifiersFolder();
  mkdirSync(folder, { recursive: true });
  for (;;) {
    const value = draw();
    try {
      closeSync(openSync(path.join(folder, `${kind}-${value}`), "wx"));
      return value;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/** A valid NPI (first digit 1 or 2, Luhn check digit) that no other test uses. */
export function uniqueNpi(): string {
  return unused("npi", () => {
    const body = `${randomInt(1, 3)}${String(randomInt(0, 100_000_000)).padStart(8, "0")}`;
    return `${body}${npiCheckDigit(body)}`;
  });
}

/** A valid NCPDP provider id that no other test uses. */
export function uniqueNcpdpId(): string {
  return unused("ncpdp", () => {
    const body = String(randomInt(0, 1_000_000)).padStart(6, "0");
    return `${body}${ncpdpCheckDigit(body)}`;
  });
}
