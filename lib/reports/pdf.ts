/**
 * The assessment report as one PDF summary, laid out by the document renderer (lib/documents/pdf.ts):
 * one heading per section, then its figures as label/value lines.
 */
import type { Block, RecordDocument } from "../documents/content";
import { renderRecordPdf } from "../documents/pdf";
import { formatDate, formatDateTime } from "../format";
import { type ReportRow, reportRows } from "./rows";
import type { AssessmentReport } from "./service";

export function reportDocument(report: AssessmentReport): RecordDocument {
  const blocks: Block[] = [];
  let section = "";
  let measure = "";
  for (const row of reportRows(report)) {
    if (row.section !== section) {
      section = row.section;
      measure = "";
      blocks.push({ kind: "heading", text: section });
    }
    blocks.push(...rowBlocks(row, row.measure !== measure));
    measure = row.measure;
  }
  return {
    title: `REMS assessment report: ${report.program.name}`,
    subtitle: `Period ${formatDate(report.from)} to ${formatDate(report.to)} (UTC days, both included). Generated ${formatDateTime(report.generatedAt)}.`,
    blocks,
    footer: `${report.program.name} · ${report.from} to ${report.to}`,
    subject: "FDA REMS assessment report",
  };
}

function rowBlocks(row: ReportRow, newMeasure: boolean): Block[] {
  if (row.measure === "Definition") return [{ kind: "paragraph", text: String(row.value) }];
  const heading: Block[] = newMeasure ? [{ kind: "subheading", text: row.measure }] : [];
  return [...heading, { kind: "field", label: row.category, value: String(row.value === "" ? "—" : row.value) }];
}

export function renderReportPdf(report: AssessmentReport): Promise<Uint8Array> {
  return renderRecordPdf(reportDocument(report), new Date(report.generatedAt));
}
