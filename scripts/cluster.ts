/**
 * `npm run cluster`: the registry as a production deployment looks, on loopback only — nginx as the
 * load balancer in front of two production app instances, PgBouncer (transaction pooling) in front
 * of PostgreSQL. Both instances share nothing but the database: sessions, rate limits, throttles,
 * idempotency keys, single-use authorizations and the job queue (pg-boss) all live there.
 *
 * Ports (loopback): CLUSTER_PORT (nginx, default 3100), CLUSTER_PORT+1 and +2 (the instances),
 * CLUSTER_PORT+3 (PgBouncer). CLUSTER_DATABASE_URL names the PostgreSQL database (default
 * postgresql://postgres@127.0.0.1:5432/remsgate_cluster); it is migrated directly (DDL does not go
 * through a transaction pooler) and seeded with the demo world when empty. nginx and pgbouncer come
 * from Debian (`apt-get install nginx-light pgbouncer`; installed here when missing and run as root).
 * Ctrl+C (or SIGTERM) stops everything, each instance gracefully.
 *
 * Exported pieces are used by the load and fault tests (tests/load/).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { serverCommandArgs } from "../lib/runtime/server-node-args";

const root = process.cwd();
const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");

export interface ClusterOptions {
  port: number;
  databaseUrl: string;
  /** Seed the demo world into an empty database (default true). */
  seedDemo?: boolean;
  /** Extra environment for the app instances. */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface Cluster {
  url: string;
  instances: { name: string; url: string; process: ChildProcess }[];
  pgbouncer: ChildProcess;
  nginx: ChildProcess;
  dir: string;
  /** The demo world's manifest (accounts, TOTP secrets, API key) when the demo was seeded. */
  manifest: string;
  output: Record<string, string>;
  /** Kills one instance with SIGKILL (fault tests) and restarts it. */
  restartInstance: (index: number) => Promise<void>;
  killInstance: (index: number) => void;
  startInstance: (index: number) => Promise<void>;
  /** SIGINT (default): PgBouncer's safe shutdown; SIGTERM: immediate (the fault test's outage). */
  stopPgBouncer: (signal?: NodeJS.Signals) => Promise<void>;
  startPgBouncer: () => Promise<void>;
  stop: () => Promise<void>;
}

