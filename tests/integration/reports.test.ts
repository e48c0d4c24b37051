/**
 * The assessment report against figures worked out by hand from a dataset the test writes under a
 * programme of its own (LEMTRADA's rules): period 1 January to 31 March 2025.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { addDays } from "../../lib/calendar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/auth/actor";
import { db, disconnectDb } from "../../lib/db";
import { renderReportPdf } from "../../lib/reports/pdf";
import { assessmentReportRecords, buildAssessmentReport, prepareReport } from "../../lib/reports/service";
import { csvLine, UTF8_BOM } from "../../lib/csv/writer";
import { actorFor, createAccount, createAdminActor, createTestProgram } from "../factories/applications";
import { pdfTexts } from "../factories/pdf-text";
import {
  addAuthorization,
  addCase,
  addEnrollment,
  addInfusion,
  addResults,
  createInfusionSite,
  createReportPharmacy,
} from "../factories/reports";

afterAll(async () => {
  await disconnectDb();
});

const MONTHLY = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS"];
const PERIOD = { from: "2025-01-01", to: "2025-03-31" };

let admin: Actor;
let program: { id: string; code: string; name: string };
let lostRemsId: string;

beforeAll(async () => {
  admin = await createAdminActor();
  program = await createTestProgram();
  const site = await createInfusionSite();

  // Prescriber 1: submitted before the period, certified in it (suspended after it: not counted).
  await addEnrollment(program, "PRESCRIBER", [
    ["DRAFT", "2024-11-01"],
    ["SUBMITTED", "2024-12-01"],
    ["CERTIFIED", "2025-01-10"],
    ["SUSPENDED", "2025-04-05"],
  ]);
  // Prescriber 2: started and submitted during the period.
  const prescriber2 = await addEnrollment(program, "PRESCRIBER", [
    ["DRAFT", "2025-02-01"],
    ["SUBMITTED", "2025-02-05"],
  ]);
  // A pharmacy certified long before, suspended in the period.
  const pharmacyCertification = await addEnrollment(program, "PHARMACY", [
    ["CERTIFIED", "2024-06-01"],
    ["SUSPENDED", "2025-03-15"],
  ]);
  // Non-compliance. Opened in the period: the pharmacy's case (a notice, then the suspension in
  // the period; reinstated after it: still "suspended" and open at the end), prescriber 2's case (a
  // notice, closed in the period). Opened before the period and never closed: counted as open at
  // the end only.
  await addCase(
    program,
    pharmacyCertification.enrollment,
    "PHARMACY",
    "DISPENSE_WITHOUT_AUTHORIZATION",
    [
      ["OPEN", "2025-02-01"],
      ["NOTICE", "2025-02-03"],
      ["SUSPEND", "2025-03-15"],
      ["REINSTATE", "2025-04-10"],
    ],
    admin.userId,
  );
  await addCase(
    program,
    prescriber2.enrollment,
    "PRESCRIBER",
    "STATUS_FORM_NOT_SUBMITTED",
    [
      ["OPEN", "2025-01-20"],
      ["NOTICE", "2025-01-21"],
      ["CLOSE", "2025-02-20"],
    ],
    admin.userId,
  );
  await addCase(
    program,
    prescriber2.enrollment,
    "PRESCRIBER",
    "MONITORING_NOT_DONE",
    [
      ["OPEN", "2024-12-10"],
      ["CORRECTIVE_ACTION", "2024-12-11"],
    ],
    admin.userId,
  );

  // Patient A: first dose 1 Dec 2024; every monthly result on time; TSH on its due day; infusions in
  // March (two reactions). Every month on time.
  const a = await addEnrollment(program, "PATIENT", [["ENROLLED", "2024-11-15"]]);
  const aId = a.patient?.id ?? "";
  await addInfusion(program, aId, site, "2024-12-01", "moderate");
  await addResults(program, aId, MONTHLY, "2025-01-03");
  await addResults(program, aId, MONTHLY, "2025-02-03");
  await addResults(program, aId, ["TSH"], "2025-03-03");
  await addResults(program, aId, MONTHLY, "2025-03-06");
  await addInfusion(program, aId, site, "2025-03-10", "mild");
  await addInfusion(program, aId, site, "2025-03-11", "severe");
  await addInfusion(program, aId, site, "2025-03-12");
  // A result after the period must not change anything.
  await addResults(program, aId, ["TSH"], "2025-04-02");

  // Patient B: first dose 1 Dec 2024; January's results late (20 Jan > 1 Jan + 7), February's on
  // time (due 20 Feb), March's missed (due 23 Mar) and TSH (due 3 Mar) missed.
  const b = await addEnrollment(program, "PATIENT", [["ENROLLED", "2024-11-15"]]);
  const bId = b.patient?.id ?? "";
  await addInfusion(program, bId, site, "2024-12-01");
  await addResults(program, bId, MONTHLY, "2025-01-20");
  await addResults(program, bId, MONTHLY, "2025-02-20");
  await addInfusion(program, bId, site, "2025-02-21", "mild");

  // Patient C: one dose on 1 Oct 2024, nothing since: lost to follow-up (69 days without contact
  // by 31 Mar = last contact before 21 Jan); TSH due 1 Jan 2025 missed (January).
  const c = await addEnrollment(program, "PATIENT", [["ENROLLED", "2024-09-20"]]);
  await addInfusion(program, c.patient?.id ?? "", site, "2024-10-01");
  lostRemsId = c.patient?.remsId ?? "";

  // Patient D: like C but earlier (nothing due in the period) and disenrolled in February: not lost.
  const d = await addEnrollment(program, "PATIENT", [
    ["ENROLLED", "2024-05-01"],
    ["DISENROLLED", "2025-02-10"],
  ]);
  await addInfusion(program, d.patient?.id ?? "", site, "2024-06-01");

  // Patient E: last dose in 2020, monitoring ended 48 months later: not lost, nothing due.
  const e = await addEnrollment(program, "PATIENT", [["ENROLLED", "2019-12-01"]]);
  await addInfusion(program, e.patient?.id ?? "", site, "2020-01-01");

  // Dispense requests.
  const pharmacy = await createReportPharmacy();
  const add = (row: Parameters<typeof addAuthorization>[2]) => addAuthorization(program, pharmacy.id, row);
  await add({ createdAt: "2025-01-15T10:00:00Z", status: "DISPENSED", dispensedAt: "2025-01-16T10:00:00Z" });
  await add({
    createdAt: "2025-02-01T10:00:00Z",
    status: "REVERSED",
    dispensedAt: "2025-02-02T10:00:00Z",
    reversedAt: "2025-02-03T10:00:00Z",
  });
  await add({ createdAt: "2025-03-01T10:00:00Z", status: "REVOKED", revokedAt: "2025-03-15T10:00:00Z" });
  await add({
    createdAt: "2025-03-10T10:00:00Z",
    status: "EXPIRED",
    discretion: true,
    followedUpAt: "2025-03-20T10:00:00Z",
  });
  await add({ createdAt: "2025-03-20T10:00:00Z", status: "APPROVED", discretion: true });
  await add({ createdAt: "2025-03-31T23:00:00Z", status: "DISPENSED", dispensedAt: "2025-04-01T01:00:00Z" });
  await add({
    createdAt: "2025-01-20T10:00:00Z",
    status: "DENIED",
    reasons: ["BASELINE_LABS_STALE", "MONITORING_OVERDUE"],
  });
  await add({ createdAt: "2025-02-20T10:00:00Z", status: "DENIED", reasons: ["BASELINE_LABS_STALE"] });
  await add({ createdAt: "2025-03-30T10:00:00Z", status: "DENIED", reasons: ["PRESCRIBER_NOT_CERTIFIED"] });
  // Outside the period.
  await add({ createdAt: "2024-12-31T23:59:59Z", status: "DISPENSED", dispensedAt: "2024-12-31T23:59:59Z" });
  await add({ createdAt: "2025-04-01T00:00:00Z", status: "DENIED", reasons: ["BASELINE_LABS_STALE"] });

  const creator = await createAccount("ADMIN", "Dee Discretion");
  await db().enforcementDiscretion.create({
    data: {
      programId: program.id,
      reason: "Laboratory network outage",
      startsAt: new Date("2025-03-05T00:00:00Z"),
      endsAt: new Date("2025-03-25T00:00:00Z"),
      createdByUserId: creator.id,
    },
  });
  await db().enforcementDiscretion.create({
    data: {
      programId: program.id,
      reason: "An older outage",
      startsAt: new Date("2024-11-01T00:00:00Z"),
      endsAt: new Date("2024-12-01T00:00:00Z"),
      createdByUserId: creator.id,
    },
  });
}, 120_000);

async function report() {
  return buildAssessmentReport(
    await prepareReport(admin, { program: program.code, ...PERIOD }, db(), new Date("2025-04-10T09:00:00Z")),
  );
}

describe("assessment report", () => {
  it("counts enrollments by kind and status at the start and the end of the period", async () => {
    expect((await report()).enrollment.rows).toEqual([
      { kind: "PRESCRIBER", status: "CERTIFIED", atStart: 0, atEnd: 1 },
      { kind: "PRESCRIBER", status: "SUBMITTED", atStart: 1, atEnd: 1 },
      { kind: "PHARMACY", status: "CERTIFIED", atStart: 1, atEnd: 0 },
      { kind: "PHARMACY", status: "SUSPENDED", atStart: 0, atEnd: 1 },
      { kind: "PATIENT", status: "DISENROLLED", atStart: 0, atEnd: 1 },
      { kind: "PATIENT", status: "ENROLLED", atStart: 5, atEnd: 4 },
    ]);
  });

  it("counts requests approved and denied by reason, and dispenses confirmed, reversed and revoked", async () => {
    const r = await report();
    expect(r.authorizations).toEqual({
      requested: 9,
      approved: 6,
      denied: 3,
      byReason: [
        { code: "BASELINE_LABS_STALE", count: 2 },
        { code: "MONITORING_OVERDUE", count: 1 },
        { code: "PRESCRIBER_NOT_CERTIFIED", count: 1 },
      ],
    });
    expect(r.dispenses).toEqual({ confirmed: 2, reversed: 1, revoked: 1 });
  });

  it("gives monitoring adherence by month as the share of patients with every result on time", async () => {
    expect((await report()).adherence).toEqual({
      months: [
        { month: "2025-01", patientsDue: 3, patientsOnTime: 1 },
        { month: "2025-02", patientsDue: 2, patientsOnTime: 2 },
        { month: "2025-03", patientsDue: 2, patientsOnTime: 1 },
      ],
    });
  });

  it("counts infusion reactions by severity, patients lost to follow-up and enforcement discretion", async () => {
    const r = await report();
    expect(r.reactions).toEqual({
      infusions: 4,
      withReaction: 3,
      bySeverity: [
        { severity: "mild", count: 2 },
        { severity: "severe", count: 1 },
      ],
    });
    expect(r.lostToFollowUp?.rule.thresholdDays).toBe(69);
    expect(r.lostToFollowUp?.count).toBe(1);
    expect(r.lostToFollowUp?.patients).toEqual([{ remsId: lostRemsId, lastContactOn: "2024-10-01" }]);
    expect(r.lostToFollowUp?.definition).toContain("more than 69 days");
    expect(r.discretion).toEqual({
      periods: [
        {
          reason: "Laboratory network outage",
          startsAt: "2025-03-05T00:00:00.000Z",
          endsAt: "2025-03-25T00:00:00.000Z",
          endedAt: null,
        },
      ],
      authorizations: 2,
      followedUp: 1,
      awaitingFollowUp: 1,
    });
  });

  it("counts non-compliance cases opened in the period by type and outcome, and those open at its end", async () => {
    const r = await report();
    expect(r.nonCompliance).toEqual({
      opened: 2,
      byType: [
        { type: "DISPENSE_WITHOUT_AUTHORIZATION", label: "Dispensing without a dispense authorization", count: 1 },
        { type: "STATUS_FORM_NOT_SUBMITTED", label: "Patient Status Form not submitted", count: 1 },
      ],
      byOutcome: [
        { outcome: "SUSPENDED", closed: 0, open: 1 },
        { outcome: "NOTICE", closed: 1, open: 0 },
      ],
      openAtEnd: 2,
    });
  });

  it("writes the CSV the golden file holds (names that differ per run replaced)", async () => {
    const ctx = await prepareReport(admin, { program: program.code, ...PERIOD, bom: "1" });
    let csv = ctx.bom ? UTF8_BOM : "";
    for await (const batch of assessmentReportRecords(ctx)) csv += batch.map(csvLine).join("");
    const normalised = csv.replaceAll(program.name, "Test programme").replaceAll(lostRemsId, "PT-LOST");
    const golden = readFileSync(path.join(__dirname, "../fixtures/reports/assessment-2025-q1.csv"), "utf8");
    expect(normalised).toBe(golden);
  });

  it("renders one PDF summary with every section", async () => {
    const texts = (await pdfTexts(await renderReportPdf(await report()))).join(" ");
    for (const title of [
      "Enrollment and certification",
      "Dispense authorization requests",
      "Dispenses",
      "Monitoring adherence",
      "Infusion reactions",
      "Patients lost to follow-up",
      "Enforcement discretion",
      "Non-compliance cases",
      "Baseline tests too old",
    ]) {
      expect(texts).toContain(title);
    }
  });

  it("refuses an unusable period or programme with field errors, and anyone but an administrator", async () => {
    const fields = async (input: Record<string, unknown>) => {
      try {
        await prepareReport(admin, input);
      } catch (error) {
        return (error as { details?: { fields?: Record<string, string[]> } }).details?.fields;
      }
      throw new Error("expected a validation error");
    };
    expect(await fields({ program: program.code, from: "2025-03-01", to: "2025-02-01" })).toEqual({
      to: ["The last day must be on or after the first day"],
    });
    expect(await fields({ program: program.code, from: "2025-02-30", to: "2025-03-01" })).toEqual({
      from: ["The first day of the period is not a real calendar date"],
    });
    expect(await fields({ program: "NOPE", from: "2025-01-01", to: "2025-01-31" })).toEqual({
      program: ["Choose a programme from the list"],
    });
    expect(await fields({ program: program.code, from: "2000-01-01", to: "2025-01-31" })).toHaveProperty("from");
    // A period that has not happened yet states nothing.
    const tomorrow = addDays(new Date().toISOString().slice(0, 10), 1);
    expect(await fields({ program: program.code, from: "2025-01-01", to: tomorrow })).toEqual({
      to: [expect.stringMatching(/^The last day cannot be after today \(\d{1,2} [A-Z][a-z]{2} \d{4}\)$/)],
    });
    const today = new Date().toISOString().slice(0, 10);
    await expect(prepareReport(admin, { program: program.code, from: "2025-01-01", to: today })).resolves.toMatchObject(
      {
        to: today,
      },
    );
    const pharmacist = actorFor(await createAccount("PHARMACIST", "Pat Pharmacist"));
    await expect(prepareReport(pharmacist, { program: program.code, ...PERIOD })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
