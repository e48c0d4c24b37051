import { z } from "zod";

/** An issuer's keys: where to fetch its JWKS, or the JWKS itself. */
export type TIssuerKeys = { jwksUrl: string } | { jwks: { keys: Record<string, unknown>[] } };

const ZIssuers = z.record(
  z.string().min(1),
  z.union([
    z.url({ protocol: /^https?$/ }).transform((jwksUrl): TIssuerKeys => ({ jwksUrl })),
    z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).transform((jwks): TIssuerKeys => ({ jwks })),
  ]),
);

/** Environment, parsed once at start-up; a bad value fails loudly with the variable's name. */
const ZEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().optional(),
  /**
   * A PostgreSQL streaming replica for administrators' lists, the registry browser, the audit viewer
   * and reports (lib/db/replica.ts); a read waits for it to catch up, else the primary answers.
   */
  DATABASE_REPLICA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_REPLICA_URL must start with postgresql://")
    .optional(),
  /** How long a read waits for the replica to replay up to the primary's position. */
  REPLICA_MAX_WAIT_MS: z.coerce.number().int().min(0).max(5000).default(200),
  /** Secret for signing session tokens. Required in production; the demo generates one. */
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  APP_URL: z.url().default("http://localhost:3000"),
  /** Minutes without a request after which a session ends. */
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** Hours after sign-in after which a session ends whatever the activity. */
  SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 7)
    .default(12),
  /** Failed sign-ins on one account before it is locked, and for how long. */
  SIGNIN_MAX_FAILURES_ACCOUNT: z.coerce.number().int().min(1).default(5),
  /** Failed sign-ins from one IP address (any account) within the window before it is throttled. */
  SIGNIN_MAX_FAILURES_IP: z.coerce.number().int().min(1).default(20),
  SIGNIN_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  /** The longest wait, in seconds, that repeated failed sign-ins from one address can earn. */
  SIGNIN_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).default(900),
  /** Sign-ups per client address per hour (each sends an e-mail and costs an argon2 hash). */
  SIGNUP_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(10),
  /** Password-reset requests and resets per client address per hour. */
  RESET_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(10),
  /** Trust X-Forwarded-For for the client address (set when behind a reverse proxy). */
  TRUST_PROXY: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /** Marks the database as a disposable demo database (the seed refuses others unless forced). */
  REMSGATE_DEMO: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /** Public certification lookups (page and API, counted separately) per client address per minute. */
  LOOKUP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(60),
  /** Dispense-gate API calls per API key (or signed-in pharmacist) per minute. */
  DISPENSE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(600),
  /** Outgoing mail server, e.g. smtp://user:pass@smtp.example.org:587. Unset: mail is logged, not sent. */
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default("REMS registry <no-reply@remsgate.local>"),
  /**
   * The largest lab-feed upload accepted, in bytes (default 100 MB). A larger file is refused with
   * 413 before anything is imported: by its Content-Length when sent, and by counting bytes as they
   * arrive otherwise.
   */
  LAB_IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(4 * 1024 ** 3)
    .default(100 * 1024 ** 2),
  /**
   * The registry's identifier in NCPDP SCRIPT messages: pharmacy systems address REMS transactions
   * to it (Header/To) and the registry answers from it (Header/From, qualifier ZZZ).
   */
  NCPDP_REGISTRY_ID: z
    .string()
    .regex(/^[A-Za-z0-9]{3,35}$/, "NCPDP_REGISTRY_ID is 3 to 35 letters or digits")
    .default("REMSGATE01"),
  /**
   * CDS Hooks / FHIR callers (EHRs) whose signed JWTs are accepted (docs/interop.md): a JSON object
   * from each issuer (`iss`) to its JWKS, given as an https URL (fetched and cached) or inline as a
   * JWKS object. Unset: no EHR can authenticate.
   */
  CDS_HOOKS_ISSUERS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text?.trim()) return {} as Record<string, TIssuerKeys>;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: "custom", message: 'must be a JSON object {"<issuer>": "<JWKS URL>" | {"keys": [...]}}' });
        return z.NEVER;
      }
      const parsed = ZIssuers.safeParse(value);
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", message: `issuers: ${parsed.error.issues[0]?.message ?? "invalid"}` });
        return z.NEVER;
      }
      return parsed.data;
    }),
  /**
   * FHIR servers (base URLs, comma-separated) that a CDS Hooks request may name in `fhirServer` for
   * the registry to fetch missing prefetch data from. Any other server is never contacted.
   */
  CDS_HOOKS_FHIR_SERVERS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const urls: string[] = [];
      for (const part of (text ?? "")
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean)) {
        const url = URL.canParse(part) ? new URL(part) : null;
        if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
          ctx.addIssue({ code: "custom", message: `"${part}" is not an http(s) URL` });
          return z.NEVER;
        }
        urls.push(url.href.replace(/\/+$/, ""));
      }
      return urls;
    }),
  /** Development and demo only: accept CDS Hooks and FHIR calls without a JWT. Off by default. */
  CDS_HOOKS_ALLOW_UNAUTHENTICATED: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /** The largest CDS Hooks / FHIR request body accepted, in bytes (default 1 MB); larger is 413. */
  INTEROP_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 ** 2)
    .default(1024 ** 2),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Months of audit trail `npm run audit:retention` keeps when run without --before (from cron);
   * older months are archived (lib/audit/retention.ts). Unset: every month is kept (REMS records
   * are kept for years). Nothing is ever removed unless that command runs.
   */
  AUDIT_RETENTION_MONTHS: z.coerce.number().int().min(1).max(1200).optional(),
  /** Monthly audit partitions created ahead of the current month by the daily job. */
  AUDIT_PARTITIONS_AHEAD: z.coerce.number().int().min(1).max(24).default(3),
  /** Monthly dispense-authorization partitions created ahead of the current month by the daily job. */
  DISPENSE_PARTITIONS_AHEAD: z.coerce.number().int().min(1).max(24).default(3),
});

export type Env = z.infer<typeof ZEnv>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = ZEnv.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/** For tests that change the environment between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}
