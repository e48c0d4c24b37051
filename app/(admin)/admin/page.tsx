import type { Metadata } from "next";
import Link from "next/link";
import { IntegritySummary } from "@/components/audit/integrity-summary";
import { ROLE_LABELS } from "@/components/auth/role-labels";
import { checkAuditTrail, registryOverview } from "@/lib/admin/service";
import { requirePagePermission } from "@/lib/auth/session";
import { activeDiscretionPeriods, listDiscretionFollowUps } from "@/lib/dispensing/discretion";
import { LiveDashboard } from "@/components/admin/dashboard/live-dashboard";
import { getAdminDashboard } from "@/lib/admin/dashboard";
import { countCases } from "@/lib/noncompliance/queries";

export const metadata: Metadata = { title: "Administration" };

export default async function AdminPage() {
  const actor = await requirePagePermission("portal:admin", "/admin");
  const [dashboard, overview, chain, discretion, followUps, cases] = await Promise.all([
    getAdminDashboard(actor),
    registryOverview(actor),
    checkAuditTrail(actor),
    activeDiscretionPeriods(),
    listDiscretionFollowUps(actor, { pending: true }),
    countCases(actor),
  ]);
  return (
    <>
      <h1>REMS administration</h1>
      <LiveDashboard initial={dashboard} />
      <div className="grid">
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
          <h2>Audit trail</h2>
          <p className="stat" data-testid="audit-head">
            #{chain.headSeq.toString()}
          </p>
          <IntegritySummary status={chain} />
          <p>
            <Link href="/admin/audit">Open the audit trail</Link>
          </p>
        </section>
      </div>
    </>
  );
}
