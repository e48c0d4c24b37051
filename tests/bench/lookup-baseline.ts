/**
 * The lookup benchmark's baseline: GET /api/v1/programs/{code}/certifications?npi=… on a bare
 * node:http server with raw SQL through `pg` — no Next.js, no Prisma. It answers "what does the
 * framework cost?" for the public certification lookup.
 *
 * Per request it does what the app does (scripts/serve.ts, lib/http/api.ts, lib/lookup/service.ts,
 * lib/http/rate-limit.ts, the route's ETag), statement for statement:
 *   the client address (with TRUST_PROXY: the right-most X-Forwarded-For entry, else the socket's);
 *   the URL checked for hostile text; the rate-limit hit (the migration's rate_limit_hit, the same
 *   key "lookup-api:<address>" and limit); the query parsed with the same zod schema; the one
 *   lookup statement (lib/lookup/lookup-sql.ts: the programme and the party holding the
 *   identifier, with its enrollment), the same text and parameters as the app's; the same pure
 *   certificationAnswer; the same ETag, If-None-Match and Cache-Control; and, one request in a
 *   hundred, the clean-up of old rate-limit windows.
 *
 * `node --import tsx tests/bench/lookup-baseline.ts` with BENCH_DATABASE_URL, PORT,
 * LOOKUP_RATE_LIMIT_PER_MINUTE and TRUST_PROXY.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import pg from "pg";
import { etagOf, matchesIfNoneMatch } from "../../lib/http/etag";
import { findHostileInPath, findHostileInQuery } from "../../lib/http/hostile-text";
import { type CertificationAnswer, certificationAnswer, prescriberDisplayName } from "../../lib/lookup/rules";
import type { EnrollmentStatus } from "../../lib/generated/prisma/enums";
import { type CertificationLookupRow, certificationLookupSql, type EnrollmentJson } from "../../lib/lookup/lookup-sql";
import { ZCertificationQuery } from "../../lib/lookup/schema";

const url = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/remsgate_bench";
const port = Number(process.env.PORT ?? 3242);
const rateLimit = Number(process.env.LOOKUP_RATE_LIMIT_PER_MINUTE ?? 60);
const trustProxy = process.env.TRUST_PROXY === "true" || process.env.TRUST_PROXY === "1";
/** Same pool size as the app's PrismaPg adapter (lib/db/adapters.ts: max 10). */
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.BASELINE_POOL_SIZE ?? 10) });

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  extra: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    "x-request-id": requestId,
    ...extra,
  });
  res.end(text);
}

async function hitRateLimit(key: string, now: Date) {
  const windowMs = 60_000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const { rows } = await pool.query<{ count: number }>(`SELECT rate_limit_hit($1, $2::timestamptz) AS "count"`, [
    key,
    windowStart,
  ]);
  const count = Number(rows[0]?.count ?? 1);
  // Like the app, now and then drop windows that ended long ago.
  if (Math.random() < 0.01) {
    await pool.query(`DELETE FROM "RateLimitBucket" WHERE "windowStart" < $1`, [
      new Date(now.getTime() - Math.max(windowMs, 86_400_000)),
    ]);
  }
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
  return { allowed: count <= rateLimit, remaining: Math.max(0, rateLimit - count), retryAfterSeconds };
}

function enrollmentFrom(json: EnrollmentJson | null) {
  if (!json) return null;
  return {
    status: json.status as EnrollmentStatus,
    certificationNumber: json.certificationNumber,
    certifiedAt: json.certifiedAt ? new Date(json.certifiedAt) : null,
    expiresAt: json.expiresAt ? new Date(json.expiresAt) : null,
  };
}

