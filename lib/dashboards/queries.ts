/**
 * Read models for the dashboards: the prescriber's patients with their monitoring state, the
 * healthcare setting's upcoming and recent infusions, and one patient's timeline. Each checks the
 * permission and the actor's link to the patients it returns.
 */
import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import { addDays, isoDay } from "../courses/dates";
import { summarizeCourses } from "../courses/rules";
import { db, type Db } from "../db";
import { AppError } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import { attentionItems, baselineStatus, dayOf, monitoringSchedule, stateRank } from "../monitoring/rules";
import type { BaselineCheck, ItemSchedule, MonitoringFacts, MonitoringState } from "../monitoring/types";
import { getProgramDefinition } from "../programs/registry";
import { type TProgramDefinition, ZProgramDefinition } from "../programs/schema";
import { type AdherenceMonth, monitoringAdherence } from "./adherence";
import { loadScheduleFacts } from "./monitoring-facts";
import { INFUSION_CONCERN_LABELS, storedConcerns } from "../infusions/rules";
import { isUuid } from "../identifiers/uuid";
import { formatStatus, humanizeCode } from "@/lib/format";

function definitionOf(program: { code: string; definition: unknown }): TProgramDefinition {
  return getProgramDefinition(program.code) ?? ZProgramDefinition.parse(program.definition);
}

/** Which patients a prescriber or their office staff may see. */
function prescriberScope(actor: Actor): Prisma.PatientWhereInput {
  if (actor.role === "PRESCRIBER" && can(actor, "patient:read:own")) return { prescriber: { userId: actor.userId } };
  if (can(actor, "patient:read:linked")) return { prescriber: { delegates: { some: { userId: actor.userId } } } };
  throw new AppError("FORBIDDEN", "You do not have permission to see these patients.");
}

function settingScope(actor: Actor): Prisma.PatientWhereInput {
  if (!can(actor, "patient:read:org") || !actor.healthcareSettingId) {
    throw new AppError("FORBIDDEN", "You do not have permission to see these patients.");
  }
  return { healthcareSettingId: actor.healthcareSettingId };
}

const patientEnrollmentSelect = {
  where: { kind: "PATIENT" },
  select: {
    status: true,
    statusReason: true,
    programId: true,
    certifiedAt: true,
    createdAt: true,
    program: { select: { code: true, name: true, definition: true } },
  },
} as const satisfies Prisma.Patient$enrollmentsArgs;

/**
 * The dashboard list's enrollment columns: the programme by id and code only. Its definition (a
 * large JSON document) is read once per programme (definitionsOf), not once per patient.
 */
const patientListEnrollmentSelect = {
  where: { kind: "PATIENT" },
  select: { status: true, programId: true, certifiedAt: true, createdAt: true, program: { select: { code: true } } },
} as const satisfies Prisma.Patient$enrollmentsArgs;

/** Each programme's definition, once: from the registry in code, else from its row (one query for all). */
async function definitionsOf(client: Db, programs: Map<string, string>): Promise<Map<string, TProgramDefinition>> {
  const found = new Map<string, TProgramDefinition>();
  const missing: string[] = [];
  for (const [id, code] of programs) {
    const definition = getProgramDefinition(code);
    if (definition) found.set(id, definition);
    else missing.push(id);
  }
  if (missing.length) {
    const rows = await client.program.findMany({
      where: { id: { in: missing } },
      select: { id: true, definition: true },
    });
    for (const row of rows) found.set(row.id, ZProgramDefinition.parse(row.definition));
  }
  return found;
}

export interface PatientMonitoringRow {
  id: string;
  remsId: string;
  name: string;
  enrollmentStatus: string;
  /**
   * The worst monitoring state; not_applicable for a patient who is not enrolled. Before the first
   * dose, baseline_missing or baseline_stale while a baseline result is missing or too old.
   */
  overall: MonitoringState;
  /** Items overdue, with a baseline result missing or too old, or due soon: worst first. */
  attention: ItemSchedule[];
  /** The earliest next due date among the items. */
  nextDueOn: string | null;
}

