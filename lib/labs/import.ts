/**
 * Lab feed import (README "Lab feed CSV"). The upload is read as a stream: bytes are hashed and
 * decoded as strict UTF-8 on the way into csv-parse, rows are validated in chunks of
 * IMPORT_BATCH_SIZE and inserted with one `INSERT … ON CONFLICT ("dedupeKey") DO NOTHING` per chunk,
 * so memory holds one chunk and the rejected rows, never the file.
 *
 * The whole file is one transaction: a file-level problem (not UTF-8, wrong header, broken CSV)
 * writes nothing in either mode, and in "all_or_nothing" mode any rejected row rolls back every
 * insert while the remaining rows are still checked, so the report lists every bad row.
 * The LabImport row (counts, report) is written outside that transaction and survives a rollback.
 */
import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { CsvError, parse } from "csv-parse";
import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import { recordAudit } from "../audit/service";
import { db, type Db, type Tx } from "../db";
import { AppError } from "../errors";
import { isValidRemsId, normalizeRemsId, REMS_ID_PREFIXES } from "../identifiers/rems-id";
import { dayOf, isCalendarDay } from "../monitoring/rules";
import { listProgramDefinitions } from "../programs/registry";
import { recordablePrescriberIds } from "./access";
import { LAB_FEED_COLUMNS, type TLabImportMode, ZLabImportMode } from "./schema";
import { labResultDedupeKey, monitoredProgramsOf, type PatientProgram, programForTest } from "./service";

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

/** Hashes the bytes and decodes them as UTF-8, failing on the first invalid byte sequence. */
function utf8Decoder(hash: ReturnType<typeof createHash>): Transform {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const fail = () => new FileProblem("The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.");
  return new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _encoding, callback) {
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
  const fileName = input.fileName.trim().slice(0, 255) || "upload.csv";
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
        const parser = parse({ relax_column_count: true, skip_empty_lines: true, info: true });
        const flowing = pipeline(toReadable(input.body), utf8Decoder(hash), parser);
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
    if (error instanceof FileProblem) fileError = error.message;
    else if (error instanceof CsvError) fileError = `The file is not valid CSV: ${error.message}`;
    else if (!(error instanceof RollBack)) {
      await client.labImport.update({ where: { id: importId }, data: { status: "failed", finishedAt: new Date() } });
      throw error;
    }
    counts.acceptedRows = 0;
    counts.duplicateRows = 0;
  }

  const status: LabImportSummary["status"] = fileError
    ? "failed"
    : rejected.length > 0 && mode.data === "all_or_nothing"
      ? "rejected"
      : "completed";
  const report: LabImportReport = fileError ? { error: fileError, rejected: [] } : { rejected };
  const summary: LabImportSummary = {
    importId,
    mode: mode.data,
    status,
    totalRows: fileError ? 0 : counts.totalRows,
    acceptedRows: counts.acceptedRows,
    duplicateRows: counts.duplicateRows,
    rejectedRows: fileError ? 0 : rejected.length,
  };
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
        report: JSON.parse(JSON.stringify(report)),
        finishedAt: new Date(),
      },
    });
    await recordAudit(tx, actor, {
      action: "lab_import.finished",
      entityType: "LabImport",
      entityId: importId,
      after: { ...summary, fileName, error: fileError },
    });
  });
  if (fileError) throw new AppError("VALIDATION", fileError, { importId });
  return summary;
}

// ---------------------------------------------------------------------------
// Reading imports back

/** The actor's recent imports, newest first. */
export async function listLabImports(actor: Actor, client: Db = db(), take = 20) {
  return client.labImport.findMany({
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
}

/** A cell that spreadsheet programs will not run as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The rejected rows as CSV: line number, the row's values and the reasons. */
export function rejectionReportCsv(report: LabImportReport): string {
  const lines = [["line", ...LAB_FEED_COLUMNS, "reasons"].join(",")];
  if (report.error) lines.push(["", "", "", "", "", "", csvCell(report.error)].join(","));
  for (const row of report.rejected) {
    const values = LAB_FEED_COLUMNS.map((_, i) => csvCell(row.values[i] ?? ""));
    lines.push([String(row.line), ...values, csvCell(row.reasons.join("; "))].join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
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
