import type { Metadata } from "next";
import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { formatDateTime } from "@/lib/format";
import { QueueFilters } from "@/components/admin/queue-filters";
import { requirePagePermission } from "@/lib/auth/session";
import { listProgramsForReview, listReviewQueue } from "@/lib/certification/service";

export const metadata: Metadata = { title: "Review queue" };

type Search = Promise<Record<string, string | string[] | undefined>>;

function pageHref(filters: Record<string, unknown>, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (key !== "page" && typeof value === "string" && value) params.set(key, value);
  }
  params.set("page", String(page));
  return `/admin/applications?${params.toString()}`;
}

export default async function ReviewQueuePage({ searchParams }: { searchParams: Search }) {
  const actor = await requirePagePermission("enrollment:read:any", "/admin/applications");
  const query = await searchParams;
  const [queue, programs] = await Promise.all([listReviewQueue(actor, query), listProgramsForReview(actor)]);
  const { filters } = queue;
  return (
    <>
      <p>
        <Link href="/admin">Administration</Link>
      </p>
      <h1>Review queue</h1>
      <QueueFilters filters={filters} programs={programs} />
      <p role="status" data-testid="queue-count">
        {queue.total === 0
          ? "No applications match these filters."
          : `${queue.total} application${queue.total === 1 ? "" : "s"}, oldest submission first.`}
      </p>
      {queue.rows.length ? (
        <div className={styles.tableWrap}>
          <table>
            <caption className="muted" style={{ textAlign: "left" }}>
              Applications, page {queue.page} of {queue.pageCount}
            </caption>
            <thead>
              <tr>
                <th scope="col">Submitted</th>
                <th scope="col">Applicant</th>
                <th scope="col">Type</th>
                <th scope="col">Identifiers</th>
                <th scope="col">Programme</th>
                <th scope="col">Status</th>
                <th scope="col">Reviewer</th>
              </tr>
            </thead>
            <tbody>
              {queue.rows.map((r) => (
                <tr key={r.id} data-enrollment-id={r.id}>
                  <td>{formatDateTime(r.submittedAt)}</td>
                  <td>
                    <Link href={`/admin/applications/${r.id}`}>{r.name}</Link>
                  </td>
                  <td>{r.kindLabel}</td>
                  <td>{r.identifiers.map((i) => `${i.label} ${i.value}`).join(", ") || "—"}</td>
                  <td>{r.program.name}</td>
                  <td data-status={r.status}>{r.statusLabel}</td>
                  <td>
                    {r.claim
                      ? r.claim.mine
                        ? `You, since ${formatDateTime(r.claim.since)}`
                        : `Being reviewed by ${r.claim.name} since ${formatDateTime(r.claim.since)}`
                      : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {queue.pageCount > 1 ? (
        <nav aria-label="Pages" className={styles.pager}>
          {queue.page > 1 ? (
            <Link href={pageHref(filters, queue.page - 1)} rel="prev">
              Previous page
            </Link>
          ) : null}
          <span>
            Page {queue.page} of {queue.pageCount}
          </span>
          {queue.page < queue.pageCount ? (
            <Link href={pageHref(filters, queue.page + 1)} rel="next">
              Next page
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
