import { afterAll, describe, expect, it } from "vitest";
import { getAdminDashboard } from "../../lib/admin/dashboard";
import { listAuthorizationsForAdmin } from "../../lib/admin/authorizations";
import { listReviewQueue } from "../../lib/certification/service";
import { db, disconnectDb } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { actorFor, createAccount, createAdminActor, createTestProgram } from "../factories/applications";
import { addAuthorization, addEnrollment, createReportPharmacy } from "../factories/reports";

afterAll(async () => {
  await disconnectDb();
});

const NOW = new Date("2026-05-10T12:00:00Z");

describe("administrator's dashboard", () => {
  it("counts one programme's stakeholders, queue, authorizations today, overdue monitoring and adverse events", async () => {
    const admin = await createAdminActor();
    const program = await createTestProgram();
    // Enrollments: two prescribers submitted (one claimed), a pharmacy certified; then one
    // prescriber is certified, which the trigger-kept counters must follow.
    const p1 = await addEnrollment(program, "PRESCRIBER", [["SUBMITTED", "2026-05-01"]], {
      submittedAt: "2026-05-01T08:00:00Z",
    });
    await addEnrollment(program, "PRESCRIBER", [["SUBMITTED", "2026-05-03"]], {
      submittedAt: "2026-05-03T09:30:00Z",
      claimedByUserId: admin.userId,
    });
    await addEnrollment(program, "PHARMACY", [["CERTIFIED", "2026-03-04"]], { certifiedAt: "2026-03-04" });
    await db().enrollment.update({
      where: { id: p1.enrollment.id },
      data: { status: "CERTIFIED", certifiedAt: new Date("2026-05-09T10:00:00Z") },
    });
    // Patients: overdue (counted), up to date, and disenrolled with a stale overdue mark (not counted).
    await addEnrollment(program, "PATIENT", [["ENROLLED", "2025-11-20"]], {
      certifiedAt: "2025-11-20",
      overdueSince: "2026-04-01",
    });
    await addEnrollment(program, "PATIENT", [["ENROLLED", "2026-05-02"]], { certifiedAt: "2026-05-02" });
    const gone = await addEnrollment(program, "PATIENT", [["DISENROLLED", "2026-01-10"]], {
      certifiedAt: "2026-01-10",
      overdueSince: "2026-02-01",
    });
    // Adverse events: one unreviewed, one reviewed.
    const patientId = gone.patient?.id ?? "";
    const prescriber = await createAccount("PRESCRIBER", "Dr Form");
    for (const reviewedAt of [null, new Date("2026-05-05T00:00:00Z")]) {
      await db().statusFormSubmission.create({
        data: {
          patientId,
          programId: program.id,
          answers: {},
          seriousAdverseEvent: true,
          reviewedAt,
          submittedByUserId: prescriber.id,
        },
      });
    }
    // Authorizations: today two approved, one denied for two reasons, one revoked (requested
    // earlier); yesterday one denied.
    const pharmacy = await createReportPharmacy();
    const add = (row: Parameters<typeof addAuthorization>[2]) => addAuthorization(program, pharmacy.id, row);
    await add({ createdAt: "2026-05-10T08:00:00Z", status: "APPROVED" });
    await add({ createdAt: "2026-05-10T09:00:00Z", status: "DISPENSED", dispensedAt: "2026-05-10T10:00:00Z" });
    await add({
      createdAt: "2026-05-10T11:00:00Z",
      status: "DENIED",
      reasons: ["BASELINE_LABS_STALE", "MONITORING_OVERDUE"],
    });
    await add({ createdAt: "2026-05-07T11:00:00Z", status: "REVOKED", revokedAt: "2026-05-10T07:00:00Z" });
    await add({ createdAt: "2026-05-09T23:59:59Z", status: "DENIED", reasons: ["BASELINE_LABS_STALE"] });
    // Tomorrow's (clock skew) and last month's do not count as today.
    await add({ createdAt: "2026-05-11T00:00:00Z", status: "DENIED", reasons: ["PROGRAM_UNKNOWN"] });

    const d = await getAdminDashboard(admin, { programId: program.id }, db(), NOW);

    expect(d.enrollmentCounts).toEqual([
      { kind: "PATIENT", status: "DISENROLLED", count: 1 },
      { kind: "PATIENT", status: "ENROLLED", count: 2 },
      { kind: "PHARMACY", status: "CERTIFIED", count: 1 },
      { kind: "PRESCRIBER", status: "CERTIFIED", count: 1 },
      { kind: "PRESCRIBER", status: "SUBMITTED", count: 1 },
    ]);
    expect(d.waiting).toEqual({ count: 1, unclaimed: 0, oldestSubmittedAt: "2026-05-03T09:30:00.000Z" });
    expect(d.authorizationsToday).toEqual({ approved: 2, denied: 1, revoked: 1 });
    expect(d.topDenialReasonsToday).toEqual([
      { code: "BASELINE_LABS_STALE", count: 1 },
      { code: "MONITORING_OVERDUE", count: 1 },
    ]);
    expect(d.denialReasons).toEqual([
      { code: "BASELINE_LABS_STALE", count: 2 },
      { code: "MONITORING_OVERDUE", count: 1 },
    ]);
    expect(d.overdueMonitoring).toBe(1);
    expect(d.unreviewedAdverseEvents).toBe(1);
    // Chart series: 30 days ending today, 12 months ending this month, with no holes.
    expect(d.authorizationsByDay).toHaveLength(30);
    expect(d.authorizationsByDay.at(-1)).toEqual({ day: "2026-05-10", approved: 2, denied: 1 });
    expect(d.authorizationsByDay.find((x) => x.day === "2026-05-09")).toEqual({
      day: "2026-05-09",
      approved: 0,
      denied: 1,
    });
    expect(d.authorizationsByDay.find((x) => x.day === "2026-05-07")).toEqual({
      day: "2026-05-07",
      approved: 1,
      denied: 0,
    });
    expect(d.enrollmentsByMonth.map((m) => m.month)).toEqual([
      "2025-06",
      "2025-07",
      "2025-08",
      "2025-09",
      "2025-10",
      "2025-11",
      "2025-12",
      "2026-01",
      "2026-02",
      "2026-03",
      "2026-04",
      "2026-05",
    ]);
    expect(d.enrollmentsByMonth.filter((m) => m.prescriber + m.pharmacy + m.patient + m.setting > 0)).toEqual([
      { month: "2025-11", prescriber: 0, pharmacy: 0, setting: 0, patient: 1 },
      { month: "2026-01", prescriber: 0, pharmacy: 0, setting: 0, patient: 1 },
      { month: "2026-03", prescriber: 0, pharmacy: 1, setting: 0, patient: 0 },
      { month: "2026-05", prescriber: 1, pharmacy: 0, setting: 0, patient: 1 },
    ]);
  });

  it("the numbers' links open lists with the same rows", async () => {
    const admin = await createAdminActor();
    const program = await createTestProgram();
    const overdue = await addEnrollment(program, "PATIENT", [["ENROLLED", "2025-11-20"]], {
      overdueSince: "2026-04-01",
    });
    await addEnrollment(program, "PATIENT", [["ENROLLED", "2025-11-21"]]);
    const queue = await listReviewQueue(admin, {
      kind: "PATIENT",
      status: "ENROLLED",
      monitoring: "overdue",
      program: program.code,
    });
    expect(queue.rows.map((r) => r.id)).toEqual([overdue.enrollment.id]);

    const pharmacy = await createReportPharmacy();
    const denied = await addAuthorization(program, pharmacy.id, {
      createdAt: "2026-05-10T11:00:00Z",
      status: "DENIED",
      reasons: ["STATUS_FORM_OVERDUE"],
    });
    await addAuthorization(program, pharmacy.id, { createdAt: "2026-05-10T11:00:00Z", status: "APPROVED" });
    await addAuthorization(program, pharmacy.id, {
      createdAt: "2026-05-09T11:00:00Z",
      status: "DENIED",
      reasons: ["STATUS_FORM_OVERDUE"],
    });
    const list = await listAuthorizationsForAdmin(admin, {
      decision: "DENIED",
      reason: "STATUS_FORM_OVERDUE",
      from: "2026-05-10",
      to: "2026-05-10",
      program: program.code,
    });
    expect(list.rows.map((r) => r.id)).toEqual([denied.id]);
    expect(list.rows[0]?.reasonCodes).toEqual(["STATUS_FORM_OVERDUE"]);
  });

  it("refuses anyone but an administrator", async () => {
    const pharmacist = actorFor(await createAccount("PHARMACIST", "Pat Pharmacist"));
    await expect(getAdminDashboard(pharmacist)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(listAuthorizationsForAdmin(pharmacist, {})).rejects.toBeInstanceOf(AppError);
  });
});