/** The prescriber's patients (or, for office staff, their prescribers' patients), overdue first. */
export async function listPrescriberPatients(
  actor: Actor,
  client: Db = db(),
  now: Date = new Date(),
): Promise<PatientMonitoringRow[]> {
  const today = isoDay(now);
  const patients = await client.patient.findMany({
    where: prescriberScope(actor),
    select: { id: true, remsId: true, firstName: true, lastName: true, enrollments: patientListEnrollmentSelect },
    orderBy: [{ lastName: "asc" }, { firstName: "asc" }],
    take: 2000,
  });
  const byProgram = new Map<string, { patientId: string; certifiedAt: Date | null; createdAt: Date }[]>();
  for (const p of patients) {
    const e = p.enrollments[0];
    if (e?.status !== "ENROLLED") continue;
    const list = byProgram.get(e.programId) ?? [];
    list.push({ patientId: p.id, certifiedAt: e.certifiedAt, createdAt: e.createdAt });
    byProgram.set(e.programId, list);
  }
  const definitions = await definitionsOf(
    client,
    new Map(
      patients.flatMap((p) => (p.enrollments[0] ? [[p.enrollments[0].programId, p.enrollments[0].program.code]] : [])),
    ),
  );
  const facts = new Map<string, MonitoringFacts>();
  for (const [programId, rows] of byProgram) {
    for (const [id, f] of await loadScheduleFacts(client, programId, rows, today)) facts.set(id, f);
  }
  const rows = patients.map((p): PatientMonitoringRow => {
    const e = p.enrollments[0];
    const base = {
      id: p.id,
      remsId: p.remsId,
      name: `${p.firstName} ${p.lastName}`,
      enrollmentStatus: e?.status ?? "NOT_ENROLLED",
    };
    const f = facts.get(p.id);
    const monitoring = e ? definitions.get(e.programId)?.monitoring : null;
    if (!e || !f || !monitoring) return { ...base, overall: "not_applicable", attention: [], nextDueOn: null };
    const schedule = monitoringSchedule(monitoring, f, today);
    const attention = attentionItems(schedule);
    const dues = schedule.items.flatMap((i) => (i.nextDueOn ? [i.nextDueOn] : [])).sort();
    return { ...base, overall: schedule.overall, attention, nextDueOn: dues[0] ?? null };
  });
  return rows.sort(
    (a, b) =>
      stateRank(a.overall) - stateRank(b.overall) ||
      (a.nextDueOn ?? "9999").localeCompare(b.nextDueOn ?? "9999") ||
      a.name.localeCompare(b.name),
  );
}

export interface UpcomingInfusion {
  patientId: string;
  remsId: string;
  name: string;
  /** The course the next infusion belongs to and its day. */
  courseNumber: number;
  dayInCourse: number;
  /** The day the next infusion is expected (in a course) or may be given from (a new course). */
  fromOn: string;
  inProgress: boolean;
  /** For a new course: the baseline results and whether each is fresh enough on `fromOn`. */
  baseline: BaselineCheck[];
}

export interface RecentInfusion {
  id: string;
  patientId: string;
  remsId: string;
  name: string;
  infusedOn: string;
  courseNumber: number;
  dayInCourse: number;
  doseMg: number;
  vialLot: string;
  premedicationGiven: boolean;
  observationCompleted: boolean;
  reaction: boolean;
  reactionSeverity: string | null;
  /** The dispense authorization (DA-…) the drug was dispensed under, when the setting gave it. */
  authorizationNumber: string | null;
  /** What was not in order when it was recorded, acknowledged by the person recording (a few words each). */
  acknowledgedConcerns: string[];
}

