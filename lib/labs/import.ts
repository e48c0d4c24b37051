/**
 * Lab feed import (README "Lab feed CSV"; decision 011). The upload is read as a stream: bytes are
 * hashed and decoded as strict UTF-8 on the way into csv-parse, and rows are checked by
 * validateLabFeedRow as they are read, those of patients not yet known after the batch's one lookup
 * of them (IMPORT_BATCH_SIZE rows a batch). Each batch's valid rows are copied (`COPY … FROM STDIN`)
 * into LabResult (./import-store.ts: the first of equal rows in the file, none already stored), and
 * its rejected rows into a temporary table from which the database builds the report, so memory
 * holds a few batches, never the file or its report. The batches' writes run while the next rows
 * are read.
 *
 * The whole file is one transaction, on a connection of its own (lib/db/bulk.ts), and the
 * outcome (status, counts, report) and its audit row are written in it, with the rows. A
 * file-level problem (not UTF-8, wrong header, broken CSV, larger than LAB_IMPORT_MAX_BYTES)
 * writes nothing in either mode, and in "all_or_nothing" mode any rejected row means nothing is
 * kept (what was stored is rolled back to a savepoint) while the remaining rows are still checked,
 * so the report lists every bad row. An error part-way also keeps nothing of that file, in both
 * modes, and the import ends "failed" with the reason: when storing fails, that same transaction
 * records the failure with every rejected row found; when anything else fails (or the connection
 * is lost), the transaction is rolled back and the failure is recorded afterwards. Either way the
 * import never stays "processing" once it has returned.
 */
import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setImmediate as yieldToIo } from "node:timers/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { CsvError, parse } from "csv-parse";
import { csvProblemInWords } from "../csv/problems";
import { type CsvValue, csvText } from "../csv/writer";
import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import { recordAudit, recordAuditInBulk } from "../audit/service";
import { db, type Db } from "../db";
import { type BulkTx, withBulkTransaction } from "../db/bulk";
import { AppError, isDatabaseUnavailable, isAppError } from "../errors";
import { hostileTextProblem } from "../http/hostile-text";
import { logger } from "../logger";
import { isValidRemsId, normalizeRemsId, REMS_ID_PREFIXES } from "../identifiers/rems-id";
import { dayOf, isCalendarDay } from "../monitoring/rules";
import { listProgramDefinitions } from "../programs/registry";
import { recordablePrescriberIds } from "./access";
import {
  createImportTables,
  InsertFailed,
  REJECT_TABLE,
  type LabResultFields,
  RowsToStore,
  rejectedCsvLine,
  stageRejected,
  LabResultStore,
} from "./import-store";
import { LAB_FEED_COLUMNS, type TLabImportMode, ZLabImportMode } from "./schema";
import { monitoredProgramsOf, type PatientProgram, programForTest } from "./service";
import { checkedFileName, tooLargeError, UploadTooLarge } from "./upload";

/** Rows checked and stored together (one patient lookup, one key check and one COPY per batch). */
export const IMPORT_BATCH_SIZE = 5000;
/** Batches checked ahead of the database: their writes wait their turn on the connection. */
const WRITES_AHEAD = 2;
/** Patients remembered across batches; past this the cache starts again. */
const PATIENT_CACHE_LIMIT = 20_000;
/** A whole file runs in one transaction; one still reading after this long is stopped. */
const IMPORT_TRANSACTION_TIMEOUT_MS = 30 * 60_000;

export interface RejectedRow {
  /** Line number in the file (the header is line 1). */
  line: number;
  values: string[];
  reasons: string[];
}

export interface LabImportReport {
  /** A file-level problem: nothing was imported. */
  error?: string;
  rejected: RejectedRow[];
}

export interface LabImportSummary {
  importId: string;
  mode: TLabImportMode;
  status: "completed" | "rejected" | "failed";
  totalRows: number;
  acceptedRows: number;
  duplicateRows: number;
  rejectedRows: number;
}

interface PatientFacts {
  id: string;
  dateOfBirth: string;
  prescriberId: string | null;
  programs: PatientProgram[];
}

type ValidRow = LabResultFields;

/** Rows as read, not yet checked: each record's values and its line number in the file. */
interface ReadBatch {
  lines: number[];
  records: string[][];
}

class FileProblem extends Error {}
class ImportTimedOut extends Error {
  constructor() {
    super(`The import ran longer than ${IMPORT_TRANSACTION_TIMEOUT_MS / 60_000} minutes.`);
  }
}

