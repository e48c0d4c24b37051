/**
 * The administrator's audit trail viewer and its CSV export: filtered, newest first, paged by seq
 * (keyset: each page is an index range, however deep), with the people named as people and the
 * records by what people quote (lib/audit/records.ts).
 */
import type { Actor } from "../auth/actor";
import { requirePermissionAudited } from "../auth/service";
import { type CsvValue, csvStream } from "../csv/writer";
import { type Db, db } from "../db";
import { replicaReader } from "../db/replica";
import { AppError, type FieldErrors } from "../errors";
import { formatAuditAction, formatAuditRecordType, formatRole } from "../format";
import type { Prisma } from "../generated/prisma/client";
import { isUuid } from "../identifiers/uuid";
import { isAuditAction } from "./action-codes";
import { labelRecords, type RecordRef, recordKey, resolveRecordQuery } from "./records";
import {
  AUDIT_PAGE_SIZE,
  type AuditFilters,
  type AuditQuery,
  CHOOSE_AN_ACTION,
  parseAuditQuery,
  periodBounds,
} from "./schema";
import { API_KEY_ACTOR_PREFIX, recordAudit } from "./service";

/** More people than this matching an actor search: ask for a narrower one. */
const MAX_MATCHING_ACTORS = 100;

export interface AuditRow {
  seq: bigint;
  at: Date;
  actorName: string;
  actorEmail: string | null;
  roleLabel: string;
  action: string;
  actionLabel: string;
  /** The model name written to the trail (kept for the export and for support). */
  entityType: string;
  /** The kind of record in words ("Dispense authorization"). */
  entityTypeLabel: string;
  /** The record as people quote it ("DA-…", "REMS id PT-…"); null when the event names no record. */
  recordLabel: string | null;
  /** Both together, as one line reads: "Dispense authorization: DA-…". */
  entityLabel: string;
  entityId: string | null;
}

type Where = Prisma.AuditEventWhereInput;

interface Built {
  /** null when the filters cannot match anything (no such person, a record of another type). */
  where: Where | null;
  /**
   * The parts each read on its own index range and then merged: one per record the "Record"
   * filter named ((entityType, entityId, seq) index), else one per person an actor search matched
   * ((actorId, seq) index); null for a single query.
   */
  parts: Where[] | null;
  errors: FieldErrors;
}

/**
 * The action filter's error when it names neither an action the registry writes nor one any event
 * in the trail has (an old link to an earlier version's action keeps working): one probe of the
 * (action, seq) index, and none for the actions the filter lists.
 */
async function unknownActionErrors(action: string | undefined, client: Db): Promise<FieldErrors> {
  if (!action || isAuditAction(action)) return {};
  if (await client.auditEvent.findFirst({ where: { action }, select: { seq: true } })) return {};
  return { action: [`No event in the audit trail has the action "${action}". ${CHOOSE_AN_ACTION}`] };
}

/** The filters as a where clause (the actor search resolved to people, the record to its rows). */
async function whereFor(filters: AuditFilters, client: Db): Promise<Built> {
  const where: Where = {};
  const errors: FieldErrors = {};
  const nothing = { where: null, parts: null, errors };
  let actorIds: string[] | null = null;
  if (filters.actor) {
    const q = filters.actor;
    const people = await client.user.findMany({
      where: { OR: [{ email: { contains: q, mode: "insensitive" } }, { name: { contains: q, mode: "insensitive" } }] },
      select: { id: true },
      take: MAX_MATCHING_ACTORS + 1,
    });
    if (people.length > MAX_MATCHING_ACTORS) {
      errors.actor = [`More than ${MAX_MATCHING_ACTORS} people match: type more of the name or e-mail address.`];
      return nothing;
    }
    if (people.length === 0) return nothing;
    actorIds = people.map((p) => p.id);
  }
  let records: RecordRef[] | null = null;
  if (filters.record) {
    const resolved = await resolveRecordQuery(filters.record, client);
    if (!resolved.ok) {
      errors.record = [resolved.message];
      return nothing;
    }
    if ("entityId" in resolved) {
      if (filters.entityId && filters.entityId !== resolved.entityId) return nothing;
      where.entityId = resolved.entityId;
    } else {
      records = resolved.records.filter(
        (r) =>
          (!filters.entityType || r.entityType === filters.entityType) &&
          (!filters.entityId || r.entityId === filters.entityId),
      );
      if (records.length === 0) return nothing;
    }
  }
  if (filters.entityType) where.entityType = filters.entityType;
  if (filters.entityId) where.entityId = filters.entityId;
  if (filters.action) where.action = filters.action;
  const period = periodBounds(filters);
  if (period.gte || period.lt) where.at = period;
  if (records) {
    if (actorIds) where.actorId = { in: actorIds };
    return { where, parts: records.map((r) => ({ entityType: r.entityType, entityId: r.entityId })), errors };
  }
  return { where, parts: actorIds?.map((actorId) => ({ actorId })) ?? null, errors };
}

