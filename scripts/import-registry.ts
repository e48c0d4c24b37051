/**
 * `npm run import:registry -- <folder> [--report <file.csv>] [--batch-size N] [--stop-after-batches N]`:
 * loads a previous registry's CSV export (docs/migration-import.md), prints the reconciliation and
 * writes it as CSV (default <folder>/import-report.csv). Run it again after an interruption: it
 * continues from the last committed batch. Exit code 0 when completed, 2 when the export was
 * refused (nothing written), 3 when stopped on request before the end.
 */
import "dotenv/config";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { disconnectDb } from "../lib/db";
import { importRegistry, reconciliationCsv, reconciliationText } from "../lib/migration/service";

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      report: { type: "string" },
      "batch-size": { type: "string" },
      "stop-after-batches": { type: "string" },
    },
  });
  const folder = positionals[0];
  if (!folder || positionals.length > 1) {
    console.error("Usage: npm run import:registry -- <folder> [--report report.csv] [--batch-size 2000]");
    process.exit(2);
  }
  const number = (v: string | undefined) => (v === undefined ? undefined : Number.parseInt(v, 10));
  const started = Date.now();
  try {
    const outcome = await importRegistry(folder, {
      batchSize: number(values["batch-size"]),
      stopAfterBatches: number(values["stop-after-batches"]),
      onProgress: (message) => console.log(message),
    });
    if (outcome.status === "refused") {
      console.error(`Import refused, nothing written: ${outcome.error}`);
      process.exitCode = 2;
      return;
    }
    console.log(reconciliationText(outcome));
    const report = values.report ?? path.join(folder, "import-report.csv");
    await writeFile(report, reconciliationCsv(outcome));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (outcome.status === "interrupted") {
      console.log(
        `Stopped as asked after a checkpoint (import ${outcome.runId}); run again to continue. ${seconds} s.`,
      );
      process.exitCode = 3;
      return;
    }
    console.log(
      `Import ${outcome.runId} completed in ${seconds} s${outcome.resumed ? " (continued)" : ""}. Report: ${report}`,
    );
  } finally {
    await disconnectDb();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
