/** Migrates and seeds the embedded demo database (run by scripts/demo.ts before the server starts). */
import { closePGlite } from "../lib/db/adapters";
import { resolveDatabaseConfig } from "../lib/db/config";
import { createPrismaClient } from "../lib/db";
import { applyMigrations } from "../lib/db/migrations";
import { seedDemoWorld } from "../lib/demo/seed";

async function main() {
  const config = resolveDatabaseConfig();
  const applied = await applyMigrations(config);
  if (applied.length) console.log(`Applied ${applied.length} migration(s) to the embedded database.`);
  const client = createPrismaClient(config);
  // DEMO_MANIFEST: where the manifest goes (the cluster keeps its own beside its files).
  await seedDemoWorld(client, {
    baseUrl: process.env.APP_URL ?? "http://localhost:3000",
    ...(process.env.DEMO_MANIFEST ? { manifestPath: process.env.DEMO_MANIFEST } : {}),
  });
  await client.$disconnect();
  await closePGlite();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
