/**
 * The administrator's home dashboard: a few bounded figures (lib/admin/dashboard-sql.ts), shaped
 * for the page and for the JSON the page polls. Plain JSON only (dates as ISO strings), so the
 * server-rendered first state and every refresh have the same shape.
 */
import type { Actor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import { addDays, isoDay } from "../courses/dates";
import { db, type Db } from "../db";
import { type DashboardWindow, dashboardStatements, type Statement } from "./dashboard-sql";

/** Days of dispense requests in the chart, months of enrollments. */
export const AUTHORIZATION_CHART_DAYS = 30;
export const ENROLLMENT_CHART_MONTHS = 12;

export interface DashboardData {
  generatedAt: string;
  enrollmentCounts: { kind: string; status: string; count: number }[];
  waiting: { count: number; unclaimed: number; oldestSubmittedAt: string | null };
  authorizationsToday: { approved: number; denied: number; revoked: number };
  topDenialReasonsToday: { code: string; count: number }[];
  denialReasons: { code: string; count: number }[];
  authorizationsByDay: { day: string; approved: number; denied: number }[];
  enrollmentsByMonth: { month: string; prescriber: number; pharmacy: number; setting: number; patient: number }[];
  overdueMonitoring: number;
  unreviewedAdverseEvents: number;
}

const KIND_KEYS = {
  PRESCRIBER: "prescriber",
  PHARMACY: "pharmacy",
  HEALTHCARE_SETTING: "setting",
  PATIENT: "patient",
} as const;

/** The days and months the dashboard looks at, from `now` (UTC). */
export function dashboardWindow(now: Date, programId: string | null = null): DashboardWindow {
  const today = isoDay(now);
  const first = new Date(`${today.slice(0, 7)}-01T00:00:00.000Z`);
  first.setUTCMonth(first.getUTCMonth() - (ENROLLMENT_CHART_MONTHS - 1));
  return {
    programId,
    todayStart: `${today}T00:00:00.000Z`,
    tomorrowStart: `${addDays(today, 1)}T00:00:00.000Z`,
    daysFrom: `${addDays(today, -(AUTHORIZATION_CHART_DAYS - 1))}T00:00:00.000Z`,
    monthsFrom: isoDay(first),
  };
}

function run<T>(client: Db, s: Statement): Promise<T[]> {
  return client.$queryRawUnsafe<T[]>(s.sql, ...s.values);
}

/** Every day (or month) of the window, so a chart has no holes. */
function daysOf(from: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addDays(from, i));
}

function monthsOf(from: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(`${from}T00:00:00.000Z`);
    d.setUTCMonth(d.getUTCMonth() + i);
    return isoDay(d).slice(0, 7);
  });
}

export async function getAdminDashboard(
  actor: Actor,
  options: { programId?: string | null } = {},
  client: Db = db(),
  now: Date = new Date(),
): Promise<DashboardData> {
  requirePermission(actor, "portal:admin");
  const w = dashboardWindow(now, options.programId ?? null);
  const q = dashboardStatements(w);
  const [counts, waiting, today, revoked, reasonsToday, reasons, byDay, byMonth, overdue, adverse] = await Promise.all([
    run<{ kind: string; status: string; count: number }>(client, q.enrollmentCounts),
    run<{ waiting: number; unclaimed: number; oldest: Date | null }>(client, q.waiting),
    run<{ approved: number; denied: number }>(client, q.authorizationsToday),
    run<{ revoked: number }>(client, q.revokedToday),
    run<{ code: string; count: number }>(client, q.denialReasonsToday),
    run<{ code: string; count: number }>(client, q.denialReasonsWindow),
    run<{ day: string; approved: number; denied: number }>(client, q.authorizationsByDay),
    run<{ month: string; kind: keyof typeof KIND_KEYS; count: number }>(client, q.enrollmentsByMonth),
    run<{ overdue: number }>(client, q.overdueMonitoring),
    run<{ unreviewed: number }>(client, q.unreviewedAdverseEvents),
  ]);
  const dayRows = new Map(byDay.map((r) => [r.day, r]));
  const months = monthsOf(w.monthsFrom, ENROLLMENT_CHART_MONTHS).map((month) => ({
    month,
    prescriber: 0,
    pharmacy: 0,
    setting: 0,
    patient: 0,
  }));
  for (const row of byMonth) {
    const m = months.find((x) => x.month === row.month);
    const key = KIND_KEYS[row.kind];
    if (m && key) m[key] += Number(row.count);
  }
  const oldest = waiting[0]?.oldest ?? null;
  return {
    generatedAt: now.toISOString(),
    enrollmentCounts: counts.map((r) => ({ kind: r.kind, status: r.status, count: Number(r.count) })),
    waiting: {
      count: Number(waiting[0]?.waiting ?? 0),
      unclaimed: Number(waiting[0]?.unclaimed ?? 0),
      oldestSubmittedAt: oldest ? new Date(oldest).toISOString() : null,
    },
    authorizationsToday: {
      approved: Number(today[0]?.approved ?? 0),
      denied: Number(today[0]?.denied ?? 0),
      revoked: Number(revoked[0]?.revoked ?? 0),
    },
    topDenialReasonsToday: reasonsToday.slice(0, 3).map((r) => ({ code: r.code, count: Number(r.count) })),
    denialReasons: reasons.map((r) => ({ code: r.code, count: Number(r.count) })),
    authorizationsByDay: daysOf(w.daysFrom.slice(0, 10), AUTHORIZATION_CHART_DAYS).map((day) => ({
      day,
      approved: Number(dayRows.get(day)?.approved ?? 0),
      denied: Number(dayRows.get(day)?.denied ?? 0),
    })),
    enrollmentsByMonth: months,
    overdueMonitoring: Number(overdue[0]?.overdue ?? 0),
    unreviewedAdverseEvents: Number(adverse[0]?.unreviewed ?? 0),
  };
}
