/**
 * The lab import over files larger than one staging batch (IMPORT_BATCH_SIZE rows are checked,
 * copied into staging and stored together): duplicates inside a batch and across batches keep the
 * first row of the file, a re-import adds nothing, the rejection report keeps every line in order,
 * and a database error while storing a later batch keeps nothing of the file (earlier batches
 * included) while reporting the rejected rows found before it.
 */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { getLabImportReport, IMPORT_BATCH_SIZE, importLabFeed } from "../../lib/labs/import";
import { createPrescriberWithPatients } from "../factories/patients-lite";
import { signIn } from "../factories/users";

const HEADER = "rems_patient_id,test_code,collected_date,result_flag,lab_id";
const NOW = new Date("2026-06-15T12:00:00Z");
const FAIL_LAB = "LAB-STAGING-TRIGGER-FAILS";

beforeAll(async () => {
  await db().$executeRawUnsafe(`
    CREATE OR REPLACE FUNCTION test_fail_staged_insert() RETURNS trigger AS $$
    BEGIN
      IF NEW."labId" = '${FAIL_LAB}' THEN RAISE EXCEPTION 'simulated storage failure'; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await db().$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_fail_staged_insert ON "LabResult"`);
  await db().$executeRawUnsafe(
    `CREATE TRIGGER test_fail_staged_insert BEFORE INSERT ON "LabResult" FOR EACH ROW EXECUTE FUNCTION test_fail_staged_insert()`,
  );
});

