/**
 * The production server: Next.js behind a thin node:http wrapper. It
 * - tells the app the client's real address: it overwrites X-Real-IP with the socket's address (or,
 *   with TRUST_PROXY=true, the address the nearest proxy reports) so that nobody can choose the
 *   address the sign-in throttle counts by sending a header;
 * - gives every request an id (X-Request-Id) when the caller sent none, for the routes proxy.ts
 *   does not run for (the JSON API and the lab import);
 * - refuses a URL whose path or query is not valid percent-encoded UTF-8 or holds a NUL or a lone
 *   surrogate (lib/http/hostile-text.ts) with 400, before Next, which otherwise fails on some of
 *   them with a plain-text 500;
 * - refuses a POST to a page (a server action, with or without its `Next-Action` header) sent from
 *   another site (lib/http/cross-site.ts) with 403, before Next, whose own check answers 500;
 * - answers the public certification lookup itself, without Next's router (lib/http/fast-routes.ts:
 *   the same answer as its route handler, at a fraction of the CPU);
 * - sends Strict-Transport-Security when the registry is reached over HTTPS (APP_URL https, or
 *   X-Forwarded-Proto https from a trusted proxy). The other security headers come from proxy.ts
 *   (pages) and next.config.mts;
 * - logs each request as one JSON line with its request id (debug level; 5xx answers other than
 *   an outage's 503 and slow requests at warn), path without the query string, which may hold
 *   names or identifiers;
 * - keeps idle keep-alive connections open for 65 s, longer than a load balancer in front keeps them;
 * - shuts down gracefully on SIGTERM or SIGINT: stops accepting, answers new requests on open
 *   connections with 503, lets requests in flight finish and the background jobs stop, then exits
 *   (SHUTDOWN_TIMEOUT_MS, default 25 s, bounds the wait).
 */
import { randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import next from "next";
import { isCrossSite } from "../lib/http/cross-site";
import { serveFastRoute } from "../lib/http/fast-routes";
import { findHostileInPath, findHostileInQuery, type HostileText } from "../lib/http/hostile-text";
import { STRICT_TRANSPORT_SECURITY, servedOverHttps } from "../lib/http/security-headers";
import { logger } from "../lib/logger";
import { exitOnUnsupportedNode } from "../lib/runtime/server-node-args";

exitOnUnsupportedNode();

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME ?? "0.0.0.0";
const trustProxy = process.env.TRUST_PROXY === "true" || process.env.TRUST_PROXY === "1";
const appUrl = process.env.APP_URL ?? `http://localhost:${port}`;
const shutdownTimeoutMs = Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 25_000);
const SLOW_REQUEST_MS = 2_000;
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();

function hostileUrl(url: string): HostileText | null {
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  return findHostileInPath(path) ?? (queryAt === -1 ? null : findHostileInQuery(url.slice(queryAt + 1)));
}

interface Refusal {
  status: 400 | 403;
  code: string;
  title: string;
  message: string;
  fields?: Record<string, string[]>;
}

