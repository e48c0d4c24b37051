/**
 * Shared by the dispense-authorization route handlers (app/api/v1/dispense-authorizations/…): who
 * is calling (an API key, or else a signed-in pharmacist), the per-caller rate limit and its
 * headers, the JSON body, and the error shape with `WWW-Authenticate` on 401.
 */
import { AppError, isAppError } from "../errors";
import { apiError, handleApi } from "../http/api";
import { API_MAX_BODY_BYTES, readBodyText } from "../http/body";
import { findHostileText, hostileTextError, hostileTextProblem } from "../http/hostile-text";
import { authenticateApiKey } from "./api-keys";
import { callerFromActor, type DispenseCaller } from "./caller";
import { enforceDispenseRateLimit } from "./service";
import { isUuid } from "../identifiers/uuid";

export const DISPENSE_API_PATH = "/api/v1/dispense-authorizations";

function unauthenticated(): AppError {
  return new AppError(
    "UNAUTHENTICATED",
    "Send your pharmacy's API key as Authorization: Bearer <key>, or sign in as a pharmacist.",
  );
}

/** Auth.js names its cookie `authjs.session-token` (with a `__Secure-` prefix over HTTPS). */
function hasSessionCookie(request: Request): boolean {
  const cookie = request.headers.get("cookie") ?? "";
  return cookie.split(";").some((part) => part.split("=")[0]?.trim().endsWith("authjs.session-token"));
}

/**
 * The caller: an `Authorization` header is always an API key (never falls back to the session, so a
 * bad key is a 401 even in a signed-in browser); without one, the signed-in pharmacist. The session
 * machinery is loaded only when a session cookie is present: requests without one need no
 * database round trip to be refused.
 */
export async function resolveDispenseCaller(request: Request, requestId: string): Promise<DispenseCaller> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) return authenticateApiKey(authorization, requestId);
  if (!hasSessionCookie(request)) throw unauthenticated();
  const { getActor } = await import("../auth/session");
  const actor = await getActor();
  if (!actor) throw unauthenticated();
  return callerFromActor(actor);
}

export interface DispenseContext {
  caller: DispenseCaller;
  requestId: string;
  /** RateLimit-* headers; add more and pass them to apiJson. */
  headers: Headers;
}

/**
 * Runs a dispense route: resolves the caller, counts the request against the caller's rate limit,
 * then runs the handler. Errors become the API error shape; a 401 carries `WWW-Authenticate:
 * Bearer` and a 429 `Retry-After` (lib/http/api.ts).
 */
export function handleDispenseApi(request: Request, run: (context: DispenseContext) => Promise<Response>) {
  return handleApi(request, async (requestId) => {
    const headers = new Headers();
    try {
      const caller = await resolveDispenseCaller(request, requestId);
      const limit = await enforceDispenseRateLimit(caller);
      headers.set("ratelimit-limit", String(limit.limit));
      headers.set("ratelimit-remaining", String(limit.remaining));
      return await run({ caller, requestId, headers });
    } catch (error) {
      if (isAppError(error) && error.code === "UNAUTHENTICATED") headers.set("www-authenticate", "Bearer");
      return apiError(error, requestId, headers);
    }
  });
}

/**
 * The request body as JSON: PAYLOAD_TOO_LARGE past API_MAX_BODY_BYTES (read no further);
 * BAD_REQUEST unless the content type is JSON, the bytes are UTF-8 and the body parses;
 * VALIDATION naming the field when a string holds a NUL or a lone surrogate (lib/http/hostile-text.ts).
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && !/^application\/[\w.+-]+\+json$/.test(type)) {
    throw new AppError("BAD_REQUEST", "Send the body as JSON with Content-Type: application/json.");
  }
  const text = await readBodyText(request, API_MAX_BODY_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new AppError("BAD_REQUEST", "The request body is not valid JSON.");
  }
  const hostile = findHostileText(body);
  if (hostile) throw hostileTextError(hostile);
  return body;
}

/**
 * The `{id}` path segment. Anything that is not a UUID cannot name an authorization, so it is
 * answered like an unknown one (404) rather than reaching the database.
 */
export async function authorizationIdParam(params: Promise<{ id: string }>): Promise<string> {
  const { id } = await params;
  const problem = hostileTextProblem(id);
  if (problem) throw hostileTextError({ field: "id", message: problem }, "BAD_REQUEST");
  if (!isUuid(id)) throw new AppError("NOT_FOUND", "There is no dispense authorization with this id.");
  return id.toLowerCase();
}

export function authorizationLocation(id: string): string {
  return `${DISPENSE_API_PATH}/${id}`;
}
