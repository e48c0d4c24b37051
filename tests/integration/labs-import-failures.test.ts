/**
 * A lab import that cannot finish ends "failed" with its reason, keeps nothing of the file (the
 * whole file is one transaction, in either mode), and its report can be downloaded: a file over
 * the size limit (counted as it streams), a database error part-way (a real one, raised by a
 * trigger on one row deep in the file), an upload that breaks off. Hostile text in values is a
 * rejected row, and the stored report shows it.
 */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { resolveDatabaseConfig } from "../../lib/db/config";
import { AppError } from "../../lib/errors";
import {
  getLabImportReport,
  IMPORT_BATCH_SIZE,
  INTERRUPTED_REASON,
  importLabFeed,
  listLabImports,
} from "../../lib/labs/import";
import { settleInterruptedLabImports } from "../../lib/labs/import-recovery";
import { createPrescriberWithPatients } from "../factories/patients-lite";
import { signIn } from "../factories/users";

const HEADER = "rems_patient_id,test_code,collected_date,result_flag,lab_id";
const NOW = new Date("2026-06-15T12:00:00Z");
const FAIL_LAB = "LAB-TRIGGER-FAILS-HERE";

beforeAll(async () => {
  // A real database error on one chosen row, as a disk or constraint failure would raise it.
  await db().$executeRawUnsafe(`
    CREATE OR REPLACE FUNCTION test_fail_lab_insert() RETURNS trigger AS $$
    BEGIN
      IF NEW."labId" = '${FAIL_LAB}' THEN RAISE EXCEPTION 'simulated storage failure'; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await db().$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_fail_lab_insert ON "LabResult"`);
  await db().$executeRawUnsafe(
    `CREATE TRIGGER test_fail_lab_insert BEFORE INSERT ON "LabResult" FOR EACH ROW EXECUTE FUNCTION test_fail_lab_insert()`,
  );
});

