import type { Metadata } from "next";
import Link from "next/link";
import { EnrollmentSummary } from "@/components/enrollment/enrollment-summary";
import { requirePagePermission } from "@/lib/auth/session";
import { getSettingDashboard } from "@/lib/dashboards/queries";
import { findOwnEnrollments } from "@/lib/enrollment/queries";
import { formatDate } from "@/lib/format";

export const metadata: Metadata = { title: "Healthcare setting dashboard" };

function baselineText(problems: { name: string; problem: string | null }[]): string {
  const missing = problems.filter((b) => b.problem);
  if (missing.length === 0) return "Baseline results fresh";
  return `Baseline: ${missing.map((b) => `${b.name} ${b.problem === "missing" ? "missing" : "too old"}`).join("; ")}`;
}

export default async function Page() {
  const actor = await requirePagePermission("portal:setting", "/setting");
  const [enrollments, dashboard] = await Promise.all([
    findOwnEnrollments(actor),
    actor.healthcareSettingId ? getSettingDashboard(actor) : Promise.resolve(null),
  ]);
  return (
    <>
      <h1>Healthcare setting dashboard</h1>
      <p className="muted">Signed in as {actor.name}.</p>
      {dashboard ? (
        <>
          <section className="card" aria-labelledby="upcoming-heading">
            <h2 id="upcoming-heading">Upcoming infusions</h2>
            <p>
              <Link className="button" href="/setting/infusions/new">
                Record an infusion
              </Link>
            </p>
            {dashboard.upcoming.length === 0 ? (
              <p className="muted">
                No patient of your setting is in a course or due to start one in the next 60 days.
              </p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Patient</th>
                    <th scope="col">Next infusion</th>
                    <th scope="col">From</th>
                    <th scope="col">Before the course</th>
                    <th scope="col">
                      <span className="muted">Action</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {dashboard.upcoming.map((u) => (
                    <tr key={u.patientId}>
                      <td>
                        {u.name}
                        <br />
                        <span className="muted">{u.remsId}</span>
                      </td>
                      <td>
                        Course {u.courseNumber}, day {u.dayInCourse}
                        {u.inProgress ? " (course in progress)" : ""}
                      </td>
                      <td>{formatDate(u.fromOn)}</td>
                      <td>{u.inProgress ? "—" : baselineText(u.baseline)}</td>
                      <td>
                        <Link href={`/setting/infusions/new?patient=${u.patientId}`}>
                          Record<span className="muted"> for {u.name}</span>
                        </Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section className="card" aria-labelledby="recent-heading">
            <h2 id="recent-heading">Recent infusions (last 30 days)</h2>
            {dashboard.recent.length === 0 ? (
              <p className="muted">No infusion recorded in the last 30 days.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Patient</th>
                    <th scope="col">Course / day</th>
                    <th scope="col">Dose</th>
                    <th scope="col">Lot</th>
                    <th scope="col">Premedication</th>
                    <th scope="col">2-hour observation</th>
                    <th scope="col">Reaction</th>
                    <th scope="col">Dispense authorization</th>
                    <th scope="col">Not in order, acknowledged</th>
                  </tr>
                </thead>
                <tbody>
                  {dashboard.recent.map((r) => (
                    <tr key={r.id}>
                      <td>{formatDate(r.infusedOn)}</td>
                      <td>
                        {r.name}
                        <br />
                        <span className="muted">{r.remsId}</span>
                      </td>
                      <td>
                        {r.courseNumber} / {r.dayInCourse}
                      </td>
                      <td>{r.doseMg} mg</td>
                      <td>{r.vialLot}</td>
                      <td>{r.premedicationGiven ? "Yes" : "No"}</td>
                      <td>{r.observationCompleted ? "Yes" : "No"}</td>
                      <td>{r.reaction ? `Yes (${r.reactionSeverity ?? "unspecified"})` : "No"}</td>
                      <td>{r.authorizationNumber ?? "—"}</td>
                      <td>{r.acknowledgedConcerns.length === 0 ? "—" : r.acknowledgedConcerns.join("; ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      ) : null}
      <EnrollmentSummary rows={enrollments} who="Your healthcare setting" />
    </>
  );
}
