/**
 * The single-use links mailed to people (password reset, sign-up verification, a new sign-in address): 256 random bits,
 * stored only as their SHA-256, so a copy of the database opens no account.
 */
import { createHash, randomBytes } from "node:crypto";
import type { DbOrTx, Tx } from "../db";
import { env } from "../env";
import type { Prisma } from "../generated/prisma/client";
import type { AccountTokenKind } from "../generated/prisma/enums";

export const RESET_TOKEN_MINUTES = 30;
export const VERIFICATION_TOKEN_HOURS = 24;
export const EMAIL_CHANGE_TOKEN_MINUTES = 60;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function newToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token) };
}

export function appLink(path: string): string {
  return `${env().APP_URL.replace(/\/+$/, "")}${path}`;
}

export async function createAccountToken(
  tx: Tx,
  data: { kind: AccountTokenKind; email: string; userId?: string | null; pending?: Prisma.InputJsonValue },
  now: Date,
): Promise<string> {
  const { token, tokenHash } = newToken();
  const lifetimeMs =
    data.kind === "PASSWORD_RESET"
      ? RESET_TOKEN_MINUTES * 60_000
      : data.kind === "EMAIL_CHANGE"
        ? EMAIL_CHANGE_TOKEN_MINUTES * 60_000
        : VERIFICATION_TOKEN_HOURS * 3_600_000;
  await tx.accountToken.create({
    data: { ...data, tokenHash, createdAt: now, expiresAt: new Date(now.getTime() + lifetimeMs) },
  });
  return token;
}

export type TokenState = "valid" | "used" | "expired" | "invalid";

/** What a link is worth now (for the page that opens it); consuming it is a conditional update. */
export async function tokenState(
  client: DbOrTx,
  kind: AccountTokenKind,
  token: string,
  now: Date = new Date(),
): Promise<TokenState> {
  if (!token || token.length > 200) return "invalid";
  const row = await client.accountToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { kind: true, usedAt: true, expiresAt: true },
  });
  if (!row || row.kind !== kind) return "invalid";
  if (row.usedAt) return "used";
  if (row.expiresAt <= now) return "expired";
  return "valid";
}
