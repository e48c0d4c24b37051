import net from "node:net";
import { expect, test } from "@playwright/test";
import { killServer, type ProductionServer, startServerWithoutDatabase } from "./production-server";

/**
 * The production server (scripts/serve.ts) behind a load balancer: an idle keep-alive connection
 * stays open longer than Node's default (5 s, closed after about 6 s idle), so the balancer (which
 * keeps idle connections for up to 60 s) closes it first and never sends a request on a connection
 * the app is closing at that moment. /api/health needs no database.
 */
const port = Number(process.env.E2E_PORT ?? 3210) + 3;

let server: ProductionServer | undefined;

test.afterAll(() => killServer(server));

/** Sends one keep-alive request on the socket and resolves with the status line of its answer. */
function get(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const headerEnd = text.indexOf("\r\n\r\n");
      if (headerEnd === -1) return;
      const head = text.slice(0, headerEnd);
      const length = /content-length: (\d+)/i.exec(head)?.[1];
      const complete =
        length !== undefined
          ? Buffer.byteLength(text) >= Buffer.byteLength(head) + 4 + Number(length)
          : /transfer-encoding: chunked/i.test(head) && text.endsWith("\r\n0\r\n\r\n");
      if (complete) {
        socket.off("data", onData);
        resolve(text.slice(0, text.indexOf("\r\n")));
      }
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.write(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
  });
}

test("an idle keep-alive connection is still open and served after 8 s", async () => {
  test.setTimeout(120_000);
  server = await startServerWithoutDatabase(port, "keepalive");
  await expect
    .poll(async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.status ?? 0, {
      timeout: 90_000,
    })
    .toBe(200);

  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let closedAt: number | null = null;
  socket.once("close", () => {
    closedAt = Date.now();
  });
  expect(await get(socket)).toBe("HTTP/1.1 200 OK");
  const idleFrom = Date.now();
  await new Promise((r) => setTimeout(r, 8_000));
  expect(closedAt === null ? null : (closedAt as number) - idleFrom).toBeNull();
  expect(await get(socket)).toBe("HTTP/1.1 200 OK");
  socket.destroy();
});
