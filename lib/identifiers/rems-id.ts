/**
 * Human-readable registry ids such as "PT-7K4Q-M2XD-9".
 *
 * Layout: a 2-letter prefix naming what the id is for, 8 body characters in two
 * groups of 4, and 1 check character. Body and check use Crockford base32
 * (digits and upper-case letters without I, L, O and U), so ids survive being
 * read aloud over the phone or copied from a fax.
 *
 * Check character: the Damm algorithm over GF(32). Characters are read as their
 * Crockford values 0..31, i.e. elements of GF(2^5) (reduction polynomial
 * x^5 + x^2 + 1), and the running value is updated as
 *   r ← α · (r ⊕ v)        with α = x, starting from r = 0.
 * That operation is a quasigroup with a zero diagonal and is totally
 * anti-symmetric because α·(α+1) ≠ 0, so appending the final r gives a
 * sequence that folds to 0, and EVERY single-character substitution and EVERY
 * swap of two different adjacent characters (including the check character)
 * is detected. The prefix is part of the checked sequence, so a patient id
 * with a mistyped prefix does not validate as another kind of id.
 * Crockford's own mod-37 check would need the symbols * ~ $ = which do not
 * belong in URLs or on the phone; Luhn mod N misses some transpositions.
 */

const CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Prefixes the registry uses. Other 2-letter prefixes from the same letter set are allowed. */
export const REMS_ID_PREFIXES = {
  patient: "PT",
  healthcareSetting: "HS",
  pharmacy: "PH",
  prescriberCertification: "RX",
} as const;

/** Number of random body characters (40 bits: ~1.1 × 10^12 ids per prefix). */
export const REMS_ID_BODY_LENGTH = 8;

const PREFIX_PATTERN = /^[A-HJKMNP-TV-Z]{2}$/;
const CANONICAL_PATTERN = /^([A-HJKMNP-TV-Z]{2})-([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z])$/;
// Spaces and any dash-like character people paste from documents.
const SEPARATORS = /[\s\u002D\u2010-\u2015\u2212]+/g;

const GF32_REDUCTION = 0b100101; // x^5 + x^2 + 1

function crockfordValue(ch: string): number {
  const v = CROCKFORD_ALPHABET.indexOf(ch);
  if (v < 0) throw new RangeError(`"${ch}" is not a Crockford base32 character`);
  return v;
}

function dammStep(running: number, value: number): number {
  const v = running ^ value;
  const shifted = v << 1;
  return shifted & 0b100000 ? shifted ^ GF32_REDUCTION : shifted;
}

function dammFold(payload: string): number {
  let running = 0;
  for (const ch of payload) running = dammStep(running, crockfordValue(ch));
  return running;
}

function formatId(prefix: string, body: string, check: string): string {
  return `${prefix}-${body.slice(0, 4)}-${body.slice(4)}-${check}`;
}

/** Crockford decoding of look-alike characters; returns the input unchanged otherwise. */
function crockfordFold(ch: string): string {
  if (ch === "O") return "0";
  if (ch === "I" || ch === "L") return "1";
  return ch;
}

function assertPrefix(prefix: string): void {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new RangeError(`REMS id prefix must be 2 upper-case letters without I, L, O or U (got "${prefix}")`);
  }
}

/** True when `prefix` can be used as a REMS id prefix. */
export function isValidRemsIdPrefix(prefix: string): boolean {
  return PREFIX_PATTERN.test(prefix);
}

/** Check character for a prefix and a canonical body (throws on a non-Crockford character). */
export function remsIdCheckCharacter(prefix: string, body: string): string {
  assertPrefix(prefix);
  return CROCKFORD_ALPHABET.charAt(dammFold(prefix + body));
}

/**
 * Builds a full id from a prefix and an 8-character body. The body may be in
 * any case and contain spaces or dashes; look-alike letters are folded
 * (O→0, I/L→1). Throws a RangeError on a bad prefix or body.
 */
export function makeRemsId(prefix: string, body: string): string {
  assertPrefix(prefix);
  const cleaned = Array.from(body.toUpperCase().replace(SEPARATORS, ""), crockfordFold).join("");
  if (cleaned.length !== REMS_ID_BODY_LENGTH || ![...cleaned].every((c) => CROCKFORD_ALPHABET.includes(c))) {
    throw new RangeError(`REMS id body must be ${REMS_ID_BODY_LENGTH} Crockford base32 characters (got "${body}")`);
  }
  return formatId(prefix, cleaned, remsIdCheckCharacter(prefix, cleaned));
}

function defaultRandomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/**
 * New random id for `prefix`. `randomBytes` is injectable so tests and seeds are
 * deterministic; it defaults to the Web Crypto CSPRNG (Node ≥ 19 and browsers).
 * Uniqueness is the caller's job (a unique index plus retry).
 */
export function generateRemsId(prefix: string, randomBytes: (n: number) => Uint8Array = defaultRandomBytes): string {
  assertPrefix(prefix);
  const byteCount = (REMS_ID_BODY_LENGTH * 5) / 8;
  const bytes = randomBytes(byteCount);
  if (bytes.length < byteCount) {
    throw new RangeError(`randomBytes returned ${bytes.length} bytes, expected ${byteCount}`);
  }
  // 5 bytes = 40 bits = exactly 8 base32 characters, so every body is equally likely.
  let bits = 0n;
  for (let i = 0; i < byteCount; i++) bits = (bits << 8n) | BigInt(bytes[i] ?? 0);
  let body = "";
  for (let i = REMS_ID_BODY_LENGTH - 1; i >= 0; i--) {
    body += CROCKFORD_ALPHABET.charAt(Number((bits >> BigInt(i * 5)) & 31n));
  }
  return formatId(prefix, body, remsIdCheckCharacter(prefix, body));
}

/**
 * Canonical form of something a person typed: upper case, spaces and dashes
 * removed and re-inserted, O read as 0 and I/L as 1 in the body and check.
 * Returns null when the input cannot be an id (wrong length or characters).
 * The check character is NOT verified here: use isValidRemsId on the result.
 */
export function normalizeRemsId(input: string): string | null {
  const compact = input.toUpperCase().replace(SEPARATORS, "");
  if (compact.length !== 2 + REMS_ID_BODY_LENGTH + 1) return null;
  const prefix = compact.slice(0, 2);
  if (!PREFIX_PATTERN.test(prefix)) return null;
  const rest = Array.from(compact.slice(2), crockfordFold).join("");
  if (![...rest].every((c) => CROCKFORD_ALPHABET.includes(c))) return null;
  return formatId(prefix, rest.slice(0, REMS_ID_BODY_LENGTH), rest.slice(REMS_ID_BODY_LENGTH));
}

/**
 * True when `id` is in canonical form ("PT-XXXX-XXXX-C"), its check character
 * is right and, when given, its prefix is `prefix`. Run normalizeRemsId first
 * on anything a person typed.
 */
export function isValidRemsId(id: string, prefix?: string): boolean {
  const match = CANONICAL_PATTERN.exec(id);
  if (!match) return false;
  const [, idPrefix = "", group1 = "", group2 = "", check = ""] = match;
  if (prefix !== undefined && idPrefix !== prefix) return false;
  return dammStep(dammFold(idPrefix + group1 + group2), crockfordValue(check)) === 0;
}