/**
 * The setting's enrolled patients who are in a course (next day expected) or may start one within
 * `horizonDays`, soonest first; and its infusions of the last `recentDays` days, newest first.
 */
export async function getSettingDashboard(
  actor: Actor,
  client: Db = db(),
  now: Date = new Date(),
  options: { horizonDays?: number; recentDays?: number } = {},
): Promise<{ upcoming: UpcomingInfusion[]; recent: RecentInfusion[] }> {
  const scope = settingScope(actor);
  const today = isoDay(now);
  const horizon = addDays(today, options.horizonDays ?? 60);
  const patients = await client.patient.findMany({
    where: { ...scope, enrollments: { some: { kind: "PATIENT", status: "ENROLLED" } } },
    select: {
      id: true,
      remsId: true,
      firstName: true,
      lastName: true,
      enrollments: patientEnrollmentSelect,
      infusions: { select: { infusedOn: true } },
      labResults: { select: { testCode: true, collectedOn: true } },
    },
    take: 2000,
  });
  const upcoming: UpcomingInfusion[] = [];
  for (const p of patients) {
    const e = p.enrollments[0];
    if (!e) continue;
    const definition = definitionOf(e.program);
    if (!definition.courses) continue;
    const summary = summarizeCourses(
      definition.courses,
      p.infusions.map((i) => dayOf(i.infusedOn)),
    );
    const last = summary.courses.at(-1);
    const name = `${p.firstName} ${p.lastName}`;
    if (summary.inProgress && last) {
      upcoming.push({
        patientId: p.id,
        remsId: p.remsId,
        name,
        courseNumber: last.number,
        dayInCourse: last.daysGiven + 1,
        fromOn: addDays(last.lastDoseOn, 1),
        inProgress: true,
        baseline: [],
      });
      continue;
    }
    const fromOn =
      summary.nextCourseEarliestOn === null || summary.nextCourseEarliestOn < today
        ? today
        : summary.nextCourseEarliestOn;
    if (fromOn > horizon) continue;
    const results = p.labResults.map((r) => ({ testCode: r.testCode, collectedOn: dayOf(r.collectedOn) }));
    upcoming.push({
      patientId: p.id,
      remsId: p.remsId,
      name,
      courseNumber: (last?.number ?? 0) + 1,
      dayInCourse: 1,
      fromOn,
      inProgress: false,
      baseline: definition.monitoring ? baselineStatus(definition.monitoring, results, fromOn) : [],
    });
  }
  upcoming.sort(
    (a, b) =>
      Number(b.inProgress) - Number(a.inProgress) || a.fromOn.localeCompare(b.fromOn) || a.name.localeCompare(b.name),
  );

  const recentRows = await client.infusion.findMany({
    where: {
      healthcareSettingId: actor.healthcareSettingId ?? "",
      infusedOn: { gte: new Date(`${addDays(today, -(options.recentDays ?? 30))}T00:00:00.000Z`) },
    },
    orderBy: [{ infusedOn: "desc" }, { createdAt: "desc" }],
    take: 200,
    select: {
      id: true,
      patientId: true,
      infusedOn: true,
      courseNumber: true,
      dayInCourse: true,
      doseMg: true,
      vialLot: true,
      premedicationGiven: true,
      observationCompleted: true,
      reaction: true,
      reactionSeverity: true,
      acknowledgedConcerns: true,
      patient: { select: { remsId: true, firstName: true, lastName: true } },
      dispenseAuthorization: { select: { authorizationNumber: true } },
    },
  });
  const recent = recentRows.map((r) => ({
    id: r.id,
    patientId: r.patientId,
    remsId: r.patient.remsId,
    name: `${r.patient.firstName} ${r.patient.lastName}`,
    infusedOn: dayOf(r.infusedOn),
    courseNumber: r.courseNumber,
    dayInCourse: r.dayInCourse,
    doseMg: Number(r.doseMg),
    vialLot: r.vialLot,
    premedicationGiven: r.premedicationGiven,
    observationCompleted: r.observationCompleted,
    reaction: r.reaction,
    reactionSeverity: r.reactionSeverity,
    authorizationNumber: r.dispenseAuthorization?.authorizationNumber ?? null,
    acknowledgedConcerns: storedConcerns(r.acknowledgedConcerns).map((c) => INFUSION_CONCERN_LABELS[c.code]),
  }));
  return { upcoming, recent };
}

