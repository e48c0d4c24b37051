/**
 * What the page and lookup benchmarks share: an up-to-date production build, servers started and
 * stopped by pid (never by name), the memory and CPU time of a process tree, and latency
 * percentiles. The servers run one at a time so that they never compete with each other.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { processTree } from "../load/client";
import { SERVER_NODE_ARGS } from "../../lib/runtime/server-node-args";

export const ROOT = process.cwd();
export const log = (line = "") => console.log(line);

// ---------------------------------------------------------------------------------------------
// Build

export const SOURCE_ROOTS = [
  "app",
  "lib",
  "components",
  "proxy.ts",
  "instrumentation.ts",
  "next.config.mts",
  "package.json",
];

export async function newestMtime(entry: string): Promise<number> {
  const info = await stat(entry).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const child of await readdir(entry)) newest = Math.max(newest, await newestMtime(path.join(entry, child)));
  return newest;
}

export async function snapshot(file: string): Promise<string | null> {
  return readFile(file, "utf8").catch(() => null);
}

export async function restore(file: string, content: string | null): Promise<void> {
  if ((await snapshot(file)) === content) return;
  if (content === null) await rm(file, { force: true });
  else await writeFile(file, content);
}

/**
 * The build folder to serve: BENCH_DIST_DIR when set, else `.next` when it is newer than every
 * source file, else a fresh `next build` into `.next` (tsconfig.json and next-env.d.ts, which the
 * build rewrites, are put back byte for byte). A failed build is a failed benchmark: measuring an
 * old build would report on code that is not the checkout's.
 */
export async function ensureBuild(): Promise<string> {
  if (process.env.BENCH_DIST_DIR) return process.env.BENCH_DIST_DIR;
  const dir = ".next";
  let sources = 0;
  for (const entry of SOURCE_ROOTS) sources = Math.max(sources, await newestMtime(path.join(ROOT, entry)));
  const built = (await stat(path.join(ROOT, dir, "BUILD_ID")).catch(() => null))?.mtimeMs ?? 0;
  if (built > sources) {
    log(`build: reusing ${dir} (newer than the sources)`);
    return dir;
  }
  log(`build: next build → ${dir} (the sources are newer than the build)`);
  const tsconfig = await snapshot(path.join(ROOT, "tsconfig.json"));
  const nextEnv = await snapshot(path.join(ROOT, "next-env.d.ts"));
  const started = performance.now();
  let code: number;
  try {
    code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
        stdio: ["ignore", "inherit", "inherit"],
        env: { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: dir, NEXT_TELEMETRY_DISABLED: "1" },
      });
      child.on("exit", (c) => resolve(c ?? 1));
    });
  } finally {
    await restore(path.join(ROOT, "tsconfig.json"), tsconfig);
    await restore(path.join(ROOT, "next-env.d.ts"), nextEnv);
  }
  if (code !== 0) throw new Error(`next build failed (exit ${code})`);
  log(`build: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Servers

export interface Server {
  name: string;
  port: number;
  child: ChildProcess;
  exited: { code: number | null; signal: string | null } | null;
  output: string[];
}

/**
 * The environment of the app's production server in a benchmark: NODE_ENV=production on loopback,
 * the given database and build, a throw-away AUTH_SECRET and no background jobs (the baselines run
 * none either); `extra` adds what one benchmark needs (rate limits, TRUST_PROXY).
 */
export function appServerEnv(
  port: number,
  databaseUrl: string,
  distDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: "production",
    HOSTNAME: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    NEXT_DIST_DIR: distDir,
    AUTH_SECRET: `bench-${randomBytes(24).toString("hex")}`,
    APP_URL: `http://127.0.0.1:${port}`,
    JOBS_IN_PROCESS: "0",
    NEXT_TELEMETRY_DISABLED: "1",
    ...extra,
  };
}

/** Servers this run started and has not stopped yet (killed on Ctrl-C too). */
const running = new Set<Server>();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const server of running) server.child.kill("SIGKILL");
    process.exit(130);
  });
}

/**
 * Starts `node --import tsx <script>` with PORT set; the production server (scripts/serve.ts) with
 * the Node.js settings it is deployed with (lib/runtime/server-node-args.ts), the baselines with
 * Node's defaults. BENCH_NODE_ARGS adds node flags after those, e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof" (the servers exit on SIGTERM, so the profile is written).
 */
export function startServer(name: string, script: string, port: number, env: Record<string, string>): Server {
  const extra = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const deployed = script === "scripts/serve.ts" ? SERVER_NODE_ARGS : [];
  const child = spawn(process.execPath, [...deployed, ...extra, "--import", "tsx", script], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, PORT: String(port) },
  });
  const server: Server = { name, port, child, exited: null, output: [] };
  const keep = (chunk: Buffer) => {
    server.output.push(chunk.toString());
    if (server.output.length > 200) server.output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("exit", (code, signal) => {
    server.exited = { code, signal };
    running.delete(server);
  });
  running.add(server);
  return server;
}

export async function waitForHealth(server: Server, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exited) throw new Error(`${server.name} exited during start-up:\n${server.output.join("")}`);
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${server.name} did not answer /api/health within ${timeoutMs / 1000} s`);
}

/** Stops a server this run started: SIGTERM to it and its children (by pid), SIGKILL after 5 s. */
export async function stopServer(server: Server): Promise<void> {
  if (server.exited) return;
  const pid = server.child.pid;
  if (pid === undefined) return;
  const done = new Promise<void>((resolve) => server.child.once("exit", () => resolve()));
  for (const p of (await processTree(pid)).reverse()) {
    try {
      process.kill(p, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const timer = setTimeout(() => {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5_000);
  await done;
  clearTimeout(timer);
}

/** RSS (bytes) and CPU time (seconds, user + system) of a process tree, from /proc. */
export async function treeUsage(root: number): Promise<{ rss: number; cpu: number; sys: number; processes: number }> {
  const ticks = 100; // USER_HZ on Linux
  let rss = 0;
  let cpu = 0;
  let sys = 0;
  const pids = await processTree(root);
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    if (kb) rss += Number(kb) * 1024;
    const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    if (text) {
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      cpu += (Number(fields[11]) + Number(fields[12])) / ticks;
      sys += Number(fields[12]) / ticks;
    }
  }
  return { rss, cpu, sys, processes: pids.length };
}

// ---------------------------------------------------------------------------------------------
// Figures

/** The p-th percentile (nearest rank) of values sorted ascending. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** One line describing the machine and how busy it is, for the report. */
export function machineLine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(1));
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? "CPU"}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.versions.node}; load average ${load.join(" / ")}`;
}