/**
 * Hashes the bytes and decodes them as UTF-8, failing on the first invalid byte sequence (which
 * includes lone surrogates, whose UTF-8 encoding is invalid) and past `maxBytes`.
 */
function utf8Decoder(hash: ReturnType<typeof createHash>, maxBytes: number): Transform {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const fail = () => new FileProblem("The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.");
  let bytes = 0;
  return new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) {
        callback(new UploadTooLarge(maxBytes));
        return;
      }
      hash.update(chunk);
      try {
        callback(null, decoder.decode(chunk, { stream: true }));
      } catch {
        callback(fail());
      }
    },
    flush(callback) {
      try {
        callback(null, decoder.decode());
      } catch {
        callback(fail());
      }
    },
  });
}

function headerProblem(header: string[]): string | null {
  const got = header.map((h) => h.trim().toLowerCase());
  const expected = LAB_FEED_COLUMNS as readonly string[];
  if (got.length === expected.length && got.every((h, i) => h === expected[i])) return null;
  return `The file's columns must be ${expected.join(",")} (found ${header.join(",") || "nothing"}).`;
}

const ALL_TEST_CODES = new Set(
  listProgramDefinitions().flatMap((d) => d.monitoring?.testTypes.map((t) => t.code) ?? []),
);

/** What a trimmed rems_patient_id value reads as: a patient's canonical REMS id, or why it is not one. */
export type PatientIdReading = { remsId: string; problem: null } | { remsId: null; problem: string };

export function readPatientId(rawId: string): PatientIdReading {
  if (rawId === "") return { remsId: null, problem: "rems_patient_id is missing" };
  const remsId = normalizeRemsId(rawId);
  if (remsId === null || !remsId.startsWith(`${REMS_ID_PREFIXES.patient}-`)) {
    return { remsId: null, problem: `rems_patient_id "${rawId}" is not a REMS patient id` };
  }
  if (!isValidRemsId(remsId, REMS_ID_PREFIXES.patient)) {
    return { remsId: null, problem: `rems_patient_id "${rawId}" has a wrong check character (typo?)` };
  }
  return { remsId, problem: null };
}

/** A date as the feed's collected_date must be written: a real calendar day as YYYY-MM-DD. */
export function isFeedDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && isCalendarDay(value);
}

/**
 * `read` remembering its answers, for up to `limit` distinct values (then it starts again): a feed
 * repeats a few patients' ids and collection days over many rows, and reading an id (normalising
 * it, its check character) or a day costs more than the rest of a row's checks.
 */
export function remembering<T>(read: (value: string) => T, limit = PATIENT_CACHE_LIMIT): (value: string) => T {
  const seen = new Map<string, T>();
  return (value) => {
    let answer = seen.get(value);
    if (answer === undefined) {
      if (seen.size >= limit) seen.clear();
      answer = read(value);
      seen.set(value, answer);
    }
    return answer;
  };
}