afterAll(async () => {
  await db().$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_fail_lab_insert ON "LabResult"`);
  await disconnectDb();
});

async function prescriberWithPatient() {
  const world = await createPrescriberWithPatients(1);
  const { actor } = await signIn(world);
  return { actor, remsId: world.patients[0]!.remsId, patientId: world.patients[0]!.id };
}

/** `count` distinct valid rows for the patient, then whatever `tail` adds. */
function rows(remsId: string, count: number, tail: string[] = []): string[] {
  const lines = [HEADER];
  for (let i = 0; i < count; i++) lines.push(`${remsId},TSH,2026-01-02,normal,LAB-${i}`);
  return [...lines, ...tail];
}

function streamOf(lines: string[], breakAfterBytes?: number): Readable {
  const text = `${lines.join("\n")}\n`;
  const bytes = Buffer.from(text, "utf8");
  return Readable.from(
    (async function* () {
      for (let at = 0; at < bytes.length; at += 8192) {
        if (breakAfterBytes !== undefined && at >= breakAfterBytes) throw new Error("socket hang up");
        yield bytes.subarray(at, at + 8192);
      }
    })(),
  );
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => new Error("expected the import to fail"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function importRow(importId: string) {
  return db().labImport.findUniqueOrThrow({ where: { id: importId }, select: { status: true, report: true } });
}

describe("lab imports that cannot finish", () => {
  it("a file that grows past the maximum while streaming is refused with 413, failed, nothing kept", async () => {
    const { actor, patientId } = await prescriberWithPatient();
    const lines = rows((await db().patient.findUniqueOrThrow({ where: { id: patientId } })).remsId, 3000);
    const error = await rejection(
      importLabFeed(
        actor,
        { fileName: "big.csv", mode: "valid_rows", body: streamOf(lines), maxBytes: 20_000 },
        db(),
        NOW,
      ),
    );
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/larger than the maximum/);
    const [latest] = await listLabImports(actor, db(), 1, NOW);
    expect(latest).toMatchObject({ status: "failed", acceptedRows: 0 });
    expect(latest?.failureReason).toMatch(/larger than the maximum/);
    expect(await db().labResult.count({ where: { patientId } })).toBe(0);
  });

  for (const mode of ["all_or_nothing", "valid_rows"] as const) {
    it(`a database error part-way (${mode}) ends failed with the reason; no row of the file is kept`, async () => {
      const { actor, remsId, patientId } = await prescriberWithPatient();
      // The failing row sits in the third chunk: two chunks were already inserted when it fails.
      const lines = rows(remsId, IMPORT_BATCH_SIZE * 2 + 10, [`${remsId},TSH,2026-01-03,normal,${FAIL_LAB}`]);
      const error = await rejection(
        importLabFeed(actor, { fileName: "midway.csv", mode, body: streamOf(lines) }, db(), NOW),
      );
      expect(error.code).toBe("INTERNAL");
      expect(error.message).toMatch(/stopped part-way/);
      expect(error.message).toMatch(/Nothing from this file was imported/);
      const importId = String(error.details?.importId);
      const row = await importRow(importId);
      expect(row.status).toBe("failed");
      expect(await db().labResult.count({ where: { patientId } })).toBe(0);
      const [listed] = await listLabImports(actor, db(), 1, NOW);
      expect(listed).toMatchObject({ id: importId, status: "failed", acceptedRows: 0 });
      expect(listed?.failureReason).toMatch(/stopped part-way/);
      const report = await getLabImportReport(actor, importId);
      expect(report.csv).toMatch(/stopped part-way/);
    });
  }

  it("a quote left open is failed with the line and how to put it right, in words; nothing kept", async () => {
    const { actor, remsId, patientId } = await prescriberWithPatient();
    const lines = rows(remsId, 3, [`${remsId},TSH,2026-01-03,"normal,LAB-OPEN`]);
    const error = await rejection(
      importLabFeed(actor, { fileName: "quote.csv", mode: "valid_rows", body: streamOf(lines) }, db(), NOW),
    );
    const [latest] = await listLabImports(actor, db(), 1, NOW);
    expect(latest).toMatchObject({ status: "failed", acceptedRows: 0 });
    expect(latest?.failureReason).toMatch(
      /^The file is not valid CSV: a value opened with a double quote \("\) is never closed/,
    );
    expect(latest?.failureReason).toContain("line 5 or before");
    expect(latest?.failureReason).not.toMatch(/Quote Not Closed/);
    expect(error.message).toContain("never closed");
    expect(await db().labResult.count({ where: { patientId } })).toBe(0);
  });

  it("an upload that breaks off ends failed with the reason; nothing kept", async () => {
    const { actor, remsId, patientId } = await prescriberWithPatient();
    const lines = rows(remsId, IMPORT_BATCH_SIZE * 3);
    const error = await rejection(
      importLabFeed(actor, { fileName: "cut.csv", mode: "valid_rows", body: streamOf(lines, 60_000) }, db(), NOW),
    );
    expect(error.code).toBe("VALIDATION");
    const row = await importRow(String(error.details?.importId));
    expect(row.status).toBe("failed");
    expect((row.report as { error?: string }).error).toMatch(/upload stopped before the end of the file/);
    expect(await db().labResult.count({ where: { patientId } })).toBe(0);
  });

  it("NUL characters in values are rejected rows naming the column; the import completes and its report is stored", async () => {
    const { actor, remsId, patientId } = await prescriberWithPatient();
    const lines = [
      HEADER,
      `${remsId},TSH,2026-01-02,normal,LAB\u0000X`,
      `${remsId},TSH\u0000,2026-01-02,normal,LAB`,
      `${remsId},TSH,2026-01-04,normal,LAB-OK`,
    ];
    const summary = await importLabFeed(
      actor,
      { fileName: "nul.csv", mode: "valid_rows", body: streamOf(lines) },
      db(),
      NOW,
    );
    expect(summary).toMatchObject({ status: "completed", totalRows: 3, acceptedRows: 1, rejectedRows: 2 });
    expect(await db().labResult.count({ where: { patientId } })).toBe(1);
    const report = await getLabImportReport(actor, summary.importId);
    expect(report.csv).toContain("lab_id: contains a NUL character");
    expect(report.csv).toContain("test_code: contains a NUL character");
    expect(report.csv).toContain("LAB\\u0000X");

    const allOrNothing = await importLabFeed(
      actor,
      { fileName: "nul.csv", mode: "all_or_nothing", body: streamOf(lines) },
      db(),
      NOW,
    );
    expect(allOrNothing.status).toBe("rejected");
  });

  it("a file name holding a NUL is a field error before anything is written", async () => {
    const { actor } = await prescriberWithPatient();
    const before = await db().labImport.count({ where: { uploadedByUserId: actor.userId } });
    const error = await rejection(
      importLabFeed(actor, { fileName: "a\u0000.csv", mode: "valid_rows", body: streamOf([HEADER]) }, db(), NOW),
    );
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.fields).toHaveProperty("fileName");
    expect(await db().labImport.count({ where: { uploadedByUserId: actor.userId } })).toBe(before);
  });
});

