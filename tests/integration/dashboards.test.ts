import { afterAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/auth/actor";
import { addDays, isoDay } from "../../lib/courses/dates";
import {
  getPatientTimeline,
  getSettingDashboard,
  listPrescriberPatients,
  listSettingPatients,
} from "../../lib/dashboards/queries";
import { loadMonitoringFacts, loadScheduleFacts } from "../../lib/dashboards/monitoring-facts";
import { db, disconnectDb } from "../../lib/db";
import { describeAttention, monitoringSchedule, STATE_LABELS, STATE_ORDER } from "../../lib/monitoring/rules";
import { lemtrada } from "../../lib/programs/lemtrada";
import { AppError } from "../../lib/errors";
import { createDelegate } from "../factories/enrollment";
import { signIn } from "../factories/users";
import {
  addInfusions,
  addResults,
  addStatusForm,
  createCareTeam,
  createPatient,
  prescriberActor,
  settingActor,
} from "../factories/clinical";

afterAll(async () => {
  await disconnectDb();
});

const NOW = new Date("2026-05-10T12:00:00Z");
const TODAY = isoDay(NOW);
const ALL = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];
const course = (start: string, days: number, courseNumber: number) =>
  Array.from({ length: days }, (_, i) => ({ infusedOn: addDays(start, i), courseNumber, dayInCourse: i + 1 }));

async function clinic() {
  const team = await createCareTeam();
  const base = { prescriberId: team.prescriber.prescriber.id, healthcareSettingId: team.setting.setting.id };
  const settingId = team.setting.setting.id;
  const rep = team.setting.user.id;
  // Up to date: course 1 two months ago, monthly labs recent.
  const upToDate = await createPatient({ ...base, enrolledOn: addDays(TODAY, -90) });
  await addInfusions(upToDate.patient.id, settingId, rep, course(addDays(TODAY, -60), 5, 1));
  await addResults(
    upToDate.patient.id,
    ALL.map((testCode) => ({ testCode, collectedOn: addDays(TODAY, -5) })),
  );
  await addStatusForm(upToDate.patient.id, team.prescriber.user.id, addDays(TODAY, -5));
  // Overdue: course 1 thirteen months ago, no labs since.
  const overdue = await createPatient({ ...base, enrolledOn: addDays(TODAY, -420) });
  await addInfusions(overdue.patient.id, settingId, rep, course(addDays(TODAY, -400), 5, 1));
  // In course: 2 days of course 1 given, the last one yesterday; baseline fresh.
  const inCourse = await createPatient({ ...base, enrolledOn: addDays(TODAY, -20) });
  await addResults(
    inCourse.patient.id,
    ALL.map((testCode) => ({ testCode, collectedOn: addDays(TODAY, -10) })),
  );
  await addInfusions(inCourse.patient.id, settingId, rep, course(addDays(TODAY, -2), 2, 1));
  // New: enrolled, no dose yet, no baseline.
  const fresh = await createPatient({ ...base, enrolledOn: addDays(TODAY, -3) });
  // Disenrolled.
  const gone = await createPatient({ ...base, status: "DISENROLLED", statusReason: "Treatment stopped" });
  return { team, upToDate, overdue, inCourse, fresh, gone };
}

