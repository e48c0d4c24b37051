import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import { createServer } from "node:net";
import { expect, test } from "@playwright/test";

/**
 * Graceful shutdown of the production server (scripts/serve.ts, the build under test): on SIGTERM
 * it stops accepting connections at once, lets a request in flight finish, and exits 0. The
 * request held in flight is a sign-in whose body is still arriving (Auth.js reads the whole body
 * before answering); no database is needed for any of it.
 */
const port = Number(process.env.E2E_PORT ?? 3210) + 2;
const base = `http://127.0.0.1:${port}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

let server: ChildProcess | undefined;
let output = "";

test.afterAll(() => {
  if (server?.pid && server.exitCode === null) process.kill(-server.pid, "SIGKILL");
});

test("SIGTERM: no new connections, the request in flight finishes, the process exits 0", async () => {
  test.setTimeout(120_000);
  server = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts"], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${await freePort()}/remsgate_shutdown`,
      AUTH_SECRET: "shutdown-secret-0123456789-0123456789-012345",
      APP_URL: base,
      JOBS_IN_PROCESS: "0",
      LOG_LEVEL: "info",
    },
  });
  for (const stream of [server.stdout, server.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
  }
  const exited = new Promise<number | null>((resolve) => server?.once("exit", (code) => resolve(code)));
  await expect
    .poll(async () => (await fetch(`${base}/api/health`).catch(() => null))?.status ?? 0, { timeout: 90_000 })
    .toBe(200);

  // A sign-in whose body has not all arrived: in flight until the rest is sent.
  const body = "email=someone%40example.org&password=not-the-password&csrfToken=x";
  const request = http.request(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(body.length) },
  });
  const answered = new Promise<number>((resolve, reject) => {
    request.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    request.on("error", reject);
  });
  request.write(body.slice(0, 10));
  await expect.poll(() => output.includes("listening")).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 500));

  process.kill(server.pid ?? 0, "SIGTERM");
  await expect.poll(() => output.includes("shutting down")).toBe(true);
  expect(output).toMatch(/"inFlight":1/);

  // No new connections while it drains.
  const refused = await fetch(`${base}/api/health`).then(
    (res) => `answered ${res.status}`,
    (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
  );
  expect(refused).toBe("ECONNREFUSED");
  expect(server.exitCode).toBeNull();

  // The request in flight gets its answer, then the process exits cleanly.
  request.end(body.slice(10));
  const status = await answered;
  expect(status).toBeGreaterThanOrEqual(200);
  expect(status).toBeLessThan(600);
  expect(await exited).toBe(0);
  expect(output).toContain("shut down cleanly");
});
