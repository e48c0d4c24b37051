import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

/**
 * What a chain's first row links to: the chain's number in 64 hex digits (chain 0's is all zeros,
 * the genesis of the one chain rows were written to before there were several). Distinct per chain,
 * so two chains' first rows never hash alike, even with the same content in the same millisecond,
 * and a first row moved to another chain does not link there.
 */
export function chainGenesisHash(chain: number): string {
  return chain.toString(16).padStart(64, "0");
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Turns any value into the JSON that PostgreSQL's jsonb will hand back: Dates become ISO strings,
 * BigInts strings, undefined members vanish. Hashing the normalized value means the stored row and
 * the hashed content are the same thing.
 */
export function toJson(value: unknown): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))) as Json;
}

/** JSON with object keys sorted at every depth, so that jsonb's key reordering does not matter. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export interface AuditContent {
  at: string;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: Json;
  after: Json;
  requestId: string | null;
}

export function sha256Hex(input: string): string {
  return createHash("sha256").update(input, "utf8").digest("hex");
}

/** Each row's hash covers its own content and the previous row's hash. */
export function auditHash(prevHash: string, content: AuditContent): string {
  return sha256Hex(`${prevHash}\n${canonicalJson(content)}`);
}
