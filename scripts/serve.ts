/**
 * The production server: Next.js behind a thin node:http wrapper. It
 * - tells the app the client's real address: it overwrites X-Real-IP with the socket's address (or,
 *   with TRUST_PROXY=true, the address the nearest proxy reports) so that nobody can choose the
 *   address the sign-in throttle counts by sending a header;
 * - gives every request an id (X-Request-Id) when the caller sent none, for the routes proxy.ts
 *   does not run for (the JSON API and the lab import);
 * - refuses a URL whose path or query is not valid percent-encoded UTF-8 or holds a NUL or a lone
 *   surrogate (lib/http/hostile-text.ts) with 400, before Next, which otherwise fails on some of
 *   them with a plain-text 500.
 */
import { randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import next from "next";
import { findHostileInPath, findHostileInQuery, type HostileText } from "../lib/http/hostile-text";

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME ?? "0.0.0.0";
const trustProxy = process.env.TRUST_PROXY === "true" || process.env.TRUST_PROXY === "1";

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();

function hostileUrl(url: string): HostileText | null {
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  return findHostileInPath(path) ?? (queryAt === -1 ? null : findHostileInQuery(url.slice(queryAt + 1)));
}

function refuseUrl(
  res: ServerResponse,
  url: string,
  accept: string | undefined,
  found: HostileText,
  requestId: string,
): void {
  const message = `The address is not valid: ${found.field === "path" ? "the path" : `the query parameter "${found.field.slice(1)}"`} ${found.message.charAt(0).toLowerCase()}${found.message.slice(1)}`;
  res.setHeader("x-request-id", requestId);
  res.setHeader("cache-control", "no-store");
  // Pages (a browser navigating) get a page; the API, the import route and other clients the JSON error shape.
  if (url.startsWith("/api/") || !String(accept ?? "").includes("text/html")) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "BAD_REQUEST", message, fields: { [found.field]: [found.message] } } }));
    return;
  }
  res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad address · remsgate</title></head><body><main><h1>This address is not valid</h1><p>${message.replace(/[<>&"]/g, "")}</p><p><a href="/">Go to the home page</a></p></main></body></html>`,
  );
}

await app.prepare();
createServer((req, res) => {
  const socketAddress = req.socket.remoteAddress ?? "unknown";
  const forwarded = String(req.headers["x-forwarded-for"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  // Behind a trusted proxy, the right-most entry is the one that proxy appended.
  req.headers["x-real-ip"] = trustProxy && forwarded.length ? (forwarded.at(-1) ?? socketAddress) : socketAddress;
  const requestId = String(req.headers["x-request-id"] ?? "") || randomUUID();
  req.headers["x-request-id"] = requestId;
  const url = req.url ?? "/";
  const hostile = hostileUrl(url);
  if (hostile) {
    refuseUrl(res, url, req.headers.accept, hostile, requestId);
    return;
  }
  void handle(req, res);
}).listen(port, hostname, () => {
  console.log(`remsgate listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`);
});
