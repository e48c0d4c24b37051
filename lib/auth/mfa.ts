/**
 * Multi-factor sign-in: TOTP enrolment (confirmed by a first code), single-use recovery codes,
 * the second step of sign-in, step-up before sensitive actions, and an administrator's reset.
 *
 * The TOTP secret is stored sealed (AES-256-GCM, key derived from AUTH_SECRET by HKDF), so a copy
 * of the database alone does not yield it. Rotating AUTH_SECRET therefore retires every enrolled
 * authenticator: people then sign in with a recovery code and enrol again (recovery codes are
 * stored as SHA-256 and survive a rotation).
 */
import QRCode from "qrcode";
import { recordAudit } from "../audit/service";
import { type Db, db, type Tx } from "../db";
import { env } from "../env";
import { isUuid } from "../identifiers/uuid";
import { AppError, fieldErrorsFromZod } from "../errors";
import { queueMail } from "../mail/outbox";
import type { Actor } from "./actor";
import { authSecret } from "./auth-secret";
import {
  deriveTotpKey,
  hashRecoveryCode,
  matchTotpStep,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  normalizeTotpCode,
  openTotpSecret,
  roleRequiresMfa,
  sealTotpSecret,
  totpUri,
} from "./mfa-rules";
import { verifyPassword } from "./password";
import { requirePermission } from "./permissions";
import { type TConfirmMfa, type TStepUp, ZConfirmMfa, ZStepUp } from "./schema";

let cachedKey: { secret: string; key: Buffer } | undefined;
function totpKey(): Buffer {
  const secret = authSecret();
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: deriveTotpKey(secret) };
  return cachedKey.key;
}

export function sealSecretFor(userId: string, secretBase32: string): string {
  return sealTotpSecret(totpKey(), secretBase32, userId);
}

// ---------------------------------------------------------------------------
// State and the enrolment gate

export interface MfaState {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
  /** The account's role cannot be used without a second factor. */
  requiredByRole: boolean;
}

export async function getMfaState(actor: Pick<Actor, "userId" | "role">, client: Db = db()): Promise<MfaState> {
  const [user, recoveryCodesLeft] = await Promise.all([
    client.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { mfaEnabledAt: true } }),
    client.mfaRecoveryCode.count({ where: { userId: actor.userId, usedAt: null } }),
  ]);
  return {
    enabled: user.mfaEnabledAt !== null,
    enabledAt: user.mfaEnabledAt,
    recoveryCodesLeft,
    requiredByRole: roleRequiresMfa(actor.role),
  };
}

/** Whether this signed-in person must enrol a second factor before doing anything else. */
export async function mustEnrolMfa(actor: Pick<Actor, "userId" | "role">, client: Db = db()): Promise<boolean> {
  if (!roleRequiresMfa(actor.role)) return false;
  const user = await client.user.findUnique({ where: { id: actor.userId }, select: { mfaEnabledAt: true } });
  return user?.mfaEnabledAt == null;
}

export async function isMfaEnrolled(userId: string, client: Db = db()): Promise<boolean> {
  const user = await client.user.findUnique({ where: { id: userId }, select: { mfaEnabledAt: true } });
  return user?.mfaEnabledAt != null;
}

export const MFA_SETUP_PATH = "/account/security";

/** Refusal for a person who must enrol first (by role, or because the programme asks it of e-signers). */
export function mfaEnrolmentRequired(message: string): AppError {
  return new AppError("FORBIDDEN", message, { mfaEnrolment: true });
}

export function isMfaEnrolmentRequired(error: unknown): boolean {
  return error instanceof AppError && error.details?.mfaEnrolment === true;
}

export const MFA_REQUIRED_FOR_ROLE_MESSAGE =
  "Your account needs two-step sign-in. Set up an authenticator app on the Account security page before you continue.";

// ---------------------------------------------------------------------------
// Verifying a second factor

type FactorUser = { id: string; mfaSecret: string | null; mfaLastStep: number | null };

/**
 * Checks and uses up a code: a TOTP code of a step later than the last one accepted, or an unused
 * recovery code. Both are claimed with a conditional update, so two requests racing with the same
 * code cannot both succeed.
 */
