/**
 * Lab feed import (README "Lab feed CSV"). The upload is read as a stream: bytes are hashed and
 * decoded as strict UTF-8 on the way into csv-parse, rows are validated in chunks of
 * IMPORT_BATCH_SIZE and inserted with one `INSERT … ON CONFLICT ("dedupeKey") DO NOTHING` per chunk,
 * so memory holds one chunk and the rejected rows, never the file.
 *
 * The whole file is one transaction: a file-level problem (not UTF-8, wrong header, broken CSV,
 * larger than LAB_IMPORT_MAX_BYTES) writes nothing in either mode, and in "all_or_nothing" mode any
 * rejected row rolls back every insert while the remaining rows are still checked, so the report
 * lists every bad row. An error part-way (the database failing mid-file) also rolls back the whole
 * file, in both modes: nothing of that file is kept, and the import ends "failed" with the reason.
 * The LabImport row (counts, report) is written outside that transaction and survives a rollback;
 * it never stays "processing" once the import has returned.
 */
import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { CsvError, parse } from "csv-parse";
import { type CsvValue, csvText } from "../csv/writer";
import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import { recordAudit } from "../audit/service";
import { db, type Db, type Tx } from "../db";
import { AppError, isDatabaseUnavailable, isAppError } from "../errors";
import { hostileTextProblem } from "../http/hostile-text";
import { logger } from "../logger";
import { isValidRemsId, normalizeRemsId, REMS_ID_PREFIXES } from "../identifiers/rems-id";
import { dayOf, isCalendarDay } from "../monitoring/rules";
import { listProgramDefinitions } from "../programs/registry";
import { recordablePrescriberIds } from "./access";
import { LAB_FEED_COLUMNS, type TLabImportMode, ZLabImportMode } from "./schema";
import { labResultDedupeKey, monitoredProgramsOf, type PatientProgram, programForTest } from "./service";
import { checkedFileName, tooLargeError, UploadTooLarge } from "./upload";

export const IMPORT_BATCH_SIZE = 1000;
/** A whole 100k-row file runs in one transaction. */
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

interface ValidRow {
  patientId: string;
  programId: string;
  testCode: string;
  collectedOn: string;
  abnormal: boolean;
  labId: string;
}

class FileProblem extends Error {}
class RollBack extends Error {}

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

