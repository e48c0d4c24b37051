/**
 * Pharmacy API keys: created by the pharmacy's representative (the account that applied for the
 * pharmacy's certification), shown once, stored as SHA-256, revocable, last use recorded.
 */
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import type { DispenseCaller } from "./service";

export interface ApiKeyRow {
  id: string;
  name: string;
  /** The key's first characters ("rg_…"), enough to recognise it. */
  prefix: string;
  createdAt: Date;
  createdByName: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Whether the actor is their pharmacy's representative (may manage API keys). */
export async function canManageApiKeys(actor: Actor, client?: Db): Promise<boolean> {
  void actor;
  void client;
  throw new Error("not implemented yet");
}

/** Creates a key; the plaintext `key` is returned only here. VALIDATION for a bad name; FORBIDDEN otherwise. */
export async function createApiKey(
  actor: Actor,
  input: unknown,
  client?: Db,
): Promise<{ id: string; name: string; prefix: string; key: string }> {
  void actor;
  void input;
  void client;
  throw new Error("not implemented yet");
}

export async function listApiKeys(actor: Actor, client?: Db): Promise<ApiKeyRow[]> {
  void actor;
  void client;
  throw new Error("not implemented yet");
}

/** NOT_FOUND for another pharmacy's key; revoking twice is a no-op. */
export async function revokeApiKey(actor: Actor, keyId: string, client?: Db): Promise<void> {
  void actor;
  void keyId;
  void client;
  throw new Error("not implemented yet");
}

/**
 * The caller behind `Authorization: Bearer <key>`; UNAUTHENTICATED (401) when the header is
 * missing or malformed, or the key is unknown or revoked.
 */
export async function authenticateApiKey(
  authorization: string | null,
  requestId: string,
  client?: Db,
): Promise<DispenseCaller> {
  void authorization;
  void requestId;
  void client;
  throw new Error("not implemented yet");
}
