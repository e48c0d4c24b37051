/**
 * How the lab import lands its rows (decision 011), on the import's own bulk transaction
 * (lib/db/bulk.ts). A batch's valid rows, first of equal keys in the file kept, are copied straight
 * into "LabResult" with `COPY`, the database's fastest way in. When the copy meets a key already
 * stored (an earlier batch or import, or another writer at the same time), the unique index refuses
 * it: the batch is rolled back to its savepoint and stored through a staging table with `INSERT …
 * ON CONFLICT DO NOTHING`, which skips those keys, and from then on each batch's keys are looked up
 * first and only new rows copied. Rejected rows are copied into a second temporary table, from
 * which the database builds the report.
 *
 * Savepoints are bounded: a PostgreSQL session keeps the ids of at most 64 subtransactions of a
 * running transaction in shared memory, and past that every other session's snapshot is marked
 * overflowed and its visibility checks of this transaction's rows go to pg_subtrans — the whole
 * registry, the dispense gate included, slows while a large import runs. So only the first
 * BATCH_SAVEPOINTS batches get a savepoint of their own; the batches after them (a file of more than
 * about 280,000 rows) are stored through the staging table with `INSERT … ON CONFLICT DO NOTHING`,
 * which needs none: it skips keys already stored without failing. A database error there ends the
 * import's transaction, and the import is recorded as failed (nothing of the file is kept, as with
 * any failure part-way; the report then holds no rejected rows).
 */
import { randomFillSync } from "node:crypto";
import { type BulkTx, csvField } from "../db/bulk";
import { labResultDedupeKey } from "./service";

/** A valid row's values, as validateLabFeedRow reads them. */
export interface LabResultFields {
  patientId: string;
  programId: string;
  testCode: string;
  collectedOn: string;
  abnormal: boolean;
  labId: string;
}

/** Who and which import the stored rows belong to. */
export interface StoreContext {
  importId: string;
  userId: string;
}

/** Storing a batch failed; its savepoint is rolled back and the transaction goes on. */
export class InsertFailed extends Error {
  constructor(override readonly cause: unknown) {
    super("storing the rows failed");
  }
}

const LAB_RESULT_COLUMNS = [
  "id",
  "patientId",
  "programId",
  "testCode",
  "collectedOn",
  "abnormal",
  "labId",
  "source",
  "importId",
  "dedupeKey",
  "recordedByUserId",
] as const;

/** A batch whose COPY met a stored key, in LabResult's columns, on its way to `INSERT … ON CONFLICT`. */
const STAGE_TABLE = "lab_import_stage";
/** Rejected rows as the report stores them (values and reasons as JSON arrays of storable text). */
export const REJECT_TABLE = "lab_import_rejected";
const REJECT_COLUMNS = ["line", "values", "reasons"] as const;

/** The import's temporary tables, dropped at the end of its transaction, committed or not. */
export async function createImportTables(tx: BulkTx): Promise<void> {
  // "C" collation: the keys are hex, and sorting them bytewise is the cheapest order that matches
  // the unique index's.
  await tx.query(`CREATE TEMP TABLE ${STAGE_TABLE} (
    "id" uuid NOT NULL, "patientId" uuid NOT NULL, "programId" uuid NOT NULL, "testCode" text NOT NULL,
    "collectedOn" date NOT NULL, "abnormal" boolean NOT NULL, "labId" text NOT NULL, "source" text NOT NULL,
    "importId" uuid NOT NULL, "dedupeKey" text COLLATE "C" NOT NULL, "recordedByUserId" uuid NOT NULL) ON COMMIT DROP`);
  await tx.query(`CREATE TEMP TABLE ${REJECT_TABLE} (
    "line" integer NOT NULL, "values" jsonb NOT NULL, "reasons" jsonb NOT NULL) ON COMMIT DROP`);
}

/** Copies rejected rows (CSV lines of rejectedCsvLine) into the report's table. */
export async function stageRejected(tx: BulkTx, csv: string): Promise<void> {
  await tx.copyCsv(REJECT_TABLE, REJECT_COLUMNS, csv);
}

/** One rejected row for stageRejected: `values` and `reasons` as JSON text. */
export function rejectedCsvLine(line: number, valuesJson: string, reasonsJson: string): string {
  return `${line},${csvField(valuesJson)},${csvField(reasonsJson)}\n`;
}

