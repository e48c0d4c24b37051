/**
 * Answers the production server (scripts/serve.ts) gives itself, without Next's router: the public
 * certification lookup (GET/HEAD /api/v1/programs/{code}/certifications), which is unauthenticated,
 * read-only, rate-limited per address and called far more often than anything else that is not the
 * dispense gate. Through Next's route pipeline it cost about 0.7 ms of CPU per request around two
 * statements that cost 0.1 ms (docs/benchmarks.md, "Certification lookup").
 *
 * The answer is lib/lookup/http.ts, the same function the Next.js route handler calls, so the two
 * cannot drift apart; what is added here is what Next would add: the security headers every answer
 * carries (lib/http/security-headers.ts, the same list next.config.mts gives Next) and no body for
 * HEAD. The checks scripts/serve.ts makes before any route (hostile bytes in the address, the
 * client's real address, the request id, HSTS, draining) have already run.
 * tests/integration/lookup-entry-points.test.ts compares this path with the route handler's.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { apiErrorHttpAnswer, type HttpAnswer } from "./api";
import { clientIpFrom } from "./client-ip";
import { EVERY_ANSWER_HEADERS, NO_SCRIPT_CONTENT_SECURITY_POLICY } from "./security-headers";

const CERTIFICATION_LOOKUP = /^\/api\/v1\/programs\/([^/]+)\/certifications$/;

// Loaded on the first lookup: a server that never answers one does not load the lookup service.
let lookupModule: Promise<typeof import("../lookup/http")> | undefined;

function write(req: IncomingMessage, res: ServerResponse, answer: HttpAnswer): void {
  res.statusCode = answer.status;
  for (const { key, value } of EVERY_ANSWER_HEADERS) res.setHeader(key, value);
  res.setHeader("content-security-policy", NO_SCRIPT_CONTENT_SECURITY_POLICY);
  for (const name in answer.headers) res.setHeader(name, answer.headers[name] as string);
  if (answer.body === null) {
    res.end();
    return;
  }
  res.setHeader("content-length", Buffer.byteLength(answer.body));
  res.end(req.method === "HEAD" ? undefined : answer.body);
}

async function lookup(
  req: IncomingMessage,
  res: ServerResponse,
  code: string,
  query: string,
  requestId: string,
): Promise<void> {
  let answer: HttpAnswer;
  try {
    lookupModule ??= import("../lookup/http");
    const { answerCertificationLookup } = await lookupModule;
    answer = await answerCertificationLookup({
      code,
      query: Object.fromEntries(new URLSearchParams(query)),
      ip: clientIpFrom(req.headers["x-real-ip"]),
      ifNoneMatch: req.headers["if-none-match"] ?? null,
      requestId,
    });
  } catch (error) {
    // answerCertificationLookup answers every failure itself; this is only for one it could not.
    lookupModule = undefined;
    answer = apiErrorHttpAnswer(error, requestId);
  }
  if (!res.headersSent && !res.destroyed) write(req, res, answer);
}

/**
 * Answers the request when it is one of the fast routes and returns true; false leaves it to Next.
 * `requestId` is the one scripts/serve.ts gave the request; X-Real-IP is the address it set.
 */
export function serveFastRoute(req: IncomingMessage, res: ServerResponse, requestId: string): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const url = req.url ?? "/";
  const queryAt = url.indexOf("?");
  const match = CERTIFICATION_LOOKUP.exec(queryAt === -1 ? url : url.slice(0, queryAt));
  if (!match) return false;
  let code: string;
  try {
    code = decodeURIComponent(match[1] ?? "");
  } catch {
    return false; // not valid percent-encoding: Next answers it as it answers any such path
  }
  void lookup(req, res, code, queryAt === -1 ? "" : url.slice(queryAt + 1), requestId);
  return true;
}
