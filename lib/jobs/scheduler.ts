/**
 * Background work that keeps the registry current: delivering queued e-mail and expiring
 * certifications whose recertification date has passed. Every job is safe to run on several
 * instances at once (mail is claimed row by row; transitions carry version checks), so each app
 * instance simply runs them on a timer; `npm run jobs:once` runs them from cron instead.
 */
import { expireDueCertifications } from "../certification/service";
import { db } from "../db";
import { logger } from "../logger";
import { deliverPendingMail } from "../mail/deliver";

export async function runJobsOnce(now: Date = new Date()) {
  const expired = await expireDueCertifications(now, db());
  const mailed = await deliverPendingMail(db(), 200);
  return { expired, mailed };
}

const globalJobs = globalThis as unknown as { __remsgateJobs?: NodeJS.Timeout[] };

export function startInProcessJobs() {
  if (globalJobs.__remsgateJobs) return;
  const guard = (name: string, job: () => Promise<unknown>) => () => {
    job().catch((error) => logger.warn({ err: error, job: name }, "background job failed"));
  };
  globalJobs.__remsgateJobs = [
    setInterval(
      guard("mail", () => deliverPendingMail(db())),
      30_000,
    ),
    setInterval(
      guard("expire-certifications", () => expireDueCertifications(new Date(), db())),
      3_600_000,
    ),
  ];
  for (const timer of globalJobs.__remsgateJobs) timer.unref();
  // One pass shortly after start, for anything queued while the app was down.
  setTimeout(
    guard("startup", () => runJobsOnce()),
    5_000,
  ).unref();
}
