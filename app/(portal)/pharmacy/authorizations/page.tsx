import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime } from "@/lib/format";
import { AuthorizationFilters, type FilterValues } from "@/components/dispensing/authorization-filters";
import { DiscretionBanner } from "@/components/dispensing/discretion-banner";
import styles from "@/components/dispensing/dispensing.module.css";
import { authorizationPath, DECISION_LABELS } from "@/components/dispensing/format";
import { pageCaller } from "@/components/dispensing/page-caller";
import { DispenseStatusBadge } from "@/components/dispensing/status-badge";
import { FormBanner } from "@/components/ui/field";
import { requirePagePermission } from "@/lib/auth/session";
import { ZListDispenseAuthorizations } from "@/lib/dispensing/schema";
import { listDispenseAuthorizations } from "@/lib/dispensing/service";

export const metadata: Metadata = { title: "Dispense authorizations" };

type Search = Promise<Record<string, string | string[] | undefined>>;

const FILTER_KEYS = ["status", "decision", "patientRemsId", "prescriptionId", "from", "to", "page"] as const;

/** The address's filters without blanks (an empty select means "any"). */
function readFilters(query: Record<string, string | string[] | undefined>): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const raw = query[key];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (value) filters[key] = value;
  }
  return filters;
}

function pageHref(filters: Record<string, string>, page: number): string {
  const params = new URLSearchParams({ ...filters, page: String(page) });
  return `/pharmacy/authorizations?${params.toString()}`;
}

export default async function AuthorizationsPage({ searchParams }: { searchParams: Search }) {
  const actor = await requirePagePermission("dispense:read:org", "/pharmacy/authorizations");
  const filters = readFilters(await searchParams);
  const parsed = ZListDispenseAuthorizations.safeParse(filters);
  const errors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "")] ??= issue.message;
  }
  const { caller, message } = pageCaller(actor);
  const list = caller && parsed.success ? await listDispenseAuthorizations(caller, parsed.data) : null;
  const pageCount = list ? Math.max(1, Math.ceil(list.total / list.pageSize)) : 1;
  const { page: _page, ...kept } = filters;
  return (
    <>
      <p>
        <Link href="/pharmacy">Pharmacy dashboard</Link>
      </p>
      <h1>Dispense authorizations</h1>
      <DiscretionBanner />
      <p>
        <Link href="/pharmacy/dispense">Request a dispense authorization</Link>
      </p>
      {message ? <FormBanner kind="warn">{message}</FormBanner> : null}
      <AuthorizationFilters values={filters as FilterValues} errors={errors} />
      {!parsed.success ? <FormBanner kind="error">Correct the filters to see the authorizations.</FormBanner> : null}
      {list ? (
        <p role="status" data-testid="authorization-count">
          {list.total === 0
            ? "No authorizations match these filters."
            : `${list.total} authorization${list.total === 1 ? "" : "s"}, newest first.`}
        </p>
      ) : null}
      {list?.items.length ? (
        <div className={styles.tableWrap}>
          <table>
            <caption className="muted" style={{ textAlign: "left" }}>
              Your pharmacy&apos;s authorizations, page {list.page} of {pageCount}
            </caption>
            <thead>
              <tr>
                <th scope="col">Authorization</th>
                <th scope="col">Decision</th>
                <th scope="col">Status</th>
                <th scope="col">Patient REMS ID</th>
                <th scope="col">Prescription</th>
                <th scope="col">Requested</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((a) => (
                <tr key={a.id} data-authorization-id={a.id}>
                  <td className={styles.mono}>
                    <Link href={authorizationPath(a.id)}>{a.authorizationNumber ?? "Denied request"}</Link>
                  </td>
                  <td>{DECISION_LABELS[a.decision]}</td>
                  <td>
                    <DispenseStatusBadge status={a.status} />
                  </td>
                  <td>{a.patientRemsId}</td>
                  <td>{a.prescriptionId}</td>
                  <td>{formatDateTime(a.requestedAt)}</td>
                  <td>{formatDateTime(a.expiresAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list && pageCount > 1 ? (
        <nav aria-label="Pages" className={styles.pager}>
          {list.page > 1 ? (
            <Link href={pageHref(kept, list.page - 1)} rel="prev">
              Previous page
            </Link>
          ) : null}
          <span>
            Page {list.page} of {pageCount}
          </span>
          {list.page < pageCount ? (
            <Link href={pageHref(kept, list.page + 1)} rel="next">
              Next page
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
