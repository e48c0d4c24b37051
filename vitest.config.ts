import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * unit: pure code next to its source (lib/**\/*.test.ts).
 * integration: services against real databases — embedded PGlite always, and PostgreSQL as well
 * when TEST_DATABASE_URL is set (CI sets it). The same test files run against both.
 */
const alias = { "@": path.resolve(__dirname) };
const pgUrl = process.env.TEST_DATABASE_URL;
const pgliteDir = path.resolve(process.env.TEST_PGLITE_DIR ?? ".data/test-pglite");

const integration = (name: string, databaseUrl: string, parallel: boolean) => ({
  resolve: { alias },
  test: {
    name,
    include: ["tests/integration/**/*.test.ts"],
    environment: "node" as const,
    globalSetup: ["tests/setup/global-db.ts"],
    env: { DATABASE_URL: databaseUrl, NODE_ENV: "test" as const, LOG_LEVEL: "silent" },
    // One PGlite directory can only be opened by one process at a time.
    fileParallelism: parallel,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "components/**/*.test.ts", "app/**/*.test.ts"],
          environment: "node" as const,
          env: { NODE_ENV: "test" as const, LOG_LEVEL: "silent" },
        },
      },
      integration("integration-pglite", `pglite:${pgliteDir}`, false),
      ...(pgUrl ? [integration("integration-postgres", pgUrl, true)] : []),
    ],
  },
});
