/**
 * The registry browser's pure parts: which lists exist, which sorts each allows, how a page cursor
 * is written and read back, and how a search string is split into terms. No database, no clock.
 *
 * Paging is by keyset: a cursor carries the sort key of the last row shown plus its id, so a page
 * costs the same at row 100,000 as at row 1 and rows with equal keys are neither skipped nor
 * repeated (the id breaks every tie).
 */
import { hostileTextProblem } from "../http/hostile-text";
import { normalizeRemsId } from "../identifiers/rems-id";
import { isUuid } from "../identifiers/uuid";

/** The four lists, by the word used in their address (/admin/registry/<kind>). */
export const REGISTRY_KINDS = ["prescribers", "pharmacies", "settings", "patients"] as const;
export type RegistryKind = (typeof REGISTRY_KINDS)[number];

export function isRegistryKind(value: string): value is RegistryKind {
  return (REGISTRY_KINDS as readonly string[]).includes(value);
}

/** The stakeholder kind each list shows (the StakeholderKind enum). */
export const REGISTRY_KIND_STAKEHOLDER = {
  prescribers: "PRESCRIBER",
  pharmacies: "PHARMACY",
  settings: "HEALTHCARE_SETTING",
  patients: "PATIENT",
} as const satisfies Record<RegistryKind, string>;

/** The sorts on the allow-list, in the order the sort menu offers them. The first is the default. */
export const REGISTRY_SORTS = ["name", "name-desc", "newest", "oldest", "identifier"] as const;
export type RegistrySort = (typeof REGISTRY_SORTS)[number];

export const REGISTRY_PAGE_SIZE = 25;
/** Longer search text is refused: no name, NPI, REMS id or e-mail address comes near it. */
export const MAX_SEARCH_LENGTH = 100;
/** At most this many words of a search are used (each must match). */
export const MAX_SEARCH_TERMS = 6;
const MAX_CURSOR_LENGTH = 600;

/** What the sort key's values are, in order, before the id that breaks ties. */
export type SortKeyType = "text" | "timestamp";

/** The sort key of each sort for each kind: how many values and of what type the cursor holds. */
export function sortKeyTypes(kind: RegistryKind, sort: RegistrySort): SortKeyType[] {
  if (sort === "newest" || sort === "oldest") return ["timestamp"];
  if (sort === "identifier") return ["text"];
  // People sort by last then first name; organisations by their one name.
  return kind === "prescribers" || kind === "patients" ? ["text", "text"] : ["text"];
}

export function sortIsDescending(sort: RegistrySort): boolean {
  return sort === "name-desc" || sort === "newest";
}

export interface Cursor {
  sort: RegistrySort;
  /** The sort key of the row the page starts after (or, going back, before). */
  values: string[];
  id: string;
  /** true: the page before this row; false: the page after it. */
  back: boolean;
}

/** Writes a cursor for the address bar: base64url of a small JSON array. */
export function encodeCursor(cursor: Cursor): string {
  const json = JSON.stringify([cursor.sort, cursor.back ? 1 : 0, cursor.id, ...cursor.values]);
  return Buffer.from(json, "utf8").toString("base64url");
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Reads a cursor back, or null for anything this list could not have written: bad base64 or JSON,
 * another sort's key, a value of the wrong type, hostile text. Never throws.
 */
export function decodeCursor(raw: string, kind: RegistryKind, sort: RegistrySort): Cursor | null {
  if (raw.length === 0 || raw.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === "string" || typeof v === "number")) return null;
  const [cursorSort, back, id, ...values] = parsed as unknown[];
  if (cursorSort !== sort || (back !== 0 && back !== 1) || typeof id !== "string" || !isUuid(id)) return null;
  const types = sortKeyTypes(kind, sort);
  if (values.length !== types.length) return null;
  for (const [i, value] of values.entries()) {
    if (typeof value !== "string" || value.length > 200 || hostileTextProblem(value)) return null;
    if (types[i] === "timestamp" && (!ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value)))) return null;
  }
  return { sort, back: back === 1, id, values: values as string[] };
}

/** One word of a search, and what it could be. */
export type SearchTerm =
  | { kind: "email"; value: string }
  /**
   * `text` is set when the word has no digit: a name or a city can look like an id (an 11-letter
   * surname such as "Christensen" reads as CH-R1ST-ENSE-N), so such a word is matched as both.
   */
  | { kind: "remsId"; value: string; text?: string }
  | { kind: "number"; value: string }
  | { kind: "text"; value: string };

/**
 * Splits a search into at most MAX_SEARCH_TERMS words, each classified: an e-mail address (has an
 * @), a REMS id or certification number in any spelling (PT-, PH-, HS-, RX-, DP-, HC- …), a number
 * (NPI, NCPDP id), or text matched against the start of a name.
 */
export function searchTerms(q: string): SearchTerm[] {
  return q
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, MAX_SEARCH_TERMS)
    .map((word): SearchTerm => {
      if (word.includes("@")) return { kind: "email", value: word.toLowerCase() };
      if (/^\d+$/.test(word)) return { kind: "number", value: word };
      const remsId = normalizeRemsId(word);
      if (remsId) {
        return /\d/.test(word)
          ? { kind: "remsId", value: remsId }
          : { kind: "remsId", value: remsId, text: word.toLowerCase() };
      }
      return { kind: "text", value: word.toLowerCase() };
    });
}

/** A LIKE pattern matching text that starts with `value`: %, _ and \ in it are literal. */
export function likePrefix(value: string): string {
  return `${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A LIKE pattern matching text that contains `value` anywhere. */
export function likeContains(value: string): string {
  return `%${likePrefix(value)}`;
}

/** Why a search string cannot be used, or null. */
export function searchProblem(q: string): string | null {
  const hostile = hostileTextProblem(q);
  if (hostile) return hostile;
  if (q.length > MAX_SEARCH_LENGTH) return `Search for at most ${MAX_SEARCH_LENGTH} characters.`;
  return null;
}
