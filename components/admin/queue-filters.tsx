import Link from "next/link";
import { ANY_STATUS, QUEUE_KINDS, QUEUE_STATUSES, type TQueueFilters } from "@/lib/certification/schema";
import { KIND_LABELS, statusLabel } from "@/lib/certification/service";
import styles from "./admin.module.css";

/** A plain GET form: the filters live in the address, so a filtered queue can be bookmarked and shared. */
export function QueueFilters({
  filters,
  programs,
}: {
  filters: TQueueFilters;
  programs: { code: string; name: string }[];
}) {
  return (
    <search aria-label="Filter applications">
      <form method="get" action="/admin/applications" className="card">
        <div className={styles.filters}>
          <div className={`field ${styles.wide}`}>
            <label htmlFor="q">Search</label>
            <span id="q-hint" className="hint">
              Name, NPI or NCPDP id
            </span>
            <input id="q" name="q" type="search" defaultValue={filters.q ?? ""} aria-describedby="q-hint" />
          </div>
          <div className="field">
            <label htmlFor="kind">Stakeholder type</label>
            <select id="kind" name="kind" defaultValue={filters.kind ?? ""}>
              <option value="">Any type</option>
              {QUEUE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="status">Status</label>
            <select id="status" name="status" defaultValue={filters.status}>
              <option value={ANY_STATUS}>Any status</option>
              {QUEUE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {statusLabel(s)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="program">Programme</label>
            <select id="program" name="program" defaultValue={filters.program ?? ""}>
              <option value="">Any programme</option>
              {programs.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="monitoring">Patient monitoring</label>
            <select id="monitoring" name="monitoring" defaultValue={filters.monitoring ?? ""}>
              <option value="">Any</option>
              <option value="overdue">Overdue at the last daily check</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="from">Submitted from</label>
            <input id="from" name="from" type="date" defaultValue={filters.from ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="to">Submitted to</label>
            <input id="to" name="to" type="date" defaultValue={filters.to ?? ""} />
          </div>
        </div>
        <button type="submit" className="button">
          Apply filters
        </button>{" "}
        <Link href="/admin/applications">Clear filters</Link>
      </form>
    </search>
  );
}
