/**
 * A PostgreSQL 15 cluster of the fault test's own (initdb into a temporary folder, pg_ctl on its own
 * loopback port, trust authentication on loopback), so that restarting the database is a fault the
 * test may inject without touching any other PostgreSQL on the machine. initdb and the server refuse
 * to run as root: as root they run as the `postgres` system user, which then owns the folder.
 *
 * `stop()` stops the server and removes the folder; it also runs when the process exits (after a
 * failure or Ctrl+C), so nothing is left behind.
 */
import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const BIN = process.env.FAULTTEST_PG_BIN ?? "/usr/lib/postgresql/15/bin";

export interface OwnPostgres {
  port: number;
  /** postgresql://postgres@127.0.0.1:<port>/<database> */
  url: (database: string) => string;
  /** `pg_ctl stop -m fast` then `pg_ctl start`: when the stop began and when the server answered again. */
  restart: () => Promise<{ stoppingAt: number; stoppedAt: number; readyAt: number }>;
  stop: () => void;
}

function asPostgres(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
  const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) {
    throw new Error("running as root needs a postgres system user for initdb and the server");
  }
  return { uid, gid };
}

function run(binary: string, args: string[], user: { uid: number; gid: number } | null): string {
  const result = spawnSync(path.join(BIN, binary), args, {
    encoding: "utf8",
    cwd: os.tmpdir(),
    ...(user ?? {}),
    env: { ...process.env, LC_ALL: "C.UTF-8" },
  });
  if (result.status !== 0) {
    throw new Error(
      `${binary} ${args.join(" ")} failed: ${result.error?.message ?? ""}${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/** The same, without blocking the event loop: the load keeps running while the server restarts. */
function runAsync(binary: string, args: string[], user: { uid: number; gid: number } | null): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      path.join(BIN, binary),
      args,
      { cwd: os.tmpdir(), ...(user ?? {}), env: { ...process.env, LC_ALL: "C.UTF-8" } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${binary} ${args.join(" ")} failed: ${error.message}${stderr}${stdout}`));
        else resolve();
      },
    );
  });
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startOwnPostgres(port: number, log: (line: string) => void): Promise<OwnPostgres> {
  if (!existsSync(path.join(BIN, "initdb"))) throw new Error(`PostgreSQL binaries not found in ${BIN}`);
  const user = asPostgres();
  const dir = mkdtempSync(path.join(os.tmpdir(), "remsgate-faulttest-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  let running = false;
  const stop = () => {
    if (running) {
      spawnSync(path.join(BIN, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w"], {
        stdio: "ignore",
        cwd: os.tmpdir(),
        ...(user ?? {}),
      });
      running = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", stop);
  try {
    run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], user);
    const options = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${dir}`,
      "-c max_connections=200",
    ].join(" ");
    const startArgs = ["start", "-D", data, "-l", logFile, "-w", "-t", "60", "-o", options];
    run("pg_ctl", startArgs, user);
    running = true;
    const url = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
    log(`own PostgreSQL 15 on 127.0.0.1:${port} (${dir})`);
    return {
      port,
      url,
      restart: async () => {
        const stoppingAt = Date.now();
        await runAsync("pg_ctl", ["stop", "-D", data, "-m", "fast", "-w", "-t", "60"], user);
        const stoppedAt = Date.now();
        await runAsync("pg_ctl", startArgs, user);
        while (!(await answers(url("postgres")))) await new Promise((r) => setTimeout(r, 50));
        return { stoppingAt, stoppedAt, readyAt: Date.now() };
      },
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}
