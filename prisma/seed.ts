/**
 * `npm run db:seed` seeds the demo world into the embedded demo database.
 * `npm run db:seed -- --force` seeds any configured database (tests, trials on PostgreSQL).
 */
import "dotenv/config";
import { describeDatabase, resolveDatabaseConfig } from "../lib/db/config";
import { createPrismaClient } from "../lib/db";
import { closePGlite } from "../lib/db/adapters";
import { seedDemoWorld } from "../lib/demo/seed";

async function main() {
  const force = process.argv.includes("--force");
  const config = resolveDatabaseConfig();
  const demoDatabase =
    config.kind === "pglite" || process.env.REMSGATE_DEMO === "1" || process.env.REMSGATE_DEMO === "true";
  if (!demoDatabase && !force) {
    console.error(
      `Refusing to seed ${describeDatabase(config)}: it is not the embedded demo database.\n` +
        "Demo accounts share a published password. Run `npm run db:seed -- --force` only on a database used for trials or tests.",
    );
    process.exit(2);
  }
  const client = createPrismaClient(config);
  try {
    const world = await seedDemoWorld(client, {
      baseUrl: process.env.APP_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
    });
    console.log(`Seeded the demo world into ${describeDatabase(config)} (manifest: .data/demo-world.json).`);
    console.log(`Demo accounts (password ${world.password}): ${Object.values(world.accounts).join(", ")}`);
  } finally {
    await client.$disconnect();
    await closePGlite();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
