import type { Metadata } from "next";
import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { AuditFilterForm } from "@/components/audit/audit-filters";
import { IntegrityActions, RefreshWhileRunning } from "@/components/audit/integrity-actions";
import { FullWalkProgress, IntegritySummary } from "@/components/audit/integrity-summary";
import { FormBanner } from "@/components/ui/field";
import { auditIntegrityStatus } from "@/lib/audit/integrity";
import { auditFilterParams } from "@/lib/audit/schema";
import { listAuditEvents } from "@/lib/audit/viewer";
import { requirePagePermission } from "@/lib/auth/session";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Audit trail" };

type Search = Promise<Record<string, string | string[] | undefined>>;

const DONE: Record<string, { kind: "ok" | "error"; text: string }> = {
  "verified=verified": { kind: "ok", text: "Verified: a new checkpoint was written." },
  "verified=broken": { kind: "error", text: "Verification found a break: no checkpoint was written." },
  "full=started": { kind: "ok", text: "A full re-walk has started in the background." },
  "full=running": { kind: "ok", text: "A full re-walk is already under way." },
};

export default async function AuditTrailPage({ searchParams }: { searchParams: Search }) {
  const actor = await requirePagePermission("audit:read:any", "/admin/audit");
  const raw = await searchParams;
  const [page, integrity] = await Promise.all([listAuditEvents(actor, raw), auditIntegrityStatus(actor)]);
  const params = auditFilterParams(page.query);
  const link = (extra: Record<string, string>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return `?${p.toString()}`;
  };
  const done = ["verified", "full"].map((k) => DONE[`${k}=${String(raw[k])}`]).find(Boolean);
  const walkActive = integrity.fullWalk?.status === "QUEUED" || integrity.fullWalk?.status === "RUNNING";
  const hasErrors = Object.keys(page.errors).length > 0;
  return (
    <>
      <h1>Audit trail</h1>
      <section className="card" aria-labelledby="integrity-title">
        <h2 id="integrity-title">Integrity</h2>
        {done ? <FormBanner kind={done.kind}>{done.text}</FormBanner> : null}
        <IntegritySummary status={integrity} />
        <FullWalkProgress walk={integrity.fullWalk} />
        {walkActive ? <RefreshWhileRunning /> : null}
        <IntegrityActions fullWalkActive={walkActive} />
      </section>
      <AuditFilterForm filters={page.query} errors={page.errors} />
      {/* No download while a filter is wrong: its link would leave that filter out (and export more) or be refused. */}
      {hasErrors ? (
        <FormBanner kind="error">Check the highlighted filters.</FormBanner>
      ) : (
        <p>
          Download these events as CSV: <a href={`/admin/audit/export.csv${link({})}`}>CSV</a> ·{" "}
          <a href={`/admin/audit/export.csv${link({ bom: "1" })}`}>CSV for Excel (with byte order mark)</a>
        </p>
      )}
      <p role="status" data-testid="audit-count">
        {page.rows.length === 0
          ? hasErrors
            ? "No events shown until the filters are corrected."
            : "No events match these filters."
          : `${page.rows.length} event${page.rows.length === 1 ? "" : "s"} on this page, newest first.`}
      </p>
      {page.rows.length ? (
        <div className={styles.tableWrap}>
          <table data-testid="audit-table">
            <caption className="muted" style={{ textAlign: "left" }}>
              Audit events, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Role</th>
                <th scope="col">Action</th>
                <th scope="col">Record</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r) => (
                <tr key={r.seq.toString()} data-seq={r.seq.toString()}>
                  <td>
                    <Link
                      href={`/admin/audit/${r.seq.toString()}`}
                      aria-label={`Event ${r.seq.toString()}: ${r.actionLabel}`}
                    >
                      #{r.seq.toString()}
                    </Link>
                  </td>
                  <td>{formatDateTime(r.at)}</td>
                  <td>
                    {r.actorName}
                    {r.actorEmail ? <div className="muted">{r.actorEmail}</div> : null}
                  </td>
                  <td>{r.roleLabel}</td>
                  <td>{r.actionLabel}</td>
                  <td>
                    {r.entityTypeLabel}
                    {r.recordLabel ? <div>{r.recordLabel}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {page.newer !== null || page.older !== null ? (
        <nav aria-label="Pages" className={styles.pager}>
          {page.newer !== null ? (
            <Link href={link({ after: page.newer.toString() })} rel="prev">
              Newer events
            </Link>
          ) : null}
          {page.older !== null ? (
            <Link href={link({ before: page.older.toString() })} rel="next">
              Older events
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
