import type { Metadata } from "next";
import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { FormBanner } from "@/components/ui/field";
import { AdministratorRequestForm } from "@/components/users/administrator-request-form";
import { DecideRequestForm } from "@/components/users/decide-request-form";
import { can } from "@/lib/auth/permissions";
import { requirePagePermission } from "@/lib/auth/session";
import { formatDateTime } from "@/lib/format";
import { ADMINISTRATOR_REQUEST_STATE_LABELS } from "@/lib/users/rules";
import { listAdministratorRequests } from "@/lib/users/service";

export const metadata: Metadata = { title: "Administrators" };

const DONE: Record<string, string> = {
  requested: "Request sent. Another administrator must approve it within 7 days.",
  approved: "Approved. The new administrator has been e-mailed a link to create their account.",
  declined: "The request is closed; no account will be created.",
};

export default async function AdministratorsPage({ searchParams }: { searchParams: Promise<{ done?: string }> }) {
  const actor = await requirePagePermission("user:read:any", "/admin/users/administrators");
  const [requests, { done }] = await Promise.all([listAdministratorRequests(actor), searchParams]);
  const manage = can(actor, "user:manage:any");
  return (
    <>
      <p>
        <Link href="/admin/users">Users</Link>
      </p>
      <h1>Administrators</h1>
      <p className="muted">
        A new administrator needs two administrators: one asks, another approves. Administrators can also be created on
        the server with <code>npm run admin:create</code>.
      </p>
      <p>
        <Link href="/admin/users?role=ADMIN">See every administrator</Link>
      </p>
      {done && DONE[done] ? <FormBanner kind="ok">{DONE[done]}</FormBanner> : null}
      {manage ? <AdministratorRequestForm /> : null}
      <section aria-labelledby="requests">
        <h2 id="requests">Requests</h2>
        {requests.length === 0 ? <p>No requests yet.</p> : null}
        {requests.map((r) => (
          <article key={r.id} className="card" aria-labelledby={`req-${r.id}`} data-state={r.state}>
            <h3 id={`req-${r.id}`}>
              {r.name} ({r.email})
            </h3>
            <dl className={styles.details}>
              <dt>State</dt>
              <dd>{ADMINISTRATOR_REQUEST_STATE_LABELS[r.state]}</dd>
              <dt>Asked by</dt>
              <dd>
                {r.mine ? "You" : r.requestedBy}, {formatDateTime(r.createdAt)}
              </dd>
              <dt>Why</dt>
              <dd>{r.reason}</dd>
              {r.state === "pending" ? (
                <>
                  <dt>Expires</dt>
                  <dd>{formatDateTime(r.expiresAt)}</dd>
                </>
              ) : null}
              {r.decidedBy ? (
                <>
                  <dt>Decided by</dt>
                  <dd>
                    {r.decidedBy}, {formatDateTime(r.decidedAt)}
                    {r.decisionReason ? `: ${r.decisionReason}` : ""}
                  </dd>
                </>
              ) : null}
            </dl>
            {manage && r.state === "pending" ? (
              <DecideRequestForm requestId={r.id} name={r.name} mine={r.mine} />
            ) : null}
          </article>
        ))}
      </section>
    </>
  );
}
