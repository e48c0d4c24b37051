/**
 * POST /api/ncpdp/script over HTTP: the pharmacy's API key (the dispense API's keys; a suspended
 * pharmacy's keys are refused), the dispense API's per-key rate limit, an XML body of at most
 * SCRIPT_MAX_BYTES, and every answer — Error included — as a SCRIPT XML document. A browser session
 * is not a caller here: without an Authorization header the answer is 401.
 */
import { authenticateApiKey } from "../../dispensing/api-keys";
import { enforceDispenseRateLimit } from "../../dispensing/service";
import { env } from "../../env";
import { AppError, isAppError, isDatabaseUnavailable, UNAVAILABLE_MESSAGE } from "../../errors";
import { apiRequestId } from "../../http/api";
import { drainBody } from "../../labs/upload";
import { logger, logUnavailable } from "../../logger";
import { answerScriptMessage, appErrorAnswer, type ScriptAnswer, scriptErrorAnswer } from "./service";
import { SCRIPT_MAX_BYTES, ScriptReadError } from "./xml";

export const NCPDP_SCRIPT_PATH = "/api/ncpdp/script";

function tooLarge(): ScriptReadError {
  return new ScriptReadError(
    `The message is larger than ${SCRIPT_MAX_BYTES / 1024} KB, the most one SCRIPT message may be here. Nothing was read.`,
    413,
    "601",
  );
}

function isXmlType(request: Request): boolean {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/xml" || type === "text/xml" || /^application\/[\w.+-]+\+xml$/.test(type);
}

/** The body as UTF-8 text, refused past the limit: by Content-Length first, then by counting. */
async function readLimitedText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > SCRIPT_MAX_BYTES) {
    drainBody(request);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > SCRIPT_MAX_BYTES) {
        reader.releaseLock();
        drainBody(request);
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ScriptReadError("The message is not valid UTF-8 text.", 400);
  }
}

function xmlResponse(answer: ScriptAnswer, headers: Headers): Response {
  headers.set("content-type", "application/xml; charset=utf-8");
  headers.set("cache-control", "no-store");
  if (answer.replayed) headers.set("idempotent-replayed", "true");
  return new Response(answer.xml, { status: answer.status, headers });
}

export async function handleScriptRequest(request: Request): Promise<Response> {
  const requestId = apiRequestId(request);
  const registryId = env().NCPDP_REGISTRY_ID;
  const headers = new Headers({ "x-request-id": requestId });
  try {
    const authorization = request.headers.get("authorization");
    if (authorization === null) {
      throw new AppError("UNAUTHENTICATED", "Send your pharmacy's API key as Authorization: Bearer <key>.");
    }
    const caller = await authenticateApiKey(authorization, requestId);
    if (caller.kind !== "apiKey") throw new AppError("UNAUTHENTICATED", "Send your pharmacy's API key.");
    const limit = await enforceDispenseRateLimit(caller);
    headers.set("ratelimit-limit", String(limit.limit));
    headers.set("ratelimit-remaining", String(limit.remaining));
    if (!isXmlType(request)) {
      drainBody(request);
      throw new ScriptReadError("Send the SCRIPT message as XML with Content-Type: application/xml.", 415);
    }
    const text = await readLimitedText(request);
    return xmlResponse(await answerScriptMessage(caller, text, { registryId }), headers);
  } catch (error) {
    if (error instanceof ScriptReadError) {
      if (error.httpStatus === 413) headers.set("connection", "close");
      return xmlResponse(scriptErrorAnswer(error, { registryId, fallbackTo: null, now: new Date() }), headers);
    }
    if (isAppError(error)) {
      if (error.code === "UNAUTHENTICATED") headers.set("www-authenticate", "Bearer");
      const retryAfter = error.details?.retryAfterSeconds;
      if (typeof retryAfter === "number") headers.set("retry-after", String(retryAfter));
      return xmlResponse(appErrorAnswer(error, registryId), headers);
    }
    if (isDatabaseUnavailable(error)) {
      logUnavailable(error, requestId);
      headers.set("retry-after", "30");
      const failure = new ScriptReadError(UNAVAILABLE_MESSAGE, 503, "601");
      return xmlResponse(scriptErrorAnswer(failure, { registryId, fallbackTo: null, now: new Date() }), headers);
    }
    logger.error({ err: error, requestId }, "NCPDP SCRIPT message failed");
    const failure = new ScriptReadError(`Something went wrong on our side (reference ${requestId}).`, 500, "601");
    return xmlResponse(scriptErrorAnswer(failure, { registryId, fallbackTo: null, now: new Date() }), headers);
  }
}
