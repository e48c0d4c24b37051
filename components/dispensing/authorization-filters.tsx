import Link from "next/link";
import { DISPENSE_STATUSES } from "@/lib/dispensing/schema";
import styles from "./dispensing.module.css";
import { DECISION_LABELS, STATUS_LABELS } from "./format";

export type FilterValues = Partial<
  Record<"status" | "decision" | "patientRemsId" | "prescriptionId" | "from" | "to", string>
>;

/** A plain GET form: the filters live in the address, so a filtered history can be bookmarked. */
export function AuthorizationFilters({ values, errors }: { values: FilterValues; errors: Record<string, string> }) {
  const field = (id: keyof FilterValues) => ({
    id,
    name: id,
    defaultValue: values[id] ?? "",
    "aria-invalid": errors[id] ? true : undefined,
    "aria-describedby": errors[id] ? `${id}-error` : undefined,
  });
  const error = (id: keyof FilterValues) =>
    errors[id] ? (
      <span id={`${id}-error`} className="error">
        {errors[id]}
      </span>
    ) : null;
  return (
    <search aria-label="Filter authorizations">
      <form method="get" action="/pharmacy/authorizations" className="card">
        <div className={styles.filters}>
          <div className="field">
            <label htmlFor="status">Status</label>
            <select {...field("status")}>
              <option value="">Any status</option>
              {DISPENSE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
            {error("status")}
          </div>
          <div className="field">
            <label htmlFor="decision">Decision</label>
            <select {...field("decision")}>
              <option value="">Any decision</option>
              <option value="APPROVED">{DECISION_LABELS.APPROVED}</option>
              <option value="DENIED">{DECISION_LABELS.DENIED}</option>
            </select>
            {error("decision")}
          </div>
          <div className="field">
            <label htmlFor="patientRemsId">Patient REMS ID</label>
            <input type="search" autoComplete="off" {...field("patientRemsId")} />
            {error("patientRemsId")}
          </div>
          <div className="field">
            <label htmlFor="prescriptionId">Prescription number</label>
            <input type="search" autoComplete="off" {...field("prescriptionId")} />
            {error("prescriptionId")}
          </div>
          <div className="field">
            <label htmlFor="from">Requested from</label>
            <input type="date" {...field("from")} />
            {error("from")}
          </div>
          <div className="field">
            <label htmlFor="to">Requested to</label>
            <input type="date" {...field("to")} />
            {error("to")}
          </div>
        </div>
        <button type="submit" className="button">
          Apply filters
        </button>{" "}
        <Link href="/pharmacy/authorizations">Clear filters</Link>
      </form>
    </search>
  );
}
