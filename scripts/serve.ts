/**
 * The production server: Next.js behind a thin node:http wrapper whose only job is to tell the app
 * the client's real address. It overwrites X-Real-IP with the socket's address (or, with
 * TRUST_PROXY=true, the address the nearest proxy reports) so that nobody can choose the address
 * the sign-in throttle counts by sending a header.
 */
import { createServer } from "node:http";
import next from "next";

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME ?? "0.0.0.0";
const trustProxy = process.env.TRUST_PROXY === "true" || process.env.TRUST_PROXY === "1";

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();

await app.prepare();
createServer((req, res) => {
  const socketAddress = req.socket.remoteAddress ?? "unknown";
  const forwarded = String(req.headers["x-forwarded-for"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  // Behind a trusted proxy, the right-most entry is the one that proxy appended.
  req.headers["x-real-ip"] = trustProxy && forwarded.length ? (forwarded.at(-1) ?? socketAddress) : socketAddress;
  void handle(req, res);
}).listen(port, hostname, () => {
  console.log(`remsgate listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`);
});