/** Every reason a row cannot be imported, or the row to insert. Pure apart from the lookups given. */
export function validateLabFeedRow(
  values: string[],
  context: {
    today: string;
    patientByRemsId: ReadonlyMap<string, PatientFacts | null>;
    allowedPrescriberIds: ReadonlySet<string>;
    /** readPatientId, or the same remembering its answers. */
    readPatientId?: (rawId: string) => PatientIdReading;
    /** isFeedDate, or the same remembering its answers. */
    isFeedDate?: (value: string) => boolean;
  },
): { ok: true; row: ValidRow } | { ok: false; reasons: string[] } {
  if (values.length !== LAB_FEED_COLUMNS.length) {
    return { ok: false, reasons: [`expected ${LAB_FEED_COLUMNS.length} columns, found ${values.length}`] };
  }
  // The boundary check (lib/http/hostile-text.ts): such a value is refused before anything else looks at it.
  let hostile: string[] | null = null;
  for (let i = 0; i < values.length; i++) {
    const problem = hostileTextProblem(values[i] as string);
    if (problem) {
      hostile ??= [];
      hostile.push(`${LAB_FEED_COLUMNS[i]}: ${problem.charAt(0).toLowerCase()}${problem.slice(1)}`);
    }
  }
  if (hostile) return { ok: false, reasons: hostile };
  const [rawId = "", rawCode = "", rawDate = "", rawFlag = "", rawLab = ""] = values.map((v) => v.trim());
  const reasons: string[] = [];

  let patient: PatientFacts | null = null;
  const { remsId, problem } = (context.readPatientId ?? readPatientId)(rawId);
  if (remsId === null) reasons.push(problem);
  else {
    patient = context.patientByRemsId.get(remsId) ?? null;
    if (!patient) reasons.push(`unknown patient ${remsId}`);
    else if (patient.prescriberId === null || !context.allowedPrescriberIds.has(patient.prescriberId)) {
      reasons.push(`patient ${remsId} is not one of your patients`);
      patient = null;
    }
  }

  const testCode = rawCode.toUpperCase();
  let programId: string | null = null;
  if (testCode === "") reasons.push("test_code is missing");
  else if (patient) {
    const program = programForTest(patient.programs, testCode);
    if (program) programId = program.programId;
    else reasons.push(`unknown test code "${rawCode}" for this patient's programme`);
  } else if (!ALL_TEST_CODES.has(testCode)) reasons.push(`unknown test code "${rawCode}"`);

  if (!(context.isFeedDate ?? isFeedDate)(rawDate)) {
    reasons.push(`collected_date "${rawDate}" is not a date (YYYY-MM-DD)`);
  } else if (rawDate > context.today) {
    reasons.push(`collected_date ${rawDate} is in the future`);
  } else if (patient && rawDate < patient.dateOfBirth) {
    reasons.push(`collected_date ${rawDate} is before the patient's date of birth`);
  }

  const flag = rawFlag.toLowerCase();
  if (flag !== "normal" && flag !== "abnormal") reasons.push(`result_flag "${rawFlag}" must be normal or abnormal`);

  if (rawLab === "") reasons.push("lab_id is missing");
  else if (rawLab.length > 64) reasons.push("lab_id is longer than 64 characters");

  if (reasons.length > 0 || !patient || !programId) return { ok: false, reasons };
  return {
    ok: true,
    row: {
      patientId: patient.id,
      programId,
      testCode,
      collectedOn: rawDate,
      abnormal: flag === "abnormal",
      labId: rawLab,
    },
  };
}

/**
 * The facts of the batch's patients not yet known, in one query. Known patients are kept for the
 * next batches, up to PATIENT_CACHE_LIMIT (then the cache starts again, so memory stays flat).
 */
async function loadPatients(tx: BulkTx, remsIds: string[], cache: Map<string, PatientFacts | null>) {
  const distinct = [...new Set(remsIds)];
  let missing = distinct.filter((id) => !cache.has(id));
  if (missing.length === 0) return;
  if (cache.size + missing.length > PATIENT_CACHE_LIMIT) {
    // Start again with this batch's patients only (all of them: the batch is checked against the cache).
    cache.clear();
    missing = distinct;
  }
  const { rows } = await tx.query<{
    id: string;
    remsId: string;
    dateOfBirth: string;
    prescriberId: string | null;
    enrollments: { programId: string; program: { code: string } }[];
  }>(
    `SELECT p."id"::text AS "id", p."remsId", to_char(p."dateOfBirth", 'YYYY-MM-DD') AS "dateOfBirth",
       p."prescriberId"::text AS "prescriberId",
       COALESCE(json_agg(json_build_object('programId', e."programId"::text, 'program', json_build_object('code', g."code"))
         ORDER BY e."createdAt", e."id") FILTER (WHERE e."id" IS NOT NULL), '[]'::json) AS "enrollments"
     FROM "Patient" p
     LEFT JOIN "Enrollment" e ON e."patientId" = p."id" AND e."kind" = 'PATIENT'
     LEFT JOIN "Program" g ON g."id" = e."programId"
     WHERE p."remsId" = ANY($1::text[])
     GROUP BY p."id"`,
    [missing],
  );
  for (const id of missing) cache.set(id, null);
  for (const row of rows) {
    cache.set(row.remsId, {
      id: row.id,
      dateOfBirth: row.dateOfBirth,
      prescriberId: row.prescriberId,
      programs: monitoredProgramsOf(row),
    });
  }
}

interface Outcome {
  summary: LabImportSummary;
  /** Why a failed import failed (status "failed"). */
  error: string | null;
}