/**
 * Runs a page query once per part (a record, a person) and merges the pages: each is a short walk
 * down an index. One query with `IN (…)` or `OR` lets the planner walk the whole trail backwards
 * by seq when the records or people matched have little written about them.
 */
async function perPart<T extends { seq: bigint }>(
  parts: Where[] | null,
  where: Where,
  order: "asc" | "desc",
  take: number,
  run: (where: Where) => Promise<T[]>,
): Promise<T[]> {
  if (!parts) return run(where);
  const found: T[] = [];
  for (let i = 0; i < parts.length; i += 10) {
    const chunk = parts.slice(i, i + 10);
    for (const rows of await Promise.all(chunk.map((part) => run({ ...where, ...part })))) found.push(...rows);
  }
  const sign = order === "desc" ? -1 : 1;
  return found.sort((a, b) => (a.seq < b.seq ? -sign : a.seq > b.seq ? sign : 0)).slice(0, take);
}

const ROW_SELECT = {
  seq: true,
  at: true,
  actorId: true,
  actorRole: true,
  action: true,
  entityType: true,
  entityId: true,
  requestId: true,
} as const;

type Selected = Prisma.AuditEventGetPayload<{ select: typeof ROW_SELECT }>;

/**
 * Names the actors and the records of a page of events: one query for the people (actors and
 * accounts acted on) and one per other kind of record on the page.
 */
async function describeRows(rows: Selected[], client: Db): Promise<AuditRow[]> {
  const ids = new Set<string>();
  for (const r of rows) {
    if (r.actorId) ids.add(r.actorId);
    if (r.entityType === "User" && r.entityId) ids.add(r.entityId);
  }
  const uuids = [...ids].filter(isUuid);
  const people = uuids.length
    ? await client.user.findMany({ where: { id: { in: uuids } }, select: { id: true, name: true, email: true } })
    : [];
  const byId = new Map(people.map((p) => [p.id, p]));
  // Pharmacy systems act with an API key ("apiKey:<id>"): named by the key and its pharmacy.
  const keyIds = [...ids].flatMap((id) => {
    const keyId = id.startsWith(API_KEY_ACTOR_PREFIX) ? id.slice(API_KEY_ACTOR_PREFIX.length) : "";
    return isUuid(keyId) ? [keyId] : [];
  });
  const keys = keyIds.length
    ? await client.pharmacyApiKey.findMany({
        where: { id: { in: keyIds } },
        select: { id: true, name: true, pharmacy: { select: { name: true, ncpdpId: true } } },
      })
    : [];
  const keyNames = new Map(
    keys.map((k) => [
      `${API_KEY_ACTOR_PREFIX}${k.id}`,
      `${k.pharmacy.name} (NCPDP ${k.pharmacy.ncpdpId}) — API key “${k.name}”`,
    ]),
  );
  const refs = rows.flatMap((r) => (r.entityId ? [{ entityType: r.entityType, entityId: r.entityId }] : []));
  const labels = await labelRecords(refs, byId, client);
  return rows.map((r) => {
    const person = r.actorId ? byId.get(r.actorId) : undefined;
    const keyName = r.actorId ? keyNames.get(r.actorId) : undefined;
    const typeLabel = formatAuditRecordType(r.entityType);
    const recordLabel = r.entityId
      ? (labels.get(recordKey({ entityType: r.entityType, entityId: r.entityId })) ?? null)
      : null;
    return {
      seq: r.seq,
      at: r.at,
      actorName:
        person?.name ??
        keyName ??
        (r.actorId?.startsWith(API_KEY_ACTOR_PREFIX)
          ? "A pharmacy system's API key"
          : r.actorId
            ? "Unknown account"
            : "System"),
      actorEmail: person?.email ?? null,
      roleLabel: r.actorRole ? formatRole(r.actorRole) : "System",
      action: r.action,
      actionLabel: formatAuditAction(r.action),
      entityType: r.entityType,
      entityTypeLabel: typeLabel,
      recordLabel,
      entityLabel: recordLabel ? `${typeLabel}: ${recordLabel}` : typeLabel,
      entityId: r.entityId,
    };
  });
}

export interface AuditPage {
  query: AuditQuery;
  errors: FieldErrors;
  rows: AuditRow[];
  /** Cursors for the next older and newer pages, when there are any. */
  older: bigint | null;
  newer: bigint | null;
}