/** Random bytes for new ids, taken 16 at a time. */
const ID_POOL_SIZE = 16 * 1024;

/**
 * A batch's valid rows, written as CSV lines of LAB_RESULT_COLUMNS into one buffer as the rows are
 * checked: between the check of a batch's keys and its COPY the database then waits
 * for nothing but a copy of bytes, and the rows that wait for the database while the next batch is
 * read are bytes outside the JavaScript heap rather than strings the garbage collector must copy.
 */
export class RowsToStore {
  /** labResultDedupeKey of each row (same patient, test, day and lab → same key). */
  readonly keys: string[] = [];
  /** Each row's line in the file: of rows with equal keys the first line is kept. */
  readonly lines: number[] = [];
  /** Where each row's CSV text starts in `csv`; the last row's ends at `end`. */
  private readonly starts: number[] = [];
  private csv = Buffer.allocUnsafe(1 << 20);
  private end = 0;
  private idPool = Buffer.allocUnsafe(0);
  private idAt = 0;

  constructor(private readonly into: StoreContext) {}

  add(row: LabResultFields, fileLine: number): void {
    const { into } = this;
    const dedupeKey = labResultDedupeKey(row.patientId, row.testCode, row.collectedOn, row.labId);
    // One string per line, joined from an array (a line built of template parts is a rope, slower
    // to write out), and written out at once.
    const line = [
      this.newId(),
      row.patientId,
      row.programId,
      csvField(row.testCode),
      row.collectedOn,
      row.abnormal,
      csvField(row.labId),
      "import",
      into.importId,
      dedupeKey,
      into.userId,
    ].join(",");
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; one more for the line break.
    const needed = this.end + line.length * 3 + 1;
    if (needed > this.csv.length) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, this.csv.length * 2));
      this.csv.copy(bigger, 0, 0, this.end);
      this.csv = bigger;
    }
    this.keys.push(dedupeKey);
    this.lines.push(fileLine);
    this.starts.push(this.end);
    this.end += this.csv.write(line, this.end);
    this.csv[this.end++] = 0x0a;
  }

  get size(): number {
    return this.keys.length;
  }

  /** The lines of the rows at `indexes`, in that order, as one CSV text. */
  linesOf(indexes: readonly number[]): Buffer<ArrayBuffer> {
    const { starts, csv } = this;
    const lineEnd = (i: number) => (i + 1 < starts.length ? (starts[i + 1] as number) : this.end);
    let length = 0;
    for (const i of indexes) length += lineEnd(i) - (starts[i] as number);
    const out = Buffer.allocUnsafe(length);
    let at = 0;
    for (const i of indexes) at += csv.copy(out, at, starts[i] as number, lineEnd(i));
    return out;
  }

  /**
   * A new random (version 4) UUID in the 32-hex-digit form PostgreSQL reads as well as the
   * hyphenated one: one string from a pool of random bytes rather than randomUUID's assembly.
   */
  private newId(): string {
    if (this.idAt + 16 > this.idPool.length) {
      this.idPool = randomFillSync(Buffer.allocUnsafe(ID_POOL_SIZE));
      this.idAt = 0;
    }
    const at = this.idAt;
    this.idAt += 16;
    const pool = this.idPool;
    pool[at + 6] = ((pool[at + 6] as number) & 0x0f) | 0x40;
    pool[at + 8] = ((pool[at + 8] as number) & 0x3f) | 0x80;
    return pool.toString("hex", at, at + 16);
  }
}

/**
 * Stores the import's batches of valid rows: of rows with equal keys the first in the file, none
 * whose key is already stored.
 */
/**
 * How many batches at most are stored under a savepoint of their own: under the 64 subtransactions
 * PostgreSQL tracks per session, with room for the import's own (the all-or-nothing file savepoint).
 */
export const BATCH_SAVEPOINTS = 56;

export class LabResultStore {
  /**
   * Whether a batch's keys are looked up before its COPY. A new feed has none stored, so its
   * batches are copied straight away; the first batch whose copy meets a stored key (of an earlier
   * batch or import, or of another writer) turns it on for the rest of the file, so that a
   * re-import or an overlapping feed does not fail a COPY per batch.
   */
  private checkKeys = false;

  /** Savepoints taken so far (each one that stored rows stays a subtransaction until the commit). */
  private savepoints = 0;

