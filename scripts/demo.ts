/**
 * `npm run demo`: build if needed, migrate and seed the embedded database, then serve the app on
 * http://localhost:$PORT (default 3000) and print the demo accounts.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildStartMessage, elapsedText, heartbeat } from "../lib/demo/progress";
import { serverCommandArgs, exitOnUnsupportedNode } from "../lib/runtime/server-node-args";

exitOnUnsupportedNode();

const root = process.cwd();
const port = process.env.PORT ?? "3000";
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

/** The newest modification time under the folders the build depends on. */
function newestSource(dirs: string[]): number {
  let newest = 0;
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      if (/node_modules|\.next|\.data|generated/.test(p)) return;
      for (const entry of readdirSync(p)) walk(path.join(p, entry));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const d of dirs) if (existsSync(d)) walk(path.join(root, d));
  return newest;
}

async function buildIfNeeded() {
  const buildId = path.join(root, ".next", "BUILD_ID");
  const firstRun = !existsSync(buildId);
  const stale =
    firstRun ||
    statSync(buildId).mtimeMs <
      newestSource(["app", "lib", "components", "proxy.ts", "next.config.mts", "package.json", "prisma/schema.prisma"]);
  if (!stale) return;
  console.log(buildStartMessage(firstRun));
  const startedAt = Date.now();
  let lastOutputAt = startedAt;
  // The build's own output is forwarded as it comes; a progress line fills its long silences.
  const build = spawn(process.execPath, [nextBin, "build"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  build.stdout.on("data", (chunk: Buffer) => {
    lastOutputAt = Date.now();
    process.stdout.write(chunk);
  });
  build.stderr.on("data", (chunk: Buffer) => {
    lastOutputAt = Date.now();
    process.stderr.write(chunk);
  });
  const timer = setInterval(() => {
    const line = heartbeat(startedAt, lastOutputAt, Date.now());
    if (line) {
      console.log(line);
      lastOutputAt = Date.now();
    }
  }, 5_000);
  const code = await new Promise<number | null>((resolve) => build.on("close", resolve));
  clearInterval(timer);
  if (code !== 0) process.exit(code ?? 1);
  console.log(`Built in ${elapsedText(Date.now() - startedAt)}.`);
}

/** A per-installation session secret, kept beside the demo database so sessions survive restarts. */
function demoSecret(): string {
  const file = path.join(root, ".data", "auth-secret");
  mkdirSync(path.dirname(file), { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(33).toString("base64"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

async function main() {
  if (process.env.DATABASE_URL && !process.env.DATABASE_URL.startsWith("pglite:")) {
    console.error("npm run demo runs on the embedded database; unset DATABASE_URL (or use pglite:<dir>).");
    process.exit(2);
  }
  await buildIfNeeded();
  const env = {
    ...process.env,
    REMSGATE_DEMO: "1",
    // The demo answers CDS Hooks and FHIR calls without a JWT (docs/interop.md); never in production.
    CDS_HOOKS_ALLOW_UNAUTHENTICATED: process.env.CDS_HOOKS_ALLOW_UNAUTHENTICATED ?? "1",
    AUTH_SECRET: process.env.AUTH_SECRET ?? demoSecret(),
    APP_URL: process.env.APP_URL ?? `http://localhost:${port}`,
    NODE_ENV: "production" as const,
  };
  // Migrate and seed in a child process: the embedded database allows one process at a time.
  const seeded = spawnSync(
    process.execPath,
    [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/demo-prepare.ts"],
    { stdio: "inherit", env },
  );
  if (seeded.status !== 0) process.exit(seeded.status ?? 1);

  const world = JSON.parse(readFileSync(path.join(root, ".data", "demo-world.json"), "utf8")) as {
    password: string;
    accounts: Record<string, string>;
  };
  console.log(`\nremsgate demo on ${env.APP_URL}`);
  console.log(`Demo accounts (password ${world.password}):`);
  for (const [who, email] of Object.entries(world.accounts)) console.log(`  ${who.padEnd(11)} ${email}`);
  console.log("API examples use the identities in .data/demo-world.json.\n");

  // One process (tsx as a loader, not a wrapper), so Ctrl+C and SIGTERM reach the server itself.
  const server = spawn(process.execPath, serverCommandArgs(), {
    stdio: "inherit",
    env: { ...env, PORT: port },
  });
  const stop = () => server.kill("SIGTERM");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  server.on("exit", (code) => process.exit(code ?? 0));
}

void main();