async function consumeSecondFactor(
  client: Db | Tx,
  user: FactorUser,
  code: string,
  now: Date,
): Promise<"totp" | "recovery" | null> {
  if (normalizeTotpCode(code)) {
    const secret = user.mfaSecret ? openTotpSecret(totpKey(), user.mfaSecret, user.id) : null;
    if (!secret) return null;
    const step = matchTotpStep(secret, code, now, user.mfaLastStep);
    if (step === null) return null;
    const claimed = await client.user.updateMany({
      where: { id: user.id, OR: [{ mfaLastStep: null }, { mfaLastStep: { lt: step } }] },
      data: { mfaLastStep: step },
    });
    return claimed.count === 1 ? "totp" : null;
  }
  const recovery = normalizeRecoveryCode(code);
  if (!recovery) return null;
  const used = await client.mfaRecoveryCode.updateMany({
    where: { userId: user.id, codeHash: hashRecoveryCode(recovery), usedAt: null },
    data: { usedAt: now },
  });
  return used.count === 1 ? "recovery" : null;
}

const factorSelect = { id: true, mfaSecret: true, mfaLastStep: true, mfaEnabledAt: true, role: true } as const;

export const WRONG_CODE_MESSAGE = "The code is incorrect or has already been used.";
const CODE_PROMPT = "Enter the 6-digit code from your authenticator app, or one of your recovery codes.";

/**
 * The second step of sign-in, after a correct password. Without a factor: "ok". With one and no
 * code: throws a refusal that tells the sign-in page to ask for the code (not a failed sign-in).
 * With a code: "ok" when it is valid (and it is used up), "wrong" otherwise (a failed sign-in).
 */
export async function checkSignInFactor(
  userId: string,
  code: string | undefined,
  requestId: string,
  client: Db = db(),
  now: Date = new Date(),
): Promise<"ok" | "wrong"> {
  const user = await client.user.findUniqueOrThrow({ where: { id: userId }, select: factorSelect });
  if (!user.mfaEnabledAt) return "ok";
  if (!code?.trim()) {
    throw new AppError("UNAUTHENTICATED", CODE_PROMPT, { mfaCodeRequired: true, fields: { code: [CODE_PROMPT] } });
  }
  const method = await consumeSecondFactor(client, user, code, now);
  if (method === "recovery") {
    await client.$transaction(async (tx) => {
      const left = await tx.mfaRecoveryCode.count({ where: { userId, usedAt: null } });
      await recordAudit(
        tx,
        { userId, role: user.role, requestId },
        { action: "mfa.recovery_code_used", entityType: "User", entityId: userId, after: { recoveryCodesLeft: left } },
      );
    });
  }
  return method ? "ok" : "wrong";
}

export function isMfaCodeRequired(error: unknown): boolean {
  return error instanceof AppError && error.details?.mfaCodeRequired === true;
}

/**
 * Step-up before a sensitive action (an e-signature, a new API key, changing the second factor):
 * the password again and, when a factor is enrolled, a code. `mfaRequired`: the action may not be
 * done at all without an enrolled factor (the programme asks it of e-signers).
 */
export async function verifyStepUp(
  actor: Pick<Actor, "userId">,
  input: { password: string; code?: string | undefined },
  options: { mfaRequired?: boolean; passwordField?: string; codeField?: string; action?: string } = {},
  client: Db | Tx = db(),
  now: Date = new Date(),
): Promise<void> {
  const passwordField = options.passwordField ?? "password";
  const codeField = options.codeField ?? "code";
  const user = await client.user.findUniqueOrThrow({
    where: { id: actor.userId },
    select: { ...factorSelect, passwordHash: true },
  });
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    throw new AppError("VALIDATION", "The password is incorrect.", {
      fields: { [passwordField]: ["The password is incorrect"] },
    });
  }
  if (!user.mfaEnabledAt && options.mfaRequired) {
    throw mfaEnrolmentRequired(
      `Set up two-step sign-in (an authenticator app) on the Account security page before you ${options.action ?? "sign"}.`,
    );
  }
  if (!user.mfaEnabledAt) return;
  if (!input.code?.trim()) {
    throw new AppError("VALIDATION", "Enter the code from your authenticator app.", {
      fields: { [codeField]: ["Enter the 6-digit code from your authenticator app"] },
    });
  }
  if (!(await consumeSecondFactor(client, user, input.code, now))) {
    throw new AppError("VALIDATION", WRONG_CODE_MESSAGE, { fields: { [codeField]: [WRONG_CODE_MESSAGE] } });
  }
}

