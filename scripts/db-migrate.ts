/** `npm run db:migrate`: applies pending migrations to the configured database (PostgreSQL or PGlite). */
import "dotenv/config";
import { closePGlite } from "../lib/db/adapters";
import { describeDatabase, resolveDatabaseConfig } from "../lib/db/config";
import { applyMigrations } from "../lib/db/migrations";

async function main() {
  const config = resolveDatabaseConfig();
  const applied = await applyMigrations(config);
  if (applied.length === 0) console.log(`${describeDatabase(config)}: up to date, no migration applied.`);
  else console.log(`${describeDatabase(config)}: applied ${applied.length} migration(s):\n  ${applied.join("\n  ")}`);
  await closePGlite();
}

// The wasm engine leaves a timer behind; exit explicitly once the work is done.
main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
