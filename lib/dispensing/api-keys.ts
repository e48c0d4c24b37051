/**
 * Pharmacy API keys: created by the pharmacy's representative (the account that applied for the
 * pharmacy's certification), shown once, stored as SHA-256, revocable, last use recorded.
 *
 * A key is 32 random bytes (base64url) behind the prefix "rg_". Such a key cannot be guessed, so a
 * fast hash is enough to store it (a slow password hash would only slow every API call down) and
 * lets the key be found by its hash with one indexed lookup.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Actor } from "../auth/actor";
import { verifyStepUp } from "../auth/mfa";
import { roleRequiresMfa } from "../auth/mfa-rules";
import { requirePermission } from "../auth/permissions";
import { ZStepUp } from "../auth/schema";
import { recordAudit } from "../audit/service";
import { type Db, db, sqlOf } from "../db";
import { sql } from "../db/sql";
import { AppError, fieldErrorsFromZod } from "../errors";
import { ZCreateApiKey } from "./schema";
import type { DispenseCaller } from "./caller";
import { apiKeyBarredMessage, apiKeyCreationRefusal, type PharmacyStanding } from "./revocation";
import { isUuid } from "../identifiers/uuid";

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

const KEY_PREFIX = "rg_";
const SHOWN_PREFIX_LENGTH = 10;
/** lastUsedAt is written at most this often per key, so busy keys do not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** A new random key; exported for the demo seed and tests, which store keys like the service does. */
export function newApiKey(): { key: string; prefix: string; keyHash: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, prefix: key.slice(0, SHOWN_PREFIX_LENGTH), keyHash: hashApiKey(key) };
}

/** Whether the actor is their pharmacy's representative (may manage API keys). */
export async function canManageApiKeys(actor: Actor, client: Db = db()): Promise<boolean> {
  if (actor.role !== "PHARMACIST" || !actor.pharmacyId) return false;
  const enrollment = await client.enrollment.findFirst({
    where: { pharmacyId: actor.pharmacyId, applicantUserId: actor.userId },
    select: { id: true },
  });
  return enrollment !== null;
}

async function requireRepresentative(actor: Actor, client: Db): Promise<string> {
  requirePermission(actor, "apikey:issue:org");
  if (!actor.pharmacyId || !(await canManageApiKeys(actor, client))) {
    throw new AppError("FORBIDDEN", "Only your pharmacy's authorized representative can manage API keys.");
  }
  return actor.pharmacyId;
}

/**
 * Why the actor's pharmacy may not create an API key yet (not certified in any programme), or null.
 * The representative's API keys page shows it instead of the form; createApiKey refuses with it.
 */
export async function apiKeyCreationBlocker(actor: Actor, client: Db = db()): Promise<string | null> {
  const pharmacyId = await requireRepresentative(actor, client);
  return creationRefusal(client, pharmacyId);
}