function parseOrThrow<T>(result: { success: true; data: T } | { success: false; error: import("zod").ZodError }): T {
  if (!result.success) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", { fields: fieldErrorsFromZod(result.error) });
  }
  return result.data;
}

// ---------------------------------------------------------------------------
// Enrolment, recovery codes, turning it off

export interface TotpEnrolment {
  /** Base32, for typing into an app that cannot scan. */
  secret: string;
  uri: string;
  /** The QR code of `uri` as an SVG document. */
  qrSvg: string;
}

/**
 * The secret to enrol, kept (sealed) as pending until a code confirms it; asking again shows the
 * same secret, so reloading the page does not invalidate an app already scanned. Pages opened at
 * the same time (a double click, two tabs) show the same secret too: a new one is stored only over
 * the pending value that was read, and a page that loses that race shows the winner's.
 */
export async function startTotpEnrolment(actor: Actor, client: Db = db()): Promise<TotpEnrolment> {
  requirePermission(actor, "account:read:own");
  const read = () =>
    client.user.findUniqueOrThrow({
      where: { id: actor.userId },
      select: { email: true, mfaEnabledAt: true, mfaPendingSecret: true },
    });
  const pendingOf = (user: { mfaEnabledAt: Date | null; mfaPendingSecret: string | null }) => {
    if (user.mfaEnabledAt) throw new AppError("CONFLICT", "Two-step sign-in is already on for your account.");
    return user.mfaPendingSecret ? openTotpSecret(totpKey(), user.mfaPendingSecret, actor.userId) : null;
  };
  let user = await read();
  let secret = pendingOf(user);
  if (!secret) {
    // A pending value that does not open (none, or sealed under an earlier key) is replaced.
    const fresh = newTotpSecret();
    const stored = await client.user.updateMany({
      where: { id: actor.userId, mfaEnabledAt: null, mfaPendingSecret: user.mfaPendingSecret },
      data: { mfaPendingSecret: sealSecretFor(actor.userId, fresh) },
    });
    if (stored.count === 1) secret = fresh;
    else {
      user = await read();
      secret = pendingOf(user);
      if (!secret) throw new AppError("CONFLICT", "Two-step sign-in was changed meanwhile. Reload the page.");
    }
  }
  const uri = totpUri(secret, user.email);
  const qrSvg = await QRCode.toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  return { secret, uri, qrSvg };
}

async function storeNewRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await tx.mfaRecoveryCode.deleteMany({ where: { userId } });
  await tx.mfaRecoveryCode.createMany({
    data: codes.map((code) => ({ userId, codeHash: hashRecoveryCode(normalizeRecoveryCode(code) ?? code) })),
  });
  return codes;
}