/** The import's counts, status and report (built from the rejected rows staged), and its audit row. */
async function recordOutcomeInBulk(
  tx: BulkTx,
  actor: Actor,
  fileName: string,
  fileSha256: string,
  { summary, error }: Outcome,
): Promise<void> {
  await tx.query(
    `UPDATE "LabImport" SET "fileSha256" = $2::text, "status" = $3::text, "totalRows" = $4::integer,
       "acceptedRows" = $5::integer, "duplicateRows" = $6::integer, "rejectedRows" = $7::integer,
       "report" = CASE WHEN $8::text IS NULL THEN jsonb_build_object('rejected', r."rejected")
                       ELSE jsonb_build_object('error', $8::text, 'rejected', r."rejected") END,
       "finishedAt" = $9::timestamptz
     FROM (SELECT COALESCE(jsonb_agg(jsonb_build_object('line', "line", 'values', "values", 'reasons', "reasons")
             ORDER BY "line"), '[]'::jsonb) AS "rejected" FROM ${REJECT_TABLE}) r
     WHERE "id" = $1::uuid`,
    [
      summary.importId,
      fileSha256,
      summary.status,
      summary.totalRows,
      summary.acceptedRows,
      summary.duplicateRows,
      summary.rejectedRows,
      error === null ? null : storable(error),
      new Date().toISOString(),
    ],
  );
  await recordAuditInBulk(tx, actor, {
    action: "lab_import.finished",
    entityType: "LabImport",
    entityId: summary.importId,
    after: { ...summary, fileName, error: error === null ? null : storable(error) },
  });
}

function toReadable(body: Readable | WebReadableStream<Uint8Array> | ReadableStream<Uint8Array>): Readable {
  return body instanceof Readable ? body : Readable.fromWeb(body as WebReadableStream<Uint8Array>);
}

export interface LabImportInput {
  fileName: string;
  /** "all_or_nothing" or "valid_rows"; anything else is refused. */
  mode: string;
  body: Readable | ReadableStream<Uint8Array>;
  /** Bytes beyond which the file is refused (PAYLOAD_TOO_LARGE); the route passes LAB_IMPORT_MAX_BYTES. */
  maxBytes?: number;
  /** How many batches get a savepoint of their own (import-store.ts BATCH_SAVEPOINTS); for tests. */
  batchSavepoints?: number;
}

/** Text that PostgreSQL's jsonb cannot hold (NUL, lone surrogates) made visible, for the stored report. */
function storable(text: string): string {
  if (hostileTextProblem(text) === null) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) out += "\\u0000";
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text.slice(i, i + 2);
        i++;
      } else out += "\uFFFD";
    } else if (code >= 0xd800 && code <= 0xdfff) out += "\uFFFD";
    else out += text[i];
  }
  return out;
}

function partWayReason(error: unknown, mode: TLabImportMode, requestId: string): string {
  const kept = "Nothing from this file was imported (the whole file is one transaction, in either mode).";
  if (isDatabaseUnavailable(error)) {
    return `The import stopped part-way because the database could not be reached. ${kept} Import the file again.`;
  }
  const modeNote = mode === "valid_rows" ? " Valid rows were not kept either." : "";
  return `The import stopped part-way because of an error on our side (reference ${requestId.slice(0, 8)}). ${kept}${modeNote} Import the file again; if it fails again, contact support with the reference.`;
}

/**
 * Imports a lab feed file; throws VALIDATION (after recording the failed import) on a file-level
 * problem, and INTERNAL (after recording it) when the database fails part-way.
 */
