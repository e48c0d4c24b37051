import { describe, expect, it } from "vitest";
import { sha256Hex } from "../audit/hash";
import { generateRemsId } from "../identifiers/rems-id";
import { isFeedDate, readPatientId, rejectionReportCsv, remembering, validateLabFeedRow } from "./import";
import { labResultDedupeKey } from "./service";

const mine = generateRemsId("PT");
const theirs = generateRemsId("PT");
const context = {
  today: "2026-06-15",
  allowedPrescriberIds: new Set(["rx-1"]),
  patientByRemsId: new Map([
    [
      mine,
      {
        id: "p-1",
        dateOfBirth: "1990-01-01",
        prescriberId: "rx-1",
        programs: [
          {
            programId: "prog",
            code: "LEMTRADA",
            testTypes: [
              { code: "TSH", name: "TSH", kind: "lab" as const, intervalDays: 92, graceDays: 14, dueSoonDays: 14 },
            ],
          },
        ],
      },
    ],
    [theirs, { id: "p-2", dateOfBirth: "1990-01-01", prescriberId: "rx-2", programs: [] }],
  ]),
};

describe("validateLabFeedRow", () => {
  it("accepts a good row, reading ids and flags leniently", () => {
    const compact = mine.replace(/-/g, "").toLowerCase();
    expect(validateLabFeedRow([compact, "tsh", "2026-06-15", "Abnormal", " LAB "], context)).toEqual({
      ok: true,
      row: {
        patientId: "p-1",
        programId: "prog",
        testCode: "TSH",
        collectedOn: "2026-06-15",
        abnormal: true,
        labId: "LAB",
      },
    });
  });

  it("lists every reason a row is bad", () => {
    expect(validateLabFeedRow([theirs, "NOPE", "2026-06-16", "high", ""], context)).toEqual({
      ok: false,
      reasons: [
        `patient ${theirs} is not one of your patients`,
        'unknown test code "NOPE"',
        "collected_date 2026-06-16 is in the future",
        'result_flag "high" must be normal or abnormal',
        "lab_id is missing",
      ],
    });
    expect(validateLabFeedRow(["HS-0000-0000-0", "TSH", "2026-01-01", "normal", "L"], context)).toMatchObject({
      ok: false,
      reasons: ['rems_patient_id "HS-0000-0000-0" is not a REMS patient id'],
    });
    expect(validateLabFeedRow(["a", "b"], context)).toEqual({ ok: false, reasons: ["expected 5 columns, found 2"] });
  });
});

describe("rejectionReportCsv", () => {
  it("quotes cells and neutralises spreadsheet formulas", () => {
    const csv = rejectionReportCsv({
      rejected: [{ line: 3, values: ["=cmd()", "TSH", "2026-01-01", "normal", 'a,"b"'], reasons: ["x", "y"] }],
    });
    expect(csv).toBe(
      'line,rems_patient_id,test_code,collected_date,result_flag,lab_id,reasons\r\n3,\'=cmd(),TSH,2026-01-01,normal,"a,""b""",x; y\r\n',
    );
  });
});

describe("remembering readers", () => {
  it("answer as the readers they remember, for every kind of id and date", () => {
    const readId = remembering(readPatientId);
    const isDate = remembering(isFeedDate);
    const ids = [mine, mine.replace(/-/g, "").toLowerCase(), "", "HS-0000-0000-0", "PT-0000-0000-1", "nonsense", mine];
    for (const id of [...ids, ...ids]) expect(readId(id)).toEqual(readPatientId(id));
    const days = ["2026-02-28", "2026-02-29", "2024-02-29", "0050-01-01", "2026-13-01", "26-01-01", "", "2026-02-28"];
    for (const day of [...days, ...days]) expect(isDate(day)).toBe(isFeedDate(day));
    const rows = [
      [mine, "TSH", "2026-01-01", "normal", "L"],
      [mine, "TSH", "2026-02-30", "normal", "L"],
      ["PT-0000-0000-1", "TSH", "2026-01-01", "normal", "L"],
      [theirs, "TSH", "2026-01-01", "normal", "L"],
    ];
    const remembered = { ...context, readPatientId: readId, isFeedDate: isDate };
    for (const row of [...rows, ...rows])
      expect(validateLabFeedRow(row, remembered)).toEqual(validateLabFeedRow(row, context));
  });

  it("start again past their limit, still answering right", () => {
    let reads = 0;
    const read = remembering((value: string) => {
      reads++;
      return value.length;
    }, 2);
    expect([read("a"), read("bb"), read("a")]).toEqual([1, 2, 1]);
    expect(reads).toBe(2);
    expect([read("ccc"), read("a")]).toEqual([3, 1]);
    expect(reads).toBe(4);
  });
});

describe("labResultDedupeKey", () => {
  it("is the SHA-256 (hex) of the row's key text, as stored keys were made", () => {
    expect(labResultDedupeKey("p-1", "TSH", "2026-01-02", "Labor Süd ✓")).toBe(
      sha256Hex("p-1|TSH|2026-01-02|Labor Süd ✓"),
    );
    expect(labResultDedupeKey("p-1", "TSH", "2026-01-02", null)).toBe(sha256Hex("p-1|TSH|2026-01-02|"));
  });
});
