import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { getLabImportReport, importLabFeed } from "../../lib/labs/import";
import { getPatientLabs, recordLabResult } from "../../lib/labs/service";
import { addDays } from "../../lib/monitoring/rules";
import { createPrescriberEnrollment } from "../factories/certified";
import { createDelegate } from "../factories/enrollment";
import { createEnrolledPatient, createPrescriberWithPatients } from "../factories/patients-lite";
import { signIn } from "../factories/users";
import { appError } from "../factories/errors";

afterAll(async () => {
  await disconnectDb();
});

async function prescriberWith(count: number) {
  const world = await createPrescriberWithPatients(count);
  const { actor } = await signIn(world);
  return { ...world, actor };
}

const NOW = new Date("2026-06-15T12:00:00Z");

describe("recordLabResult", () => {
  it("records a result for the prescriber's patient, audited", async () => {
    const { actor, patients } = await prescriberWith(1);
    const patient = patients[0]!;
    const { id } = await recordLabResult(
      actor,
      { patientId: patient.id, testCode: "cbc_diff", collectedOn: "2026-06-01", abnormal: false },
      db(),
      NOW,
    );
    const row = await db().labResult.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({
      testCode: "CBC_DIFF",
      source: "form",
      abnormal: false,
      recordedByUserId: actor.userId,
    });
    expect(row.collectedOn.toISOString().slice(0, 10)).toBe("2026-06-01");
    const audit = await db().auditEvent.findFirst({ where: { entityType: "LabResult", entityId: id } });
    expect(audit?.action).toBe("lab_result.recorded");
    const labs = await getPatientLabs(actor, patient.id);
    expect(labs.results.map((r) => [r.testCode, r.collectedOn])).toEqual([["CBC_DIFF", "2026-06-01"]]);
    expect(labs.testTypes.map((t) => t.code)).toContain("SKIN_EXAM");
  });

  it("refuses future dates, dates before birth, unknown tests, abnormal without a note and duplicates", async () => {
    const { actor, patients } = await prescriberWith(1);
    const patientId = patients[0]!.id;
    const base = { patientId, testCode: "TSH", abnormal: false };
    const future = await appError(recordLabResult(actor, { ...base, collectedOn: "2026-06-16" }, db(), NOW));
    expect(future.details?.fields?.collectedOn?.[0]).toMatch(/future/);
    const beforeBirth = await appError(recordLabResult(actor, { ...base, collectedOn: "1980-01-01" }, db(), NOW));
    expect(beforeBirth.details?.fields?.collectedOn?.[0]).toMatch(/date of birth/);
    const unknown = await appError(
      recordLabResult(actor, { ...base, testCode: "ANC", collectedOn: "2026-06-01" }, db(), NOW),
    );
    expect(unknown.details?.fields?.testCode).toBeDefined();
    const noNote = await appError(
      recordLabResult(actor, { ...base, abnormal: true, collectedOn: "2026-06-01" }, db(), NOW),
    );
    expect(noNote.details?.fields?.note?.[0]).toBe("Describe the abnormal result");
    await recordLabResult(
      actor,
      { ...base, abnormal: true, note: "TSH 0.1 mIU/L", collectedOn: "2026-06-01" },
      db(),
      NOW,
    );
    const duplicate = await appError(recordLabResult(actor, { ...base, collectedOn: "2026-06-01" }, db(), NOW));
    expect(duplicate.code).toBe("CONFLICT");
    expect(await db().labResult.count({ where: { patientId } })).toBe(1);
  });

  it("lets a linked delegate record, and hides other prescribers' patients", async () => {
    const { prescriber, patients } = await prescriberWith(1);
    const delegate = await createDelegate(prescriber.id);
    const { actor: delegateActor } = await signIn(delegate);
    await recordLabResult(
      delegateActor,
      { patientId: patients[0]!.id, testCode: "URINALYSIS", collectedOn: "2026-05-30", abnormal: false },
      db(),
      NOW,
    );
    const other = await prescriberWith(0);
    const error = await appError(
      recordLabResult(
        other.actor,
        { patientId: patients[0]!.id, testCode: "URINALYSIS", collectedOn: "2026-05-31", abnormal: false },
        db(),
        NOW,
      ),
    );
    expect(error.code).toBe("NOT_FOUND");
    expect((await appError(getPatientLabs(other.actor, patients[0]!.id))).code).toBe("NOT_FOUND");
    const denied = await db().auditEvent.count({
      where: { action: "authorization.denied", actorId: other.actor.userId, entityId: `patient/${patients[0]!.id}` },
    });
    expect(denied).toBe(2);
    expect(await db().labResult.count({ where: { patientId: patients[0]!.id } })).toBe(1);
  });
});

// ---------------------------------------------------------------------------
// Lab feed import

const HEADER = "rems_patient_id,test_code,collected_date,result_flag,lab_id";
const TESTS = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];

