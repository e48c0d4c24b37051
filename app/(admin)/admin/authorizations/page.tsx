import type { Metadata } from "next";
import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import {
  AUTHORIZATION_DATES,
  AUTHORIZATION_STATUSES,
  listAuthorizationsForAdmin,
  type TAuthorizationFilters,
} from "@/lib/admin/authorizations";
import { authorizationsHref } from "@/lib/admin/links";
import { requirePagePermission } from "@/lib/auth/session";
import { DENIAL_REASON_LABELS, formatDateTime, formatDenialReason, formatStatus } from "@/lib/format";

export const metadata: Metadata = { title: "Dispense authorizations" };

type Search = Promise<Record<string, string | string[] | undefined>>;

const DATE_LABELS: Record<(typeof AUTHORIZATION_DATES)[number], string> = {
  requested: "Requested",
  dispensed: "Dispensed",
  reversed: "Reversed",
  revoked: "Revoked",
};

function Filters({ f }: { f: TAuthorizationFilters }) {
  return (
    <search aria-label="Filter dispense authorizations">
      <form method="get" action="/admin/authorizations" className="card">
        <div className={styles.filters}>
          <div className="field">
            <label htmlFor="decision">Decision</label>
            <select id="decision" name="decision" defaultValue={f.decision ?? ""}>
              <option value="">Any decision</option>
              <option value="APPROVED">{formatStatus("APPROVED", "decision")}</option>
              <option value="DENIED">{formatStatus("DENIED", "decision")}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="status">Status</label>
            <select id="status" name="status" defaultValue={f.status ?? ""}>
              <option value="">Any status</option>
              {AUTHORIZATION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {formatStatus(s, "dispense")}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="reason">Denial reason</label>
            <select id="reason" name="reason" defaultValue={f.reason ?? ""}>
              <option value="">Any reason</option>
              {Object.entries(DENIAL_REASON_LABELS).map(([code, label]) => (
                <option key={code} value={code}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="on">Dates apply to</label>
            <select id="on" name="on" defaultValue={f.on}>
              {AUTHORIZATION_DATES.map((d) => (
                <option key={d} value={d}>
                  {DATE_LABELS[d]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="from">From</label>
            <input id="from" name="from" type="date" defaultValue={f.from ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="to">To</label>
            <input id="to" name="to" type="date" defaultValue={f.to ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="discretion">Enforcement discretion</label>
            <select id="discretion" name="discretion" defaultValue={f.discretion ?? ""}>
              <option value="">Any</option>
              <option value="yes">Given under enforcement discretion</option>
            </select>
          </div>
        </div>
        {f.program ? <input type="hidden" name="program" value={f.program} /> : null}
        <button type="submit" className="button">
          Apply filters
        </button>{" "}
        <Link href="/admin/authorizations">Clear filters</Link>
      </form>
    </search>
  );
}

export default async function AdminAuthorizationsPage({ searchParams }: { searchParams: Search }) {
  const actor = await requirePagePermission("portal:admin", "/admin/authorizations");
  const list = await listAuthorizationsForAdmin(actor, await searchParams);
  const { filters } = list;
  return (
    <>
      <h1>Dispense authorizations</h1>
      <Filters f={filters} />
      <p role="status" data-testid="authorization-count">
        {list.rows.length === 0
          ? "No dispense request matches these filters."
          : `${list.rows.length}${list.nextCursor ? "+" : ""} request${list.rows.length === 1 ? "" : "s"}, newest first.`}
      </p>
      {list.rows.length ? (
        <div className={styles.tableWrap}>
          <table>
            <caption className="muted" style={{ textAlign: "left" }}>
              Dispense requests
            </caption>
            <thead>
              <tr>
                <th scope="col">Requested</th>
                <th scope="col">Authorization</th>
                <th scope="col">Pharmacy</th>
                <th scope="col">Patient REMS id</th>
                <th scope="col">Prescriber NPI</th>
                <th scope="col">Status</th>
                <th scope="col">Reasons</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((r) => (
                <tr key={r.id}>
                  <td>{formatDateTime(r.createdAt)}</td>
                  <td>{r.authorizationNumber ?? "—"}</td>
                  <td>
                    {r.pharmacy.name} (NCPDP {r.pharmacy.ncpdpId})
                  </td>
                  <td>{r.patientRemsId}</td>
                  <td>{r.prescriberNpi}</td>
                  <td>
                    {formatStatus(r.status, "dispense")}
                    {r.enforcementDiscretion
                      ? `; under enforcement discretion${r.followedUpAt ? ", followed up" : ", to follow up"}`
                      : ""}
                  </td>
                  <td>{r.reasonCodes.map(formatDenialReason).join("; ") || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.nextCursor ? (
        <nav aria-label="Pages" className={styles.pager}>
          <Link
            href={authorizationsHref({
              ...filters,
              on: filters.on === "requested" ? undefined : filters.on,
              before: list.nextCursor,
            })}
            rel="next"
          >
            Older requests
          </Link>
        </nav>
      ) : null}
    </>
  );
}
