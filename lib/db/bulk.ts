/**
 * A transaction on a connection of its own, for bulk loads that the ORM cannot express: rows
 * streamed in with `COPY … FROM STDIN` and set-based SQL over them. On PostgreSQL it is a dedicated
 * `pg` connection and COPY goes through pg-copy-streams; PGlite has no COPY FROM STDIN, so a batch
 * is handed to `COPY … FROM '/dev/blob'` instead (the same CSV text, one batch in memory).
 *
 * On PGlite the transaction holds the database's single connection: every other query of the
 * process (the ORM's included) waits until it ends, so the callback must not use the ORM.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { openPGlite } from "./adapters";
import { type DatabaseConfig, resolveDatabaseConfig } from "./config";

export interface BulkTx {
  /** One parameterised statement; `affected` is the number of rows it inserted, updated or deleted. */
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; affected: number }>;
  /** `COPY table (columns) FROM STDIN (FORMAT csv)` of `csv` (rows in CSV, see csvField; bytes in UTF-8). */
  copyCsv(table: string, columns: readonly string[], csv: string | Uint8Array<ArrayBuffer>): Promise<void>;
}

/** One CSV field for COPY: quoted, so an empty string stays an empty string; null is an empty unquoted field (NULL). */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  return `"${value.replaceAll('"', '""')}"`;
}

function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `COPY ${table} (${columns.map((c) => `"${c}"`).join(", ")}) FROM ${source} WITH (FORMAT csv)`;
}

/** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
export async function withBulkTransaction<T>(
  work: (tx: BulkTx) => Promise<T>,
  config: DatabaseConfig = resolveDatabaseConfig(),
): Promise<T> {
  if (config.kind === "pglite") {
    const handle = await openPGlite(config.dir);
    return handle.transaction(async (tx) =>
      work({
        async query<R>(text: string, values: unknown[] = []) {
          const result = await tx.query<R>(text, values);
          return { rows: result.rows, affected: result.affectedRows ?? 0 };
        },
        async copyCsv(table, columns, csv) {
          await tx.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob: new Blob([csv]) });
        },
      }),
    );
  }

  const client = new pg.Client({ connectionString: config.url });
  // A connection that breaks while idle emits 'error'; the failing statement reports it.
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("BEGIN");
    const result = await work({
      async query<R>(text: string, values: unknown[] = []) {
        const out = await client.query(text, values);
        return { rows: out.rows as R[], affected: out.rowCount ?? 0 };
      },
      async copyCsv(table, columns, csv) {
        await pipeline(
          Readable.from([typeof csv === "string" ? Buffer.from(csv, "utf8") : csv]),
          client.query(copyFrom(copyStatement(table, columns, "STDIN"))),
        );
      },
    });
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}
