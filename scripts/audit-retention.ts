/**
 * `npm run audit:retention -- --before YYYY-MM [--drop]`: archives every month of the audit trail
 * before YYYY-MM (its partitions move to the audit_archive schema, still in pg_dump's backups),
 * after verifying the chains and writing a signed anchor per chain (docs/decisions/003). With
 * --drop, the archived months before YYYY-MM are dropped as well: take a backup first.
 * Without --before, the horizon comes from AUDIT_RETENTION_MONTHS; when that is unset nothing is
 * removed (every month is kept).
 */
import "dotenv/config";
import { parseArgs } from "node:util";
import { applyAuditRetention } from "../lib/audit/retention";
import { formatRetentionMonth, parseRetentionMonth, retentionHorizon } from "../lib/audit/retention-months";
import { db, disconnectDb } from "../lib/db";
import { env } from "../lib/env";
import { isAppError } from "../lib/errors";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { before: { type: "string" }, drop: { type: "boolean", default: false } },
    strict: true,
  });
  let before: Date;
  if (values.before !== undefined) {
    const month = parseRetentionMonth(values.before);
    if (!month) {
      console.error(`--before must be a month as YYYY-MM (e.g. 2025-01), not "${values.before}".`);
      return 2;
    }
    before = month;
  } else {
    const months = env().AUDIT_RETENTION_MONTHS;
    if (months === undefined) {
      console.log("AUDIT_RETENTION_MONTHS is not set and no --before was given: every month is kept.");
      return 0;
    }
    before = retentionHorizon(new Date(), months);
  }
  const result = await applyAuditRetention(db(), { before, drop: values.drop, writtenBy: "retention" });
  console.log(
    `Audit months before ${formatRetentionMonth(result.before)}: archived ${result.detached.length} (${result.detached.join(", ") || "none"}), ` +
      `dropped ${result.dropped.length} (${result.dropped.join(", ") || "none"}); anchors written for ${result.anchors.length} chain(s).`,
  );
  return 0;
}

main()
  .then(async (code) => {
    await disconnectDb();
    process.exit(code);
  })
  .catch(async (error) => {
    console.error(isAppError(error) ? error.message : error);
    await disconnectDb().catch(() => {});
    process.exit(1);
  });
