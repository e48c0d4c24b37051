/**
 * The server the end-to-end tests drive: a fresh database (PostgreSQL when E2E_DATABASE_URL is
 * set, otherwise a new embedded PGlite directory), migrated and seeded with the demo world, then
 * the production build served with `next start`. Run `next build` first (npm run test:e2e does).
 */
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { closePGlite } from "../lib/db/adapters";
import { resolveDatabaseConfig } from "../lib/db/config";
import { createPrismaClient } from "../lib/db";
import { applyMigrations } from "../lib/db/migrations";
import { seedDemoWorld } from "../lib/demo/seed";
import { serverCommandArgs } from "../lib/runtime/server-node-args";
import { recreatePostgresDatabase } from "../tests/setup/postgres";

const port = process.env.E2E_PORT ?? "3210";
/** The issuer of the test EHR's CDS Hooks JWTs (tests/e2e/interop.spec.ts). */
const E2E_EHR_ISSUER = "https://ehr.e2e.test";
// The seed seals the demo accounts' TOTP secrets with a key derived from AUTH_SECRET: it must be
// the server's.
const authSecret = "e2e-secret-0123456789-0123456789-0123456789";
process.env.AUTH_SECRET = authSecret;
const url = process.env.E2E_DATABASE_URL || `pglite:${path.resolve(`.data/e2e-pglite-${port}`)}`;

async function main() {
  const config = resolveDatabaseConfig(url);
  if (config.kind === "postgres") await recreatePostgresDatabase(config.url);
  else await rm(config.dir, { recursive: true, force: true });
  await applyMigrations(config);
  const client = createPrismaClient(config);
  await seedDemoWorld(client, {
    baseUrl: `http://127.0.0.1:${port}`,
    manifestPath: path.resolve(`.data/e2e-world-${port}.json`),
  });
  await client.$disconnect();
  await closePGlite();

  const server = spawn(process.execPath, serverCommandArgs(), {
    stdio: "inherit",
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: port,
      HOSTNAME: "127.0.0.1",
      DATABASE_URL: url,
      REMSGATE_DEMO: "1",
      AUTH_SECRET: authSecret,
      APP_URL: `http://127.0.0.1:${port}`,
      // The IP throttles are covered by integration tests; here every test shares one address.
      SIGNIN_MAX_FAILURES_IP: "1000",
      SIGNUP_RATE_LIMIT_PER_HOUR: "1000",
      RESET_RATE_LIMIT_PER_HOUR: "1000",
      // Only the server mails over SMTP; the seed above logs its mail (SMTP_URL unset there).
      SMTP_URL: process.env.E2E_SMTP_URL ?? `smtp://127.0.0.1:${Number(port) + 1000}`,
      // CDS Hooks JWTs of the test EHR: tests/e2e/interop.spec.ts serves its JWKS on port + 2000.
      CDS_HOOKS_ISSUERS: JSON.stringify({ [E2E_EHR_ISSUER]: `http://127.0.0.1:${Number(port) + 2000}/jwks.json` }),
    },
  });
  const stop = () => server.kill("SIGTERM");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  server.on("exit", (code) => process.exit(code ?? 0));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