describe("listPrescriberPatients", () => {
  it("lists the prescriber's patients with their monitoring state, overdue first", async () => {
    const world = await clinic();
    const actor = await prescriberActor(world.team.prescriber);
    const rows = await listPrescriberPatients(actor, undefined, NOW);
    expect(rows).toHaveLength(5);
    expect(rows[0]?.id).toBe(world.overdue.patient.id);
    expect(rows[0]?.overall).toBe("overdue");
    expect(rows[0]?.attention.map((i) => i.code)).toContain("CBC_DIFF");
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(world.upToDate.patient.id)?.overall).toBe("ok");
    expect(byId.get(world.gone.patient.id)).toMatchObject({
      enrollmentStatus: "DISENROLLED",
      overall: "not_applicable",
    });
    for (let i = 1; i < rows.length; i++) {
      const order: readonly string[] = STATE_ORDER;
      expect(order.indexOf(rows[i - 1]?.overall ?? "")).toBeLessThanOrEqual(order.indexOf(rows[i]?.overall ?? ""));
    }
  });

  it("never calls a patient with no baseline result up to date: missing tests listed, right after the overdue", async () => {
    const world = await clinic();
    const actor = await prescriberActor(world.team.prescriber);
    // Four of the five baseline results, fresh; no dose yet.
    const partial = await createPatient({
      prescriberId: world.team.prescriber.prescriber.id,
      healthcareSettingId: world.team.setting.setting.id,
      enrolledOn: addDays(TODAY, -10),
    });
    await addResults(
      partial.patient.id,
      ALL.filter((c) => c !== "TSH").map((testCode) => ({ testCode, collectedOn: addDays(TODAY, -2) })),
    );
    const rows = await listPrescriberPatients(actor, undefined, NOW);
    // Among those missing baselines, the earlier next due date (the status form) first.
    expect(rows.map((r) => r.id).slice(0, 3)).toEqual([
      world.overdue.patient.id,
      partial.patient.id,
      world.fresh.patient.id,
    ]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const fresh = byId.get(world.fresh.patient.id);
    expect(fresh?.overall).toBe("baseline_missing");
    expect(STATE_LABELS[fresh?.overall ?? "ok"]).toBe("Baseline tests missing");
    expect(fresh?.attention.map(describeAttention)).toEqual([
      "Complete blood count with differential (baseline missing)",
      "Serum creatinine (baseline missing)",
      "Urinalysis with urine cell counts (baseline missing)",
      "Thyroid function (TSH) (baseline missing)",
      "Skin examination (baseline missing)",
    ]);
    expect(byId.get(partial.patient.id)).toMatchObject({ overall: "baseline_missing" });
    expect(byId.get(partial.patient.id)?.attention.map(describeAttention)).toEqual([
      "Thyroid function (TSH) (baseline missing)",
    ]);
    // Every baseline result in, still no dose: up to date, nothing to act on.
    await addResults(partial.patient.id, [{ testCode: "TSH", collectedOn: addDays(TODAY, -1) }]);
    const after = (await listPrescriberPatients(actor, undefined, NOW)).find((r) => r.id === partial.patient.id);
    expect(after).toMatchObject({ overall: "ok", attention: [] });
  });

  it("shows office staff their prescriber's patients and nobody else's", async () => {
    const world = await clinic();
    const other = await clinic();
    const delegate = await createDelegate(world.team.prescriber.prescriber.id);
    const { actor } = await signIn(delegate);
    const rows = await listPrescriberPatients(actor, undefined, NOW);
    expect(new Set(rows.map((r) => r.id)).has(other.overdue.patient.id)).toBe(false);
    expect(rows).toHaveLength(5);
  });
});

describe("getSettingDashboard", () => {
  it("lists patients in a course first, then those who may start one, and recent infusions", async () => {
    const world = await clinic();
    const actor = await settingActor(world.team.setting);
    const { upcoming, recent } = await getSettingDashboard(actor, undefined, NOW);
    expect(upcoming[0]).toMatchObject({
      patientId: world.inCourse.patient.id,
      inProgress: true,
      courseNumber: 1,
      dayInCourse: 3,
      fromOn: TODAY,
    });
    const fresh = upcoming.find((u) => u.patientId === world.fresh.patient.id);
    expect(fresh).toMatchObject({ courseNumber: 1, fromOn: TODAY, inProgress: false });
    expect(fresh?.baseline.every((b) => b.problem === "missing")).toBe(true);
    const overdue = upcoming.find((u) => u.patientId === world.overdue.patient.id);
    expect(overdue).toMatchObject({ courseNumber: 2, fromOn: TODAY });
    // Course 1 two months ago: course 2 is ten months away, beyond the horizon.
    expect(upcoming.some((u) => u.patientId === world.upToDate.patient.id)).toBe(false);
    expect(upcoming.some((u) => u.patientId === world.gone.patient.id)).toBe(false);
    expect(recent.map((r) => r.infusedOn)).toEqual([addDays(TODAY, -1), addDays(TODAY, -2)]);
    expect((await listSettingPatients(actor)).map((p) => p.id).sort()).toEqual(
      [world.upToDate, world.overdue, world.inCourse, world.fresh].map((p) => p.patient.id).sort(),
    );
  });

  it("refuses anyone who is not a setting representative", async () => {
    const world = await clinic();
    const actor = await prescriberActor(world.team.prescriber);
    await expect(getSettingDashboard(actor, undefined, NOW)).rejects.toBeInstanceOf(AppError);
  });
});

