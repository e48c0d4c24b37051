/**
 * How the lab import lands its rows (decision 011), on the import's own bulk transaction
 * (lib/db/bulk.ts). A batch's valid rows, first of equal keys kept, are checked against the keys
 * already stored (earlier batches of the file included) in one indexed query, and the new ones are
 * copied straight into "LabResult" with `COPY`, the database's fastest way in. Should another
 * writer store one of those keys between the check and the copy, the copy fails on the unique
 * index; the batch is then rolled back to its savepoint and stored through a staging table with
 * `INSERT … ON CONFLICT DO NOTHING`, which skips it. Rejected rows are copied into a second
 * temporary table, from which the database builds the report.
 */
import { randomUUID } from "node:crypto";
import { type BulkTx, csvField } from "../db/bulk";

/** A valid row as it will be stored; `line` decides which of two equal rows is kept (the first). */
export interface RowToStore {
  line: number;
  patientId: string;
  programId: string;
  testCode: string;
  collectedOn: string;
  abnormal: boolean;
  labId: string;
  /** labResultDedupeKey of the row (same patient, test, day and lab → same key). */
  dedupeKey: string;
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

/** Rows of a batch whose copy met a key stored meanwhile by another writer. */
const STAGE_TABLE = "lab_import_stage";
const STAGE_COLUMNS = [
  "line",
  "id",
  "patientId",
  "programId",
  "testCode",
  "collectedOn",
  "abnormal",
  "labId",
  "dedupeKey",
] as const;
/** Rejected rows as the report stores them (values and reasons as JSON arrays of storable text). */
export const REJECT_TABLE = "lab_import_rejected";
const REJECT_COLUMNS = ["line", "values", "reasons"] as const;

/** The import's temporary tables, dropped at the end of its transaction, committed or not. */
export async function createImportTables(tx: BulkTx): Promise<void> {
  // "C" collation: the keys are hex, and sorting them bytewise is the cheapest order that matches
  // the unique index's.
  await tx.query(`CREATE TEMP TABLE ${STAGE_TABLE} (
    "line" integer NOT NULL, "id" uuid NOT NULL, "patientId" uuid NOT NULL, "programId" uuid NOT NULL,
    "testCode" text NOT NULL, "collectedOn" date NOT NULL, "abnormal" boolean NOT NULL, "labId" text NOT NULL,
    "dedupeKey" text COLLATE "C" NOT NULL) ON COMMIT DROP`);
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

const byKey = (a: RowToStore, b: RowToStore) => (a.dedupeKey < b.dedupeKey ? -1 : a.dedupeKey > b.dedupeKey ? 1 : 0);

/**
 * Stores a batch of valid rows (in file order): the first of rows with equal keys, none whose key
 * is already stored. Returns how many were stored; throws InsertFailed when the database refuses
 * them (the batch's savepoint rolled back).
 */
export async function storeRows(tx: BulkTx, rows: readonly RowToStore[], into: StoreContext): Promise<number> {
  const firstByKey = new Map<string, RowToStore>();
  for (const row of rows) if (!firstByKey.has(row.dedupeKey)) firstByKey.set(row.dedupeKey, row);
  // The keys are hex: one comma-separated text is cheaper to send than a text[] of them.
  const { rows: stored } = await tx.query<{ dedupeKey: string }>(
    `SELECT "dedupeKey" FROM "LabResult" WHERE "dedupeKey" = ANY(string_to_array($1::text, ','))`,
    [[...firstByKey.keys()].join(",")],
  );
  for (const { dedupeKey } of stored) firstByKey.delete(dedupeKey);
  if (firstByKey.size === 0) return 0;
  // In key order, so the unique index is filled page by page rather than at random.
  const fresh = [...firstByKey.values()].sort(byKey);
  const source = ["import", into.importId].join(",");
  let csv = "";
  for (const r of fresh) {
    // Each line joined on its own: a batch built of template strings is a deep rope, costly to flatten.
    csv += `${[randomUUID(), r.patientId, r.programId, csvField(r.testCode), r.collectedOn, r.abnormal, csvField(r.labId), source, r.dedupeKey, into.userId].join(",")}\n`;
  }
  await tx.query("SAVEPOINT lab_import_batch");
  try {
    await tx.copyCsv(`"LabResult"`, LAB_RESULT_COLUMNS, csv);
    await tx.query("RELEASE SAVEPOINT lab_import_batch");
    return fresh.length;
  } catch (error) {
    await tx.query("ROLLBACK TO SAVEPOINT lab_import_batch");
    if (!isUniqueViolation(error)) throw new InsertFailed(error);
    await tx.query("RELEASE SAVEPOINT lab_import_batch");
  }
  // Another writer stored one of these keys since the check: the set-based insert skips it.
  return storeThroughStaging(tx, fresh, into);
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === "23505";
}

/**
 * The batch through the staging table and one `INSERT … SELECT … ON CONFLICT ("dedupeKey") DO
 * NOTHING`, which waits for, and then skips, keys that other writers store at the same time.
 */
async function storeThroughStaging(tx: BulkTx, rows: readonly RowToStore[], into: StoreContext): Promise<number> {
  let csv = "";
  for (const r of rows) {
    csv += `${r.line},${randomUUID()},${r.patientId},${r.programId},${csvField(r.testCode)},${r.collectedOn},${r.abnormal},${csvField(r.labId)},${r.dedupeKey}\n`;
  }
  await tx.query("SAVEPOINT lab_import_batch");
  try {
    await tx.copyCsv(STAGE_TABLE, STAGE_COLUMNS, csv);
    const { affected } = await tx.query(
      `INSERT INTO "LabResult" ("id", "patientId", "programId", "testCode", "collectedOn", "abnormal", "labId",
         "source", "importId", "dedupeKey", "recordedByUserId")
       SELECT s."id", s."patientId", s."programId", s."testCode", s."collectedOn", s."abnormal", s."labId",
         'import', $1::uuid, s."dedupeKey", $2::uuid
       FROM (SELECT DISTINCT ON ("dedupeKey") * FROM ${STAGE_TABLE} ORDER BY "dedupeKey", "line") s
       ORDER BY s."dedupeKey"
       ON CONFLICT ("dedupeKey") DO NOTHING`,
      [into.importId, into.userId],
    );
    await tx.query(`TRUNCATE ${STAGE_TABLE}`);
    await tx.query("RELEASE SAVEPOINT lab_import_batch");
    return affected;
  } catch (error) {
    await tx.query("ROLLBACK TO SAVEPOINT lab_import_batch");
    throw new InsertFailed(error);
  }
}
