import type { Metadata } from "next";
import Link from "next/link";
import { firstGate } from "@/components/enrollment/certification-gate";
import { EnrollmentSummary } from "@/components/enrollment/enrollment-summary";
import { Pager } from "@/components/admin/pager";
import { StateBadge } from "@/components/timeline/state-badge";
import { can } from "@/lib/auth/permissions";
import { requirePagePermission } from "@/lib/auth/session";
import { listPrescriberPatients } from "@/lib/dashboards/queries";
import { findOwnEnrollments } from "@/lib/enrollment/queries";
import { formatDate, formatStatus } from "@/lib/format";
import { describeAttention } from "@/lib/monitoring/rules";

export const metadata: Metadata = { title: "Prescriber dashboard" };

/**
 * Patients listed per dashboard page, most urgent first: a practice with hundreds of patients gets
 * its overdue ones at once, and the page stays fast to render and to read.
 */
const PAGE_SIZE = 50;

export default async function Page({ searchParams }: { searchParams: Promise<{ page?: string | string[] }> }) {
  const actor = await requirePagePermission("portal:prescriber", "/prescriber");
  const [enrollments, patients, params] = await Promise.all([
    findOwnEnrollments(actor),
    listPrescriberPatients(actor),
    searchParams,
  ]);
  const overdue = patients.filter((p) => p.overall === "overdue").length;
  const baseline = patients.filter((p) => p.overall === "baseline_missing" || p.overall === "baseline_stale").length;
  const pageCount = Math.max(1, Math.ceil(patients.length / PAGE_SIZE));
  const asked = Number.parseInt(typeof params.page === "string" ? params.page : "1", 10);
  const page = Number.isFinite(asked) ? Math.min(Math.max(asked, 1), pageCount) : 1;
  const shown = patients.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const gate = firstGate(enrollments, actor.role === "PRESCRIBER_DELEGATE");
  const certification = <EnrollmentSummary rows={enrollments} who="Your practice" />;
  return (
    <>
      <h1>Prescriber dashboard</h1>
      <p className="muted">Signed in as {actor.name}.</p>
      {/* Until certified, getting certified is the next thing to do. */}
      {gate ? certification : null}
      <section className="card" aria-labelledby="patients-heading">
        <h2 id="patients-heading">Patients</h2>
        {gate ? <p>{gate.text}</p> : null}
        <p>
          {gate ? null : (
            <>
              <Link href="/prescriber/patients/new">Enroll a patient</Link> ·{" "}
            </>
          )}
          <Link href="/prescriber/patients">All patients</Link> ·{" "}
          <Link href="/prescriber/labs">Import lab results</Link>
        </p>
        {patients.length === 0 ? (
          <p className="muted">No patients yet.</p>
        ) : (
          <>
            <p>
              {patients.length} patient{patients.length === 1 ? "" : "s"}
              {overdue > 0 ? `; ${overdue} with overdue monitoring, listed first` : "; no monitoring overdue"}
              {baseline > 0
                ? `; ${baseline} not yet treated with baseline tests missing or too old${overdue > 0 ? ", listed next" : ", listed first"}`
                : ""}
              .
              {pageCount > 1
                ? ` Showing ${(page - 1) * PAGE_SIZE + 1}–${(page - 1) * PAGE_SIZE + shown.length}, most urgent first.`
                : ""}
            </p>
            <table>
              <thead>
                <tr>
                  <th scope="col">Patient</th>
                  <th scope="col">Enrollment</th>
                  <th scope="col">Monitoring</th>
                  <th scope="col">Needs attention</th>
                  <th scope="col">Next due</th>
                  <th scope="col">History</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((p) => (
                  <tr key={p.id} data-state={p.overall}>
                    <td>
                      <Link href={`/prescriber/patients/${p.id}`}>{p.name}</Link>
                      <br />
                      <span className="muted">{p.remsId}</span>
                    </td>
                    <td>{formatStatus(p.enrollmentStatus, "patient")}</td>
                    <td>
                      <StateBadge state={p.overall} />
                    </td>
                    <td>{p.attention.length === 0 ? "—" : p.attention.map(describeAttention).join("; ")}</td>
                    <td>{formatDate(p.nextDueOn)}</td>
                    <td>
                      <Link href={`/prescriber/patients/${p.id}/timeline`}>
                        Timeline<span className="muted"> of {p.name}</span>
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager page={page} pageCount={pageCount} href={(n) => `/prescriber?page=${n}`} />
          </>
        )}
      </section>
      {can(actor, "invitation:create:own") ? (
        <div className="card">
          <h2>Office staff</h2>
          <p>Invite the office staff who prepare enrollments and forms for you.</p>
          <Link href="/prescriber/team">Manage office staff</Link>
        </div>
      ) : null}
      {gate ? null : certification}
    </>
  );
}
