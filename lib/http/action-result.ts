import { isAppError, type FieldErrors } from "../errors";
import { logger } from "../logger";

/** What a server action returns to its form: success, or a message with field-level errors. */
export type ActionResult<T = undefined> =
  | { ok: true; data?: T }
  | { ok: false; code: string; message: string; fields?: FieldErrors };

/** Only AppError messages reach users; anything else is logged with the request id. */
export function actionError(error: unknown, requestId?: string): ActionResult<never> {
  if (isAppError(error)) {
    return { ok: false, code: error.code, message: error.message, fields: error.details?.fields };
  }
  logger.error({ err: error, requestId }, "server action failed");
  return {
    ok: false,
    code: "INTERNAL",
    message: `Something went wrong on our side and nothing was saved. Please try again${requestId ? ` (reference ${requestId.slice(0, 8)})` : ""}.`,
  };
}
