import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import styles from "@/components/admin/admin.module.css";
import { changeLines } from "@/lib/audit/schema";
import { getAuditEvent } from "@/lib/audit/viewer";
import { requirePagePermission } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Audit event", robots: { index: false, follow: false } };

async function load(actor: Awaited<ReturnType<typeof requirePagePermission>>, seq: string) {
  try {
    return await getAuditEvent(actor, seq);
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

export default async function AuditEventPage({ params }: { params: Promise<{ seq: string }> }) {
  const { seq } = await params;
  const actor = await requirePagePermission("audit:read:any", `/admin/audit/${encodeURIComponent(seq)}`);
  const event = await load(actor, seq);
  const lines = changeLines(event.before, event.after);
  return (
    <>
      <p>
        <Link href="/admin/audit">Audit trail</Link>
      </p>
      <h1>
        Event #{event.seq.toString()}: {event.actionLabel}
      </h1>
      <dl className={`card ${styles.details}`}>
        <dt>Time</dt>
        <dd>{formatDateTime(event.at)}</dd>
        <dt>Actor</dt>
        <dd>
          {event.actorName}
          {event.actorEmail ? ` (${event.actorEmail})` : ""} · {event.roleLabel}
        </dd>
        <dt>Action</dt>
        <dd>
          {event.actionLabel} <span className="muted">({event.action})</span>
        </dd>
        <dt>Record</dt>
        <dd>
          <span data-testid="audit-record">{event.entityLabel}</span>
          <div className="muted">
            <small>
              For support: <span className={styles.hash}>{event.entityType}</span>
              {event.entityId ? (
                <>
                  {" "}
                  <span className={styles.hash} data-testid="audit-record-id">
                    {event.entityId}
                  </span>
                </>
              ) : null}
            </small>
          </div>
          {event.entityId ? (
            <Link
              href={`/admin/audit?${new URLSearchParams({ entityType: event.entityType, entityId: event.entityId })}`}
            >
              Every event of this record
            </Link>
          ) : null}
        </dd>
        <dt>Request</dt>
        <dd className={styles.hash}>{event.requestId ?? "—"}</dd>
        <dt>Hash</dt>
        <dd className={styles.hash}>{event.hash}</dd>
        <dt>Chain</dt>
        <dd>{event.chain}</dd>
        <dt>Previous hash in its chain</dt>
        <dd className={styles.hash}>{event.prevHash}</dd>
      </dl>
      <h2 id="changes-title">Before and after</h2>
      {lines.length === 0 ? (
        <p>This event records no values.</p>
      ) : (
        <div className={styles.tableWrap}>
          <table aria-labelledby="changes-title" data-testid="audit-changes">
            <caption className="muted" style={{ textAlign: "left" }}>
              Values before and after the event; changed values are marked.
            </caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr
                  key={line.key}
                  data-changed={line.changed ? "true" : "false"}
                  className={line.changed ? styles.changed : undefined}
                >
                  <th scope="row">{line.key}</th>
                  <td>
                    {line.before === null ? (
                      <span className={styles.missing}>absent</span>
                    ) : (
                      <pre className={styles.value}>{line.before}</pre>
                    )}
                  </td>
                  <td>
                    {line.after === null ? (
                      <span className={styles.missing}>absent</span>
                    ) : (
                      <pre className={styles.value}>{line.after}</pre>
                    )}
                  </td>
                  <td>{line.changed ? <strong>Changed</strong> : "Same"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
