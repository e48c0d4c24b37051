/**
 * The administrator's dashboard as a handful of bounded SQL statements. Each reads either a
 * trigger-kept summary table (EnrollmentStatusCount, EnrollmentCertifiedMonth), a partial index
 * (overdue monitoring, unreviewed adverse events), or an index range over a short time window
 * (today, the last 30 days): none of them counts the registry. The same text is what
 * tests/bench/dashboard-explain.ts runs EXPLAIN on against the 100,000-patient dataset.
 */

export interface Statement {
  sql: string;
  values: (string | number)[];
}

export interface DashboardWindow {
  /** Restrict every figure to one programme (null: every programme). */
  programId: string | null;
  /** Start of today and of tomorrow (UTC), ISO instants. */
  todayStart: string;
  tomorrowStart: string;
  /** Start of the authorization chart's window (UTC day), ISO instant. */
  daysFrom: string;
  /** First day of the enrollment chart's first month, "YYYY-MM-DD". */
  monthsFrom: string;
}

/** Appends `AND "programId" = $n` when the window names a programme. */
function programFilter(w: DashboardWindow, values: (string | number)[], column = `"programId"`): string {
  if (!w.programId) return "";
  values.push(w.programId);
  return ` AND ${column} = $${values.length}::uuid`;
}

function statement(build: (values: (string | number)[]) => string): Statement {
  const values: (string | number)[] = [];
  const sql = build(values);
  return { sql, values };
}

export function dashboardStatements(w: DashboardWindow) {
  return {
    enrollmentCounts: statement(
      (v) =>
        `SELECT "kind"::text AS kind, "status"::text AS status, sum("count")::int AS count
         FROM "EnrollmentStatusCount" WHERE "count" <> 0${programFilter(w, v)}
         GROUP BY 1, 2 ORDER BY 1, 2`,
    ),
    waiting: statement(
      (v) =>
        `SELECT count(*)::int AS waiting,
                count(*) FILTER (WHERE "claimedByUserId" IS NULL)::int AS unclaimed,
                min("submittedAt") AS oldest
         FROM "Enrollment" WHERE "status" = 'SUBMITTED'${programFilter(w, v)}`,
    ),
    authorizationsToday: statement((v) => {
      v.push(w.todayStart, w.tomorrowStart);
      return `SELECT count(*) FILTER (WHERE "decision" = 'APPROVED')::int AS approved,
                     count(*) FILTER (WHERE "decision" = 'DENIED')::int AS denied
              FROM "DispenseAuthorization"
              WHERE "createdAt" >= $1::timestamptz AND "createdAt" < $2::timestamptz${programFilter(w, v)}`;
    }),
    revokedToday: statement((v) => {
      v.push(w.todayStart, w.tomorrowStart);
      return `SELECT count(*)::int AS revoked FROM "DispenseAuthorization"
              WHERE "revokedAt" >= $1::timestamptz AND "revokedAt" < $2::timestamptz${programFilter(w, v)}`;
    }),
    denialReasonsToday: denialReasons(w, w.todayStart, w.tomorrowStart),
    denialReasonsWindow: denialReasons(w, w.daysFrom, w.tomorrowStart),
    authorizationsByDay: statement((v) => {
      v.push(w.daysFrom, w.tomorrowStart);
      return `SELECT to_char("createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
                     count(*) FILTER (WHERE "decision" = 'APPROVED')::int AS approved,
                     count(*) FILTER (WHERE "decision" = 'DENIED')::int AS denied
              FROM "DispenseAuthorization"
              WHERE "createdAt" >= $1::timestamptz AND "createdAt" < $2::timestamptz${programFilter(w, v)}
              GROUP BY 1 ORDER BY 1`;
    }),
    enrollmentsByMonth: statement((v) => {
      v.push(w.monthsFrom);
      return `SELECT to_char("month", 'YYYY-MM') AS month, "kind"::text AS kind, sum("count")::int AS count
              FROM "EnrollmentCertifiedMonth" WHERE "month" >= $1::date${programFilter(w, v)}
              GROUP BY 1, 2 ORDER BY 1, 2`;
    }),
    overdueMonitoring: statement(
      (v) =>
        `SELECT count(*)::int AS overdue FROM "Enrollment"
         WHERE "kind" = 'PATIENT' AND "status" = 'ENROLLED' AND "monitoringOverdueSince" IS NOT NULL${programFilter(w, v)}`,
    ),
    unreviewedAdverseEvents: statement(
      (v) =>
        `SELECT count(*)::int AS unreviewed FROM "StatusFormSubmission"
         WHERE "seriousAdverseEvent" = true AND "reviewedAt" IS NULL${programFilter(w, v)}`,
    ),
  } satisfies Record<string, Statement>;
}

export type DashboardStatements = ReturnType<typeof dashboardStatements>;

/** Denied requests by blocking reason in [from, to): a request with two reasons counts under both. */
function denialReasons(w: DashboardWindow, from: string, to: string): Statement {
  return statement((v) => {
    v.push(from, to);
    return `SELECT r.value->>'code' AS code, count(*)::int AS count
            FROM "DispenseAuthorization" d CROSS JOIN LATERAL jsonb_array_elements(d."reasons") AS r(value)
            WHERE d."decision" = 'DENIED' AND d."createdAt" >= $1::timestamptz AND d."createdAt" < $2::timestamptz${programFilter(w, v, `d."programId"`)}
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 8`;
  });
}