export async function importLabFeed(
  actor: Actor,
  input: LabImportInput,
  client: Db = db(),
  now = new Date(),
): Promise<LabImportSummary> {
  if (!can(actor, "patient:read:own") && !can(actor, "patient:read:linked")) {
    throw new AppError("FORBIDDEN", "Only prescribers and their office staff import lab results.");
  }
  const mode = ZLabImportMode.safeParse(input.mode);
  if (!mode.success) {
    throw new AppError("VALIDATION", "Choose how to treat rejected rows.", { fields: { mode: ["Choose a mode"] } });
  }
  const allOrNothing = mode.data === "all_or_nothing";
  const fileName = checkedFileName(input.fileName);
  const maxBytes = input.maxBytes ?? Number.POSITIVE_INFINITY;
  const allowedPrescriberIds = await recordablePrescriberIds(actor, client);
  const today = dayOf(now);
  const record = await client.labImport.create({
    data: { uploadedByUserId: actor.userId, fileName, fileSha256: "", mode: mode.data, status: "processing" },
    select: { id: true },
  });
  const importId = record.id;

  const hash = createHash("sha256");
  let fileSha256 = "";
  const counts = { totalRows: 0, stagedRows: 0, rejectedRows: 0, acceptedRows: 0 };
  const patientByRemsId = new Map<string, PatientFacts | null>();
  const patientIdOf = remembering(readPatientId);
  const context = {
    today,
    patientByRemsId,
    allowedPrescriberIds,
    readPatientId: patientIdOf,
    isFeedDate: remembering(isFeedDate),
  };
  /** The upload itself broke off (the client went away): not a fault of the file or of ours. */
  let uploadBroken = false;

  const into = { importId, userId: actor.userId };
  /**
   * The batches' writes, one after the other in file order, run while the next batches are parsed
   * and checked: the database works while this process does. At most WRITES_AHEAD batches wait
   * for the database, so memory holds a few batches, never the file.
   */
  let writing: Promise<void> = Promise.resolve();
  const waiting: Promise<void>[] = [];
  /** False once an all-or-nothing import has rolled back what it stored (its first rejected row). */
  let storing = true;
  /**
   * Rejected rows not yet copied into the report's table (CSV lines): sent by the thousand rather
   * than with every batch, each COPY being a round trip the database waits on this process for.
   */
  let rejectedCsv = "";
  let rejectedCsvRows = 0;
  const flushRejected = async (tx: BulkTx) => {
    if (rejectedCsvRows === 0) return;
    const csv = rejectedCsv;
    rejectedCsv = "";
    rejectedCsvRows = 0;
    await stageRejected(tx, csv);
  };

  /** The batch's writes: its rejected rows for the report, its valid rows into LabResult (by mode). */
  const writeBatch = async (
    tx: BulkTx,
    store: LabResultStore,
    valid: RowsToStore,
    rejected: string,
    rejectedCount: number,
    firstRejection: boolean,
  ) => {
    if (firstRejection) {
      // An all-or-nothing import stores its batches under the savepoint lab_import_file; at its
      // first rejected row what it stored goes, and from then on it only checks the rest.
      await tx.query("ROLLBACK TO SAVEPOINT lab_import_file");
      await tx.query("RELEASE SAVEPOINT lab_import_file");
      counts.acceptedRows = 0;
      storing = false;
    }
    rejectedCsv += rejected;
    rejectedCsvRows += rejectedCount;
    if (rejectedCsvRows >= IMPORT_BATCH_SIZE) await flushRejected(tx);
    if (storing && valid.size > 0) counts.acceptedRows += await store.store(valid);
  };

  // The batch being read. A row whose patient is known (or whose id is no patient's id) is checked
  // as soon as it is read, so that it is garbage before the collector has to copy it; a row whose
  // patient is not known yet waits for the batch's one lookup of its new patients.
  let valid = new RowsToStore(into);
  let rejected = "";
  let rowsInBatch = 0;
  let rejectedBeforeBatch = 0;
  let unchecked: ReadBatch = { lines: [], records: [] };

  const checkRow = (line: number, values: string[]) => {
    const checked = validateLabFeedRow(values, context);
    if (!checked.ok) {
      counts.rejectedRows++;
      rejected += rejectedCsvLine(
        line,
        JSON.stringify(values.map(storable)),
        JSON.stringify(checked.reasons.map(storable)),
      );
    } else if (!(allOrNothing && counts.rejectedRows > 0)) {
      // After the first rejected row an all-or-nothing import only keeps checking.
      counts.stagedRows++;
      valid.add(checked.row, line);
    }
  };

  /** Takes one row of the file: checks it now, or once its patient is looked up. */
  const readRow = (line: number, values: string[]) => {
    rowsInBatch++;
    const { remsId } = patientIdOf(values[0]?.trim() ?? "");
    if (remsId !== null && !patientByRemsId.has(remsId)) {
      unchecked.lines.push(line);
      unchecked.records.push(values);
    } else checkRow(line, values);
  };

  /** Checks the batch's rows that waited for their patients, then queues the batch's writes. */
  const endBatch = async (tx: BulkTx, store: LabResultStore) => {
    if (unchecked.records.length > 0) {
      const remsIds: string[] = [];
      for (const values of unchecked.records) {
        const { remsId } = patientIdOf(values[0]?.trim() ?? "");
        if (remsId !== null) remsIds.push(remsId);
      }
      // Queued on the connection between the writes (it needs none of them): a failure of theirs
      // still surfaces when their turn is awaited.
      await loadPatients(tx, remsIds, patientByRemsId);
      for (let i = 0; i < unchecked.records.length; i++) {
        // Let the database's answers in: the writes queued before go on while these rows are checked.
        if ((i & 127) === 127) await yieldToIo();
        checkRow(unchecked.lines[i] as number, unchecked.records[i] as string[]);
      }
    }
    const batch = { valid, rejected, rejectedCount: counts.rejectedRows - rejectedBeforeBatch };
    const firstRejection = allOrNothing && rejectedBeforeBatch === 0 && batch.rejectedCount > 0;
    valid = new RowsToStore(into);
    rejected = "";
    rowsInBatch = 0;
    rejectedBeforeBatch = counts.rejectedRows;
    unchecked = { lines: [], records: [] };
    if (waiting.length >= WRITES_AHEAD) await waiting.shift();
    writing = writing.then(() =>
      writeBatch(tx, store, batch.valid, batch.rejected, batch.rejectedCount, firstRejection),
    );
    // Awaited in its turn or at the end; never left unhandled meanwhile.
    writing.catch(() => {});
    waiting.push(writing);
  };

  /** Reads the whole file, staging (and storing, by mode) batch by batch. */
  const readFile = async (tx: BulkTx, store: LabResultStore) => {
    const parser = parse({ relax_column_count: true, skip_empty_lines: true, info: true });
    const source = toReadable(input.body);
    source.once("error", (error) => {
      if (!(error instanceof UploadTooLarge)) uploadBroken = true;
    });
    const tooSlow = setTimeout(() => parser.destroy(new ImportTimedOut()), IMPORT_TRANSACTION_TIMEOUT_MS);
    const flowing = pipeline(source, utf8Decoder(hash, maxBytes), parser);
    let pipelineError: unknown = null;
    const finished = flowing.catch((error: unknown) => {
      pipelineError = error;
    });
    let header = true;
    try {
      for await (const { record: values, info } of parser as AsyncIterable<{
        record: string[];
        info: { lines: number };
      }>) {
        if (header) {
          header = false;
          const problem = headerProblem(values);
          if (problem) throw new FileProblem(problem);
          continue;
        }
        counts.totalRows++;
        readRow(info.lines, values);
        // Let the database's answers in: the writes queued before go on while rows are read.
        if ((counts.totalRows & 127) === 0) await yieldToIo();
        if (rowsInBatch >= IMPORT_BATCH_SIZE) await endBatch(tx, store);
      }
    } catch (error) {
      parser.destroy();
      await finished;
      // Let the last batch's writes settle before the transaction is rolled back, so none of them
      // runs after it.
      await writing.catch(() => {});
      throw error;
    } finally {
      clearTimeout(tooSlow);
    }
    await finished;
    if (pipelineError) throw pipelineError;
    fileSha256 = hash.digest("hex");
    if (header) throw new FileProblem("The file is empty: it needs the header line and at least one row.");
    if (rowsInBatch > 0) await endBatch(tx, store);
    await writing;
    await flushRejected(tx);
  };

  let outcome: Outcome;
  /** An error part-way that the import's own transaction recorded (an insert failed). */
  let insertFailure: unknown = null;
  try {
    outcome = await withBulkTransaction(async (tx) => {
      // Held while the import runs: the import list tells a running import from one whose server
      // died (the lock went with its connection) without waiting for a timeout.
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [importLockKey(importId)]);
      await createImportTables(tx);
      if (allOrNothing) await tx.query("SAVEPOINT lab_import_file");
      let result: Outcome;
      try {
        await readFile(tx, new LabResultStore(tx, into, input.batchSavepoints));
        const rejected = allOrNothing && counts.rejectedRows > 0;
        result = {
          summary: {
            importId,
            mode: mode.data,
            status: rejected ? "rejected" : "completed",
            totalRows: counts.totalRows,
            acceptedRows: counts.acceptedRows,
            duplicateRows: counts.stagedRows - counts.acceptedRows,
            rejectedRows: counts.rejectedRows,
          },
          error: null,
        };
        if (rejected) result.summary.duplicateRows = 0;
      } catch (error) {
        if (!(error instanceof InsertFailed)) throw error;
        // Nothing of the file is kept (the rows of earlier batches go too); the rejected rows
        // found so far stay in the report.
        await tx.query(`DELETE FROM "LabResult" WHERE "importId" = $1::uuid`, [importId]);
        await flushRejected(tx);
        insertFailure = error.cause;
        result = {
          summary: {
            importId,
            mode: mode.data,
            status: "failed",
            totalRows: 0,
            acceptedRows: 0,
            duplicateRows: 0,
            rejectedRows: 0,
          },
          error: partWayReason(error.cause, mode.data, actor.requestId),
        };
      }
      await recordOutcomeInBulk(tx, actor, fileName, fileSha256 || hashHex(hash), result);
      return result;
    });
  } catch (error) {
    insertFailure = null;
    const failed = await recordFailure(client, actor, {
      importId,
      mode: mode.data,
      fileName,
      fileSha256: fileSha256 || hashHex(hash),
      error,
      uploadBroken,
    });
    if (failed.failure) throw unexpected(failed.failure, failed.reason, actor, importId);
    if (failed.tooLarge) throw tooLargeError(Number.isFinite(maxBytes) ? maxBytes : 0);
    throw new AppError("VALIDATION", failed.reason, { importId });
  }
  if (insertFailure) throw unexpected(insertFailure, outcome.error ?? "The import failed.", actor, importId);
  return outcome.summary;
}