function streamOf(lines: Iterable<string>): Readable {
  return Readable.from(
    (function* () {
      let buffer = "";
      for (const line of lines) {
        buffer += `${line}\n`;
        if (buffer.length > 16_384) {
          yield Buffer.from(buffer, "utf8");
          buffer = "";
        }
      }
      if (buffer) yield Buffer.from(buffer, "utf8");
    })(),
  );
}

function withWrongCheck(remsId: string): string {
  const last = remsId.at(-1);
  return `${remsId.slice(0, -1)}${last === "0" ? "1" : "0"}`;
}

interface Feed {
  lines: string[];
  expected: { line: number; reasons: string[] }[];
}

/** rowCount rows for the patients; every 20th row (5%) is bad, cycling through seven kinds of bad. */
function buildFeed(remsIds: string[], foreignRemsId: string, rowCount: number): Feed {
  const lines = [HEADER];
  const expected: Feed["expected"] = [];
  const unknownId = generateRemsId("PT");
  for (let i = 0; i < rowCount; i++) {
    const remsId = remsIds[i % remsIds.length]!;
    const test = TESTS[Math.floor(i / remsIds.length) % TESTS.length]!;
    const date = addDays("2024-01-01", Math.floor(i / (remsIds.length * TESTS.length)));
    const flag = i % 7 === 0 ? "abnormal" : "normal";
    let row = [remsId, test, date, flag, "LAB-CLIA-01D0001234"];
    if (i % 20 === 7) {
      const kind = Math.floor(i / 20) % 7;
      const bad: [string[], string][] = [
        [
          [withWrongCheck(remsId), test, date, flag, "LAB1"],
          `rems_patient_id "${withWrongCheck(remsId)}" has a wrong check character (typo?)`,
        ],
        [[unknownId, test, date, flag, "LAB1"], `unknown patient ${unknownId}`],
        [[remsId, "XYZ", date, flag, "LAB1"], `unknown test code "XYZ" for this patient's programme`],
        [[remsId, test, "2099-01-01", flag, "LAB1"], "collected_date 2099-01-01 is in the future"],
        [[remsId, test, date, "maybe", "LAB1"], `result_flag "maybe" must be normal or abnormal`],
        [[foreignRemsId, test, date, flag, "LAB1"], `patient ${foreignRemsId} is not one of your patients`],
        [[remsId, test, "2025-02-30", flag, "LAB1"], `collected_date "2025-02-30" is not a date (YYYY-MM-DD)`],
      ];
      const [values, reason] = bad[kind]!;
      row = values;
      expected.push({ line: i + 2, reasons: [reason] });
    }
    lines.push(row.join(","));
  }
  return { lines, expected };
}

