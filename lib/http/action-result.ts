import { isAppError, isDatabaseUnavailable, type FieldErrors, UNAVAILABLE_MESSAGE } from "../errors";
import { logger, logUnavailable } from "../logger";
import { assertNoHostileText, findHostileInFormData, hostileTextError } from "./hostile-text";

/** What a server action returns to its form: success, or a message with field-level errors. */
export type ActionResult<T = undefined> =
  | { ok: true; data?: T }
  | { ok: false; code: string; message: string; fields?: FieldErrors };

/**
 * FormData by shape as well as by class: the FormData a server action receives is built by the
 * framework, and a copy of the class from another realm or polyfill would slip past `instanceof`
 * and be walked as a plain object with no keys, i.e. not checked at all.
 */
function isFormDataLike(value: unknown): value is FormData {
  if (typeof FormData !== "undefined" && value instanceof FormData) return true;
  if (value === null || typeof value !== "object") return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.entries === "function" &&
    typeof candidate.getAll === "function" &&
    typeof candidate.append === "function" &&
    Object.prototype.toString.call(value) === "[object FormData]"
  );
}

/**
 * The boundary check for a server action's arguments (objects, FormData, strings): throws a
 * VALIDATION error naming the first field holding a NUL, a lone surrogate or an unusable file name
 * (lib/http/hostile-text.ts). Arguments are named by their field, e.g. "lastName" or "items.2.note".
 * Every exported server action calls it first, inside the try whose catch turns the error into the
 * form's result (lib/http/server-actions.test.ts holds every "use server" file to that).
 */
export function checkActionInput(...args: unknown[]): void {
  for (const arg of args) {
    if (isFormDataLike(arg)) {
      const found = findHostileInFormData(arg);
      if (found) throw hostileTextError(found);
      continue;
    }
    assertNoHostileText(arg);
  }
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