/** Switches TOTP on once the password and a first code from the app check out; returns the recovery codes (shown once). */
export async function confirmTotpEnrolment(
  actor: Actor,
  input: TConfirmMfa,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ recoveryCodes: string[] }> {
  requirePermission(actor, "account:read:own");
  const { password, code } = parseOrThrow(ZConfirmMfa.safeParse(input));
  const user = await client.user.findUniqueOrThrow({
    where: { id: actor.userId },
    select: { passwordHash: true, mfaEnabledAt: true, mfaPendingSecret: true },
  });
  if (user.mfaEnabledAt) throw new AppError("CONFLICT", "Two-step sign-in is already on for your account.");
  if (!(await verifyPassword(user.passwordHash, password))) {
    throw new AppError("VALIDATION", "The password is incorrect.", {
      fields: { password: ["The password is incorrect"] },
    });
  }
  const secret = user.mfaPendingSecret ? openTotpSecret(totpKey(), user.mfaPendingSecret, actor.userId) : null;
  if (!secret) throw new AppError("CONFLICT", "The set-up has expired. Reload the page to get a new QR code.");
  const step = matchTotpStep(secret, code, now, null);
  if (step === null) {
    throw new AppError(
      "VALIDATION",
      "That code does not match. Check the app shows remsgate and try the current code.",
      {
        fields: { code: ["That code does not match the QR code above"] },
      },
    );
  }
  return client.$transaction(async (tx) => {
    const switched = await tx.user.updateMany({
      where: { id: actor.userId, mfaEnabledAt: null, mfaPendingSecret: user.mfaPendingSecret },
      data: { mfaSecret: user.mfaPendingSecret, mfaPendingSecret: null, mfaEnabledAt: now, mfaLastStep: step },
    });
    if (switched.count !== 1)
      throw new AppError("CONFLICT", "Two-step sign-in was changed meanwhile. Reload the page.");
    const recoveryCodes = await storeNewRecoveryCodes(tx, actor.userId);
    await recordAudit(tx, actor, {
      action: "mfa.enabled",
      entityType: "User",
      entityId: actor.userId,
      after: { method: "totp", recoveryCodes: recoveryCodes.length },
    });
    return { recoveryCodes };
  });
}

/** New recovery codes (the old ones stop working), after password and code. */
export async function regenerateRecoveryCodes(
  actor: Actor,
  input: TStepUp,
  client: Db = db(),
  now: Date = new Date(),
): Promise<{ recoveryCodes: string[] }> {
  requirePermission(actor, "account:read:own");
  const stepUp = parseOrThrow(ZStepUp.safeParse(input));
  if (!(await isMfaEnrolled(actor.userId, client))) {
    throw new AppError("CONFLICT", "Two-step sign-in is not on for your account.");
  }
  await verifyStepUp(actor, stepUp, {}, client, now);
  return client.$transaction(async (tx) => {
    const recoveryCodes = await storeNewRecoveryCodes(tx, actor.userId);
    await recordAudit(tx, actor, {
      action: "mfa.recovery_codes_regenerated",
      entityType: "User",
      entityId: actor.userId,
      after: { recoveryCodes: recoveryCodes.length },
    });
    return { recoveryCodes };
  });
}

function clearFactorData() {
  return { mfaSecret: null, mfaPendingSecret: null, mfaEnabledAt: null, mfaLastStep: null };
}

/** Turns the second factor off, where the role allows it, after password and code. */
export async function disableMfa(actor: Actor, input: TStepUp, client: Db = db(), now: Date = new Date()) {
  requirePermission(actor, "account:read:own");
  const stepUp = parseOrThrow(ZStepUp.safeParse(input));
  if (roleRequiresMfa(actor.role)) {
    throw new AppError("FORBIDDEN", "Two-step sign-in is required for your role and cannot be turned off.");
  }
  if (!(await isMfaEnrolled(actor.userId, client))) {
    throw new AppError("CONFLICT", "Two-step sign-in is not on for your account.");
  }
  await verifyStepUp(actor, stepUp, {}, client, now);
  await client.$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.userId }, data: clearFactorData() });
    await tx.mfaRecoveryCode.deleteMany({ where: { userId: actor.userId } });
    await recordAudit(tx, actor, { action: "mfa.disabled", entityType: "User", entityId: actor.userId });
  });
}

// ---------------------------------------------------------------------------
// Administrator reset (a lost device)

/**
 * Removes a user's second factor and recovery codes, ends every session of theirs, records the
 * reason and e-mails them, all in one transaction. Where their role requires a factor they are
 * taken to enrolment at their next sign-in.
 */
