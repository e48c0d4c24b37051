/**
 * A PostgreSQL primary and a streaming replica of it, each its own throw-away cluster in a temporary
 * folder on a free loopback port, made with the server binaries of the machine's PostgreSQL
 * (Debian: /usr/lib/postgresql/<version>/bin). Run as the `postgres` user when the tests run as
 * root (initdb refuses root). Nothing touches the shared server on 5432.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

export interface PgPair {
  primaryUrl: string;
  replicaUrl: string;
  /** pg_ctl for one of the two clusters: e.g. stopReplica → ctl("replica", ["stop", "-m", "fast"]). */
  ctl(which: "primary" | "replica", args: string[]): void;
  stop(): void;
}

/** The newest installed PostgreSQL server's bin folder, or null when there is none. */
export function postgresBinDir(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], "bin") : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function startPgPair(): Promise<PgPair> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("No PostgreSQL server binaries under /usr/lib/postgresql");
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? Number(execFileSync("id", ["-u", "postgres"]).toString().trim()) : null;
  const group = asRoot ? Number(execFileSync("id", ["-g", "postgres"]).toString().trim()) : null;
  const run = (command: string, args: string[]) => {
    const full = path.join(bin, command);
    if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", full, ...args], { stdio: "pipe" });
    else execFileSync(full, args, { stdio: "pipe" });
  };
  const root = mkdtempSync(path.join(os.tmpdir(), "remsgate-pgpair-"));
  chmodSync(root, 0o700);
  if (owner !== null && group !== null) chownSync(root, owner, group);
  const dirs = { primary: path.join(root, "primary"), replica: path.join(root, "replica") };
  const ports = { primary: await freePort(), replica: await freePort() };
  const ctl = (which: "primary" | "replica", args: string[]) => run("pg_ctl", ["-D", dirs[which], "-w", ...args]);
  const options = (port: number) =>
    `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off -c wal_level=replica -c max_wal_senders=4`;
  let started: ("primary" | "replica")[] = [];
  const stop = () => {
    for (const which of started.reverse()) {
      try {
        ctl(which, ["stop", "-m", "immediate"]);
      } catch {
        // already stopped
      }
    }
    started = [];
    rmSync(root, { recursive: true, force: true });
  };
  try {
    run("initdb", ["-D", dirs.primary, "-A", "trust", "-U", "postgres", "--no-sync"]);
    ctl("primary", ["start", "-o", options(ports.primary), "-l", path.join(root, "primary.log")]);
    started.push("primary");
    run("pg_basebackup", ["-h", "127.0.0.1", "-p", String(ports.primary), "-U", "postgres", "-D", dirs.replica, "-R"]);
    ctl("replica", ["start", "-o", options(ports.replica), "-l", path.join(root, "replica.log")]);
    started.push("replica");
  } catch (error) {
    stop();
    throw error;
  }
  return {
    primaryUrl: `postgresql://postgres@127.0.0.1:${ports.primary}/postgres`,
    replicaUrl: `postgresql://postgres@127.0.0.1:${ports.replica}/postgres`,
    ctl: (which, args) => {
      const withLog =
        args[0] === "start" ? [...args, "-o", options(ports[which]), "-l", path.join(root, `${which}.log`)] : args;
      ctl(which, withLog);
    },
    stop,
  };
}