/** Every reason a row cannot be imported, or the row to insert. Pure apart from the lookups given. */
export function validateLabFeedRow(
  values: string[],
  context: {
    today: string;
    patientByRemsId: ReadonlyMap<string, PatientFacts | null>;
    allowedPrescriberIds: ReadonlySet<string>;
  },
): { ok: true; row: ValidRow } | { ok: false; reasons: string[] } {
  if (values.length !== LAB_FEED_COLUMNS.length) {
    return { ok: false, reasons: [`expected ${LAB_FEED_COLUMNS.length} columns, found ${values.length}`] };
  }
  // The boundary check (lib/http/hostile-text.ts): such a value is refused before anything else looks at it.
  const hostile: string[] = [];
  values.forEach((value, i) => {
    const problem = hostileTextProblem(value);
    if (problem) hostile.push(`${LAB_FEED_COLUMNS[i]}: ${problem.charAt(0).toLowerCase()}${problem.slice(1)}`);
  });
  if (hostile.length > 0) return { ok: false, reasons: hostile };
  const [rawId = "", rawCode = "", rawDate = "", rawFlag = "", rawLab = ""] = values.map((v) => v.trim());
  const reasons: string[] = [];

  let patient: PatientFacts | null = null;
  const remsId = normalizeRemsId(rawId);
  if (rawId === "") reasons.push("rems_patient_id is missing");
  else if (remsId === null || !remsId.startsWith(`${REMS_ID_PREFIXES.patient}-`))
    reasons.push(`rems_patient_id "${rawId}" is not a REMS patient id`);
  else if (!isValidRemsId(remsId, REMS_ID_PREFIXES.patient))
    reasons.push(`rems_patient_id "${rawId}" has a wrong check character (typo?)`);
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

  if (!/^\d{4}-\d{2}-\d{2}$/.test(rawDate) || !isCalendarDay(rawDate)) {
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

async function loadPatients(tx: Tx, remsIds: string[], cache: Map<string, PatientFacts | null>) {
  const missing = [...new Set(remsIds)].filter((id) => !cache.has(id));
  if (missing.length === 0) return;
  const rows = await tx.patient.findMany({
    where: { remsId: { in: missing } },
    select: {
      id: true,
      remsId: true,
      dateOfBirth: true,
      prescriberId: true,
      enrollments: {
        where: { kind: "PATIENT" },
        select: {
          programId: true,
          status: true,
          createdAt: true,
          certifiedAt: true,
          program: { select: { code: true } },
        },
      },
    },
  });
  for (const id of missing) cache.set(id, null);
  for (const row of rows) {
    cache.set(row.remsId, {
      id: row.id,
      dateOfBirth: dayOf(row.dateOfBirth),
      prescriberId: row.prescriberId,
      programs: monitoredProgramsOf(row),
    });
  }
}

/**
 * One INSERT per chunk with the columns as arrays (unnest), skipping rows whose dedupeKey exists.
 * Raw SQL because the ORM's createMany keeps memory per distinct batch, which grows with the file.
 */
async function insertLabResults(tx: Tx, rows: ValidRow[], importId: string, userId: string): Promise<number> {
  const column = <T>(pick: (r: ValidRow) => T) => rows.map(pick);
  return tx.$executeRaw`
    INSERT INTO "LabResult" ("id", "patientId", "programId", "testCode", "collectedOn", "abnormal", "labId",
      "source", "importId", "dedupeKey", "recordedByUserId")
    SELECT gen_random_uuid(), r.p, r.g, r.t, r.c, r.a, r.l, 'import', ${importId}::uuid, r.k, ${userId}::uuid
    FROM unnest(
      ${column((r) => r.patientId)}::uuid[], ${column((r) => r.programId)}::uuid[],
      ${column((r) => r.testCode)}::text[], ${column((r) => r.collectedOn)}::date[],
      ${column((r) => r.abnormal)}::boolean[], ${column((r) => r.labId)}::text[],
      ${column((r) => labResultDedupeKey(r.patientId, r.testCode, r.collectedOn, r.labId))}::text[]
    ) AS r(p, g, t, c, a, l, k)
    ON CONFLICT ("dedupeKey") DO NOTHING`;
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

function storableReport(report: LabImportReport): LabImportReport {
  return {
    ...(report.error ? { error: storable(report.error) } : {}),
    rejected: report.rejected.map((r) => ({
      line: r.line,
      values: r.values.map(storable),
      reasons: r.reasons.map(storable),
    })),
  };
}

function partWayReason(error: unknown, mode: TLabImportMode, requestId: string): string {
  const kept = "Nothing from this file was imported (the whole file is one transaction, in either mode).";
  if (isDatabaseUnavailable(error)) {
    return `The import stopped part-way because the database could not be reached. ${kept} Import the file again.`;
  }
  const modeNote = mode === "valid_rows" ? " Valid rows were not kept either." : "";
  return `The import stopped part-way because of an error on our side (reference ${requestId.slice(0, 8)}). ${kept}${modeNote} Import the file again; if it fails again, contact support with the reference.`;
}

/** Imports a lab feed file; throws VALIDATION (after recording the failed import) on a file-level problem. */
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
  const rejected: RejectedRow[] = [];
  const counts = { totalRows: 0, acceptedRows: 0, duplicateRows: 0 };
  const patientByRemsId = new Map<string, PatientFacts | null>();
  let fileError: string | null = null;
  let tooLarge = false;
  /** An unexpected error part-way: the import is failed, with the reason, and the error is re-thrown. */
  let failure: unknown = null;
  /** The upload itself broke off (the client went away): not a fault of the file or of ours. */
  let uploadBroken = false;

  const insert = async (tx: Tx, chunk: { line: number; values: string[] }[]) => {
    await loadPatients(
      tx,
      chunk.map((c) => normalizeRemsId(c.values[0]?.trim() ?? "")).filter((id): id is string => id !== null),
      patientByRemsId,
    );
    const valid: ValidRow[] = [];
    for (const { line, values } of chunk) {
      const checked = validateLabFeedRow(values, { today, patientByRemsId, allowedPrescriberIds });
      if (checked.ok) valid.push(checked.row);
      else rejected.push({ line, values, reasons: checked.reasons });
    }
    // After the first rejected row an all-or-nothing import only keeps checking.
    if (valid.length === 0 || (mode.data === "all_or_nothing" && rejected.length > 0)) return;
    const inserted = await insertLabResults(tx, valid, importId, actor.userId);
    counts.acceptedRows += inserted;
    counts.duplicateRows += valid.length - inserted;
  };

  try {
    await client.$transaction(
      async (tx) => {
        // Held while the import runs: the import list tells a running import from one whose server
        // died (the lock went with its connection) without waiting for the transaction's timeout.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${importLockKey(importId)}, 0))`;
        const parser = parse({ relax_column_count: true, skip_empty_lines: true, info: true });
        const source = toReadable(input.body);
        source.once("error", (error) => {
          if (!(error instanceof UploadTooLarge)) uploadBroken = true;
        });
        const flowing = pipeline(source, utf8Decoder(hash, maxBytes), parser);
        let pipelineError: unknown = null;
        const finished = flowing.catch((error: unknown) => {
          pipelineError = error;
        });
        let header = true;
        let chunk: { line: number; values: string[] }[] = [];
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
            chunk.push({ line: info.lines, values });
            if (chunk.length >= IMPORT_BATCH_SIZE) {
              await insert(tx, chunk);
              chunk = [];
            }
          }
        } catch (error) {
          parser.destroy();
          await finished;
          throw error;
        }
        await finished;
        if (pipelineError) throw pipelineError;
        if (header) throw new FileProblem("The file is empty: it needs the header line and at least one row.");
        if (chunk.length > 0) await insert(tx, chunk);
        if (mode.data === "all_or_nothing" && rejected.length > 0) throw new RollBack();
      },
      { timeout: IMPORT_TRANSACTION_TIMEOUT_MS, maxWait: 60_000 },
    );
  } catch (error) {
    const cause = (error as { cause?: unknown })?.cause;
    if (error instanceof FileProblem) fileError = error.message;
    else if (error instanceof UploadTooLarge || cause instanceof UploadTooLarge) {
      fileError = error instanceof UploadTooLarge ? error.message : (cause as UploadTooLarge).message;
      tooLarge = true;
    } else if (error instanceof CsvError) fileError = `The file is not valid CSV: ${error.message}`;
    else if (uploadBroken) {
      fileError =
        "The upload stopped before the end of the file (the connection was interrupted). Nothing from this file was imported; import it again.";
    } else if (!(error instanceof RollBack)) {
      failure = error;
      fileError = partWayReason(error, mode.data, actor.requestId);
    }
    counts.acceptedRows = 0;
    counts.duplicateRows = 0;
  }

  const status: LabImportSummary["status"] = fileError
    ? "failed"
    : rejected.length > 0 && mode.data === "all_or_nothing"
      ? "rejected"
      : "completed";
  const report: LabImportReport = fileError ? { error: fileError, rejected: failure ? rejected : [] } : { rejected };
  const summary: LabImportSummary = {
    importId,
    mode: mode.data,
    status,
    totalRows: fileError ? 0 : counts.totalRows,
    acceptedRows: counts.acceptedRows,
    duplicateRows: counts.duplicateRows,
    rejectedRows: fileError ? 0 : rejected.length,
  };
  try {
    await client.$transaction(async (tx) => {
      await tx.labImport.update({
        where: { id: importId },
        data: {
          fileSha256: hash.digest("hex"),
          status,
          totalRows: summary.totalRows,
          acceptedRows: summary.acceptedRows,
          duplicateRows: summary.duplicateRows,
          rejectedRows: summary.rejectedRows,
          report: JSON.parse(JSON.stringify(storableReport(report))),
          finishedAt: new Date(),
        },
      });
      await recordAudit(tx, actor, {
        action: "lab_import.finished",
        entityType: "LabImport",
        entityId: importId,
        after: { ...summary, fileName, error: fileError ? storable(fileError) : null },
      });
    });
  } catch (error) {
    // Recording the outcome failed (the database went away, or the report could not be stored): the
    // rows are committed or not already, but the import must not be left "processing".
    await markFailed(
      client,
      importId,
      status === "completed" ? null : (fileError ?? "The import could not be recorded."),
    );
    throw failure ?? error;
  }
  if (failure) {
    if (isAppError(failure) || isDatabaseUnavailable(failure)) throw failure;
    logger.error({ err: failure, requestId: actor.requestId, importId }, "lab import failed part-way");
    throw new AppError("INTERNAL", fileError ?? "The import failed.", { importId });
  }
  if (tooLarge) throw tooLargeError(Number.isFinite(maxBytes) ? maxBytes : 0);
  if (fileError) throw new AppError("VALIDATION", fileError, { importId });
  return summary;
}

/**
 * Last resort when the outcome could not be written: the smallest update that ends "processing".
 * A completed import whose counts could not be written stays completed (its rows are committed).
 */
async function markFailed(client: Db, importId: string, reason: string | null): Promise<void> {
  try {
    await client.labImport.update({
      where: { id: importId },
      data:
        reason === null
          ? { status: "completed", finishedAt: new Date() }
          : { status: "failed", report: { error: storable(reason), rejected: [] }, finishedAt: new Date() },
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
const STARTING_GRACE_MS = 2 * 60_000;

const IMPORT_LOCK_PREFIX = "lab-import:";

function importLockKey(importId: string): string {
  return `${IMPORT_LOCK_PREFIX}${importId}`;
}
const INTERRUPTED_REASON =
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
