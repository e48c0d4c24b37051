import "dotenv/config";
import { existsSync } from "node:fs";
import { defineConfig } from "prisma/config";

// The Prisma CLI is used here only for `prisma generate` (and validate/format), which never
// run the native schema engine. Pointing it at an existing binary stops the CLI from trying to
// download one on machines without internet access. Migrations run through the wasm engine
// (scripts/db-migrate.ts), so `prisma migrate deploy` stays optional.
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && !existsSync("node_modules/@prisma/engines/schema-engine")) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = "/bin/false";
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx prisma/seed.ts" },
  datasource: {
    // Only PostgreSQL URLs are meaningful to the CLI; the embedded PGlite database is handled in lib/db.ts.
    url: process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : "",
  },
});
