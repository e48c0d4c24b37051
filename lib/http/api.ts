/**
 * Helpers for JSON route handlers (the public API and document downloads): one error shape,
 * `{ "error": { "code", "message", "fields"? } }`, one map from AppError code to HTTP status
 * (lib/errors.ts), and the request id on every response so a caller can quote it.
 */
import { randomUUID } from "node:crypto";
import {
  AppError,
  ERROR_STATUS,
  type FieldErrors,
  isAppError,
  isDatabaseUnavailable,
  UNAVAILABLE_MESSAGE,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
} from "../errors";
import { logger, logUnavailable } from "../logger";
import { findHostileInPath, findHostileInQuery, hostileTextError } from "./hostile-text";

export interface ApiErrorBody {
  /** `reasons`: the dispense gate's reason codes when a confirmation is refused (AUTHORIZATION_REVOKED). */
  error: { code: string; message: string; fields?: FieldErrors; reasons?: unknown[] };
}

/** The id the caller (or a proxy in front of the app) gave this request, or a new one. */
export function apiRequestId(request: Request): string {
  return request.headers.get("x-request-id") ?? randomUUID();
}

/** A JSON answer that is never cached and names the request. */
export function apiJson(body: unknown, init: { status?: number; requestId: string; headers?: HeadersInit }): Response {
  const headers = new Headers(init.headers);
  headers.set("x-request-id", init.requestId);
  headers.set("cache-control", "no-store");
  return Response.json(body, { status: init.status ?? 200, headers });
}

/** An API error as status, extra headers and body, before it becomes a Response (see apiError). */
export interface ApiErrorAnswer {
  status: number;
  /** Retry-After for RATE_LIMITED and UNAVAILABLE, on top of the headers the caller passed. */
  headers: Headers;
  body: ApiErrorBody;
}

/**
 * Maps a thrown value to the API error shape. AppError messages are meant for users; anything else
 * is logged with the request id and answered with a generic 500 that quotes the id.
 */
export function apiErrorAnswer(error: unknown, requestId: string, headers?: HeadersInit): ApiErrorAnswer {
  if (isAppError(error)) {
    const body: ApiErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details?.fields) body.error.fields = error.details.fields;
    if (Array.isArray(error.details?.reasons)) body.error.reasons = error.details.reasons;
    const extra = new Headers(headers);
    const retryAfter = error.details?.retryAfterSeconds;
    if ((error.code === "RATE_LIMITED" || error.code === "UNAVAILABLE") && typeof retryAfter === "number") {
      extra.set("retry-after", String(retryAfter));
    }
    return { status: ERROR_STATUS[error.code], headers: extra, body };
  }
  if (isDatabaseUnavailable(error)) {
    logUnavailable(error, requestId);
    return apiErrorAnswer(unavailable(), requestId, headers);
  }
  logger.error({ err: error, requestId }, "route handler failed");
  const body: ApiErrorBody = {
    error: { code: "INTERNAL", message: `Something went wrong on our side (reference ${requestId}).` },
  };
  return { status: ERROR_STATUS.INTERNAL, headers: new Headers(headers), body };
}

/** An answer as status, headers and body, for code that writes it without Next (lib/http/fast-routes.ts). */
export interface HttpAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** null: no body (304). */
  body: string | null;
}

/** An HttpAnswer as a fetch Response (for a Next.js route handler). */
export function toResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** apiErrorAnswer as an HttpAnswer, with the headers apiJson gives it. */
export function apiErrorHttpAnswer(error: unknown, requestId: string): HttpAnswer {
  const failure = apiErrorAnswer(error, requestId);
  const headers: Record<string, string> = {};
  failure.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers["content-type"] = "application/json";
  headers["cache-control"] = "no-store";
  headers["x-request-id"] = requestId;
  return { status: failure.status, headers, body: JSON.stringify(failure.body) };
}

/** apiErrorAnswer as a Response: JSON, never cached, naming the request. */
export function apiError(error: unknown, requestId: string, headers?: HeadersInit): Response {
  const answer = apiErrorAnswer(error, requestId, headers);
  return apiJson(answer.body, { status: answer.status, requestId, headers: answer.headers });
}

/**
 * The query string and path segments, checked as they arrived (lib/http/hostile-text.ts): a NUL,
 * a lone surrogate or bad percent-encoding is a 400 naming the parameter, before any handler runs.
 */
function checkRequestUrl(request: Request): void {
  const url = request.url;
  const queryAt = url.indexOf("?");
  const hashAt = url.indexOf("#");
  const pathEnd = queryAt === -1 ? (hashAt === -1 ? url.length : hashAt) : queryAt;
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  const found =
    (pathStart !== -1 && pathStart < pathEnd ? findHostileInPath(url.slice(pathStart, pathEnd)) : null) ??
    (queryAt === -1 ? null : findHostileInQuery(url.slice(queryAt + 1, hashAt === -1 ? url.length : hashAt)));
  if (found) throw hostileTextError(found, "BAD_REQUEST");
}

/** Runs a handler body and turns any error into the API error shape. */
export async function handleApi(request: Request, run: (requestId: string) => Promise<Response>): Promise<Response> {
  const requestId = apiRequestId(request);
  try {
    checkRequestUrl(request);
    const response = await run(requestId);
    try {
      if (!response.headers.has("x-request-id")) response.headers.set("x-request-id", requestId);
    } catch {
      // Redirect responses have immutable headers; proxy.ts already names the request there.
    }
    return response;
  } catch (error) {
    return apiError(error, requestId);
  }
}

/** A RATE_LIMITED error that carries the seconds until the caller may try again (Retry-After). */
export function rateLimited(message: string, retryAfterSeconds: number): AppError {
  return new AppError("RATE_LIMITED", message, { retryAfterSeconds });
}

/** An UNAVAILABLE error (503 with Retry-After): the database cannot be reached right now. */
export function unavailable(): AppError {
  return new AppError("UNAVAILABLE", UNAVAILABLE_MESSAGE, { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS });
}