async function creationRefusal(client: Db, pharmacyId: string): Promise<string | null> {
  const enrollments = await client.enrollment.findMany({
    where: { pharmacyId },
    select: { status: true, program: { select: { name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return apiKeyCreationRefusal(enrollments.map((e) => ({ status: e.status, programName: e.program.name })));
}

/**
 * Creates a key; the plaintext `key` is returned only here. A key acts for the pharmacy without a
 * person, so creating one asks for the password and authenticator code again (step-up).
 * `input`: `{ name, password, code }`. CONFLICT while the pharmacy is not certified in any programme
 * (nothing else is checked then); VALIDATION for a bad name, password or code; FORBIDDEN otherwise.
 */
export async function createApiKey(
  actor: Actor,
  input: unknown,
  client: Db = db(),
): Promise<{ id: string; name: string; prefix: string; key: string }> {
  const pharmacyId = await requireRepresentative(actor, client);
  const refusal = await creationRefusal(client, pharmacyId);
  if (refusal) throw new AppError("CONFLICT", refusal);
  const parsed = ZCreateApiKey.safeParse(input);
  const stepUp = ZStepUp.safeParse(input);
  if (!parsed.success || !stepUp.success) {
    const fields = {
      ...(parsed.success ? {} : fieldErrorsFromZod(parsed.error)),
      ...(stepUp.success ? {} : fieldErrorsFromZod(stepUp.error)),
    };
    throw new AppError("VALIDATION", parsed.success ? "Check the highlighted fields." : "Check the key's name.", {
      fields,
    });
  }
  await verifyStepUp(
    actor,
    stepUp.data,
    { mfaRequired: roleRequiresMfa(actor.role), action: "create an API key" },
    client,
  );
  const { key, prefix, keyHash } = newApiKey();
  const row = await client.$transaction(async (tx) => {
    const created = await tx.pharmacyApiKey.create({
      data: { pharmacyId, name: parsed.data.name, prefix, keyHash, createdByUserId: actor.userId },
      select: { id: true, name: true, prefix: true },
    });
    await recordAudit(
      tx,
      { userId: actor.userId, role: actor.role, requestId: actor.requestId },
      {
        action: "apikey.created",
        entityType: "PharmacyApiKey",
        entityId: created.id,
        after: { pharmacyId, name: created.name, prefix: created.prefix },
      },
    );
    return created;
  });
  return { ...row, key };
}

export async function listApiKeys(actor: Actor, client: Db = db()): Promise<ApiKeyRow[]> {
  const pharmacyId = await requireRepresentative(actor, client);
  const keys = await client.pharmacyApiKey.findMany({
    where: { pharmacyId },
    orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
    select: {
      id: true,
      name: true,
      prefix: true,
      createdAt: true,
      createdByUserId: true,
      lastUsedAt: true,
      revokedAt: true,
    },
  });
  const creatorIds = [...new Set(keys.map((k) => k.createdByUserId).filter((id): id is string => id !== null))];
  const creators = await client.user.findMany({ where: { id: { in: creatorIds } }, select: { id: true, name: true } });
  const names = new Map(creators.map((u) => [u.id, u.name]));
  return keys.map(({ createdByUserId, ...k }) => ({
    ...k,
    createdByName: createdByUserId ? (names.get(createdByUserId) ?? null) : null,
  }));
}

/** NOT_FOUND for another pharmacy's key; revoking twice is a no-op. */
export async function revokeApiKey(actor: Actor, keyId: string, client: Db = db()): Promise<void> {
  const pharmacyId = await requireRepresentative(actor, client);
  await client.$transaction(async (tx) => {
    const key = isUuid(keyId)
      ? await tx.pharmacyApiKey.findFirst({ where: { id: keyId, pharmacyId }, select: { id: true, revokedAt: true } })
      : null;
    if (!key) throw new AppError("NOT_FOUND", "There is no such API key for your pharmacy.");
    if (key.revokedAt) return;
    await tx.pharmacyApiKey.update({
      where: { id: key.id },
      data: { revokedAt: new Date(), revokedByUserId: actor.userId },
    });
    await recordAudit(
      tx,
      { userId: actor.userId, role: actor.role, requestId: actor.requestId },
      { action: "apikey.revoked", entityType: "PharmacyApiKey", entityId: key.id, after: { pharmacyId } },
    );
  });
}

function unauthenticated(message: string): AppError {
  return new AppError("UNAUTHENTICATED", message);
}

/**
 * The caller behind `Authorization: Bearer <key>`; UNAUTHENTICATED (401) when the header is
 * missing or malformed, or the key is unknown or revoked.
 */
export async function authenticateApiKey(
  authorization: string | null,
  requestId: string,
  client: Db = db(),
): Promise<DispenseCaller> {
  if (!authorization) throw unauthenticated("Send your pharmacy's API key as Authorization: Bearer <key>.");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw unauthenticated("The Authorization header must be: Bearer <key>.");
  // Every API call starts here: one plain indexed SELECT.
  // The pharmacy's standing rides along: a genuine key of a suspended pharmacy is a 403, not a 401.
  const rows = await sqlOf(client).query<{
    id: string;
    pharmacyId: string;
    revokedAt: Date | null;
    lastUsedAt: Date | null;
    standing: unknown;
  }>(sql`SELECT k."id"::text AS "id", k."pharmacyId"::text AS "pharmacyId", k."revokedAt", k."lastUsedAt",
           (SELECT json_agg(json_build_object('status', e."status"::text, 'programName', p."name"))
              FROM "Enrollment" e JOIN "Program" p ON p."id" = e."programId"
             WHERE e."pharmacyId" = k."pharmacyId") AS "standing"
      FROM "PharmacyApiKey" k WHERE k."keyHash" = ${hashApiKey(match[1])}::text`);
  const row = rows[0];
  if (!row) throw unauthenticated("This API key is not valid.");
  if (row.revokedAt)
    throw unauthenticated("This API key was revoked. Ask your pharmacy's representative for a new one.");
  const standing = typeof row.standing === "string" ? JSON.parse(row.standing) : row.standing;
  const barred = apiKeyBarredMessage((standing ?? []) as PharmacyStanding[]);
  if (barred) throw new AppError("FORBIDDEN", barred);
  const now = new Date();
  const lastUsed = row.lastUsedAt ? new Date(row.lastUsedAt) : null;
  if (!lastUsed || now.getTime() - lastUsed.getTime() >= LAST_USED_RESOLUTION_MS) {
    await client.pharmacyApiKey.updateMany({
      where: {
        id: row.id,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }],
      },
      data: { lastUsedAt: now },
    });
  }
  return { kind: "apiKey", apiKeyId: row.id, pharmacyId: row.pharmacyId, requestId };
}
