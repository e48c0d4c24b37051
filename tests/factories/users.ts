/**
 * Users made the way the application makes them (signUp / createAdministrator), each with a
 * unique e-mail address, so tests never share rows. Returns the user together with its password.
 */
import { randomInt, randomUUID } from "node:crypto";
import type { Actor } from "../../lib/auth/actor";
import {
  authenticate,
  checkSession,
  completeSignUp,
  createAdministrator,
  type RequestContext,
  signUp,
} from "../../lib/auth/service";
import { enrolKnownTotpSecret, issueRecoveryCodes } from "../../lib/auth/mfa";
import { newTotpSecret } from "../../lib/auth/mfa-rules";
import { db as defaultDb, type Db } from "../../lib/db";
import { unused } from "./identifiers";

export type SelfServiceRole = "PRESCRIBER" | "PHARMACIST" | "SETTING_REP";

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${randomUUID()}@test.local`;
}

/** A strong passphrase that contains neither the factory's names nor its e-mail addresses. */
export function strongPassword(): string {
  return `Quartz lantern ${randomUUID().slice(0, 8)} meadow`;
}

/** An address no other test uses, so per-IP sign-in throttling never crosses tests. */
export function uniqueIp(): string {
  return unused("ip", () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`);
}

export function requestContext(ip = uniqueIp()): RequestContext {
  return { ip, userAgent: "vitest", requestId: `test-${randomUUID()}` };
}

export async function createUser(
  options: { role?: SelfServiceRole; prefix?: string; name?: string; password?: string; client?: Db } = {},
) {
  const password = options.password ?? strongPassword();
  const email = uniqueEmail(options.prefix ?? (options.role ?? "prescriber").toLowerCase());
  const ctx = requestContext();
  await signUp(
    {
      name: options.name ?? "Morgan Okafor",
      email,
      password,
      confirmPassword: password,
      enrollingAs: options.role ?? "PRESCRIBER",
    },
    ctx,
    options.client,
  );
  const user = await completeSignUp(await mailedToken(email, "/verify-email/", options.client), ctx, options.client);
  // The person has read the activation link (above): it is no longer waiting in the outbox, where
  // hundreds of them would otherwise queue ahead of the mail other tests deliver and assert on.
  await (options.client ?? defaultDb()).mailMessage.updateMany({
    where: { to: email, category: "auth.verify_email", sentAt: null },
    data: { sentAt: new Date() },
  });
  return { user, password };
}

/** The token of the newest link under `path` mailed to `email` (read from the outbox, as the person would). */
export async function mailedToken(email: string, path: string, client: Db = defaultDb()): Promise<string> {
  const mails = await client.mailMessage.findMany({
    where: { to: email.toLowerCase() },
    orderBy: { createdAt: "desc" },
    select: { text: true },
  });
  for (const mail of mails) {
    const at = mail.text.indexOf(path);
    if (at !== -1) return (mail.text.slice(at + path.length).match(/^[A-Za-z0-9_-]+/) ?? [""])[0];
  }
  throw new Error(`no e-mail to ${email} holds a ${path} link`);
}

export async function createAdmin(options: { prefix?: string; password?: string; client?: Db } = {}) {
  const password = options.password ?? strongPassword();
  const user = await createAdministrator(
    { email: uniqueEmail(options.prefix ?? "admin"), name: "Avery Lindqvist", password },
    `test-${randomUUID()}`,
    options.client,
  );
  return { user, password };
}

/** Signs the user in and returns the actor that a request carrying that session would resolve to. */
export async function signIn(
  credentials: { user: { email: string }; password: string },
  options: { ip?: string; now?: Date; client?: Db } = {},
): Promise<{ actor: Actor; sessionId: string; sessionVersion: number }> {
  const now = options.now ?? new Date();
  const result = await authenticate(
    { email: credentials.user.email, password: credentials.password },
    requestContext(options.ip),
    options.client,
    now,
  );
  const check = await checkSession(
    { userId: result.user.id, sessionId: result.sessionId, sessionVersion: result.user.sessionVersion },
    options.client,
    now,
  );
  if (!check.ok) throw new Error(`fresh session did not check out: ${check.reason}`);
  return {
    actor: { ...check.actor, requestId: `test-${randomUUID()}` },
    sessionId: result.sessionId,
    sessionVersion: result.user.sessionVersion,
  };
}

const stepUpPools = new Map<string, string[]>();
/**
 * A second-factor code for one step-up (an e-signature, a new API key) by this user: enrols a
 * factor on first use, then hands out its recovery codes, each of which works once (a TOTP code
 * works once per 30-second step, too slow for tests that sign several times).
 */
export async function stepUpCode(userId: string, client: Db = defaultDb()): Promise<string> {
  let pool = stepUpPools.get(userId);
  if (!pool?.length) {
    const user = await client.user.findUniqueOrThrow({ where: { id: userId }, select: { mfaEnabledAt: true } });
    if (!user.mfaEnabledAt) await enrolKnownTotpSecret(client, userId, newTotpSecret(), "test");
    pool = await issueRecoveryCodes(client, userId, "test");
    stepUpPools.set(userId, pool);
  }
  return pool.pop() ?? "";
}
