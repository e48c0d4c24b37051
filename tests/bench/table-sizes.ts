/**
 * The estimated row count of every table a plan can read: the registry's tables (public) and the
 * monthly partitions of the audit trail and of dispense authorizations, which plans name on their
 * own ("Seq Scan on DispenseAuthorization_2026_11"). The EXPLAIN benches fail on a sequential scan
 * of a large one.
 */
import type pg from "pg";

export async function tableSizes(client: pg.Client): Promise<Map<string, number>> {
  const { rows } = await client.query<{ relname: string; n: string }>(
    `SELECT c.relname, c.reltuples::bigint AS n
       FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
      WHERE c.relkind = 'r' AND s.nspname IN ('public', 'audit_partitions', 'dispense_partitions')`,
  );
  return new Map(rows.map((r) => [r.relname, Number(r.n)]));
}

/** A monthly partition's range and the column it is partitioned by. */
export interface PartitionRange {
  column: string;
  from: number;
  to: number;
}

/** The range of every range partition of the partitioned tables (DEFAULT partitions have none). */
export async function partitionRanges(client: pg.Client): Promise<Map<string, PartitionRange>> {
  const { rows } = await client.query<{ relname: string; bound: string; key: string }>(
    `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound, pg_get_partkeydef(i.inhparent) AS key
       FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
      WHERE c.relispartition AND c.relkind = 'r'`,
  );
  const ranges = new Map<string, PartitionRange>();
  for (const r of rows) {
    const bound = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(r.bound);
    const column = /^RANGE \("?([^")]+)"?\)$/.exec(r.key)?.[1];
    if (bound?.[1] && bound[2] && column) {
      ranges.set(r.relname, { column, from: Date.parse(bound[1]), to: Date.parse(bound[2]) });
    }
  }
  return ranges;
}

/**
 * Whether a sequential scan of a partition reads only rows its statement asked for by time: the
 * scan's filter bounds the partition key to a range that holds the partition's whole range (a
 * 30-day window holding the whole current month, say). Such a scan is bounded by the window, as an
 * index scan of the window would be, and cheaper.
 */
export function scanInsideWindow(
  relation: string,
  filter: string | undefined,
  ranges: Map<string, PartitionRange>,
): boolean {
  const range = ranges.get(relation);
  if (!range || !filter) return false;
  const column = range.column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const lower = new RegExp(`"?${column}"? >=? '([^']+)'`).exec(filter)?.[1];
  const upper = new RegExp(`"?${column}"? <=? '([^']+)'`).exec(filter)?.[1];
  if (!lower || !upper) return false;
  return Date.parse(lower) <= range.from && Date.parse(upper) >= range.to;
}
