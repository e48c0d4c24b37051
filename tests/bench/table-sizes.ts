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
