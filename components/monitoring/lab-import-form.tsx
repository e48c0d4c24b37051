"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { FormBanner } from "@/components/ui/field";
import type { LabImportSummary } from "@/lib/labs/import";

type Outcome = { kind: "ok" | "warn" | "error"; text: string; reportHref?: string };

function outcomeOf(summary: LabImportSummary): Outcome {
  const reportHref = summary.rejectedRows > 0 ? `/prescriber/labs/imports/${summary.importId}/report.csv` : undefined;
  const counts = `${summary.totalRows} rows: ${summary.acceptedRows} imported, ${summary.duplicateRows} already recorded, ${summary.rejectedRows} rejected.`;
  if (summary.status === "rejected") {
    return { kind: "error", text: `Nothing was imported because some rows were rejected. ${counts}`, reportHref };
  }
  return { kind: summary.rejectedRows > 0 ? "warn" : "ok", text: `Import finished. ${counts}`, reportHref };
}

/**
 * Uploads a lab feed CSV to the import route and shows the outcome. The file is sent as the raw
 * `text/csv` request body, which the server parses as it arrives (a multipart upload would be
 * buffered whole before the import could start).
 */
export function LabImportForm() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const bannerRef = useRef<HTMLDivElement>(null);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const file = data.get("file");
    if (!(file instanceof File) || file.size === 0) {
      setFileError("Choose a CSV file");
      document.getElementById("import-file")?.focus();
      return;
    }
    setFileError(null);
    setPending(true);
    setOutcome(null);
    try {
      const query = new URLSearchParams({ mode: String(data.get("mode") ?? ""), fileName: file.name });
      const response = await fetch(`/prescriber/labs/imports?${query}`, {
        method: "POST",
        headers: { "content-type": "text/csv" },
        body: file,
      });
      const body = await response.json().catch(() => null);
      if (response.ok) setOutcome(outcomeOf(body as LabImportSummary));
      else {
        const message = body?.error?.message ?? "The import failed.";
        setOutcome({ kind: "error", text: `${message} Nothing was imported.` });
      }
      router.refresh();
    } catch {
      setOutcome({
        kind: "error",
        text: "The upload did not reach the registry. Check your connection and try again.",
      });
    } finally {
      setPending(false);
      bannerRef.current?.focus();
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Import a lab feed" encType="multipart/form-data">
      <div ref={bannerRef} tabIndex={-1} aria-live="polite">
        {outcome ? (
          <FormBanner kind={outcome.kind}>
            {outcome.text}{" "}
            {outcome.reportHref ? (
              <Link href={outcome.reportHref} prefetch={false}>
                Download the rejected rows (CSV)
              </Link>
            ) : null}
          </FormBanner>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="import-file">Lab feed file (CSV, UTF-8)</label>
        <span id="import-file-hint" className="hint">
          Columns: rems_patient_id, test_code, collected_date, result_flag, lab_id.
        </span>
        <input
          id="import-file"
          name="file"
          type="file"
          accept=".csv,text/csv"
          aria-invalid={fileError ? true : undefined}
          aria-describedby={fileError ? "import-file-hint import-file-error" : "import-file-hint"}
        />
        {fileError ? (
          <span id="import-file-error" className="error">
            {fileError}
          </span>
        ) : null}
      </div>
      <fieldset className="field">
        <legend>If some rows are rejected</legend>
        <label className="radio">
          <input type="radio" name="mode" value="all_or_nothing" defaultChecked /> Import nothing (all or nothing)
        </label>
        <label className="radio">
          <input type="radio" name="mode" value="valid_rows" /> Import the valid rows
        </label>
      </fieldset>
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Importing…" : "Import"}
      </button>
    </form>
  );
}
