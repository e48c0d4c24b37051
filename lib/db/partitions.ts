/**
 * The monthly partitions of the audit trail and of dispense authorizations (migrations
 * 20261130130000_audit_partitions and 20261130150000_dispense_partitions): a daily job creates the
 * current month and the coming ones ahead. A month without a partition still takes its rows, in
 * the table's DEFAULT partition; creating that month later has to move them.
 */
import type { Db } from "../db";

/** The SQL function that creates a table's coming months; each runs with its owner's rights. */
const ENSURE_FUNCTION = {
  audit: "audit_ensure_partitions",
  dispense: "dispense_ensure_partitions",
} as const;

export type PartitionedTable = keyof typeof ENSURE_FUNCTION;

/**
 * Creates the partitions of the current month and the next `monthsAhead` that do not exist yet;
 * returns how many it created. Attaching a month locks the DEFAULT partition: behind a long reader
 * of the whole table (pg_dump) it waits, and other readers of the whole table would queue behind
 * it. So it gives up after 2 s; the job runs again (months are created ahead, a missed day changes
 * nothing).
 */
export async function ensureMonthlyPartitions(
  client: Db,
  table: PartitionedTable,
  monthsAhead: number,
): Promise<number> {
  return client.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '2s'`);
    // The function name comes from the fixed table above, never from input.
    const [row] = await tx.$queryRawUnsafe<{ created: number }[]>(
      `SELECT ${ENSURE_FUNCTION[table]}($1::int) AS "created"`,
      monthsAhead,
    );
    return Number(row?.created ?? 0);
  });
}
