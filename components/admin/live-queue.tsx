"use client";

import Link from "next/link";
import { useLiveAdminJson } from "@/components/admin/live-admin-json";
import type { ReviewQueueView } from "@/lib/certification/service";
import styles from "./admin.module.css";

function pageHref(filters: Record<string, unknown>, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (key !== "page" && typeof value === "string" && value) params.set(key, value);
  }
  params.set("page", String(page));
  return `/admin/applications?${params.toString()}`;
}

/**
 * The review queue's count, table and pager. The server renders the first page; it then refreshes
 * itself (new submissions, claims, decisions by other administrators) while the tab is visible.
 */
export function LiveQueue({ initial, search }: { initial: ReviewQueueView; search: string }) {
  const { data: queue } = useLiveAdminJson(
    ["admin", "queue", search],
    `/api/admin/applications${search ? `?${search}` : ""}`,
    initial,
  );
  const { filters } = queue;
  return (
    <>
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
                  <td>{r.submitted}</td>
                  <td>
                    <Link href={`/admin/applications/${r.id}`}>{r.name}</Link>
                  </td>
                  <td>{r.kindLabel}</td>
                  <td>{r.identifiers || "—"}</td>
                  <td>{r.programName}</td>
                  <td data-status={r.status}>{r.statusLabel}</td>
                  <td>{r.reviewer ?? "—"}</td>
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
