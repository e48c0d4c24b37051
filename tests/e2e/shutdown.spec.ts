import http from "node:http";
import { expect, test } from "@playwright/test";
import { killServer, type ProductionServer, startServerWithoutDatabase } from "./production-server";

/**
 * Graceful shutdown of the production server (scripts/serve.ts, the build under test): on SIGTERM
 * it stops accepting connections at once, lets a request in flight finish, and exits 0. The
 * request held in flight is a sign-in whose body is still arriving (Auth.js reads the whole body
 * before answering); no database is needed for any of it.
 */
const port = Number(process.env.E2E_PORT ?? 3210) + 2;
const base = `http://127.0.0.1:${port}`;

let server: ProductionServer | undefined;

test.afterAll(() => killServer(server));

test("SIGTERM: no new connections, the request in flight finishes, the process exits 0", async () => {
  test.setTimeout(120_000);
  server = await startServerWithoutDatabase(port, "shutdown");
  const { output, exited } = server;
  const child = server.process;
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
  await expect.poll(() => output().includes("listening")).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 500));

  process.kill(child.pid ?? 0, "SIGTERM");
  await expect.poll(() => output().includes("shutting down")).toBe(true);
  expect(output()).toMatch(/"inFlight":1/);

  // No new connections while it drains.
  const refused = await fetch(`${base}/api/health`).then(
    (res) => `answered ${res.status}`,
    (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
  );
  expect(refused).toBe("ECONNREFUSED");
  expect(child.exitCode).toBeNull();

  // The request in flight gets its answer, then the process exits cleanly.
  request.end(body.slice(10));
  const status = await answered;
  expect(status).toBeGreaterThanOrEqual(200);
  expect(status).toBeLessThan(600);
  expect(await exited).toBe(0);
  expect(output()).toContain("shut down cleanly");
});
