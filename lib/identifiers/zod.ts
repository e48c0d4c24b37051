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
