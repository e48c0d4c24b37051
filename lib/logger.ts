import pino from "pino";

/** Structured logs. Never log passwords, tokens or patient data at info level. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  redact: {
    paths: ["password", "*.password", "passwordHash", "*.passwordHash", "token", "*.token"],
    censor: "[redacted]",
  },
  base: { app: "remsgate" },
});
