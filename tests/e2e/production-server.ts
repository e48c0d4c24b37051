import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { serverCommandArgs } from "../../lib/runtime/server-node-args";

/** A loopback port nobody listens on (a database address that refuses, or a server's own port). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface ProductionServer {
  process: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * A second production server (scripts/serve.ts on the build under test, one process) on `port`,
 * whose database address refuses connections: for the outage and shutdown journeys, which must not
 * disturb the server the other specs use.
 */
export async function startServerWithoutDatabase(port: number, name: string): Promise<ProductionServer> {
  const child = spawn(process.execPath, serverCommandArgs(), {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${await freePort()}/remsgate_${name}`,
      AUTH_SECRET: `${name}-secret-0123456789-0123456789-0123456789`,
      APP_URL: `http://127.0.0.1:${port}`,
      JOBS_IN_PROCESS: "0",
      LOG_LEVEL: "info",
    },
  });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { process: child, output: () => output, exited };
}

/** Kills the server and whatever it started, if it still runs. */
export function killServer(server: ProductionServer | undefined): void {
  const pid = server?.process.pid;
  if (pid && server.process.exitCode === null) process.kill(-pid, "SIGKILL");
}