export async function resetMfa(actor: Actor, userId: string, reason: string, client: Db = db()) {
  requirePermission(actor, "user:mfa-reset:any");
  if (!isUuid(userId)) throw new AppError("NOT_FOUND", "No such user.");
  const why = reason.trim();
  if (!why) throw new AppError("VALIDATION", "Give a reason.", { fields: { reason: ["A reason is required"] } });
  if (why.length > 1000) {
    throw new AppError("VALIDATION", "The reason is too long.", {
      fields: { reason: ["Use at most 1000 characters"] },
    });
  }
  return client.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { id: userId },
      select: { email: true, name: true, mfaEnabledAt: true, role: true },
    });
    if (!user) throw new AppError("NOT_FOUND", "No such user.");
    const recoveryCodes = await tx.mfaRecoveryCode.deleteMany({ where: { userId } });
    await tx.user.update({ where: { id: userId }, data: { ...clearFactorData(), sessionVersion: { increment: 1 } } });
    const sessions = await tx.authSession.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await recordAudit(tx, actor, {
      action: "mfa.reset_by_admin",
      entityType: "User",
      entityId: userId,
      before: { mfaEnabled: user.mfaEnabledAt !== null, recoveryCodes: recoveryCodes.count },
      after: { mfaEnabled: false, reason: why, sessionsEnded: sessions.count },
    });
    await queueMail(tx, {
      to: user.email,
      subject: "Your two-step sign-in was reset",
      text: [
        `Hello ${user.name},`,
        "",
        `A registry administrator (${actor.name}) reset the two-step sign-in of your account and signed you out everywhere.`,
        `Reason given: ${why}`,
        "",
        roleRequiresMfa(user.role)
          ? `Next time you sign in at ${env().APP_URL}/sign-in, you will be asked to set up your authenticator app again.`
          : `Two-step sign-in is now off for your account: you sign in with your password alone until you turn it on again with your authenticator app at ${env().APP_URL}/account/security. A programme that requires it for electronic signatures asks you to turn it on before you sign.`,
        "If you did not ask for this, contact the REMS administrator at once.",
      ].join("\n"),
      category: "mfa.reset",
      entityType: "User",
      entityId: userId,
    });
    return { sessionsEnded: sessions.count };
  });
}

// ---------------------------------------------------------------------------
// Trusted callers (the demo seed, test factories)

/**
 * Enrols a known TOTP secret without the QR-code confirmation: for the demo seed's documented demo
 * secrets and for tests. Does nothing when that secret is already enrolled (a re-run changes nothing).
 */
export async function enrolKnownTotpSecret(client: Db, userId: string, secretBase32: string, requestId: string) {
  const user = await client.user.findUniqueOrThrow({
    where: { id: userId },
    select: { role: true, mfaSecret: true, mfaEnabledAt: true },
  });
  const current = user.mfaSecret ? openTotpSecret(totpKey(), user.mfaSecret, userId) : null;
  if (user.mfaEnabledAt && current === secretBase32) return;
  await client.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: userId },
      data: { mfaSecret: sealSecretFor(userId, secretBase32), mfaPendingSecret: null, mfaEnabledAt: new Date() },
    });
    await recordAudit(
      tx,
      { userId: null, role: null, requestId },
      { action: "mfa.enabled", entityType: "User", entityId: userId, after: { method: "totp", by: "system" } },
    );
  });
}

/** Replaces a user's recovery codes and returns them: for the demo seed, which signs with them. */
export async function issueRecoveryCodes(client: Db, userId: string, requestId: string): Promise<string[]> {
  return client.$transaction(async (tx) => {
    const codes = await storeNewRecoveryCodes(tx, userId);
    await recordAudit(
      tx,
      { userId: null, role: null, requestId },
      { action: "mfa.recovery_codes_regenerated", entityType: "User", entityId: userId, after: { by: "system" } },
    );
    return codes;
  });
}

// ---------------------------------------------------------------------------
// Signing pages

/**
 * What a signing form shows for this signer: the code field when they have a factor, the way to
 * enrolment when the programme requires one and they have none, and the name on their account
 * that the printed name must be (lib/signatures/rules.ts).
 */
export async function signerFactor(
  userId: string,
  programRequiresMfa: boolean,
  client: Db = db(),
): Promise<{ enrolled: boolean; required: boolean; name: string }> {
  const user = await client.user.findUnique({ where: { id: userId }, select: { mfaEnabledAt: true, name: true } });
  return { enrolled: user?.mfaEnabledAt != null, required: programRequiresMfa, name: user?.name ?? "" };
}
