"use client";

import Link from "next/link";
import { BarChartFigure } from "@/components/charts/bar-chart-figure";
import { useLiveAdminJson } from "@/components/admin/live-admin-json";
import type { DashboardData } from "@/lib/admin/dashboard";
import { applicationsHref, authorizationsHref } from "@/lib/admin/links";
import { formatDateTime, formatDenialReason, formatMonth, formatStatus, formatWait } from "@/lib/format";

const KINDS = ["PRESCRIBER", "PHARMACY", "HEALTHCARE_SETTING", "PATIENT"] as const;
const KIND_PLURALS: Record<(typeof KINDS)[number], string> = {
  PRESCRIBER: "Prescribers",
  PHARMACY: "Pharmacies",
  HEALTHCARE_SETTING: "Healthcare settings",
  PATIENT: "Patients",
};

/**
 * The dashboard's counters and charts. The server renders the first state (initialData); the
 * figures then refresh every few seconds while the tab is visible. Every number links to the
 * list it counts.
 */
export function LiveDashboard({ initial }: { initial: DashboardData }) {
  const { data, isFetching, error } = useLiveAdminJson(["admin", "dashboard"], "/api/admin/dashboard", initial);
  const today = data.generatedAt.slice(0, 10);
  const now = new Date(data.generatedAt);
  const t = data.authorizationsToday;
  return (
    <>
      <p className="muted" data-testid="dashboard-updated">
        Figures as of {formatDateTime(data.generatedAt)}
        {isFetching ? " (refreshing…)" : ""}
        {error ? ` — could not refresh: ${error.message}` : ""}
      </p>
      <div className="grid">
        <section className="card" aria-labelledby="waiting-title">
          <h2 id="waiting-title">Applications to review</h2>
          <p className="stat">
            <Link href={applicationsHref({ status: "SUBMITTED" })} data-testid="awaiting-review">
              {data.waiting.count}
            </Link>
          </p>
          <p>
            {data.waiting.oldestSubmittedAt ? (
              <>
                The oldest has waited{" "}
                <Link href={applicationsHref({ status: "SUBMITTED" })} data-testid="oldest-wait">
                  {formatWait(data.waiting.oldestSubmittedAt, now)}
                </Link>{" "}
                (submitted {formatDateTime(data.waiting.oldestSubmittedAt)}).
              </>
            ) : (
              "Nothing is waiting."
            )}{" "}
            {data.waiting.unclaimed} not yet claimed by a reviewer.{" "}
            <Link href="/admin/applications">Open the review queue</Link>
          </p>
        </section>
        <section className="card" aria-labelledby="today-title">
          <h2 id="today-title">Dispense authorizations today</h2>
          <ul>
            <li>
              Approved:{" "}
              <Link
                href={authorizationsHref({ decision: "APPROVED", from: today, to: today })}
                data-testid="approved-today"
              >
                {t.approved}
              </Link>
            </li>
            <li>
              Denied:{" "}
              <Link
                href={authorizationsHref({ decision: "DENIED", from: today, to: today })}
                data-testid="denied-today"
              >
                {t.denied}
              </Link>
            </li>
            <li>
              Revoked:{" "}
              <Link
                href={authorizationsHref({ status: "REVOKED", on: "revoked", from: today, to: today })}
                data-testid="revoked-today"
              >
                {t.revoked}
              </Link>
            </li>
          </ul>
          {data.topDenialReasonsToday.length ? (
            <>
              <h3>Top denial reasons today</h3>
              <ol data-testid="top-denial-reasons">
                {data.topDenialReasonsToday.map((r) => (
                  <li key={r.code}>
                    {formatDenialReason(r.code)}:{" "}
                    <Link href={authorizationsHref({ decision: "DENIED", reason: r.code, from: today, to: today })}>
                      {r.count}
                    </Link>
                  </li>
                ))}
              </ol>
            </>
          ) : (
            <p>No request was denied today.</p>
          )}
        </section>
        <section className="card" aria-labelledby="monitoring-title">
          <h2 id="monitoring-title">Overdue monitoring</h2>
          <p className="stat">
            <Link
              href={applicationsHref({ kind: "PATIENT", status: "ENROLLED", monitoring: "overdue" })}
              data-testid="overdue-monitoring"
            >
              {data.overdueMonitoring}
            </Link>
          </p>
          <p>Enrolled patients with a monitoring test or form overdue at the last daily check.</p>
        </section>
        <section className="card" aria-labelledby="sae-title">
          <h2 id="sae-title">Serious adverse events</h2>
          <p className="stat">
            <Link href="/admin/adverse-events" data-testid="adverse-events">
              {data.unreviewedAdverseEvents}
            </Link>
          </p>
          <p>Reported on Patient Status Forms and not yet reviewed.</p>
        </section>
      </div>
      <section className="card" aria-labelledby="enrollments-title">
        <h2 id="enrollments-title">Stakeholders by status</h2>
        <EnrollmentCounts rows={data.enrollmentCounts} />
      </section>
      <div className="grid">
        <section className="card" aria-labelledby="enrollment-chart-title">
          <h2 id="enrollment-chart-title">Certifications and enrollments</h2>
          <BarChartFigure
            id="enrollments-chart"
            caption={`Stakeholders certified (patients enrolled) per month, last ${data.enrollmentsByMonth.length} months.`}
            rows={data.enrollmentsByMonth.map((m) => ({ ...m, month: formatMonth(m.month) }))}
            category={{ key: "month", label: "Month" }}
            series={[
              { key: "prescriber", label: "Prescribers", color: "#1d4ed8" },
              { key: "pharmacy", label: "Pharmacies", color: "#067647" },
              { key: "setting", label: "Healthcare settings", color: "#9333ea" },
              { key: "patient", label: "Patients", color: "#b54708" },
            ]}
            stacked
            empty="Nobody was certified or enrolled in these months."
            tableCaption="Certifications and enrollments per month"
          />
        </section>
        <section className="card" aria-labelledby="authorization-chart-title">
          <h2 id="authorization-chart-title">Dispense requests</h2>
          <BarChartFigure
            id="authorizations-chart"
            caption={`Dispense requests approved and denied per day, last ${data.authorizationsByDay.length} days.`}
            rows={data.authorizationsByDay.map((d) => ({ ...d, day: d.day.slice(5) }))}
            category={{ key: "day", label: "Day (month-day)" }}
            series={[
              { key: "approved", label: "Approved", color: "#067647" },
              { key: "denied", label: "Denied", color: "#b42318" },
            ]}
            stacked
            empty="No dispense request in these days."
            tableCaption="Dispense requests per day"
          />
        </section>
        <section className="card" aria-labelledby="denial-chart-title">
          <h2 id="denial-chart-title">Denials by reason</h2>
          <BarChartFigure
            id="denials-chart"
            caption={`Why dispense requests were denied, last ${data.authorizationsByDay.length} days (a request denied for two reasons counts under both).`}
            rows={data.denialReasons.map((r) => ({ reason: formatDenialReason(r.code), count: r.count }))}
            category={{ key: "reason", label: "Reason" }}
            series={[{ key: "count", label: "Denied requests", color: "#b42318" }]}
            horizontal
            empty="No request was denied in these days."
            tableCaption="Denied requests by reason"
          />
        </section>
      </div>
    </>
  );
}

function EnrollmentCounts({ rows }: { rows: DashboardData["enrollmentCounts"] }) {
  if (rows.length === 0) return <p>No enrollments yet.</p>;
  return (
    <div className="grid">
      {KINDS.map((kind) => {
        const mine = rows.filter((r) => r.kind === kind);
        return (
          <table key={kind} data-testid={`counts-${kind}`}>
            <caption>{KIND_PLURALS[kind]}</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Count</th>
              </tr>
            </thead>
            <tbody>
              {mine.length === 0 ? (
                <tr>
                  <td colSpan={2}>None</td>
                </tr>
              ) : (
                mine.map((r) => (
                  <tr key={r.status}>
                    <th scope="row">{formatStatus(r.status, kind === "PATIENT" ? "patient" : "certification")}</th>
                    <td>
                      <Link href={applicationsHref({ kind, status: r.status })}>{r.count}</Link>
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        );
      })}
    </div>
  );
}
