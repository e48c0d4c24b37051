import type { Metadata } from "next";
import Link from "next/link";
import { ROLE_LABELS } from "@/components/auth/role-labels";
import { checkAuditTrail, registryOverview } from "@/lib/admin/service";
import { requirePagePermission } from "@/lib/auth/session";
import { countAwaitingReview } from "@/lib/certification/service";
import { activeDiscretionPeriods, listDiscretionFollowUps } from "@/lib/dispensing/discretion";
import { listUnreviewedAdverseEvents } from "@/lib/status-forms/service";
import { countCases } from "@/lib/noncompliance/queries";
import { formatStakeholderKind, formatStatus } from "@/lib/format";

export const metadata: Metadata = { title: "Administration" };

export default async function AdminPage() {
  const actor = await requirePagePermission("portal:admin", "/admin");
  const [overview, chain, awaiting, adverseEvents, discretion, followUps, cases] = await Promise.all([
    registryOverview(actor),
    checkAuditTrail(actor),
    countAwaitingReview(actor),
    listUnreviewedAdverseEvents(actor),
    activeDiscretionPeriods(),
    listDiscretionFollowUps(actor, { pending: true }),
    countCases(actor),
  ]);
  return (
    <>
      <h1>REMS administration</h1>
      <div className="grid">
        <section className="card">
          <h2>Applications to review</h2>
          <p className="stat" data-testid="awaiting-review">
            {awaiting.submitted}
          </p>
          <p>
            {awaiting.unclaimed} not yet claimed by a reviewer.{" "}
            <Link href="/admin/applications">Open the review queue</Link>
          </p>
          <p>
            <Link href="/admin/applications?status=CERTIFIED">Certified stakeholders</Link>
          </p>
        </section>
        <section className="card">
          <h2>Serious adverse events</h2>
          <p className="stat" data-testid="adverse-events">
            {adverseEvents.length}
          </p>
          <p>
            Reported on Patient Status Forms and not yet reviewed.{" "}
            <Link href="/admin/adverse-events">Review adverse events</Link>
          </p>
        </section>
        <section className="card">
          <h2>Non-compliance</h2>
          <p className="stat">
            <Link href="/admin/non-compliance" data-testid="open-cases">
              {cases.open}
            </Link>
          </p>
          <p>
            Open cases, of which{" "}
            <Link href="/admin/non-compliance?overdue=1" data-testid="overdue-cases">
              {cases.overdue} with an overdue corrective action
            </Link>
            .
          </p>
        </section>
        <section className="card">
          <h2>Enforcement discretion</h2>
          <p data-testid="discretion-summary">
            {discretion.length === 0
              ? "Every requirement is enforced."
              : `In effect for ${discretion.map((p) => p.programName).join(", ")}.`}
          </p>
          <p>
            {followUps.length} authorization{followUps.length === 1 ? "" : "s"} given under it to follow up.{" "}
            <Link href="/admin/enforcement-discretion">Manage enforcement discretion</Link>
          </p>
        </section>
        <section className="card">
          <h2>Accounts</h2>
          <p>
            <Link href="/admin/users">Manage users</Link>
          </p>
          <ul>
            {overview.usersByRole.map((r) => (
              <li key={r.role}>
                {ROLE_LABELS[r.role]}: <strong>{r.count}</strong>
              </li>
            ))}
          </ul>
        </section>
        <section className="card">
          <h2>Enrollments</h2>
          {overview.enrollmentsByStatus.length === 0 ? (
            <p>No enrollments yet.</p>
          ) : (
            <ul>
              {overview.enrollmentsByStatus.map((r) => (
                <li key={`${r.kind}-${r.status}`}>
                  {formatStakeholderKind(r.kind)} ·{" "}
                  {formatStatus(r.status, r.kind === "PATIENT" ? "patient" : "certification")}:{" "}
                  <strong>{r.count}</strong>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card">
          <h2>Audit trail</h2>
          <p className="stat">{overview.auditEvents}</p>
          <p data-testid="audit-chain">
            {chain.ok
              ? `Hash chain verified (${chain.checked} events).`
              : `Hash chain BROKEN at event ${chain.brokenAt.toString()} (${chain.reason}).`}
          </p>
        </section>
      </div>
    </>
  );
}
