import type { Metadata } from "next";
import { LabImportForm } from "@/components/monitoring/lab-import-form";
import { requirePagePermission } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { formatDateTime, humanizeCode } from "@/lib/format";
import { listLabImports } from "@/lib/labs/import";

export const metadata: Metadata = { title: "Import lab results" };

const STATUS_LABELS: Record<string, string> = {
  processing: "In progress",
  completed: "Imported",
  rejected: "Nothing imported (rows rejected)",
  failed: "Failed — nothing imported",
};

/** Bulk import of a lab feed CSV, and the outcome of recent imports with their rejection reports. */
export default async function LabImportPage() {
  const actor = await requirePagePermission("portal:prescriber", "/prescriber/labs");
  const imports = await listLabImports(actor);
  return (
    <>
      <h1>Import lab results</h1>
      <p>
        Upload a lab feed in CSV (UTF-8) with the header{" "}
        <code>rems_patient_id,test_code,collected_date,result_flag,lab_id</code>. Dates are YYYY-MM-DD, the flag is{" "}
        <code>normal</code> or <code>abnormal</code>. A row already recorded is not recorded twice. Files up to{" "}
        {Math.round(env().LAB_IMPORT_MAX_BYTES / 1024 ** 2)} MB; split larger ones.
      </p>
      <section className="card" aria-labelledby="upload-heading">
        <h2 id="upload-heading">Upload a file</h2>
        <LabImportForm />
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Your recent imports</h2>
        {imports.length === 0 ? (
          <p className="muted">No imports yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">File</th>
                <th scope="col">Outcome</th>
                <th scope="col">Rows</th>
                <th scope="col">Imported</th>
                <th scope="col">Already recorded</th>
                <th scope="col">Rejected</th>
              </tr>
            </thead>
            <tbody>
              {imports.map((i) => (
                <tr key={i.id}>
                  <td>{formatDateTime(i.createdAt)}</td>
                  <th scope="row">{i.fileName}</th>
                  <td>
                    {STATUS_LABELS[i.status] ?? humanizeCode(i.status)}
                    {i.failureReason ? <span className="hint"> {i.failureReason}</span> : null}
                  </td>
                  <td>{i.totalRows}</td>
                  <td>{i.acceptedRows}</td>
                  <td>{i.duplicateRows}</td>
                  <td>
                    {i.rejectedRows > 0 || i.status === "failed" ? (
                      <a href={`/prescriber/labs/imports/${i.id}/report.csv`} download>
                        {i.rejectedRows}: download report
                      </a>
                    ) : (
                      i.rejectedRows
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
