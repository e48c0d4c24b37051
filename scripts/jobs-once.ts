/** `npm run jobs:once`: deliver queued e-mail and expire due certifications once (for cron). */
import "dotenv/config";
import { disconnectDb } from "../lib/db";
import { runJobsOnce } from "../lib/jobs/scheduler";

runJobsOnce()
  .then(async (result) => {
    console.log(`Expired ${JSON.stringify(result.expired)}; delivered ${result.mailed} e-mail(s).`);
    await disconnectDb();
    process.exit(0);
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
