import { z } from "zod";
import { isDeaRegistrantType, isValidDeaNumber } from "./dea";
import { isValidNcpdpId } from "./ncpdp";
import { isValidNpi } from "./npi";
import { isValidRemsId, isValidRemsIdPrefix, normalizeRemsId } from "./rems-id";

/*
 * Each schema reports one problem at a time: a format issue aborts the chain so
 * the person is not also told that the check digit of a 9-digit NPI is wrong.
 */

export const zNpi = z
  .string({ error: "Enter the NPI" })
  .trim()
  .regex(/^\d{10}$/, { error: "NPI must be 10 digits", abort: true })
  .refine(isValidNpi, { error: "NPI check digit is wrong — check for a typo" });

export const zNcpdpId = z
  .string({ error: "Enter the NCPDP provider ID" })
  .trim()
  .regex(/^\d{7}$/, { error: "NCPDP provider ID must be 7 digits", abort: true })
  .refine(isValidNcpdpId, { error: "NCPDP provider ID check digit is wrong — check for a typo" });

export const zDeaNumber = z
  .string({ error: "Enter the DEA number" })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}\d{7}$/, {
    error: "DEA number must be 2 letters followed by 7 digits",
    abort: true,
  })
  .refine((s) => isDeaRegistrantType(s.charAt(0)), {
    error: "DEA number must start with a registrant-type letter (A–H, J–M, P, R–U or X)",
    abort: true,
  })
  .refine(isValidDeaNumber, { error: "DEA number check digit is wrong — check for a typo" });

/**
 * A registry id for `prefix` (e.g. "PT" for patients). Accepts what a person
 * types (any case, spaces or dashes, O for 0, I/L for 1) and outputs the
 * canonical "PT-XXXX-XXXX-C" form.
 */
export function zRemsId(prefix: string) {
  if (!isValidRemsIdPrefix(prefix)) {
    throw new RangeError(`zRemsId: invalid prefix "${prefix}"`);
  }
  const example = `${prefix}-XXXX-XXXX-X`;
  return z
    .string({ error: "Enter the ID" })
    .trim()
    .transform((input, ctx) => {
      const normalized = normalizeRemsId(input);
      if (normalized === null) {
        ctx.addIssue({
          code: "custom",
          message: `ID must look like ${example} (2 letters, then 9 letters or digits)`,
        });
        return z.NEVER;
      }
      if (!normalized.startsWith(`${prefix}-`)) {
        ctx.addIssue({ code: "custom", message: `ID must start with ${prefix}-` });
        return z.NEVER;
      }
      if (!isValidRemsId(normalized, prefix)) {
        ctx.addIssue({ code: "custom", message: "ID check character is wrong — check for a typo" });
        return z.NEVER;
      }
      return normalized;
    });
}

/**
 * What a person is told when an identifier has the right shape but its check character (a Luhn or
 * Damm digit) does not match: the id was almost certainly mistyped, so nobody is looked up with it.
 */
export const CHECK_CHARACTER_MISMATCH = "The check character does not match — probably a typo";

/**
 * An NPI field named for the person filling it in (`what`: "prescriber's NPI"). Spaces and dashes
 * are ignored; a wrong check digit is CHECK_CHARACTER_MISMATCH.
 */
export function zCheckedNpi(what: string) {
  return z
    .string({ error: `Enter the ${what}` })
    .trim()
    .min(1, { error: `Enter the ${what}`, abort: true })
    .transform((s) => s.replace(/[\s-]/g, ""))
    .pipe(
      z
        .string()
        .regex(/^\d{10}$/, { error: `The ${what} is 10 digits`, abort: true })
        .refine(isValidNpi, { error: CHECK_CHARACTER_MISMATCH }),
    );
}

/**
 * A REMS id field of one of `prefixes` (the first one is the usual one), named for the person
 * filling it in. Accepts what a person types (any case, spaces or dashes, O for 0, I/L for 1) and
 * outputs the canonical "PT-XXXX-XXXX-C" form. One problem at a time: empty, shape, prefix, check.
 */
export function zCheckedRemsId(prefixes: readonly [string, ...string[]], what: string) {
  for (const prefix of prefixes) {
    if (!isValidRemsIdPrefix(prefix)) throw new RangeError(`zCheckedRemsId: invalid prefix "${prefix}"`);
  }
  const shapes = prefixes.map((p) => `${p}-XXXX-XXXX-X`).join(" or ");
  return z
    .string({ error: `Enter the ${what}` })
    .trim()
    .min(1, { error: `Enter the ${what}`, abort: true })
    .transform((input, ctx) => {
      const checked = checkRemsId(input, prefixes);
      if (checked.ok) return checked.id;
      ctx.addIssue({
        code: "custom",
        message:
          checked.problem === "shape"
            ? `Enter the ${what} as ${shapes}`
            : checked.problem === "prefix"
              ? `A ${what} starts with ${prefixes.map((p) => `${p}-`).join(" or ")}`
              : CHECK_CHARACTER_MISMATCH,
      });
      return z.NEVER;
    });
}

/** Reads a typed REMS id: its canonical form, or which of shape, prefix or check character is wrong. */
export function checkRemsId(
  input: string,
  prefixes: readonly string[],
): { ok: true; id: string } | { ok: false; problem: "shape" | "prefix" | "check" } {
  const normalized = normalizeRemsId(input);
  if (normalized === null) return { ok: false, problem: "shape" };
  if (!prefixes.some((p) => normalized.startsWith(`${p}-`))) return { ok: false, problem: "prefix" };
  if (!isValidRemsId(normalized)) return { ok: false, problem: "check" };
  return { ok: true, id: normalized };
}
