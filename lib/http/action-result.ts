import { isAppError, isDatabaseUnavailable, type FieldErrors, UNAVAILABLE_MESSAGE } from "../errors";
import { logger, logUnavailable } from "../logger";
import { assertNoHostileText } from "./hostile-text";

/** What a server action returns to its form: success, or a message with field-level errors. */
export type ActionResult<T = undefined> =
  | { ok: true; data?: T }
  | { ok: false; code: string; message: string; fields?: FieldErrors };

/**
 * The boundary check for a server action's arguments (objects, FormData, strings): throws a
 * VALIDATION error naming the first field holding a NUL, a lone surrogate or an unusable file name
 * (lib/http/hostile-text.ts). Arguments are named by their field, e.g. "lastName" or "items.2.note".
 */
export function checkActionInput(...args: unknown[]): void {
  for (const arg of args) assertNoHostileText(arg);
}

/** Only AppError messages reach users; anything else is logged with the request id. */
export function actionError(error: unknown, requestId?: string): ActionResult<never> {
  if (isAppError(error)) {
    return { ok: false, code: error.code, message: error.message, fields: error.details?.fields };
  }
  if (isDatabaseUnavailable(error)) {
    logUnavailable(error, requestId);
    return { ok: false, code: "UNAVAILABLE", message: UNAVAILABLE_MESSAGE };
  }
  logger.error({ err: error, requestId }, "server action failed");
  return {
    ok: false,
    code: "INTERNAL",
    message: `Something went wrong on our side and nothing was saved. Please try again${requestId ? ` (reference ${requestId.slice(0, 8)})` : ""}.`,
  };
}