  constructor(
    private readonly tx: BulkTx,
    readonly into: StoreContext,
    /** BATCH_SAVEPOINTS; tests pass fewer to reach the batches stored without one. */
    private readonly savepointBudget = BATCH_SAVEPOINTS,
  ) {}

  /**
   * Stores a batch: returns how many rows were stored; throws InsertFailed when the database
   * refuses them (the batch's savepoint rolled back).
   */
  async store(rows: RowsToStore): Promise<number> {
    const { tx } = this;
    const { keys, lines } = rows;
    /** The row of each key that comes first in the file (rows are not always added in file order). */
    const firstOf = new Map<string, number>();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const first = firstOf.get(key);
      if (first === undefined || (lines[i] as number) < (lines[first] as number)) firstOf.set(key, i);
    }
    // In key order (hex, so code-unit order is the unique index's "C" order): the index is then
    // filled page by page rather than at random.
    const sorted = [...firstOf.keys()].sort();
    if (this.savepoints >= this.savepointBudget) {
      // No savepoint left (see the header): ON CONFLICT skips stored keys without failing.
      return storeThroughStaging(tx, rows.linesOf(sorted.map((key) => firstOf.get(key) as number)), false);
    }
    this.savepoints++;
    if (this.checkKeys) {
      // Sent together: the connection runs them in turn without waiting for this process in
      // between. The keys are hex: one comma-separated text is cheaper to send than a text[].
      const [, { rows: stored }] = await Promise.all([
        tx.query("SAVEPOINT lab_import_batch"),
        tx.query<{ dedupeKey: string }>(
          `SELECT "dedupeKey" FROM "LabResult" WHERE "dedupeKey" = ANY(string_to_array($1::text, ','))`,
          [sorted.join(",")],
        ),
      ]);
      for (const { dedupeKey } of stored) firstOf.delete(dedupeKey);
    } else await tx.query("SAVEPOINT lab_import_batch");
    const fresh: number[] = [];
    for (const key of sorted) {
      const at = firstOf.get(key);
      if (at !== undefined) fresh.push(at);
    }
    const csv = rows.linesOf(fresh);
    try {
      if (fresh.length > 0) await tx.copyCsv(`"LabResult"`, LAB_RESULT_COLUMNS, csv);
    } catch (error) {
      await tx.query("ROLLBACK TO SAVEPOINT lab_import_batch");
      if (!isUniqueViolation(error)) throw new InsertFailed(error);
      await tx.query("RELEASE SAVEPOINT lab_import_batch");
      this.checkKeys = true;
      // The set-based insert skips the keys stored already, or by another writer meanwhile. A
      // rolled-back savepoint leaves no subtransaction behind; the staging one counts.
      const withSavepoint = this.savepoints < this.savepointBudget;
      if (withSavepoint) this.savepoints++;
      return storeThroughStaging(tx, csv, withSavepoint);
    }
    await tx.query("RELEASE SAVEPOINT lab_import_batch");
    return fresh.length;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === "23505";
}

/**
 * The batch (its new rows' CSV lines, one per key) through the staging table and one `INSERT …
 * SELECT … ON CONFLICT ("dedupeKey") DO NOTHING`, which waits for, and then skips, keys that other
 * writers store at the same time.
 */
async function storeThroughStaging(tx: BulkTx, csv: Buffer<ArrayBuffer>, withSavepoint: boolean): Promise<number> {
  const columns = LAB_RESULT_COLUMNS.map((c) => `"${c}"`).join(", ");
  const insert = async () => {
    await tx.copyCsv(STAGE_TABLE, LAB_RESULT_COLUMNS, csv);
    const { affected } = await tx.query(
      `INSERT INTO "LabResult" (${columns}) SELECT ${columns} FROM ${STAGE_TABLE} ORDER BY "dedupeKey"
       ON CONFLICT ("dedupeKey") DO NOTHING`,
    );
    await tx.query(`TRUNCATE ${STAGE_TABLE}`);
    return affected;
  };
  // Without a savepoint an error ends the transaction: it propagates as it is, and the import is
  // recorded as failed once the transaction has rolled back.
  if (!withSavepoint) return insert();
  await tx.query("SAVEPOINT lab_import_batch");
  try {
    const affected = await insert();
    await tx.query("RELEASE SAVEPOINT lab_import_batch");
    return affected;
  } catch (error) {
    await tx.query("ROLLBACK TO SAVEPOINT lab_import_batch");
    throw new InsertFailed(error);
  }
}