describe("getPatientTimeline", () => {
  it("gives the prescriber the patient's history, schedule and adherence", async () => {
    const world = await clinic();
    const actor = await prescriberActor(world.team.prescriber);
    const timeline = await getPatientTimeline(actor, world.upToDate.patient.id, undefined, NOW);
    const kinds = timeline.events.map((e) => e.kind);
    expect(kinds.filter((k) => k === "infusion")).toHaveLength(5);
    expect(kinds).toContain("course");
    expect(kinds).toContain("enrollment");
    expect(kinds.filter((k) => k === "lab")).toHaveLength(5);
    expect(kinds).toContain("status_form");
    expect((timeline.events[0]?.on ?? "") >= (timeline.events.at(-1)?.on ?? "")).toBe(true);
    expect(timeline.overall).toBe("ok");
    expect(timeline.adherence.length).toBeGreaterThanOrEqual(2);
    // Monthly labs first due 31 days after the first dose, taken 3 weeks late: late, not missed.
    expect(timeline.adherence.reduce((n, m) => n + m.late, 0)).toBe(3);
    expect(timeline.adherence.reduce((n, m) => n + m.missed, 0)).toBe(0);
  });

  it("says which baseline tests a patient not yet dosed is missing, not that monitoring is up to date", async () => {
    const world = await clinic();
    const actor = await prescriberActor(world.team.prescriber);
    const timeline = await getPatientTimeline(actor, world.fresh.patient.id, undefined, NOW);
    expect(timeline.overall).toBe("baseline_missing");
    expect(timeline.attention.map((i) => i.code)).toEqual(ALL);
    expect(timeline.schedule.filter((i) => i.code !== "STATUS_FORM").map((i) => i.state)).toEqual(
      ALL.map(() => "baseline_missing"),
    );
  });

  it("refuses another prescriber's patient as not found", async () => {
    const world = await clinic();
    const other = await clinic();
    const actor: Actor = await prescriberActor(world.team.prescriber);
    await expect(getPatientTimeline(actor, other.upToDate.patient.id, undefined, NOW)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(getPatientTimeline(actor, "not-a-uuid", undefined, NOW)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("loadScheduleFacts", () => {
  it("gives every patient the schedule their full history gives, reading only the latest results", async () => {
    const world = await clinic();
    const base = {
      prescriberId: world.team.prescriber.prescriber.id,
      healthcareSettingId: world.team.setting.setting.id,
    };
    const settingId = world.team.setting.setting.id;
    const rep = world.team.setting.user.id;
    // A long history: course 1 fourteen months ago, monthly results since, two status forms, and
    // results dated after today (a data-entry slip the schedule must see as the full history does).
    const history = await createPatient({ ...base, enrolledOn: addDays(TODAY, -460) });
    await addInfusions(history.patient.id, settingId, rep, course(addDays(TODAY, -425), 5, 1));
    for (let day = -400; day <= -6; day += 30) {
      await addResults(
        history.patient.id,
        ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS"].map((testCode) => ({
          testCode,
          collectedOn: addDays(TODAY, day),
        })),
      );
    }
    await addResults(history.patient.id, [
      { testCode: "TSH", collectedOn: addDays(TODAY, -200) },
      { testCode: "TSH", collectedOn: addDays(TODAY, 3) },
    ]);
    await addStatusForm(history.patient.id, world.team.prescriber.user.id, addDays(TODAY, -300));
    await addStatusForm(history.patient.id, world.team.prescriber.user.id, addDays(TODAY, -120));
    // Before the first dose: a stale baseline set, a fresh one, and one result dated tomorrow only.
    const baseline = await createPatient({ ...base, enrolledOn: addDays(TODAY, -60) });
    await addResults(baseline.patient.id, [
      ...ALL.map((testCode) => ({ testCode, collectedOn: addDays(TODAY, -50) })),
      ...ALL.slice(0, 3).map((testCode) => ({ testCode, collectedOn: addDays(TODAY, -4) })),
      { testCode: "SKIN_EXAM", collectedOn: addDays(TODAY, 1) },
    ]);
    const patients = [world.upToDate, world.overdue, world.inCourse, world.fresh, history, baseline];
    const enrollments = await db().enrollment.findMany({
      where: { patientId: { in: patients.map((p) => p.patient.id) } },
      select: { patientId: true, certifiedAt: true, createdAt: true },
    });
    const dates = enrollments.map((e) => ({ ...e, patientId: e.patientId as string }));
    const programId = world.upToDate.program.id;
    const full = await loadMonitoringFacts(db(), programId, dates);
    const bounded = await loadScheduleFacts(db(), programId, dates, TODAY);
    const monitoring = lemtrada.monitoring;
    if (!monitoring) throw new Error("LEMTRADA has no monitoring requirements");
    for (const p of patients) {
      const f = full.get(p.patient.id);
      const b = bounded.get(p.patient.id);
      if (!f || !b) throw new Error(`no facts for ${p.patient.id}`);
      expect(monitoringSchedule(monitoring, b, TODAY)).toEqual(monitoringSchedule(monitoring, f, TODAY));
      expect(b.doseDates.sort()).toEqual(f.doseDates.sort());
      expect(b.enrolledOn).toBe(f.enrolledOn);
    }
    // The long history is read as a few rows: at most two results per test code, one status form.
    const h = bounded.get(history.patient.id);
    expect(full.get(history.patient.id)?.results.length).toBeGreaterThan(30);
    expect(h?.results.length).toBe(5);
    expect(h?.statusFormDates).toEqual([addDays(TODAY, -120)]);
    const b = bounded.get(baseline.patient.id);
    expect(b?.results.filter((r) => r.testCode === "SKIN_EXAM").map((r) => r.collectedOn)).toEqual([
      addDays(TODAY, -50),
      addDays(TODAY, 1),
    ]);
  });
});