/** The file's hash so far (a digest can be taken once; a failed import may already have taken it). */
function hashHex(hash: ReturnType<typeof createHash>): string {
  try {
    return hash.copy().digest("hex");
  } catch {
    return "";
  }
}

function unexpected(failure: unknown, reason: string, actor: Actor, importId: string): unknown {
  if (isAppError(failure) || isDatabaseUnavailable(failure)) return failure;
  logger.error({ err: failure, requestId: actor.requestId, importId }, "lab import failed part-way");
  return new AppError("INTERNAL", reason, { importId });
}

/**
 * Records an import that ended before its outcome could be written with its rows: a file-level
 * problem (not UTF-8, wrong header, broken CSV, too large, the upload cut off) or an error part-way.
 * Nothing of the file was kept (the bulk transaction rolled back).
 */
async function recordFailure(
  client: Db,
  actor: Actor,
  input: {
    importId: string;
    mode: TLabImportMode;
    fileName: string;
    fileSha256: string;
    error: unknown;
    uploadBroken: boolean;
  },
): Promise<{ reason: string; tooLarge: boolean; failure: unknown }> {
  const { error } = input;
  const cause = (error as { cause?: unknown })?.cause;
  let reason: string;
  let tooLarge = false;
  let failure: unknown = null;
  if (error instanceof FileProblem) reason = error.message;
  else if (error instanceof UploadTooLarge || cause instanceof UploadTooLarge) {
    reason = error instanceof UploadTooLarge ? error.message : (cause as UploadTooLarge).message;
    tooLarge = true;
  } else if (error instanceof CsvError) reason = csvProblemInWords(error);
  else if (input.uploadBroken) {
    reason =
      "The upload stopped before the end of the file (the connection was interrupted). Nothing from this file was imported; import it again.";
  } else {
    failure = error;
    reason = partWayReason(error, input.mode, actor.requestId);
  }
  const summary: LabImportSummary = {
    importId: input.importId,
    mode: input.mode,
    status: "failed",
    totalRows: 0,
    acceptedRows: 0,
    duplicateRows: 0,
    rejectedRows: 0,
  };
  try {
    await client.$transaction(async (tx) => {
      await tx.labImport.update({
        where: { id: input.importId },
        data: { fileSha256: input.fileSha256, ...failedImportFields(reason, new Date()) },
      });
      await recordAudit(tx, actor, {
        action: "lab_import.finished",
        entityType: "LabImport",
        entityId: input.importId,
        after: { ...summary, fileName: input.fileName, error: storable(reason) },
      });
    });
  } catch (recording) {
    // The database went away: the import must still not be left "processing".
    await markFailed(client, input.importId, reason);
    throw failure ?? recording;
  }
  return { reason, tooLarge, failure };
}