afterAll(async () => {
  await db().$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_fail_staged_insert ON "LabResult"`);
  await disconnectDb();
});

function streamOf(lines: string[]): Readable {
  const bytes = Buffer.from(`${lines.join("\n")}\n`, "utf8");
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += 16_384) yield bytes.subarray(at, at + 16_384);
    })(),
  );
}

/** A distinct valid row per i: day i of 2025 (mod 365), lab LAB-<i>. */
function row(remsId: string, i: number, flag = "normal", lab = `LAB-${i}`): string {
  const day = new Date(Date.UTC(2025, 0, 1) + (i % 365) * 86_400_000).toISOString().slice(0, 10);
  return `${remsId},TSH,${day},${flag},${lab}`;
}

describe("lab import across staging batches", () => {
  it("keeps the first of duplicate rows within and across batches, reports every bad line, re-imports nothing", async () => {
    const world = await createPrescriberWithPatients(2);
    const { actor } = await signIn(world);
    const [a, b] = world.patients.map((p) => p.remsId) as [string, string];
    const size = IMPORT_BATCH_SIZE * 2 + 500;
    const lines = [HEADER];
    const badLines: number[] = [];
    for (let i = 0; i < size; i++) {
      const line = i + 2;
      if (i === 3 || i === IMPORT_BATCH_SIZE + 3 || i === size - 1) {
        lines.push(`${a},NOPE,2025-01-01,normal,LAB-X`);
        badLines.push(line);
      } else if (i === 10) {
        // Same key as row 0 (patient, test, day, lab) in the same batch, other flag: a duplicate.
        lines.push(row(a, 0, "abnormal", "LAB-0"));
      } else if (i === IMPORT_BATCH_SIZE + 10) {
        // Same key as row 1, one batch later: a duplicate too.
        lines.push(row(b, 1, "abnormal", "LAB-1"));
      } else {
        lines.push(row(i % 2 === 0 ? a : b, i));
      }
    }

    const summary = await importLabFeed(
      actor,
      { fileName: "batches.csv", mode: "valid_rows", body: streamOf(lines) },
      db(),
      NOW,
    );
    expect(summary).toMatchObject({
      status: "completed",
      totalRows: size,
      acceptedRows: size - 3 - 2,
      duplicateRows: 2,
      rejectedRows: 3,
    });
    const patientIds = world.patients.map((p) => p.id);
    expect(await db().labResult.count({ where: { patientId: { in: patientIds } } })).toBe(size - 5);
    // The first row of each duplicate pair is the one stored (both were "normal").
    expect(await db().labResult.count({ where: { patientId: { in: patientIds }, abnormal: true } })).toBe(0);
    const stored = await db().labImport.findUniqueOrThrow({ where: { id: summary.importId } });
    const report = stored.report as { rejected: { line: number; reasons: string[] }[] };
    expect(report.rejected.map((r) => r.line)).toEqual(badLines);
    expect(report.rejected[0]?.reasons).toEqual([`unknown test code "NOPE" for this patient's programme`]);

    const again = await importLabFeed(
      actor,
      { fileName: "batches.csv", mode: "valid_rows", body: streamOf(lines) },
      db(),
      NOW,
    );
    expect(again).toMatchObject({ acceptedRows: 0, duplicateRows: size - 3, rejectedRows: 3 });
    expect(await db().labResult.count({ where: { patientId: { in: patientIds } } })).toBe(size - 5);
  }, 120_000);

  it("all or nothing over several batches: a bad row in the last batch stores nothing of the earlier ones", async () => {
    const world = await createPrescriberWithPatients(1);
    const { actor } = await signIn(world);
    const remsId = world.patients[0]!.remsId;
    const lines = [HEADER];
    for (let i = 0; i < IMPORT_BATCH_SIZE * 2 + 5; i++) lines.push(row(remsId, i, "normal", `LAB-A-${i}`));
    lines.push(`${remsId},TSH,2099-01-01,normal,LAB-LATE`);
    const summary = await importLabFeed(
      actor,
      { fileName: "aon.csv", mode: "all_or_nothing", body: streamOf(lines) },
      db(),
      NOW,
    );
    expect(summary).toMatchObject({ status: "rejected", acceptedRows: 0, duplicateRows: 0, rejectedRows: 1 });
    expect(await db().labResult.count({ where: { patientId: world.patients[0]!.id } })).toBe(0);
  }, 120_000);

  it("a database error while storing a later batch keeps nothing, earlier batches included, and reports the rejected rows found", async () => {
    const world = await createPrescriberWithPatients(1);
    const { actor } = await signIn(world);
    const remsId = world.patients[0]!.remsId;
    const patientId = world.patients[0]!.id;
    const lines = [HEADER, `${remsId},TSH,not-a-date,normal,LAB-BAD`];
    for (let i = 0; i < IMPORT_BATCH_SIZE * 2; i++) lines.push(row(remsId, i, "normal", `LAB-F-${i}`));
    // In the second batch: the first batch is stored by then.
    lines.splice(IMPORT_BATCH_SIZE + 100, 0, `${remsId},TSH,2026-01-03,normal,${FAIL_LAB}`);
    const before = await db().auditEvent.count({ where: { action: "lab_import.finished", actorId: actor.userId } });

    const error = await importLabFeed(
      actor,
      { fileName: "midway.csv", mode: "valid_rows", body: streamOf(lines) },
      db(),
      NOW,
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe("INTERNAL");
    expect(appError.message).toMatch(/stopped part-way/);
    const importId = String(appError.details?.importId);
    const stored = await db().labImport.findUniqueOrThrow({ where: { id: importId } });
    expect(stored).toMatchObject({ status: "failed", acceptedRows: 0, totalRows: 0 });
    expect(await db().labResult.count({ where: { patientId } })).toBe(0);
    expect(await db().labResult.count({ where: { importId } })).toBe(0);
    const report = stored.report as { error?: string; rejected: { line: number; reasons: string[] }[] };
    expect(report.error).toMatch(/stopped part-way/);
    expect(report.rejected.map((r) => r.line)).toEqual([2]);
    expect((await getLabImportReport(actor, importId)).csv).toContain('collected_date ""not-a-date""');
    // The failure is audited once, with the outcome.
    expect(await db().auditEvent.count({ where: { action: "lab_import.finished", actorId: actor.userId } })).toBe(
      before + 1,
    );
  }, 120_000);
});
