/**
 * The one boundary check for text that no field can hold: NUL characters and lone UTF-16
 * surrogates (PostgreSQL refuses both in text and jsonb, and they are never meaningful input);
 * control characters other than tab, line feed and carriage return (C0, DEL, C1: nobody types
 * them, and they corrupt what reads the text next — a terminal, a CSV, an e-mail); the
 * bidirectional embedding, override and isolate characters (U+202A–U+202E, U+2066–U+2069), which
 * make a name or a number display differently from what is stored (a name that reverses the role
 * badge beside it, an "exe.png"); and percent-encoding that does not decode to UTF-8. Every entry point runs its input through here —
 * JSON bodies (readJsonBody), query strings and path segments (handleApi), server-action arguments
 * (lib/http/action-result.ts), CSV values and file names (the lab import) — so no field has to
 * remember to check, and the database never sees such text.
 *
 * Each check is one pass over the characters with charCodeAt: no regular expression, no copies.
 */
import { AppError } from "../errors";

export interface HostileText {
  /** Dotted path of the offending value, e.g. "patient.remsId", "items.2", "?status", "file". */
  field: string;
  message: string;
}

const NUL_MESSAGE = "Contains a NUL character (\\u0000), which is not allowed in any field.";
const SURROGATE_MESSAGE = "Contains an unpaired UTF-16 surrogate, which is not valid text.";
const ENCODING_MESSAGE = "Is not valid percent-encoded UTF-8.";

const codePoint = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
const controlMessage = (code: number) =>
  `Contains a control character (${codePoint(code)}), which is not allowed in any field.`;
const bidiMessage = (code: number) =>
  `Contains a bidirectional control character (${codePoint(code)}), which would make the text display differently from what is stored.`;

/** Why `text` cannot be accepted, or null. */
export function hostileTextProblem(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800) {
      if (code < 0x20) {
        if (code === 0) return NUL_MESSAGE;
        if (code !== 0x09 && code !== 0x0a && code !== 0x0d) return controlMessage(code);
      } else if (code >= 0x7f) {
        if (code <= 0x9f) return controlMessage(code);
        if (code >= 0x202a && (code <= 0x202e || (code >= 0x2066 && code <= 0x2069))) return bidiMessage(code);
      }
      continue;
    }
    if (code > 0xdfff) continue;
    if (code >= 0xdc00) return SURROGATE_MESSAGE;
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    if (next < 0xdc00 || next > 0xdfff) return SURROGATE_MESSAGE;
    i++;
  }
  return null;
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

/**
 * Nesting no input of the registry needs (its deepest, an enrollment form, is four levels). Deeper
 * values are refused: JSON.parse accepts tens of thousands of levels, and walking them would
 * exhaust the stack of whatever reads them next.
 */
export const MAX_INPUT_DEPTH = 64;

/** The first hostile string in a parsed JSON value (keys included), with its path; null when clean. */
export function findHostileText(value: unknown, path = "", depth = 0): HostileText | null {
  if (typeof value === "string") {
    const problem = hostileTextProblem(value);
    return problem ? { field: path, message: problem } : null;
  }
  if (value === null || typeof value !== "object") return null;
  if (depth >= MAX_INPUT_DEPTH) {
    return { field: path, message: `The value is nested too deeply (at most ${MAX_INPUT_DEPTH} levels)` };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findHostileText(value[i], join(path, String(i)), depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (value instanceof Date) return null;
  if (typeof FormData !== "undefined" && value instanceof FormData) return findHostileInFormData(value, path);
  if (typeof Blob !== "undefined" && value instanceof Blob) {
    const name = (value as { name?: unknown }).name;
    return typeof name === "string" ? findHostileText(name, path) : null;
  }
  for (const key of Object.keys(value)) {
    const keyProblem = hostileTextProblem(key);
    if (keyProblem) return { field: join(path, "(field name)"), message: keyProblem };
    const found = findHostileText((value as Record<string, unknown>)[key], join(path, key), depth + 1);
    if (found) return found;
  }
  return null;
}

/** Form fields and uploaded files' names. */
export function findHostileInFormData(form: FormData, path = ""): HostileText | null {
  for (const [key, entry] of form.entries()) {
    const keyProblem = hostileTextProblem(key);
    if (keyProblem) return { field: join(path, "(field name)"), message: keyProblem };
    const text = typeof entry === "string" ? entry : entry.name;
    const problem = hostileTextProblem(text);
    if (problem) return { field: join(path, key), message: problem };
  }
  return null;
}

function decodeComponent(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * A raw query string ("?a=1&b=%E0") checked as it arrived: URLSearchParams would quietly turn bad
 * percent-encoding into U+FFFD, so each key and value is decoded strictly. Fields are named "?key".
 */
export function findHostileInQuery(search: string): HostileText | null {
  const query = search.startsWith("?") ? search.slice(1) : search;
  if (query === "") return null;
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const rawKey = (eq === -1 ? pair : pair.slice(0, eq)).replaceAll("+", " ");
    const rawValue = eq === -1 ? "" : pair.slice(eq + 1).replaceAll("+", " ");
    const key = decodeComponent(rawKey);
    if (key === null) return { field: "?(parameter name)", message: ENCODING_MESSAGE };
    const keyProblem = hostileTextProblem(key);
    if (keyProblem) return { field: "?(parameter name)", message: keyProblem };
    const value = decodeComponent(rawValue);
    if (value === null) return { field: `?${key}`, message: ENCODING_MESSAGE };
    const problem = hostileTextProblem(value);
    if (problem) return { field: `?${key}`, message: problem };
  }
  return null;
}

/** A raw (still percent-encoded) pathname. Fields are named "path" (the segment's text is not echoed). */
export function findHostileInPath(pathname: string): HostileText | null {
  if (pathname.indexOf("%") === -1) return null;
  for (const segment of pathname.split("/")) {
    if (segment.indexOf("%") === -1) continue;
    const decoded = decodeComponent(segment);
    if (decoded === null) return { field: "path", message: ENCODING_MESSAGE };
    const problem = hostileTextProblem(decoded);
    if (problem) return { field: "path", message: problem };
  }
  return null;
}

/**
 * The refusal every entry point answers with, a field error naming where: 422 for a value in a body,
 * form or file; 400 (BAD_REQUEST) for the address itself (path or query), as scripts/serve.ts does.
 */
export function hostileTextError(found: HostileText, code: "VALIDATION" | "BAD_REQUEST" = "VALIDATION"): AppError {
  const where = found.field === "" ? "The request" : `"${found.field}"`;
  return new AppError(code, `${where}: ${found.message.charAt(0).toLowerCase()}${found.message.slice(1)}`, {
    fields: { [found.field]: [found.message] },
  });
}

/** Throws the VALIDATION error for the first hostile string in `value`. */
export function assertNoHostileText(value: unknown, path = ""): void {
  const found = findHostileText(value, path);
  if (found) throw hostileTextError(found);
}
