/** `npm run jobs:once`: expire due certifications and dispense authorizations, queue monitoring reminders, deliver e-mail and checkpoint the audit chain, create audit partitions ahead, once (for cron). */
import "dotenv/config";
import { disconnectDb } from "../lib/db";
import { runJobsOnce } from "../lib/jobs/scheduler";

runJobsOnce()
  .then(async (result) => {
    console.log(
      `Certifications expired: ${JSON.stringify(result.expired)}; dispense authorizations expired: ${result.authorizationsExpired}; reminders: ${JSON.stringify(result.reminders)}; e-mails delivered: ${result.mailed}; audit chain: ${result.auditCheckpoint.status} (${result.auditCheckpoint.checked} events checked); full re-walks run: ${result.fullVerifications}; audit partitions created: ${result.auditPartitions}; dispense partitions created: ${result.dispensePartitions}.`,
    );
    await disconnectDb();
    process.exit(0);
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
