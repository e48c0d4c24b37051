import { describe, expect, it } from "vitest";
import { generateRemsId } from "../identifiers/rems-id";
import { rejectionReportCsv, validateLabFeedRow } from "./import";

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