function refuse(
  res: ServerResponse,
  url: string,
  accept: string | undefined,
  refusal: Refusal,
  requestId: string,
): void {
  res.setHeader("x-request-id", requestId);
  res.setHeader("cache-control", "no-store");
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("content-security-policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
  // Pages (a browser navigating) get a page; the API, the import route and other clients the JSON error shape.
  if (url.startsWith("/api/") || !String(accept ?? "").includes("text/html")) {
    res.writeHead(refusal.status, { "content-type": "application/json" });
    const { code, message, fields } = refusal;
    res.end(JSON.stringify({ error: fields ? { code, message, fields } : { code, message } }));
    return;
  }
  res.writeHead(refusal.status, { "content-type": "text/html; charset=utf-8" });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${refusal.title} · remsgate</title></head><body><main><h1>${refusal.title}</h1><p>${refusal.message.replace(/[<>&"]/g, "")}</p><p><a href="/">Go to the home page</a></p></main></body></html>`,
  );
}

function badUrl(found: HostileText): Refusal {
  const message = `The address is not valid: ${found.field === "path" ? "the path" : `the query parameter "${found.field.slice(1)}"`} ${found.message.charAt(0).toLowerCase()}${found.message.slice(1)}`;
  return {
    status: 400,
    code: "BAD_REQUEST",
    title: "This address is not valid",
    message,
    fields: { [found.field]: [found.message] },
  };
}

/** Route handlers check their own callers (lib/http/same-origin.ts); every other POST is a server action. */
function isServerActionPost(method: string | undefined, url: string): boolean {
  return method === "POST" && !url.startsWith("/api/") && !url.startsWith("/prescriber/labs/imports");
}

const CROSS_SITE_ACTION: Refusal = {
  status: 403,
  code: "FORBIDDEN",
  title: "This request was refused",
  message: "This request came from another website and was refused. Use the registry's own pages to make changes.",
};

/** Answers on connections still open while the server drains. */
function refuseWhileDraining(res: ServerResponse, requestId: string): void {
  res.writeHead(503, {
    "content-type": "application/json",
    "retry-after": "5",
    connection: "close",
    "cache-control": "no-store",
    "x-request-id": requestId,
  });
  res.end(
    JSON.stringify({
      error: { code: "UNAVAILABLE", message: "This server is restarting. Try again in a few seconds." },
    }),
  );
}

let draining = false;
let inFlight = 0;

await app.prepare();
const server = createServer((req, res) => {
  const started = performance.now();
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
  if (draining) {
    refuseWhileDraining(res, requestId);
    return;
  }
  inFlight++;
  res.once("close", () => {
    inFlight--;
    const ms = Math.round(performance.now() - started);
    const entry = { requestId, method: req.method, path: url.split("?")[0], status: res.statusCode, ms };
    // 503 is the outage answer, already logged once per failure by the app: not again here.
    if ((res.statusCode >= 500 && res.statusCode !== 503) || ms >= SLOW_REQUEST_MS) logger.warn(entry, "request");
    else logger.debug(entry, "request");
  });
  if (servedOverHttps(appUrl, String(req.headers["x-forwarded-proto"] ?? ""), trustProxy)) {
    res.setHeader("strict-transport-security", STRICT_TRANSPORT_SECURITY);
  }
  const hostile = hostileUrl(url);
  if (hostile) {
    refuse(res, url, req.headers.accept, badUrl(hostile), requestId);
    return;
  }
  if (isServerActionPost(req.method, url)) {
    const forwardedHost = trustProxy
      ? String(req.headers["x-forwarded-host"] ?? "")
          .split(",")[0]
          ?.trim()
      : "";
    const source = {
      origin: req.headers.origin ?? null,
      secFetchSite: String(req.headers["sec-fetch-site"] ?? "") || null,
      host: forwardedHost || req.headers.host || null,
    };
    if (isCrossSite(source, appUrl)) {
      refuse(res, url, req.headers.accept, CROSS_SITE_ACTION, requestId);
      return;
    }
  }
  if (serveFastRoute(req, res, requestId)) return;
  void handle(req, res);
});
// A load balancer keeps idle connections to the app open (nginx's upstream keepalive: 60 s; cloud
// load balancers: 60 s) and sends the next request on one at any moment. If the app closed an idle
// connection first (Node's default: after 5 s), a request sent at that instant would be lost — the
// balancer answers 502 and does not retry a POST. So the app keeps idle connections longer than
// the balancer does, and the balancer is the one to close them.
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
server.listen(port, hostname, () => {
  console.log(`remsgate listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`);
});

async function shutdown(signal: string): Promise<void> {
  if (draining) return;
  draining = true;
  logger.info({ signal, inFlight }, "shutting down: no new connections; finishing requests in flight");
  const deadline = setTimeout(() => {
    logger.error({ inFlight, timeoutMs: shutdownTimeoutMs }, "shutdown timed out; exiting with requests in flight");
    process.exit(1);
  }, shutdownTimeoutMs);
  deadline.unref();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Idle keep-alive connections would hold close() open; requests in flight end theirs when done.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  server.closeIdleConnections();
  await closed;
  clearInterval(sweep);
  // Loaded only now: the jobs' modules (and their database client) are not needed before.
  const { stopBackgroundJobs } = await import("../lib/jobs/scheduler");
  await stopBackgroundJobs().catch((error: unknown) =>
    logger.warn({ err: error }, "background jobs did not stop cleanly"),
  );
  logger.info({ signal }, "shut down cleanly");
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
