import Link from "next/link";
import { formatRole, ROLE_LABELS } from "@/lib/format";
import { ACCOUNT_STATE_LABELS } from "@/lib/users/rules";
import { ACCOUNT_STATES, ORGANISATION_KINDS, type OrganisationKind, type TUserFilters } from "@/lib/users/schema";
import styles from "@/components/admin/admin.module.css";

const ORGANISATION_KIND_LABELS: Record<OrganisationKind, string> = {
  PHARMACY: "Pharmacy",
  HEALTHCARE_SETTING: "Healthcare setting",
  PRACTICE: "Prescriber practice",
  NONE: "No organisation",
};

/** A plain GET form: the filters live in the address, so a filtered list can be bookmarked. */
export function UserFilters({ filters }: { filters: TUserFilters }) {
  return (
    <search aria-label="Filter users">
      <form method="get" action="/admin/users" className="card">
        <div className={styles.filters}>
          <div className={`field ${styles.wide}`}>
            <label htmlFor="q">Search</label>
            <span id="q-hint" className="hint">
              Name or e-mail address
            </span>
            <input id="q" name="q" type="search" defaultValue={filters.q ?? ""} aria-describedby="q-hint" />
          </div>
          <div className="field">
            <label htmlFor="role">Role</label>
            <select id="role" name="role" defaultValue={filters.role ?? ""}>
              <option value="">Any role</option>
              {Object.keys(ROLE_LABELS).map((r) => (
                <option key={r} value={r}>
                  {formatRole(r)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="status">Status</label>
            <select id="status" name="status" defaultValue={filters.status ?? ""}>
              <option value="">Any status</option>
              {ACCOUNT_STATES.map((s) => (
                <option key={s} value={s}>
                  {ACCOUNT_STATE_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="orgKind">Organisation type</label>
            <select id="orgKind" name="orgKind" defaultValue={filters.orgKind ?? ""}>
              <option value="">Any</option>
              {ORGANISATION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {ORGANISATION_KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="org">Organisation</label>
            <span id="org-hint" className="hint">
              Name, NCPDP, NPI or REMS id
            </span>
            <input id="org" name="org" type="search" defaultValue={filters.org ?? ""} aria-describedby="org-hint" />
          </div>
        </div>
        <button type="submit" className="button">
          Apply filters
        </button>{" "}
        <Link href="/admin/users">Clear filters</Link>
      </form>
    </search>
  );
}