function which(binary: string): string | null {
  for (const dir of ["/usr/sbin", "/usr/bin", "/sbin", "/bin", ...(process.env.PATH ?? "").split(":")]) {
    const candidate = path.join(dir, binary);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** nginx and pgbouncer from Debian, installed when missing (as root), else a clear error. */
export function ensureBinaries(): { nginx: string; pgbouncer: string } {
  let nginx = which("nginx");
  let pgbouncer = which("pgbouncer");
  if ((!nginx || !pgbouncer) && process.getuid?.() === 0) {
    spawnSync("apt-get", ["install", "-y", "-qq", "nginx-light", "pgbouncer"], { stdio: "inherit" });
    nginx = which("nginx");
    pgbouncer = which("pgbouncer");
  }
  if (!nginx || !pgbouncer) {
    throw new Error("nginx and pgbouncer are needed: sudo apt-get install nginx-light pgbouncer");
  }
  return { nginx, pgbouncer };
}

/** PgBouncer refuses to run as root: as root, it runs as the postgres system user. */
function bouncerUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const group = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  const uid = Number(passwd.stdout.trim());
  const gid = Number(group.stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || passwd.status !== 0) {
    throw new Error("PgBouncer will not run as root, and there is no postgres user to run it as");
  }
  return { uid, gid };
}

function ensureBuild() {
  if (existsSync(path.join(root, ".next", "BUILD_ID"))) return;
  console.log("Building the app (next build)…");
  execFileSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
}

async function waitFor(url: string, timeoutMs: number, okStatus = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url)
      .then((r) => r.status)
      .catch(() => 0);
    if (status === okStatus) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${okStatus} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until a query through PgBouncer reaches the database. */
async function waitForPort(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    const ok = await client.connect().then(
      () => client.query("SELECT 1").then(() => true),
      () => false,
    );
    await client.end().catch(() => undefined);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`PgBouncer did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The cluster's AUTH_SECRET: AUTH_SECRET when set, else one kept in the cluster's folder. Both
 * instances sign sessions with it, and the demo seed seals the accounts' TOTP secrets with a key
 * derived from it, so it must be the same for the seed, both instances and every later start.
 */
function clusterSecret(dir: string): string {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  const file = path.join(dir, "auth-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(33).toString("base64"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

async function prepareDatabase(databaseUrl: string, seedDemo: boolean, env: NodeJS.ProcessEnv) {
  const admin = new URL(databaseUrl);
  const name = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  const script = seedDemo ? "scripts/demo-prepare.ts" : "scripts/db-migrate.ts";
  const result = spawnSync(process.execPath, [tsx, script], { stdio: "inherit", env });
  if (result.status !== 0) throw new Error(`${script} failed`);
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? ((line: string) => console.log(line));
  const bins = ensureBinaries();
  ensureBuild();
  const port = options.port;
  const url = `http://127.0.0.1:${port}`;
  const direct = new URL(options.databaseUrl);
  const database = decodeURIComponent(direct.pathname.slice(1));
  const dir = path.join(root, ".data", `cluster-${port}`);
  mkdirSync(path.join(dir, "nginx"), { recursive: true });
  const secret = clusterSecret(dir);
  const manifest = path.join(dir, "demo-world.json");
  await prepareDatabase(options.databaseUrl, options.seedDemo ?? true, {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    APP_URL: url,
    AUTH_SECRET: secret,
    REMSGATE_DEMO: "1",
    DEMO_MANIFEST: manifest,
  });
  // PgBouncer's files live where its (possibly unprivileged) user can read and write them.
  const bouncerDir = path.join(os.tmpdir(), `remsgate-pgbouncer-${port}`);
  mkdirSync(bouncerDir, { recursive: true });
  const runAs = bouncerUser();
  const bouncerPort = port + 3;
  const pgHost = direct.hostname || "127.0.0.1";
  const pgPort = direct.port || "5432";
  const pgUser = decodeURIComponent(direct.username || "postgres");
  writeFileSync(path.join(bouncerDir, "userlist.txt"), `"${pgUser}" "${decodeURIComponent(direct.password)}"\n`);
  const bouncerIni = path.join(bouncerDir, "pgbouncer.ini");
  writeFileSync(
    bouncerIni,
    [
      "[databases]",
      `${database} = host=${pgHost} port=${pgPort} dbname=${database}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${bouncerPort}`,
      "auth_type = trust",
      `auth_file = ${path.join(bouncerDir, "userlist.txt")}`,
      "pool_mode = transaction",
      // Two instances × their pools must fit; the server side stays well under max_connections.
      "max_client_conn = 400",
      "default_pool_size = 40",
      "server_reset_query_always = 0",
      // After PostgreSQL restarts, try to reconnect within a second (the default waits 15 s), and
      // answer a query that waited 10 s for a server connection with an error (08P01, which the app
      // answers 503) instead of holding it for the default 2 minutes.
      "server_login_retry = 1",
      "query_wait_timeout = 10",
      `admin_users = ${pgUser}`,
      `unix_socket_dir =`,
      `pidfile = ${path.join(bouncerDir, "pgbouncer.pid")}`,
      "",
    ].join("\n"),
  );
  if (runAs)
    for (const f of [bouncerDir, bouncerIni, path.join(bouncerDir, "userlist.txt")]) chownSync(f, runAs.uid, runAs.gid);
  const spawnBouncer = () =>
    capture("pgbouncer", spawn(bins.pgbouncer, [bouncerIni], { stdio: "pipe", ...(runAs ?? {}) }));
  const instancePorts = [port + 1, port + 2];
  writeFileSync(
    path.join(dir, "nginx.conf"),
    `worker_processes 1;
pid ${path.join(dir, "nginx.pid")};
error_log ${path.join(dir, "nginx-error.log")} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${path.join(dir, "nginx")};
  proxy_temp_path ${path.join(dir, "nginx")};
  fastcgi_temp_path ${path.join(dir, "nginx")};
  uwsgi_temp_path ${path.join(dir, "nginx")};
  scgi_temp_path ${path.join(dir, "nginx")};
  client_max_body_size 12m;
  upstream remsgate {
${instancePorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join("\n")}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://remsgate;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Request-Id $request_id;
      # A request that failed to reach an instance (refused, reset before an answer) goes to the
      # other one; nginx never retries a POST that an instance may have started to handle.
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      # No instance answered (both down, or the one handling the request died): the API's outage
      # answer, 503 with Retry-After, in its error shape, so that clients retry rather than give up.
      error_page 502 504 =503 @unavailable;
    }
    location @unavailable {
      default_type application/json;
      add_header Retry-After 2 always;
      add_header X-Request-Id $request_id always;
      add_header Cache-Control no-store always;
      return 503 '{"error":{"code":"UNAVAILABLE","message":"No registry instance answered; the request may or may not have been carried out. Retry it in a few seconds (a dispense request with the same Idempotency-Key)."}}';
    }
  }
}
`,
  );

  const output: Record<string, string> = {};
  const spawned: ChildProcess[] = [];
  const capture = (name: string, child: ChildProcess) => {
    spawned.push(child);
    output[name] = "";
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on("data", (chunk: Buffer) => {
        output[name] = (output[name] ?? "") + chunk.toString("utf8");
        if ((output[name]?.length ?? 0) > 2_000_000) output[name] = output[name]?.slice(-1_000_000) ?? "";
      });
    }
    return child;
  };

  const pooled = new URL(options.databaseUrl);
  pooled.hostname = "127.0.0.1";
  pooled.port = String(bouncerPort);
  // Whatever fails during start-up takes down what was started, and says why.
  const abort = (error: unknown): never => {
    for (const child of spawned) {
      if (child.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      }
    }
    for (const [name, text] of Object.entries(output)) {
      if (text.trim()) console.error(`--- ${name} (last lines)\n${text.trim().split("\n").slice(-15).join("\n")}`);
    }
    throw error;
  };
  let pgbouncer = spawnBouncer();
  await waitForPort(pooled.toString(), 20_000).catch(abort);
  log(`PgBouncer (transaction pooling) on 127.0.0.1:${bouncerPort} → ${pgHost}:${pgPort}/${database}`);

  const instanceEnv = (index: number): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: "production" as const,
    PORT: String(instancePorts[index]),
    HOSTNAME: "127.0.0.1",
    // Queries through PgBouncer; the job queue (pg-boss) keeps a direct connection (see docs/scaling.md).
    DATABASE_URL: pooled.toString(),
    JOBS_DATABASE_URL: options.databaseUrl,
    AUTH_SECRET: secret,
    APP_URL: url,
    TRUST_PROXY: "true",
    REMSGATE_DEMO: "1",
    ...options.env,
  });
  const instances: Cluster["instances"] = instancePorts.map((p, i) => ({
    name: `app${i + 1}`,
    url: `http://127.0.0.1:${p}`,
    process: undefined as unknown as ChildProcess,
  }));
  const startInstance = async (index: number) => {
    const instance = instances[index];
    if (!instance) throw new Error(`no instance ${index}`);
    instance.process = capture(
      instance.name,
      spawn(process.execPath, serverCommandArgs(), {
        stdio: "pipe",
        env: instanceEnv(index),
        detached: true,
      }),
    );
    await waitFor(`${instance.url}/api/ready`, 120_000);
  };
  const killInstance = (index: number) => {
    const child = instances[index]?.process;
    if (child?.pid) process.kill(-child.pid, "SIGKILL");
  };
  // One after the other: the first creates the job queue's schema, the second finds it there.
  for (let i = 0; i < instances.length; i++) await startInstance(i).catch(abort);
  for (const instance of instances) log(`${instance.name} (production build) on ${instance.url}`);

  const nginx = capture(
    "nginx",
    spawn(bins.nginx, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: "pipe" }),
  );
  await waitFor(`${url}/api/ready`, 20_000).catch(abort);
  log(`nginx load balancer on ${url}`);

  const stopChild = async (child: ChildProcess | undefined, signal: NodeJS.Signals, group = false) => {
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    if (group) process.kill(-child.pid, signal);
    else child.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  };

  return {
    url,
    instances,
    get pgbouncer() {
      return pgbouncer;
    },
    nginx,
    dir,
    manifest,
    output,
    killInstance,
    startInstance,
    restartInstance: async (index) => {
      killInstance(index);
      await startInstance(index);
    },
    stopPgBouncer: async (signal = "SIGINT") => {
      await stopChild(pgbouncer, signal);
    },
    startPgBouncer: async () => {
      pgbouncer = spawnBouncer();
      await waitForPort(pooled.toString(), 20_000);
    },
    stop: async () => {
      await stopChild(nginx, "SIGQUIT");
      await Promise.all(instances.map((instance) => stopChild(instance.process, "SIGTERM", true)));
      await stopChild(pgbouncer, "SIGINT");
    },
  };
}

async function main() {
  const port = Number(process.env.CLUSTER_PORT ?? 3100);
  const databaseUrl = process.env.CLUSTER_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/remsgate_cluster";
  const cluster = await startCluster({ port, databaseUrl });
  console.log(`\nremsgate cluster on ${cluster.url} (demo accounts as in README; Ctrl+C stops it)`);
  console.log(`Demo identities, TOTP secrets and the pharmacy's API key: ${path.relative(root, cluster.manifest)}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("Stopping the cluster…");
    await cluster.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
