/**
 * Serves Next.js route handlers (the modules under app/**\/route.ts) on an ephemeral 127.0.0.1
 * port with node:http, so tests exercise them over real HTTP with fetch: status codes, headers and
 * bodies as a client sees them. Each request becomes a NextRequest, the handler gets
 * `{ params: Promise.resolve({...}) }` from the matched pattern, and its Response is written back.
 * There is no proxy.ts and no Next request scope (no cookies()/headers()); routes that need a
 * session are out of its reach.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type Method = (typeof METHODS)[number];

type RouteHandler = (request: NextRequest, context: { params: Promise<never> }) => Response | Promise<Response>;

/** A route module as imported (`import * as route from "@/app/…/route"`); other exports are ignored. */
export type RouteModule = Partial<Record<Method, RouteHandler>>;

export interface ServedRoutes {
  /** http://127.0.0.1:<port>, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

interface CompiledRoute {
  segments: string[];
  module: RouteModule;
}

/** "/api/v1/things/[id]" matched against a pathname: the params, or null. */
function match(segments: readonly string[], pathname: string): Record<string, string> | null {
  const parts = pathname.split("/").filter(Boolean);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const part = parts[index] ?? "";
    const name = /^\[(\w+)\]$/.exec(segment)?.[1];
    if (name) {
      // Next answers 400 to a path that is not valid percent-encoded UTF-8; so does this server.
      try {
        params[name] = decodeURIComponent(part);
      } catch {
        throw new MalformedPath();
      }
    } else if (segment !== part) return null;
  }
  return params;
}

class MalformedPath extends Error {}

async function readBody(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

async function toRequest(message: IncomingMessage, origin: string): Promise<NextRequest> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = message.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(message);
  return new NextRequest(new URL(message.url ?? "/", origin), {
    method,
    headers,
    body: body && body.length > 0 ? new Uint8Array(body) : undefined,
  });
}

async function writeResponse(response: Response, out: ServerResponse, head: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  const body = head ? null : Buffer.from(await response.arrayBuffer());
  out.writeHead(response.status, headers);
  out.end(body ?? undefined);
}

function plain(out: ServerResponse, status: number, text: string): void {
  out.writeHead(status, { "content-type": "text/plain" });
  out.end(text);
}

/**
 * Serves `routes` (pattern → route module), e.g.
 * `{ "/api/v1/things": collection, "/api/v1/things/[id]": item }`. Close it in afterAll.
 */
export async function serveRoutes(routes: Record<string, RouteModule>): Promise<ServedRoutes> {
  const compiled: CompiledRoute[] = Object.entries(routes).map(([pattern, module]) => ({
    segments: pattern.split("/").filter(Boolean),
    module,
  }));
  let origin = "";

  const server = createServer((message, out) => {
    void (async () => {
      try {
        const pathname = new URL(message.url ?? "/", origin).pathname;
        for (const route of compiled) {
          const params = match(route.segments, pathname);
          if (!params) continue;
          const method = (message.method ?? "GET").toUpperCase() as Method;
          const handler = route.module[method] ?? (method === "HEAD" ? route.module.GET : undefined);
          if (!handler) {
            const allowed = METHODS.filter((m) => route.module[m]).join(", ");
            out.setHeader("allow", allowed);
            plain(out, 405, "Method Not Allowed");
            return;
          }
          const request = await toRequest(message, origin);
          const response = await handler(request, { params: Promise.resolve(params) as Promise<never> });
          await writeResponse(response, out, method === "HEAD");
          return;
        }
        plain(out, 404, "No route");
      } catch (error) {
        if (error instanceof MalformedPath) {
          plain(out, 400, "Bad Request");
          return;
        }
        // A handler that throws instead of answering is a bug the test should see as a 500.
        plain(out, 500, `Unhandled error in route handler: ${error instanceof Error ? error.stack : String(error)}`);
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