async function lookup(code: string, query: Record<string, string>): Promise<CertificationAnswer> {
  const parsed = ZCertificationQuery.safeParse(query);
  const npi = parsed.success ? (parsed.data.npi ?? null) : null;
  const ncpdpId = parsed.success ? (parsed.data.ncpdpId ?? null) : null;
  const statement = certificationLookupSql(code.trim().toUpperCase(), npi, ncpdpId);
  const { rows } = await pool.query<CertificationLookupRow>(statement.text, statement.values);
  const row = rows[0];
  if (!row) throw new HttpError(404, "NOT_FOUND", `There is no programme with the code "${code}".`);
  if (!parsed.success) throw new HttpError(400, "BAD_REQUEST", "Check the identifier.");
  if ((npi === null) === (ncpdpId === null)) {
    throw new HttpError(400, "BAD_REQUEST", "Give exactly one of the query parameters npi or ncpdpId.");
  }
  const pharmacy = row.pharmacyByNpi ?? row.pharmacyByNcpdp;
  const answer = row.prescriber
    ? certificationAnswer({
        kind: "prescriber",
        name: prescriberDisplayName(row.prescriber),
        enrollment: enrollmentFrom(row.prescriber.enrollment),
      })
    : pharmacy
      ? certificationAnswer({ kind: "pharmacy", name: pharmacy.name, enrollment: enrollmentFrom(pharmacy.enrollment) })
      : row.setting
        ? certificationAnswer({
            kind: "healthcareSetting",
            name: row.setting.name,
            remsId: row.setting.remsId,
            enrollment: enrollmentFrom(row.setting.enrollment),
          })
        : null;
  if (!answer || (answer.kind === "prescriber" && !answer.certified)) {
    throw new HttpError(404, "NOT_FOUND", "No certified party has this identifier.");
  }
  return answer;
}

function clientAddress(req: IncomingMessage): string {
  const socket = req.socket.remoteAddress ?? "unknown";
  if (!trustProxy) return socket;
  const forwarded = String(req.headers["x-forwarded-for"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return forwarded.at(-1) ?? socket;
}

const ROUTE = /^\/api\/v1\/programs\/([^/?]+)\/certifications(?:\?(.*))?$/;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = String(req.headers["x-request-id"] ?? "") || randomUUID();
  try {
    const target = req.url ?? "/";
    if (target === "/api/health") {
      await pool.query("SELECT 1");
      sendJson(res, 200, { status: "ok" }, requestId);
      return;
    }
    const match = req.method === "GET" ? ROUTE.exec(target) : null;
    if (!match) throw new HttpError(404, "NOT_FOUND", "Not found");
    const queryAt = target.indexOf("?");
    const hostile =
      findHostileInPath(queryAt === -1 ? target : target.slice(0, queryAt)) ??
      (queryAt === -1 ? null : findHostileInQuery(target.slice(queryAt + 1)));
    if (hostile) throw new HttpError(400, "BAD_REQUEST", hostile.message);
    const limit = await hitRateLimit(`lookup-api:${clientAddress(req)}`, new Date());
    if (!limit.allowed) {
      throw new HttpError(429, "RATE_LIMITED", "Too many lookups from your address.", {
        "retry-after": String(limit.retryAfterSeconds),
      });
    }
    const params = Object.fromEntries(new URLSearchParams(match[2] ?? ""));
    const answer = await lookup(decodeURIComponent(match[1] ?? ""), params);
    const body = JSON.stringify(answer);
    const etag = etagOf(body);
    const headers = {
      etag,
      "cache-control": "no-cache",
      vary: "accept-encoding",
      "x-request-id": requestId,
      "ratelimit-limit": String(rateLimit),
      "ratelimit-remaining": String(limit.remaining),
    };
    if (matchesIfNoneMatch(String(req.headers["if-none-match"] ?? "") || null, etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, "content-type": "application/json" });
    res.end(body);
  } catch (error) {
    if (error instanceof HttpError) {
      sendJson(res, error.status, { error: { code: error.code, message: error.message } }, requestId, error.headers);
      return;
    }
    console.error(error);
    sendJson(res, 500, { error: { code: "INTERNAL", message: "Something went wrong" } }, requestId);
  }
}

const server = createServer((req, res) => void handle(req, res));
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => console.log(`lookup baseline listening on http://127.0.0.1:${port}`));

function stop() {
  server.close();
  void pool.end().finally(() => process.exit(0));
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
