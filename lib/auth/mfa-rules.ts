/**
 * The pure parts of multi-factor sign-in: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one
 * step either side accepted for clock drift), recovery codes, and the sealing of a TOTP secret
 * with a key. No database, no clock (callers pass `now`), no environment.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";
import type { Role } from "../generated/prisma/enums";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one (clock drift between phone and server). */
export const TOTP_WINDOW = 1;
export const TOTP_ISSUER = "remsgate";
export const RECOVERY_CODE_COUNT = 10;

/** Roles whose accounts cannot be used without a second factor. */
export const MFA_REQUIRED_ROLES: readonly Role[] = ["ADMIN", "PHARMACIST"];

export function roleRequiresMfa(role: Role): boolean {
  return MFA_REQUIRED_ROLES.includes(role);
}

/** A new random TOTP secret (160 bits, the RFC 4226 recommendation), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = "account"): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: "SHA1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The otpauth:// address an authenticator app reads from the QR code. */
export function totpUri(secretBase32: string, accountName: string): string {
  return totp(secretBase32, accountName).toString();
}

export function totpStepAt(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for the time step containing `now` (tests and the demo use it; the server only verifies). */
export function totpCodeAt(secretBase32: string, now: Date): string {
  return totp(secretBase32).generate({ timestamp: now.getTime() });
}

/** What a person typed, as a TOTP code: six digits once spaces are removed, or null. */
export function normalizeTotpCode(input: string): string | null {
  const code = input.replace(/\s+/g, "");
  return /^\d{6}$/.test(code) ? code : null;
}

/**
 * The time step whose code `code` is, within one step of `now`, and later than `lastStep` (a code
 * of an already used step is a replay and is refused); null when no such step matches.
 */
export function matchTotpStep(secretBase32: string, code: string, now: Date, lastStep: number | null): number | null {
  const normalized = normalizeTotpCode(code);
  if (!normalized) return null;
  const current = totpStepAt(now);
  const generator = totp(secretBase32);
  for (let delta = -TOTP_WINDOW; delta <= TOTP_WINDOW; delta++) {
    const step = current + delta;
    if (lastStep !== null && step <= lastStep) continue;
    const expected = generator.generate({ timestamp: step * TOTP_PERIOD_SECONDS * 1000 });
    if (timingSafeEqualString(expected, normalized)) return step;
  }
  return null;
}

function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/**
 * Ten recovery codes of 16 base32 characters (80 random bits each), grouped by four for reading.
 * At 80 bits a code cannot be found from its SHA-256 by trying candidates, which is why a fast hash
 * is enough to store them (see hashRecoveryCode).
 */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(10);
    let bits = 0;
    let value = 0;
    let out = "";
    for (const byte of bytes) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        out += BASE32[(value >>> (bits - 5)) & 31];
        bits -= 5;
      }
    }
    return out.match(/.{4}/g)?.join("-") ?? out;
  });
}

/** A recovery code as typed (any case, with or without hyphens and spaces), or null if it cannot be one. */
export function normalizeRecoveryCode(input: string): string | null {
  const code = input.toLowerCase().replace(/[\s-]+/g, "");
  return /^[a-z2-7]{16}$/.test(code) ? code : null;
}

/**
 * SHA-256 of the normalized code. A slow password hash (argon2) would add nothing against guessing
 * an 80-bit random value, and checking a typed code against ten argon2 hashes would cost a sign-in
 * ten times the work; a plain hash also lets the code be found by one indexed lookup.
 */
export function hashRecoveryCode(normalized: string): string {
  return createHash("sha256").update(`remsgate-recovery:${normalized}`, "utf8").digest("hex");
}

/** The 256-bit key that seals TOTP secrets, derived from the installation's AUTH_SECRET by HKDF-SHA256. */
export function deriveTotpKey(authSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", authSecret, "remsgate", "totp-secret-encryption v1", 32));
}

const SEAL_VERSION = "v1";

/**
 * AES-256-GCM with a random 96-bit nonce; the user id is the additional data, so a sealed secret
 * copied onto another account does not open there.
 */
export function sealTotpSecret(key: Buffer, secretBase32: string, userId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(userId, "utf8"));
  const sealed = Buffer.concat([cipher.update(secretBase32, "utf8"), cipher.final()]);
  return [
    SEAL_VERSION,
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    sealed.toString("base64url"),
  ].join(".");
}

/** The secret, or null when the value was sealed for another user or with another key. */
export function openTotpSecret(key: Buffer, sealed: string, userId: string): string | null {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== SEAL_VERSION || !iv || !tag || !body) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(userId, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
