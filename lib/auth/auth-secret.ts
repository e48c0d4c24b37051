/**
 * The installation's AUTH_SECRET: signs session tokens (Auth.js) and is the root from which the key
 * that encrypts TOTP secrets at rest is derived (lib/auth/mfa.ts).
 */
export function authSecret(): string {
  const secret = process.env.AUTH_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === "production" && !process.env.REMSGATE_DEMO) {
    throw new Error("AUTH_SECRET is not set. Generate one with: openssl rand -base64 33");
  }
  // Development and tests only: a fixed secret is acceptable where nothing real is protected.
  return "remsgate-development-secret-not-for-production-use";
}
