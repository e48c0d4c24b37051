/**
 * The lab import over files larger than one batch (IMPORT_BATCH_SIZE rows are checked and stored
 * together): duplicates inside a batch and across batches keep the first row of the file, a
 * re-import adds nothing, a later batch meeting rows of an earlier import stores only its new rows,
 * values are stored as written, the rejection report keeps every line in order, a database error
 * while storing a later batch keeps nothing of the file (earlier batches included) while reporting
 * the rejected rows found before it, and (PostgreSQL) a key another transaction is storing at the
 * same time is waited for and then counted as a duplicate.
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { resolveDatabaseConfig } from "../../lib/db/config";
import { getLabImportReport, IMPORT_BATCH_SIZE, importLabFeed } from "../../lib/labs/import";
import { labResultDedupeKey } from "../../lib/labs/service";
import { createPrescriberWithPatients } from "../factories/patients-lite";
import { appError } from "../factories/errors";
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

  it("batches past the savepoint budget are stored without one: the same rows kept, duplicates skipped, re-import adds nothing", async () => {
    const world = await createPrescriberWithPatients(2);
    const { actor } = await signIn(world);
    const [a, b] = world.patients.map((p) => p.remsId) as [string, string];
    const size = IMPORT_BATCH_SIZE * 2 + 500;
    const lines = [HEADER];
    for (let i = 0; i < size; i++) {
      if (i === IMPORT_BATCH_SIZE + 3) lines.push(`${a},NOPE,2025-01-01,normal,LAB-X`);
      // Same key as row 1, one batch later (a batch stored without a savepoint): a duplicate.
      else if (i === IMPORT_BATCH_SIZE + 10) lines.push(row(b, 1, "abnormal", "LAB-1"));
      // Same key as row 12 within the last batch: a duplicate too.
      else if (i === size - 5) lines.push(row(a, IMPORT_BATCH_SIZE * 2 + 12, "abnormal"));
      else lines.push(row(i % 2 === 0 ? a : b, i));
    }
    // One batch under a savepoint, the other two without.
    const summary = await importLabFeed(
      actor,
      { fileName: "budget.csv", mode: "valid_rows", body: streamOf(lines), batchSavepoints: 1 },
      db(),
      NOW,
    );
    expect(summary).toMatchObject({
      status: "completed",
      totalRows: size,
      acceptedRows: size - 1 - 2,
      duplicateRows: 2,
      rejectedRows: 1,
    });
    const patientIds = world.patients.map((p) => p.id);
    expect(await db().labResult.count({ where: { patientId: { in: patientIds } } })).toBe(size - 3);
    expect(await db().labResult.count({ where: { patientId: { in: patientIds }, abnormal: true } })).toBe(0);
    // No savepoint at all: every key is stored already.
    const again = await importLabFeed(
      actor,
      { fileName: "budget.csv", mode: "valid_rows", body: streamOf(lines), batchSavepoints: 0 },
      db(),
      NOW,
    );
    expect(again).toMatchObject({ status: "completed", acceptedRows: 0, duplicateRows: size - 1, rejectedRows: 1 });
    expect(await db().labResult.count({ where: { patientId: { in: patientIds } } })).toBe(size - 3);
  }, 120_000);

  it("a database error in a batch stored without a savepoint keeps nothing and records the import as failed", async () => {
    const world = await createPrescriberWithPatients(1);
    const { actor } = await signIn(world);
    const { remsId, id: patientId } = world.patients[0]!;
    const lines = [HEADER];
    for (let i = 0; i < IMPORT_BATCH_SIZE * 2; i++) lines.push(row(remsId, i, "normal", `LAB-G-${i}`));
    lines.splice(IMPORT_BATCH_SIZE + 100, 0, `${remsId},TSH,2026-01-03,normal,${FAIL_LAB}`);
    const error = await appError(
      importLabFeed(
        actor,
        { fileName: "budget-fails.csv", mode: "valid_rows", body: streamOf(lines), batchSavepoints: 1 },
        db(),
        NOW,
      ),
    );
    const importId = String(error.details?.importId);
    const stored = await db().labImport.findUniqueOrThrow({ where: { id: importId } });
    expect(stored).toMatchObject({ status: "failed", acceptedRows: 0 });
    expect((stored.report as { error?: string }).error).toMatch(/stopped part-way/);
    expect(await db().labResult.count({ where: { patientId } })).toBe(0);
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

  it("stores each row's values as written: lab ids with quotes, commas and accents, the import and who imported it", async () => {
    const world = await createPrescriberWithPatients(1);
    const { actor } = await signIn(world);
    const { remsId, id: patientId } = world.patients[0]!;
    const labs = ['Labor "Süd", Zentrale', "Lab ✓ 7", "LAB-PLAIN"];
    const lines = [
      HEADER,
      ...labs.map(
        (lab, i) => `${remsId},TSH,2025-03-0${i + 1},${i === 1 ? "abnormal" : "normal"},"${lab.replaceAll('"', '""')}"`,
      ),
    ];
    const summary = await importLabFeed(
      actor,
      { fileName: "quoted.csv", mode: "valid_rows", body: streamOf(lines) },
      db(),
      NOW,
    );
    expect(summary).toMatchObject({ status: "completed", acceptedRows: 3, duplicateRows: 0, rejectedRows: 0 });
    const stored = await db().labResult.findMany({
      where: { patientId },
      orderBy: { collectedOn: "asc" },
      select: {
        id: true,
        labId: true,
        testCode: true,
        abnormal: true,
        source: true,
        importId: true,
        recordedByUserId: true,
      },
    });
    expect(stored.map((r) => r.labId)).toEqual(labs);
    expect(stored.map((r) => r.abnormal)).toEqual([false, true, false]);
    for (const r of stored) {
      expect(r).toMatchObject({
        testCode: "TSH",
        source: "import",
        importId: summary.importId,
        recordedByUserId: actor.userId,
      });
      expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it("a later batch that meets rows stored by an earlier import stores only its new rows and counts the others as duplicates", async () => {
    const world = await createPrescriberWithPatients(1);
    const { actor } = await signIn(world);
    const { remsId, id: patientId } = world.patients[0]!;
    const earlier = [HEADER];
    for (let i = 0; i < 40; i++) earlier.push(row(remsId, i, "normal", `LAB-E-${i}`));
    expect(
      await importLabFeed(actor, { fileName: "earlier.csv", mode: "valid_rows", body: streamOf(earlier) }, db(), NOW),
    ).toMatchObject({ acceptedRows: 40 });

    // Two batches of new rows, then a batch mixing new rows with the 40 stored ones (flag changed:
    // still the same results, so duplicates), then more new rows.
    const lines = [HEADER];
    for (let i = 0; i < IMPORT_BATCH_SIZE * 2; i++) lines.push(row(remsId, i, "normal", `LAB-N-${i}`));
    for (let i = 0; i < 40; i++) {
      lines.push(row(remsId, i, "abnormal", `LAB-E-${i}`));
      lines.push(row(remsId, i, "normal", `LAB-M-${i}`));
    }
    for (let i = 0; i < IMPORT_BATCH_SIZE; i++) lines.push(row(remsId, i, "normal", `LAB-L-${i}`));
    const summary = await importLabFeed(
      actor,
      { fileName: "overlap.csv", mode: "valid_rows", body: streamOf(lines) },
      db(),
      NOW,
    );
    const total = IMPORT_BATCH_SIZE * 3 + 80;
    expect(summary).toMatchObject({
      status: "completed",
      totalRows: total,
      acceptedRows: total - 40,
      duplicateRows: 40,
      rejectedRows: 0,
    });
    expect(await db().labResult.count({ where: { patientId } })).toBe(40 + total - 40);
    expect(await db().labResult.count({ where: { patientId, abnormal: true } })).toBe(0);
    expect(await db().labResult.count({ where: { importId: summary.importId } })).toBe(total - 40);
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

    const error = await appError(
      importLabFeed(actor, { fileName: "midway.csv", mode: "valid_rows", body: streamOf(lines) }, db(), NOW),
    );
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toMatch(/stopped part-way/);
    const importId = String(error.details?.importId);
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

const config = resolveDatabaseConfig();

describe.runIf(config.kind === "postgres")("lab import beside another writer (PostgreSQL)", () => {
  it("waits for a result another transaction is storing with the same key, then counts that row as a duplicate", async () => {
    const world = await createPrescriberWithPatients(1);
    const { actor } = await signIn(world);
    const { remsId, id: patientId } = world.patients[0]!;
    const { programId } = await db().enrollment.findFirstOrThrow({ where: { patientId }, select: { programId: true } });
    const lines = [HEADER];
    for (let i = 0; i < 300; i++) lines.push(row(remsId, i, "normal", `LAB-C-${i}`));
    const [, , day, , lab] = (lines[151] as string).split(",") as [string, string, string, string, string];

    const other = new pg.Client({ connectionString: config.kind === "postgres" ? config.url : "" });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query(
        `INSERT INTO "LabResult" ("id", "patientId", "programId", "testCode", "collectedOn", "abnormal", "labId", "source", "dedupeKey")
         VALUES ($1, $2, $3, 'TSH', $4, true, $5, 'form', $6)`,
        [randomUUID(), patientId, programId, day, lab, labResultDedupeKey(patientId, "TSH", day, lab)],
      );
      const importing = importLabFeed(
        actor,
        { fileName: "beside.csv", mode: "valid_rows", body: streamOf(lines) },
        db(),
        NOW,
      );
      importing.catch(() => {});
      // The import's COPY meets the uncommitted key and waits on the other transaction's lock.
      const deadline = Date.now() + 20_000;
      for (;;) {
        // Inside a transaction the activity view is read once; clear it to see the import move.
        await other.query("SELECT pg_stat_clear_snapshot()");
        const { rows } = await other.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'COPY "LabResult"%'`,
        );
        if ((rows[0]?.n ?? 0) > 0) break;
        if (Date.now() > deadline) throw new Error("the import never waited on the other writer");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await other.query("COMMIT");
      expect(await importing).toMatchObject({
        status: "completed",
        acceptedRows: 299,
        duplicateRows: 1,
        rejectedRows: 0,
      });
    } finally {
      await other.query("ROLLBACK").catch(() => {});
      await other.end();
    }
    expect(await db().labResult.count({ where: { patientId } })).toBe(300);
    // The row the other writer stored is the one kept.
    expect(await db().labResult.count({ where: { patientId, labId: lab, source: "form", abnormal: true } })).toBe(1);
  }, 60_000);
});