describe("an import whose server stopped while it ran", () => {
  it("reads as failed (interrupted) once no transaction holds it, without waiting for the transaction's timeout", async () => {
    const { actor } = await prescriberWithPatient();
    // What a killed server leaves: the import's row, still "processing", and no transaction.
    const left = await db().labImport.create({
      data: {
        uploadedByUserId: actor.userId,
        fileName: "killed.csv",
        fileSha256: "",
        mode: "valid_rows",
        status: "processing",
      },
      select: { id: true, createdAt: true },
    });
    const listedAt = async (afterMs: number) =>
      (await listLabImports(actor, db(), 5, new Date(left.createdAt.getTime() + afterMs))).find(
        (i) => i.id === left.id,
      );
    // Its transaction may still be about to start.
    expect(await listedAt(60_000)).toMatchObject({ status: "processing", failureReason: null });
    expect(await listedAt(3 * 60_000)).toMatchObject({
      status: "failed",
      failureReason: expect.stringMatching(/interrupted .* Nothing from this file was imported/),
    });
    // Reading the list changes nothing stored.
    expect((await importRow(left.id)).status).toBe("processing");
  });

  it("is written down as failed, with its reason and an audit row, by the settling job", async () => {
    const { actor } = await prescriberWithPatient();
    const left = await db().labImport.create({
      data: {
        uploadedByUserId: actor.userId,
        fileName: "killed-then-settled.csv",
        fileSha256: "",
        mode: "all_or_nothing",
        status: "processing",
      },
      select: { id: true, createdAt: true },
    });
    const at = (afterMs: number) => new Date(left.createdAt.getTime() + afterMs);
    const audits = () =>
      db().auditEvent.findMany({
        where: { entityType: "LabImport", entityId: left.id, action: "lab_import.interrupted" },
      });

    // Within the grace period its transaction may still be about to start: left alone.
    await settleInterruptedLabImports(db(), at(60_000));
    expect((await importRow(left.id)).status).toBe("processing");
    expect(await audits()).toHaveLength(0);

    const settled = await settleInterruptedLabImports(db(), at(3 * 60_000));
    expect(settled.settled).toBeGreaterThanOrEqual(1);
    const row = await db().labImport.findUniqueOrThrow({ where: { id: left.id } });
    expect(row).toMatchObject({ status: "failed", totalRows: 0, acceptedRows: 0, rejectedRows: 0 });
    expect(row.finishedAt?.toISOString()).toBe(at(3 * 60_000).toISOString());
    expect(row.report).toEqual({ error: INTERRUPTED_REASON, rejected: [] });
    const [audit, ...more] = await audits();
    expect(more).toHaveLength(0);
    expect(audit).toMatchObject({
      before: { status: "processing" },
      after: {
        status: "failed",
        fileName: "killed-then-settled.csv",
        mode: "all_or_nothing",
        error: INTERRUPTED_REASON,
      },
    });
    // The list reads the stored outcome now, at any age.
    const listed = (await listLabImports(actor, db(), 5, at(60 * 60_000))).find((i) => i.id === left.id);
    expect(listed).toMatchObject({ status: "failed", failureReason: INTERRUPTED_REASON });

    // Settling again changes nothing and writes no second audit row.
    await settleInterruptedLabImports(db(), at(10 * 60_000));
    expect(await audits()).toHaveLength(1);
    expect((await db().labImport.findUniqueOrThrow({ where: { id: left.id } })).finishedAt?.toISOString()).toBe(
      at(3 * 60_000).toISOString(),
    );
  });
});

describe.runIf(resolveDatabaseConfig().kind === "postgres")("an import that is still running (PostgreSQL)", () => {
  it("stays processing in the list while its transaction runs, however long it takes", async () => {
    const { actor, remsId, patientId } = await prescriberWithPatient();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // An upload that stops after its first rows until the test lets it go on.
    const body = Readable.from(
      (async function* () {
        yield Buffer.from(`${HEADER}\n${remsId},TSH,2026-01-02,normal,LAB-SLOW-1\n`);
        await held;
        yield Buffer.from(`${remsId},TSH,2026-01-02,normal,LAB-SLOW-2\n`);
      })(),
    );
    const running = importLabFeed(actor, { fileName: "slow.csv", mode: "valid_rows", body }, db(), NOW);
    let importId: string | undefined;
    // Until the import's row exists and its transaction holds the import's lock.
    for (let i = 0; i < 200 && !importId; i++) {
      const row = await db().labImport.findFirst({
        where: { uploadedByUserId: actor.userId, fileName: "slow.csv" },
        select: { id: true },
      });
      const [probe] = row
        ? await db().$queryRaw<{ free: boolean }[]>`
            SELECT pg_try_advisory_xact_lock(hashtextextended(${`lab-import:${row.id}`}, 0)) AS "free"`
        : [];
      if (probe && !probe.free) importId = row?.id;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(importId).toBeDefined();
    const later = new Date(Date.now() + 10 * 60_000);
    const [listed] = await listLabImports(actor, db(), 1, later);
    expect(listed).toMatchObject({ id: importId, status: "processing" });
    // The settling job sees its lock held and leaves it running.
    const settling = await settleInterruptedLabImports(db(), later);
    expect(settling.running).toBeGreaterThanOrEqual(1);
    expect((await importRow(String(importId))).status).toBe("processing");
    release();
    expect(await running).toMatchObject({ importId, status: "completed", acceptedRows: 2 });
    expect(await db().labResult.count({ where: { patientId } })).toBe(2);
    const [finished] = await listLabImports(actor, db(), 1, later);
    expect(finished).toMatchObject({ id: importId, status: "completed" });
  });
});
