/** Errors whose message is safe to show to the user; anything else is logged and shown generically. */
export const ERROR_STATUS = {
  VALIDATION: 422,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LOCKED: 423,
  RATE_LIMITED: 429,
  ILLEGAL_TRANSITION: 409,
  /** A dispense confirmation under an authorization that no longer stands (details.reasons). */
  AUTHORIZATION_REVOKED: 409,
  PAYLOAD_TOO_LARGE: 413,
  /** CDS Hooks: the service needs data (prefetch) the request neither sent nor lets it fetch. */
  PRECONDITION_FAILED: 412,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { fields?: FieldErrors; [key: string]: unknown },
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Field-level messages from a zod error, keyed by dotted path ("" for form-level). */
export function fieldErrorsFromZod(error: { issues: { path: PropertyKey[]; message: string }[] }): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    const list = fields[key] ?? [];
    list.push(issue.message);
    fields[key] = list;
  }
  return fields;
}

/** Seconds a caller is asked to wait (Retry-After) while the database is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 30;

export const UNAVAILABLE_MESSAGE =
  "The registry is temporarily unavailable (its database cannot be reached). Nothing was saved; try again in a minute.";

/** PostgreSQL SQLSTATE classes and codes that mean "the server is not there right now", not "your query is wrong". */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
/** Node socket errors on connect or mid-query. */
const UNAVAILABLE_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);
/** Prisma's codes for "cannot reach / timed out / pool exhausted / server closed the connection". */
const UNAVAILABLE_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNAVAILABLE_MESSAGES = [
  "Connection terminated",
  "connect ECONNREFUSED",
  "Can't reach database server",
  "Connection refused",
  "terminating connection due to administrator command",
  "the database system is starting up",
  "the database system is shutting down",
  "the database system is in recovery mode",
  "timeout exceeded when trying to connect",
  "Timed out fetching a new connection from the connection pool",
  "Client has encountered a connection error",
  "Connection closed",
  "DatabaseNotReachable",
  "SocketTimeout",
];

function isUnavailableCode(code: unknown): boolean {
  if (typeof code !== "string") return false;
  return (
    UNAVAILABLE_SQLSTATES.has(code) ||
    code.startsWith("08") ||
    UNAVAILABLE_ERRNOS.has(code) ||
    UNAVAILABLE_PRISMA.has(code)
  );
}

/**
 * Whether an error means the database cannot be reached (down, restarting, refusing connections,
 * pool exhausted) — an outage, answered 503 with Retry-After, not a bug. Looks through the shapes
 * pg, @prisma/adapter-pg (DriverAdapterError with `cause`) and Prisma (`code`, `meta`) wrap it in,
 * following `cause` a few levels down.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const e = current as {
      code?: unknown;
      errno?: unknown;
      kind?: unknown;
      originalCode?: unknown;
      message?: unknown;
      cause?: unknown;
      err?: unknown;
      meta?: { driverAdapterError?: unknown; code?: unknown } | undefined;
      errors?: unknown;
    };
    if (isUnavailableCode(e.code) || isUnavailableCode(e.originalCode) || isUnavailableCode(e.meta?.code)) return true;
    if (
      typeof e.kind === "string" &&
      /^(DatabaseNotReachable|SocketTimeout|TooManyConnections|ConnectionClosed)$/.test(e.kind)
    )
      return true;
    if (typeof e.message === "string" && UNAVAILABLE_MESSAGES.some((m) => (e.message as string).includes(m)))
      return true;
    // AggregateError from a connect attempt to several addresses (IPv4 and IPv6 localhost).
    if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    // Auth.js wraps the original as `cause.err`.
    current = e.meta?.driverAdapterError ?? e.cause ?? e.err;
  }
  return false;
}
