import type { Metadata } from "next";
import { ROLE_LABELS } from "@/components/auth/role-labels";
import { checkAuditTrail, registryOverview } from "@/lib/admin/service";
import { requirePagePermission } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Administration" };

export default async function AdminPage() {
  const actor = await requirePagePermission("portal:admin", "/admin");
  const [overview, chain] = await Promise.all([registryOverview(actor), checkAuditTrail(actor)]);
  return (
    <>
      <h1>REMS administration</h1>
      <div className="grid">
        <section className="card">
          <h2>Accounts</h2>
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
                  {r.kind.toLowerCase().replace("_", " ")} · {r.status.toLowerCase().replace("_", " ")}:{" "}
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