/** What a failed import stores: nothing counted, nothing kept, the reason and when it ended. */
export function failedImportFields(reason: string, finishedAt: Date) {
  return {
    status: "failed",
    totalRows: 0,
    acceptedRows: 0,
    duplicateRows: 0,
    rejectedRows: 0,
    report: { error: storable(reason), rejected: [] },
    finishedAt,
  } as const;
}

/** Last resort when the outcome could not be written: the smallest update that ends "processing". */
async function markFailed(client: Db, importId: string, reason: string): Promise<void> {
  try {
    await client.labImport.update({
      where: { id: importId },
      data: { status: "failed", report: { error: storable(reason), rejected: [] }, finishedAt: new Date() },
    });
  } catch (error) {
    logger.warn({ importId, err: error }, "could not record the lab import's outcome");
  }
}

// ---------------------------------------------------------------------------
// Reading imports back

export interface LabImportListItem {
  id: string;
  fileName: string;
  mode: string;
  status: "processing" | "completed" | "rejected" | "failed";
  /** Why a failed import failed (as stored in its report). */
  failureReason: string | null;
  totalRows: number;
  acceptedRows: number;
  duplicateRows: number;
  rejectedRows: number;
  createdAt: Date;
}

/** An import still "processing" after its transaction's timeout was cut off (the server stopped). */
const INTERRUPTED_AFTER_MS = IMPORT_TRANSACTION_TIMEOUT_MS + 5 * 60_000;
/**
 * Before this age a "processing" import may still be waiting for its transaction to start (up to the
 * transaction's 60 s maxWait); after it, an import whose lock nobody holds has stopped.
 */