/** The setting's enrolled patients, for the record-infusion form's patient list. */
export async function listSettingPatients(actor: Actor, client: Db = db()) {
  const patients = await client.patient.findMany({
    where: { ...settingScope(actor), enrollments: { some: { kind: "PATIENT", status: "ENROLLED" } } },
    select: { id: true, remsId: true, firstName: true, lastName: true, dateOfBirth: true },
    orderBy: [{ lastName: "asc" }, { firstName: "asc" }],
    take: 2000,
  });
  return patients.map((p) => ({
    id: p.id,
    remsId: p.remsId,
    name: `${p.firstName} ${p.lastName}`,
    dateOfBirth: dayOf(p.dateOfBirth),
  }));
}

export type TimelineEvent =
  | { kind: "enrollment"; on: string; title: string; detail: string | null }
  | { kind: "course"; on: string; title: string; detail: string | null }
  | { kind: "infusion"; on: string; title: string; detail: string | null; reaction: boolean }
  | { kind: "lab"; on: string; title: string; detail: string | null; abnormal: boolean }
  | { kind: "status_form"; on: string; title: string; detail: string | null; seriousAdverseEvent: boolean };

export interface PatientTimeline {
  patient: { id: string; remsId: string; name: string; enrollmentStatus: string; statusReason: string | null };
  programName: string | null;
  /** Newest first. */
  events: TimelineEvent[];
  schedule: ItemSchedule[];
  overall: MonitoringState;
  /** Items that ask someone to act, worst first (empty unless enrolled). */
  attention: ItemSchedule[];
  adherence: AdherenceMonth[];
}

