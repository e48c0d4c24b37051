import type { Metadata } from "next";
import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { Pager } from "@/components/admin/pager";
import { CaseTable } from "@/components/noncompliance/case-table";
import { requirePagePermission } from "@/lib/auth/session";
import { CASE_STATE_LABELS, CASE_STATES } from "@/lib/noncompliance/rules";
import { ANY_OPEN, ANY_STATE } from "@/lib/noncompliance/schema";
import { listCases } from "@/lib/noncompliance/queries";

export const metadata: Metadata = { title: "Non-compliance cases" };

type Search = Promise<Record<string, string | string[] | undefined>>;

function pageHref(filters: Record<string, unknown>, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (key === "page") continue;
    if (typeof value === "string" && value) params.set(key, value);
    if (value === true) params.set(key, "1");
  }
  params.set("page", String(page));
  return `/admin/non-compliance?${params.toString()}`;
}

export default async function NonCompliancePage({ searchParams }: { searchParams: Search }) {
  const actor = await requirePagePermission("noncompliance:read:any", "/admin/non-compliance");
  const list = await listCases(actor, await searchParams);
  const { filters } = list;
  return (
    <>
      <h1>Non-compliance cases</h1>
      <p>
        <Link href="/admin/non-compliance/new" className="button">
          Open a case
        </Link>
      </p>
      <form method="get" className={styles.filters} aria-label="Filter cases">
        <div className="field">
          <label htmlFor="filter-state">State</label>
          <select id="filter-state" name="state" defaultValue={filters.state}>
            <option value={ANY_OPEN}>Every case not closed</option>
            <option value={ANY_STATE}>Every case</option>
            {CASE_STATES.map((s) => (
              <option key={s} value={s}>
                {CASE_STATE_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-type">Type</label>
          <select id="filter-type" name="type" defaultValue={filters.type ?? ""}>
            <option value="">Every type</option>
            {list.caseTypes.map((t) => (
              <option key={t.code} value={t.code}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-q">Case number, name, NPI or REMS id</label>
          <input id="filter-q" name="q" type="search" maxLength={100} defaultValue={filters.q ?? ""} />
        </div>
        <div className="field">
          <label>
            <input type="checkbox" name="overdue" value="1" defaultChecked={filters.overdue} /> Overdue corrective
            actions only
          </label>
        </div>
        <button type="submit" className="button">
          Filter
        </button>
      </form>
      <p role="status" data-testid="case-count">
        {list.total === 0
          ? "No cases match these filters."
          : `${list.total} case${list.total === 1 ? "" : "s"}, newest first.`}
      </p>
      {list.rows.length ? (
        <CaseTable rows={list.rows} caption={`Non-compliance cases, page ${list.page} of ${list.pageCount}`} />
      ) : null}
      <Pager page={list.page} pageCount={list.pageCount} href={(page) => pageHref(filters, page)} />
    </>
  );
}