export const STARTING_GRACE_MS = 2 * 60_000;

const IMPORT_LOCK_PREFIX = "lab-import:";

export function importLockKey(importId: string): string {
  return `${IMPORT_LOCK_PREFIX}${importId}`;
}
export const INTERRUPTED_REASON =
  "The import was interrupted (the server stopped while it ran). Nothing from this file was imported; import it again.";

/** The actor's recent imports, newest first, with the reason for each failed one. */
export async function listLabImports(
  actor: Actor,
  client: Db = db(),
  take = 20,
  now = new Date(),
): Promise<LabImportListItem[]> {
  const rows = await client.labImport.findMany({
    where: { uploadedByUserId: actor.userId },
    orderBy: { createdAt: "desc" },
    take,
    select: {
      id: true,
      fileName: true,
      mode: true,
      status: true,
      totalRows: true,
      acceptedRows: true,
      duplicateRows: true,
      rejectedRows: true,
      createdAt: true,
    },
  });
  const failedIds = rows.filter((r) => r.status === "failed").map((r) => r.id);
  // Only the reason, not the whole report (which can list many thousands of rejected rows).
  const reasons =
    failedIds.length === 0
      ? []
      : await client.$queryRaw<{ id: string; reason: string | null }[]>`
          SELECT "id"::text AS "id", "report"->>'error' AS "reason" FROM "LabImport"
          WHERE "id" = ANY(${failedIds}::uuid[])`;
  const reasonById = new Map(reasons.map((r) => [r.id, r.reason]));
  // A running import holds its advisory lock; trying the lock (released at once: one statement in
  // its own transaction) tells whether the import's transaction still exists.
  const unsure = rows
    .filter((r) => r.status === "processing")
    .filter((r) => {
      const age = now.getTime() - r.createdAt.getTime();
      return age > STARTING_GRACE_MS && age <= INTERRUPTED_AFTER_MS;
    })
    .map((r) => r.id);
  const stopped = new Set(
    unsure.length === 0
      ? []
      : (
          await client.$queryRaw<{ id: string; free: boolean }[]>`
            SELECT "id"::text AS "id", pg_try_advisory_xact_lock(hashtextextended(${IMPORT_LOCK_PREFIX} || "id"::text, 0)) AS "free"
            FROM unnest(${unsure}::uuid[]) AS t("id")`
        )
          .filter((r) => r.free)
          .map((r) => r.id),
  );
  return rows.map((row) => {
    const interrupted =
      row.status === "processing" &&
      (now.getTime() - row.createdAt.getTime() > INTERRUPTED_AFTER_MS || stopped.has(row.id));
    const status = (interrupted ? "failed" : row.status) as LabImportListItem["status"];
    return {
      ...row,
      status,
      failureReason: interrupted ? INTERRUPTED_REASON : status === "failed" ? (reasonById.get(row.id) ?? null) : null,
    };
  });
}

/** The rejected rows as CSV: line number, the row's values and the reasons. */
export function rejectionReportCsv(report: LabImportReport): string {
  const rows: CsvValue[][] = [];
  if (report.error) rows.push(["", "", "", "", "", "", report.error]);
  for (const row of report.rejected) {
    rows.push([String(row.line), ...LAB_FEED_COLUMNS.map((_, i) => row.values[i] ?? ""), row.reasons.join("; ")]);
  }
  return csvText(["line", ...LAB_FEED_COLUMNS, "reasons"], rows);
}

/** The rejection report of one of the actor's own imports (others: NOT_FOUND). */
export async function getLabImportReport(actor: Actor, importId: string, client: Db = db()) {
  const row = /^[0-9a-f-]{36}$/i.test(importId)
    ? await client.labImport.findUnique({
        where: { id: importId },
        select: { id: true, fileName: true, uploadedByUserId: true, report: true },
      })
    : null;
  if (!row || row.uploadedByUserId !== actor.userId) throw new AppError("NOT_FOUND", "There is no such import.");
  const report = (row.report ?? { rejected: [] }) as unknown as LabImportReport;
  return { fileName: row.fileName, csv: rejectionReportCsv(report) };
}
