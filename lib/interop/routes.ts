/**
 * Shared by the CDS Hooks and FHIR route handlers: the caller, the body, and errors in each
 * protocol's own shape — the API error JSON for CDS Hooks (the specification defines none; 412 when
 * prefetch is missing), an OperationOutcome for FHIR. Never a 5xx for anything the caller sent.
 */
import { isAppError, isDatabaseUnavailable } from "../errors";
import { apiError, apiJson, handleApi } from "../http/api";
import { logger } from "../logger";
import { authenticateInteropCaller, audiencesFor, type InteropCaller } from "./auth";
import { readInteropJson } from "./http";

export interface InteropContext {
  caller: InteropCaller;
  requestId: string;
  body: unknown;
}

/** A CDS Hooks POST: authenticated by JWT (aud = this service's URL, or /cds-services). */
export function handleCdsRoute(request: Request, run: (context: InteropContext) => Promise<unknown>) {
  return handleApi(request, async (requestId) => {
    try {
      const caller = await authenticateInteropCaller(request, requestId, {
        audiences: audiencesFor(new URL(request.url).pathname, "/cds-services"),
        allowApiKey: false,
      });
      const body = await readInteropJson(request);
      return apiJson(await run({ caller, requestId, body }), { requestId });
    } catch (error) {
      const headers = new Headers();
      if (isAppError(error) && error.code === "UNAUTHENTICATED") headers.set("www-authenticate", "Bearer");
      return apiError(error, requestId, headers);
    }
  });
}

const OUTCOME_CODES: Record<number, string> = {
  400: "invalid",
  401: "login",
  403: "forbidden",
  404: "not-found",
  413: "too-costly",
  429: "throttled",
  503: "transient",
};

export function operationOutcome(status: number, diagnostics: string, expression?: string) {
  return {
    resourceType: "OperationOutcome",
    issue: [
      {
        severity: status >= 500 ? "fatal" : "error",
        code: OUTCOME_CODES[status] ?? (status >= 500 ? "exception" : "processing"),
        diagnostics,
        ...(expression ? { expression: [expression] } : {}),
      },
    ],
  };
}

export function fhirJson(body: unknown, status: number, requestId: string, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/fhir+json; charset=utf-8");
  h.set("cache-control", "no-store");
  h.set("x-request-id", requestId);
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** A thrown value as an OperationOutcome response. */
export function fhirError(error: unknown, requestId: string): Response {
  if (isAppError(error)) {
    const headers = new Headers();
    if (error.code === "UNAUTHENTICATED") headers.set("www-authenticate", "Bearer");
    const field = Object.keys(error.details?.fields ?? {})[0];
    return fhirJson(
      operationOutcome(error.status, error.message, field || undefined),
      error.status,
      requestId,
      headers,
    );
  }
  if (isDatabaseUnavailable(error)) {
    return fhirJson(
      operationOutcome(503, "The registry is temporarily unavailable; retry in a minute."),
      503,
      requestId,
      {
        "retry-after": "30",
      },
    );
  }
  logger.error({ err: error, requestId }, "FHIR operation failed");
  return fhirJson(operationOutcome(500, `Something went wrong on our side (reference ${requestId}).`), 500, requestId);
}

/** A FHIR operation POST: a CDS Hooks-style JWT (aud = this URL, or /fhir) or a pharmacy API key. */
export async function handleFhirRoute(request: Request, run: (context: InteropContext) => Promise<Response>) {
  return handleApi(request, async (requestId) => {
    try {
      const caller = await authenticateInteropCaller(request, requestId, {
        audiences: audiencesFor(new URL(request.url).pathname, "/fhir"),
        allowApiKey: true,
      });
      const body = await readInteropJson(request);
      return await run({ caller, requestId, body });
    } catch (error) {
      return fhirError(error, requestId);
    }
  });
}
