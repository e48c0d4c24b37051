import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { formatDate, formatDateTime } from "@/lib/format";
import type { CaseList } from "@/lib/noncompliance/queries";

/** Cases as a table: number, stakeholder (name and identifiers), type, state, due day, opened. */
export function CaseTable({
  rows,
  caption,
  showStakeholder = true,
}: {
  rows: CaseList["rows"];
  caption: string;
  showStakeholder?: boolean;
}) {
  return (
    <div className={styles.tableWrap}>
      <table data-testid="case-table">
        <caption className="muted" style={{ textAlign: "left" }}>
          {caption}
        </caption>
        <thead>
          <tr>
            <th scope="col">Case</th>
            {showStakeholder ? <th scope="col">Stakeholder</th> : null}
            <th scope="col">Type</th>
            <th scope="col">State</th>
            <th scope="col">Corrective action due</th>
            <th scope="col">Opened</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-case={r.caseNumber}>
              <td>
                <Link href={`/admin/non-compliance/${r.caseNumber}`}>{r.caseNumber}</Link>
              </td>
              {showStakeholder ? (
                <td>
                  <Link href={`/admin/stakeholders/${r.stakeholder.enrollmentId}`}>{r.stakeholder.name}</Link>
                  <br />
                  <span className="muted">
                    {r.stakeholder.kindLabel}
                    {r.stakeholder.identifiers.length
                      ? ` · ${r.stakeholder.identifiers.map((i) => `${i.label} ${i.value}`).join(", ")}`
                      : ""}
                  </span>
                </td>
              ) : null}
              <td>{r.typeLabel}</td>
              <td data-state={r.state}>{r.stateLabel}</td>
              <td>
                {r.dueOn ? formatDate(r.dueOn) : "—"}
                {r.overdue ? <strong> (overdue)</strong> : null}
              </td>
              <td>{formatDateTime(r.openedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
