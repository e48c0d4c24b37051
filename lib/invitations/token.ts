import { randomBytes } from "node:crypto";
import { sha256Hex } from "../audit/hash";

/** 32 random bytes, base64url: 43 characters that survive e-mail clients and URLs unchanged. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new invitation token and the hash the database keeps (the token itself is only in the e-mail). */
export function newInvitationToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashInvitationToken(token) };
}

export function hashInvitationToken(token: string): string {
  return sha256Hex(token);
}

/** Cheap check before touching the database: anything else cannot be a token we issued. */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}
