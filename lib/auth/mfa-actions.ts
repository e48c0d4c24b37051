"use server";

import type { Actor } from "./actor";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import { AppError } from "../errors";
import { confirmTotpEnrolment, disableMfa, regenerateRecoveryCodes } from "./mfa";
import { getSignedInActor } from "./session";

/**
 * The account security page's actions. They take the signed-in person even when their role is
 * waiting for enrolment (getSignedInActor), since enrolling is how that wait ends.
 */
async function requireSignedIn(): Promise<Actor> {
  const actor = await getSignedInActor();
  if (!actor) throw new AppError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
  return actor;
}

function text(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

function optionalText(formData: FormData, name: string): string | undefined {
  const value = text(formData, name);
  return value === "" ? undefined : value;
}

export type RecoveryCodesResult = ActionResult<{ recoveryCodes: string[] }> | null;

/** Turns TOTP on with the password and the app's first code; the recovery codes come back once. */
export async function confirmMfaAction(
  _previous: RecoveryCodesResult,
  formData: FormData,
): Promise<RecoveryCodesResult> {
  let actor: Actor | undefined;
  try {
    checkActionInput(formData);
    actor = await requireSignedIn();
    const { recoveryCodes } = await confirmTotpEnrolment(actor, {
      password: text(formData, "password"),
      code: text(formData, "code"),
    });
    return { ok: true, data: { recoveryCodes } };
  } catch (error) {
    return actionError(error, actor?.requestId);
  }
}

export async function regenerateRecoveryCodesAction(
  _previous: RecoveryCodesResult,
  formData: FormData,
): Promise<RecoveryCodesResult> {
  let actor: Actor | undefined;
  try {
    checkActionInput(formData);
    actor = await requireSignedIn();
    const { recoveryCodes } = await regenerateRecoveryCodes(actor, {
      password: text(formData, "password"),
      code: optionalText(formData, "code"),
    });
    return { ok: true, data: { recoveryCodes } };
  } catch (error) {
    return actionError(error, actor?.requestId);
  }
}

export async function disableMfaAction(
  _previous: ActionResult | null,
  formData: FormData,
): Promise<ActionResult | null> {
  let actor: Actor | undefined;
  try {
    checkActionInput(formData);
    actor = await requireSignedIn();
    await disableMfa(actor, { password: text(formData, "password"), code: optionalText(formData, "code") });
    return { ok: true };
  } catch (error) {
    return actionError(error, actor?.requestId);
  }
}