describe("importLabFeed", () => {
  it("imports a 10k-row file with 5% bad rows: exact rejection report, and a re-import adds nothing", async () => {
    const { actor, patients } = await prescriberWith(5);
    const foreign = await createPrescriberWithPatients(1);
    const feed = buildFeed(
      patients.map((p) => p.remsId),
      foreign.patients[0]!.remsId,
      10_000,
    );
    expect(feed.expected).toHaveLength(500);

    const summary = await importLabFeed(
      actor,
      { fileName: "feed.csv", mode: "valid_rows", body: streamOf(feed.lines) },
      db(),
      NOW,
    );
    expect(summary).toMatchObject({
      status: "completed",
      totalRows: 10_000,
      acceptedRows: 9_500,
      duplicateRows: 0,
      rejectedRows: 500,
    });
    const stored = await db().labImport.findUniqueOrThrow({ where: { id: summary.importId } });
    const report = stored.report as { rejected: { line: number; reasons: string[] }[] };
    expect(report.rejected.map((r) => ({ line: r.line, reasons: r.reasons }))).toEqual(feed.expected);
    expect(stored.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(
      await db().labResult.count({ where: { patientId: { in: patients.map((p) => p.id) }, source: "import" } }),
    ).toBe(9_500);
    expect(await db().labResult.count({ where: { importId: summary.importId, abnormal: true } })).toBeGreaterThan(0);

    const again = await importLabFeed(
      actor,
      { fileName: "feed.csv", mode: "valid_rows", body: streamOf(feed.lines) },
      db(),
      NOW,
    );
    expect(again).toMatchObject({ acceptedRows: 0, duplicateRows: 9_500, rejectedRows: 500 });
    expect(await db().labResult.count({ where: { patientId: { in: patients.map((p) => p.id) } } })).toBe(9_500);

    const csv = await getLabImportReport(actor, summary.importId);
    const csvLines = csv.csv.trimEnd().split("\r\n");
    expect(csvLines[0]).toBe("line,rems_patient_id,test_code,collected_date,result_flag,lab_id,reasons");
    expect(csvLines).toHaveLength(501);
    expect(csvLines[1]).toBe(
      `9,${withWrongCheck(patients[2]!.remsId)},SERUM_CREATININE,2024-01-01,abnormal,LAB1,"rems_patient_id ""${withWrongCheck(patients[2]!.remsId)}"" has a wrong check character (typo?)"`,
    );
    const { actor: otherActor } = await signIn(foreign);
    expect((await appError(getLabImportReport(otherActor, summary.importId))).code).toBe("NOT_FOUND");
  }, 180_000);

  it("all or nothing: one bad row and nothing is written, every bad row reported", async () => {
    const { actor, patients } = await prescriberWith(2);
    const foreign = await createPrescriberWithPatients(1);
    const feed = buildFeed(
      patients.map((p) => p.remsId),
      foreign.patients[0]!.remsId,
      300,
    );
    const summary = await importLabFeed(
      actor,
      { fileName: "feed.csv", mode: "all_or_nothing", body: streamOf(feed.lines) },
      db(),
      NOW,
    );
    expect(summary).toMatchObject({ status: "rejected", totalRows: 300, acceptedRows: 0, rejectedRows: 15 });
    const stored = await db().labImport.findUniqueOrThrow({ where: { id: summary.importId } });
    expect((stored.report as { rejected: { line: number }[] }).rejected.map((r) => r.line)).toEqual(
      feed.expected.map((e) => e.line),
    );
    expect(await db().labResult.count({ where: { patientId: { in: patients.map((p) => p.id) } } })).toBe(0);

    const clean = [HEADER, ...feed.lines.slice(1).filter((_, i) => i % 20 !== 7)];
    const ok = await importLabFeed(
      actor,
      { fileName: "clean.csv", mode: "all_or_nothing", body: streamOf(clean) },
      db(),
      NOW,
    );
    expect(ok).toMatchObject({ status: "completed", acceptedRows: 285, rejectedRows: 0 });
  });

  it("refuses wrong columns, a file that is not UTF-8 and rows with missing columns", async () => {
    const { actor, patients } = await prescriberWith(1);
    const patient = patients[0]!;
    const wrongHeader = await appError(
      importLabFeed(
        actor,
        {
          fileName: "x.csv",
          mode: "valid_rows",
          body: streamOf(["patient,test,date", `${patient.remsId},TSH,2026-01-01`]),
        },
        db(),
        NOW,
      ),
    );
    expect(wrongHeader.code).toBe("VALIDATION");
    expect(wrongHeader.message).toMatch(/columns must be rems_patient_id,test_code,collected_date,result_flag,lab_id/);

    const latin1 = Buffer.concat([
      Buffer.from(`${HEADER}\n${patient.remsId},TSH,2026-01-01,normal,LAB1\n`, "utf8"),
      Buffer.from([0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e, 0x0a]),
    ]);
    const notUtf8 = await appError(
      importLabFeed(actor, { fileName: "x.csv", mode: "valid_rows", body: Readable.from([latin1]) }, db(), NOW),
    );
    expect(notUtf8.message).toMatch(/not UTF-8/);
    expect(await db().labResult.count({ where: { patientId: patient.id } })).toBe(0);
    const failed = await db().labImport.findUniqueOrThrow({ where: { id: String(notUtf8.details?.importId) } });
    expect(failed.status).toBe("failed");

    const ragged = await importLabFeed(
      actor,
      {
        fileName: "r.csv",
        mode: "valid_rows",
        body: streamOf([`\uFEFF${HEADER}`, `${patient.remsId},TSH`, `${patient.remsId},tsh,2026-01-01,Normal,LAB1`]),
      },
      db(),
      NOW,
    );
    expect(ragged).toMatchObject({ acceptedRows: 1, rejectedRows: 1 });
    const report = await getLabImportReport(actor, ragged.importId);
    expect(report.csv).toContain(`\r\n2,${patient.remsId},TSH,,,,"expected 5 columns, found 2"\r\n`);
  });

  it("records a patient not yet known as an unknown patient, never as another's", async () => {
    const prescriber = await createPrescriberEnrollment();
    const { actor } = await signIn(prescriber);
    const mine = await createEnrolledPatient(prescriber.prescriber.id, { dateOfBirth: "2000-01-01" });
    const summary = await importLabFeed(
      actor,
      {
        fileName: "dob.csv",
        mode: "valid_rows",
        body: streamOf([HEADER, `${mine.remsId.toLowerCase().replace(/-/g, "")},SKIN_EXAM,1999-12-31,normal,DERM`]),
      },
      db(),
      NOW,
    );
    const stored = await db().labImport.findUniqueOrThrow({ where: { id: summary.importId } });
    expect((stored.report as { rejected: { reasons: string[] }[] }).rejected[0]?.reasons).toEqual([
      "collected_date 1999-12-31 is before the patient's date of birth",
    ]);
  });
});
