import type { LabResultRow } from "@/lib/labs/service";
import styles from "./monitoring.module.css";
import { formatDate } from "@/lib/format";

/** A patient's recorded results, newest first. */
export function LabResultsTable({ results }: { results: LabResultRow[] }) {
  if (results.length === 0) return <p className="muted">No results recorded yet.</p>;
  return (
    <div className={styles.tableWrap}>
      <table>
        <thead>
          <tr>
            <th scope="col">Collected</th>
            <th scope="col">Test</th>
            <th scope="col">Result</th>
            <th scope="col">Note</th>
            <th scope="col">Laboratory</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => (
            <tr key={r.id}>
              <td>{formatDate(r.collectedOn)}</td>
              <th scope="row">{r.testName}</th>
              <td>{r.abnormal ? <strong>Abnormal</strong> : "Normal"}</td>
              <td>{r.note ?? ""}</td>
              <td>{r.labId ?? ""}</td>
              <td>{r.source === "import" ? "Lab feed" : "Entered"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
