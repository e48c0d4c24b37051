import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3210);
// Debian's Chromium where it exists (these machines); Playwright's own browser elsewhere.
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

const GATE_SPECS = /(api-dispense|dispense|dispense-revocation)\.spec\.ts$/;
const browser = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  },
};

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: process.env.PW_OUTPUT_DIR ?? "test-results",
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  // The dispense-gate specs need the demo patients as seeded (the compliant patient due for a
  // course, the one with overdue labs); other specs record labs and infusions for them. So the
  // gate's specs run first, against the untouched world, and the rest after them. Within the
  // project files run in name order ("-" sorts before "."): api-dispense, dispense-revocation (which
  // suspends and reinstates the demo pharmacy, revoking its open approvals), then dispense. Each
  // gives back the compliant patient's course-3 vials it took (a reversal or the revocation), as
  // the gate counts a course's vials across requests.
  projects: [
    {
      name: "dispense-gate",
      testMatch: GATE_SPECS,
      use: browser,
    },
    {
      name: "chromium",
      testIgnore: GATE_SPECS,
      dependencies: ["dispense-gate"],
      use: browser,
    },
  ],
  webServer: {
    command: `npx tsx scripts/e2e-server.ts`,
    url: `http://127.0.0.1:${port}/api/ready`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    // The app mails to a loopback port fixed per E2E_PORT; specs that read mail listen there
    // (tests/e2e/helpers.ts startMailbox). With nobody listening, mail stays queued and is retried.
    env: { E2E_PORT: String(port), E2E_SMTP_URL: `smtp://127.0.0.1:${port + 1000}` },
  },
});
