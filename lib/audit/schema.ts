/**
 * The audit trail viewer's filters, read from the address (a GET form): every value is checked
 * here, pure and without the database. A value that cannot be right (too long, not a date, a
 * period that ends before it starts) is a field error and the list stays empty; a cursor that
 * is not a number just starts at the newest page.
 */
import { addDays, isCalendarDay } from "../calendar";
import type { FieldErrors } from "../errors";
import { hostileTextProblem } from "../http/hostile-text";

export const AUDIT_PAGE_SIZE = 50;
export const MAX_ACTOR_QUERY = 200;
export const MAX_ENTITY_ID = 200;

export interface AuditFilters {
  /** Part of the actor's e-mail address or name. */
  actor?: string;
  entityType?: string;
  /** The internal id of one record (links from an event's page, support). */
  entityId?: string;
  /** What a person quotes for a record: a DA- number, REMS id, NPI, NCPDP number, e-mail address… */
  record?: string;
  /**
   * An action code ("dispense.approved"): one the registry writes (lib/audit/action-codes.ts), or
   * one already in the trail (an earlier version's, kept by existing links); the viewer says so of any other.
   */
  action?: string;
  /** Calendar days (UTC), inclusive. */
  from?: string;
  to?: string;
}

export interface AuditQuery extends AuditFilters {
  /** Keyset cursors: events older than `before`, or newer than `after` (seq). */
  before?: bigint;
  after?: bigint;
}

export const AUDIT_FILTER_KEYS = ["actor", "entityType", "entityId", "record", "action", "from", "to"] as const;

type Raw = Record<string, string | string[] | undefined>;

function one(raw: Raw, key: string): string | undefined {
  const value = raw[key];
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

/** What an action that cannot be one is told: the filter is a list, nobody types a code. */
export const CHOOSE_AN_ACTION = "Choose an action from the list.";

const ENTITY_TYPE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ACTION = /^[a-z0-9][a-z0-9_.-]{0,99}$/i;
const MAX_SEQ = 9_223_372_036_854_775_807n;

function cursor(raw: Raw, key: string): bigint | undefined {
  const value = one(raw, key);
  if (!value || !/^\d{1,19}$/.test(value)) return undefined;
  const n = BigInt(value);
  return n > 0n && n <= MAX_SEQ ? n : undefined;
}

/** Reads the filters from the address; `errors` names each field that cannot be used as given. */
export function parseAuditQuery(raw: Raw): { query: AuditQuery; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const query: AuditQuery = {};
  // Text no field can hold (a NUL, a lone surrogate) is named before anything else reads it.
  for (const key of AUDIT_FILTER_KEYS) {
    const problem = hostileTextProblem(one(raw, key) ?? "");
    if (problem) errors[key] = [problem];
  }
  if (Object.keys(errors).length) return { query, errors };
  const actor = one(raw, "actor");
  if (actor !== undefined) {
    if (actor.length > MAX_ACTOR_QUERY) errors.actor = [`Use at most ${MAX_ACTOR_QUERY} characters.`];
    else query.actor = actor;
  }
  const entityType = one(raw, "entityType");
  if (entityType !== undefined) {
    if (!ENTITY_TYPE.test(entityType)) errors.entityType = ["Enter a record type as listed, such as Enrollment."];
    else query.entityType = entityType;
  }
  const entityId = one(raw, "entityId");
  if (entityId !== undefined) {
    if (entityId.length > MAX_ENTITY_ID) errors.entityId = [`Use at most ${MAX_ENTITY_ID} characters.`];
    else query.entityId = entityId;
  }
  const record = one(raw, "record");
  if (record !== undefined) {
    if (record.length > MAX_ENTITY_ID) errors.record = [`Use at most ${MAX_ENTITY_ID} characters.`];
    else query.record = record;
  }
  const action = one(raw, "action");
  if (action !== undefined) {
    if (!ACTION.test(action)) errors.action = [CHOOSE_AN_ACTION];
    else query.action = action;
  }
  for (const key of ["from", "to"] as const) {
    const day = one(raw, key);
    if (day === undefined) continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !isCalendarDay(day) || day < "2000-01-01" || day > "9998-12-31") {
      errors[key] = ["Enter a date as YYYY-MM-DD."];
    } else query[key] = day;
  }
  if (query.from && query.to && query.to < query.from) errors.to = ["The end date is before the start date."];
  const before = cursor(raw, "before");
  const after = before === undefined ? cursor(raw, "after") : undefined;
  if (before !== undefined) query.before = before;
  if (after !== undefined) query.after = after;
  return { query, errors };
}

/** The period as instants: from the start of `from` (UTC) to before the start of the day after `to`. */
export function periodBounds(filters: AuditFilters): { gte?: Date; lt?: Date } {
  return {
    ...(filters.from ? { gte: new Date(`${filters.from}T00:00:00.000Z`) } : {}),
    ...(filters.to ? { lt: new Date(`${addDays(filters.to, 1)}T00:00:00.000Z`) } : {}),
  };
}

/** The filters as address parameters (for paging links and the CSV export). */
export function auditFilterParams(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of AUDIT_FILTER_KEYS) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params;
}

/** One before/after line of the detail view: a top-level key, both values, whether it changed. */
export interface ChangeLine {
  key: string;
  before: string | null;
  after: string | null;
  changed: boolean;
}

function show(value: unknown): string | null {
  if (value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Lines up an event's before and after values key by key (top level), marking what changed. */
export function changeLines(before: unknown, after: unknown): ChangeLine[] {
  if (!isRecord(before) && !isRecord(after)) {
    if (before == null && after == null) return [];
    const [b, a] = [show(before ?? undefined), show(after ?? undefined)];
    return [{ key: "value", before: b, after: a, changed: b !== a }];
  }
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return keys.map((key) => {
    const [bv, av] = [show(b[key]), show(a[key])];
    return { key, before: bv, after: av, changed: bv !== av };
  });
}

/** Why a verification found the chain broken, in words. */
export const BREAK_REASON_LABELS: Record<string, string> = {
  "prev-hash-mismatch":
    "an event does not link to the one before it in its chain (removed, inserted, reordered or moved events)",
  "content-hash-mismatch": "an event's content no longer matches its hash (edited)",
  "checkpoint-event-missing": "an event a checkpoint vouched for (a chain's head) is missing",
  "checkpoint-event-changed": "an event a checkpoint vouched for (a chain's head) was changed",
  "checkpoint-signature-invalid": "a checkpoint's signature does not verify (written or edited outside the app)",
  "anchor-signature-invalid": "a retention anchor's signature does not verify (written or edited outside the app)",
  "row-before-anchor":
    "an event sits before its chain's retention anchor, where every event was removed (put back or added)",
  interrupted: "the walk was interrupted",
  error: "the walk stopped with an error",
};

export function formatBreakReason(reason: string | null | undefined): string {
  return (reason && BREAK_REASON_LABELS[reason]) ?? "unknown reason";
}
