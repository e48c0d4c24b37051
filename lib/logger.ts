import pino from "pino";
import { isDatabaseUnavailable } from "./errors";

/** Structured logs. Never log passwords, tokens or patient data at info level. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  redact: {
    paths: ["password", "*.password", "passwordHash", "*.passwordHash", "token", "*.token"],
    censor: "[redacted]",
  },
  base: { app: "remsgate" },
  serializers: {
    // An outage fails every request the same way: one short line each, not a stack trace each.
    err: (error: unknown) =>
      isDatabaseUnavailable(error)
        ? { unavailable: true, ...shortReason(error) }
        : pino.stdSerializers.err(error as Error),
  },
});

/** The innermost error code and message, for a one-line log entry. */
function shortReason(error: unknown): { code?: string; reason: string } {
  let current: unknown = error;
  let code: string | undefined;
  let reason = "unknown";
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const e = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      err?: unknown;
      meta?: { driverAdapterError?: unknown };
    };
    if (typeof e.code === "string") code = e.code;
    if (typeof e.message === "string" && e.message.trim() !== "") reason = e.message.split("\n")[0] ?? reason;
    // Auth.js wraps the original as `cause.err`.
    current = e.meta?.driverAdapterError ?? e.cause ?? e.err;
  }
  return { code, reason: reason.slice(0, 200) };
}

/**
 * An outage (the database cannot be reached) is logged as one line without a stack trace: during a
 * restart every request fails the same way, and thousands of identical stack traces would bury
 * everything else.
 */
export function logUnavailable(error: unknown, requestId?: string): void {
  logger.warn({ requestId, ...shortReason(error) }, "database unavailable");
}