/** One page of the filtered trail, newest first. */
export async function listAuditEvents(
  actor: Actor,
  raw: Record<string, string | string[] | undefined>,
  primary: Db = db(),
): Promise<AuditPage> {
  await requirePermissionAudited(actor, "audit:read:any", "/admin/audit", primary);
  const client = await replicaReader(primary);
  const { query, errors } = parseAuditQuery(raw);
  const empty = { query, rows: [], older: null, newer: null };
  if (Object.keys(errors).length) return { ...empty, errors };
  const built = await whereFor(query, client);
  if (!built.where)
    return { ...empty, errors: { ...built.errors, ...(await unknownActionErrors(query.action, client)) } };
  const forward = query.after !== undefined;
  const cursor = forward ? { gt: query.after } : query.before !== undefined ? { lt: query.before } : undefined;
  const order = forward ? "asc" : "desc";
  const found = await perPart(
    built.parts,
    cursor ? { ...built.where, seq: cursor } : built.where,
    order,
    AUDIT_PAGE_SIZE + 1,
    (where) =>
      client.auditEvent.findMany({ where, orderBy: { seq: order }, take: AUDIT_PAGE_SIZE + 1, select: ROW_SELECT }),
  );
  // Only an empty page asks whether its action is one the trail knows at all.
  const actionErrors = found.length === 0 ? await unknownActionErrors(query.action, client) : {};
  if (actionErrors.action) return { ...empty, errors: actionErrors };
  const more = found.length > AUDIT_PAGE_SIZE;
  const page = found.slice(0, AUDIT_PAGE_SIZE);
  if (forward) page.reverse();
  const first = page[0]?.seq ?? null;
  const last = page[page.length - 1]?.seq ?? null;
  return {
    query,
    errors,
    rows: await describeRows(page, client),
    // Going older: more beyond this page, or we came here going newer (older rows exist).
    older: last !== null && (forward || more) ? last : null,
    newer: first !== null && ((forward && more) || (!forward && query.before !== undefined)) ? first : null,
  };
}

/** One event with its before and after values. */
export async function getAuditEvent(actor: Actor, seqText: string, client: Db = db()) {
  await requirePermissionAudited(actor, "audit:read:any", `/admin/audit/${seqText.slice(0, 40)}`, client);
  const seq = /^\d{1,18}$/.test(seqText) ? BigInt(seqText) : null;
  const row = seq ? await client.auditEvent.findFirst({ where: { seq } }) : null;
  if (!row) throw new AppError("NOT_FOUND", "There is no such audit event.");
  const [described] = await describeRows([row], client);
  if (!described) throw new AppError("NOT_FOUND", "There is no such audit event.");
  return {
    ...described,
    requestId: row.requestId,
    before: row.before,
    after: row.after,
    hash: row.hash,
    chain: row.chain,
    prevHash: row.prevHash,
  };
}

export const AUDIT_CSV_HEADER = [
  "seq",
  "time_utc",
  "actor_name",
  "actor_email",
  "actor_role",
  "action",
  "action_words",
  "entity_type",
  "entity_id",
  "entity_words",
  "before",
  "after",
  "request_id",
  "hash",
] as const;

const EXPORT_BATCH = 1000;

async function* exportBatches(built: Built, client: Db): AsyncGenerator<CsvValue[][]> {
  const { where, parts } = built;
  if (!where) return;
  let cursor: bigint | undefined;
  for (;;) {
    const rows = await perPart(
      parts,
      cursor === undefined ? where : { ...where, seq: { lt: cursor } },
      "desc",
      EXPORT_BATCH,
      (w) =>
        client.auditEvent.findMany({
          where: w,
          orderBy: { seq: "desc" },
          take: EXPORT_BATCH,
          select: { ...ROW_SELECT, before: true, after: true, hash: true },
        }),
    );
    if (rows.length === 0) return;
    const described = await describeRows(rows, client);
    yield rows.map((r, i) => {
      const d = described[i];
      return [
        r.seq,
        r.at,
        d?.actorName,
        d?.actorEmail,
        d?.roleLabel,
        r.action,
        d?.actionLabel,
        r.entityType,
        r.entityId,
        d?.entityLabel,
        r.before === null ? "" : JSON.stringify(r.before),
        r.after === null ? "" : JSON.stringify(r.after),
        r.requestId,
        r.hash,
      ];
    });
    if (rows.length < EXPORT_BATCH) return;
    cursor = rows[rows.length - 1]?.seq;
  }
}

/**
 * The filtered trail as a CSV stream (newest first). Someone without the permission is refused and
 * the attempt audited; an export that is allowed is audited with its filters.
 */
export async function exportAuditCsv(
  actor: Actor,
  raw: Record<string, string | string[] | undefined>,
  path: string,
  client: Db = db(),
): Promise<ReadableStream<Uint8Array>> {
  await requirePermissionAudited(actor, "audit:read:any", path, client);
  const { query, errors } = parseAuditQuery(raw);
  if (Object.keys(errors).length) throw new AppError("VALIDATION", "Check the filters.", { fields: errors });
  const built = await whereFor(query, client);
  const filterErrors = { ...built.errors, ...(await unknownActionErrors(query.action, client)) };
  if (Object.keys(filterErrors).length) {
    throw new AppError("VALIDATION", "Check the filters.", { fields: filterErrors });
  }
  const { before: _b, after: _a, ...filters } = query;
  await client.$transaction((tx) =>
    recordAudit(tx, actor, { action: "audit.exported", entityType: "AuditEvent", after: { filters } }),
  );
  const bom = ["1", "true", "yes"].includes(String(raw.bom ?? "").toLowerCase());
  return csvStream(AUDIT_CSV_HEADER, exportBatches(built, client), { bom });
}