/** One patient's history for the prescriber (or their office staff): refuses anyone else's patient. */
export async function getPatientTimeline(
  actor: Actor,
  patientId: string,
  client: Db = db(),
  now: Date = new Date(),
): Promise<PatientTimeline> {
  const today = isoDay(now);
  const patient = isUuid(patientId)
    ? await client.patient.findFirst({
        where: { AND: [{ id: patientId }, prescriberScope(actor)] },
        select: {
          id: true,
          remsId: true,
          firstName: true,
          lastName: true,
          enrollments: {
            ...patientEnrollmentSelect,
            select: {
              ...patientEnrollmentSelect.select,
              events: { select: { toStatus: true, reason: true, at: true } },
            },
          },
          infusions: {
            select: {
              infusedOn: true,
              courseNumber: true,
              dayInCourse: true,
              doseMg: true,
              reaction: true,
              reactionSeverity: true,
              healthcareSetting: { select: { name: true } },
              dispenseAuthorization: { select: { authorizationNumber: true } },
              acknowledgedConcerns: true,
            },
          },
          labResults: { select: { testCode: true, collectedOn: true, abnormal: true, note: true } },
          statusForms: { select: { submittedAt: true, seriousAdverseEvent: true } },
        },
      })
    : null;
  if (!patient) throw new AppError("NOT_FOUND", "No such patient among yours.");
  const enrollment = patient.enrollments[0];
  const definition = enrollment ? definitionOf(enrollment.program) : null;
  const testNames = new Map(definition?.monitoring?.testTypes.map((t) => [t.code, t.name]) ?? []);
  const events: TimelineEvent[] = [];
  if (enrollment) {
    events.push({
      kind: "enrollment",
      on: dayOf(enrollment.certifiedAt ?? enrollment.createdAt),
      title: `Enrolled in the ${enrollment.program.name}`,
      detail: null,
    });
    for (const ev of enrollment.events) {
      if (ev.toStatus === "ENROLLED" && !ev.reason) continue;
      events.push({
        kind: "enrollment",
        on: dayOf(ev.at),
        title: `Status: ${formatStatus(ev.toStatus, "patient")}`,
        detail: ev.reason,
      });
    }
  }
  const doseDates = patient.infusions.map((i) => dayOf(i.infusedOn));
  if (definition?.courses) {
    for (const course of summarizeCourses(definition.courses, doseDates).courses) {
      events.push({
        kind: "course",
        on: course.firstDoseOn,
        title: `Course ${course.number} ${course.complete ? "given" : "started"}`,
        detail: `${course.daysGiven} of ${course.daysRequired} days, ${course.firstDoseOn} to ${course.lastDoseOn}`,
      });
    }
  }
  for (const i of patient.infusions) {
    const concerns = storedConcerns(i.acknowledgedConcerns);
    events.push({
      kind: "infusion",
      on: dayOf(i.infusedOn),
      title: `Infusion, course ${i.courseNumber} day ${i.dayInCourse}`,
      detail: `${Number(i.doseMg)} mg at ${i.healthcareSetting.name}${i.reaction ? `; ${i.reactionSeverity ?? ""} infusion reaction` : ""}${i.dispenseAuthorization?.authorizationNumber ? `; dispense authorization ${i.dispenseAuthorization.authorizationNumber}` : ""}${concerns.length ? `. Recorded with what was not in order acknowledged: ${concerns.map((c) => c.message).join(" ")}` : ""}`,
      reaction: i.reaction,
    });
  }
  for (const r of patient.labResults) {
    events.push({
      kind: "lab",
      on: dayOf(r.collectedOn),
      title: testNames.get(r.testCode) ?? humanizeCode(r.testCode),
      detail: r.abnormal ? `Abnormal${r.note ? `: ${r.note}` : ""}` : (r.note ?? null),
      abnormal: r.abnormal,
    });
  }
  for (const f of patient.statusForms) {
    events.push({
      kind: "status_form",
      on: dayOf(f.submittedAt),
      title: "Patient Status Form submitted",
      detail: f.seriousAdverseEvent ? "Serious adverse event reported" : null,
      seriousAdverseEvent: f.seriousAdverseEvent,
    });
  }
  const order: Record<TimelineEvent["kind"], number> = {
    enrollment: 0,
    course: 1,
    infusion: 2,
    status_form: 3,
    lab: 4,
  };
  events.sort((a, b) => b.on.localeCompare(a.on) || order[a.kind] - order[b.kind]);

  const monitoring = definition?.monitoring ?? null;
  const results = patient.labResults.map((r) => ({ testCode: r.testCode, collectedOn: dayOf(r.collectedOn) }));
  const schedule =
    monitoring && enrollment
      ? monitoringSchedule(
          monitoring,
          {
            doseDates,
            results,
            statusFormDates: patient.statusForms.map((f) => dayOf(f.submittedAt)),
            enrolledOn: dayOf(enrollment.certifiedAt ?? enrollment.createdAt),
          },
          today,
        )
      : null;
  return {
    patient: {
      id: patient.id,
      remsId: patient.remsId,
      name: `${patient.firstName} ${patient.lastName}`,
      enrollmentStatus: enrollment?.status ?? "NOT_ENROLLED",
      statusReason: enrollment?.statusReason ?? null,
    },
    programName: enrollment?.program.name ?? null,
    events,
    schedule: schedule?.items ?? [],
    overall: enrollment?.status === "ENROLLED" ? (schedule?.overall ?? "not_applicable") : "not_applicable",
    attention: enrollment?.status === "ENROLLED" && schedule ? attentionItems(schedule) : [],
    adherence: monitoring ? monitoringAdherence(monitoring, doseDates, results, today) : [],
  };
}
