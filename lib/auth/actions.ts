"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AppError } from "../errors";
import { clientIp } from "../http/client-ip";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import { safeRedirectPath } from "../http/safe-redirect";
import { env } from "../env";
import { SignInRefused, signIn, signOut } from "./config";
import { deliverSoon } from "../mail/deliver";
import { confirmEmailChange, changePassword, requestEmailChange } from "./account-changes";
import { requestPasswordReset, resetPassword } from "./recovery";
import { completeSignUp, endSession, newRequestId, signOutEverywhere, signUp } from "./service";
import { getSignedInActor, requireActor } from "./session";
import type { TChangeEmail, TChangePassword, TRequestPasswordReset, TResetPassword, TSignIn, TSignUp } from "./schema";

async function requestContext() {
  const h = await headers();
  return {
    ip: clientIp(h),
    userAgent: h.get("user-agent"),
    requestId: h.get("x-request-id") ?? newRequestId(),
  };
}

async function startSession(email: string, password: string, code?: string): Promise<ActionResult> {
  try {
    await signIn("credentials", { email, password, code: code ?? "", redirect: false });
    return { ok: true };
  } catch (error) {
    if (error instanceof SignInRefused) {
      return { ok: false, code: error.code, message: error.userMessage, fields: error.fields };
    }
    return actionError(error);
  }
}

/** Sign-up answers "check your e-mail" for every address; the account starts from the mailed link. */
export async function signUpAction(input: TSignUp): Promise<ActionResult<{ message: string }>> {
  let requestId: string | undefined;
  try {
    checkActionInput(input);
    const ctx = await requestContext();
    requestId = ctx.requestId;
    const result = await signUp(input, ctx);
    deliverSoon();
    return { ok: true, data: result };
  } catch (error) {
    return actionError(error, requestId);
  }
}

export async function completeSignUpAction(token: string): Promise<ActionResult> {
  let requestId: string | undefined;
  try {
    checkActionInput(token);
    const ctx = await requestContext();
    requestId = ctx.requestId;
    await completeSignUp(String(token), ctx);
    return { ok: true };
  } catch (error) {
    return actionError(error, requestId);
  }
}

export async function requestPasswordResetAction(
  input: TRequestPasswordReset,
): Promise<ActionResult<{ message: string }>> {
  let requestId: string | undefined;
  try {
    checkActionInput(input);
    const ctx = await requestContext();
    requestId = ctx.requestId;
    const result = await requestPasswordReset(input, ctx);
    deliverSoon();
    return { ok: true, data: result };
  } catch (error) {
    return actionError(error, requestId);
  }
}

export async function resetPasswordAction(input: TResetPassword): Promise<ActionResult> {
  let requestId: string | undefined;
  try {
    checkActionInput(input);
    const ctx = await requestContext();
    requestId = ctx.requestId;
    await resetPassword(input, ctx);
    deliverSoon();
    return { ok: true };
  } catch (error) {
    return actionError(error, requestId);
  }
}

export async function signInAction(input: TSignIn & { next?: string }): Promise<ActionResult> {
  try {
    checkActionInput(input);
  } catch (error) {
    return actionError(error);
  }
  const code = typeof input.code === "string" ? input.code : undefined;
  const started = await startSession(String(input.email ?? ""), String(input.password ?? ""), code);
  if (!started.ok) return started;
  // Only a path on this registry's own origin (lib/http/safe-redirect.ts): never an open redirect.
  redirect(safeRedirectPath(input.next, env().APP_URL));
}

export async function signOutAction(): Promise<void> {
  const actor = await getSignedInActor();
  if (actor) await endSession(actor);
  await signOut({ redirectTo: "/sign-in?signedOut=1" });
}

export async function signOutEverywhereAction(): Promise<ActionResult> {
  try {
    const actor = await requireActor();
    await signOutEverywhere(actor);
  } catch (error) {
    if (error instanceof AppError && error.code === "UNAUTHENTICATED") redirect("/sign-in");
    return actionError(error);
  }
  await signOut({ redirectTo: "/sign-in?signedOutEverywhere=1" });
  return { ok: true };
}

/** A new password from the account page; this session stays, every other one ends. */
export async function changePasswordAction(input: TChangePassword): Promise<ActionResult<{ sessionsEnded: number }>> {
  let requestId: string | undefined;
  try {
    checkActionInput(input);
    const actor = await requireActor();
    requestId = actor.requestId;
    const result = await changePassword(actor, input, await requestContext());
    deliverSoon();
    return { ok: true, data: result };
  } catch (error) {
    return actionError(error, requestId);
  }
}

/** Mails a confirmation link to the new sign-in address (and a notice to the current one). */
export async function requestEmailChangeAction(input: TChangeEmail): Promise<ActionResult<{ message: string }>> {
  let requestId: string | undefined;
  try {
    checkActionInput(input);
    const actor = await requireActor();
    requestId = actor.requestId;
    const result = await requestEmailChange(actor, input, await requestContext());
    deliverSoon();
    return { ok: true, data: result };
  } catch (error) {
    return actionError(error, requestId);
  }
}

/** The button behind the link mailed to a new address (a button, so mail scanners cannot use it up). */
export async function confirmEmailChangeAction(token: string): Promise<ActionResult<{ email: string }>> {
  let requestId: string | undefined;
  try {
    checkActionInput(token);
    const ctx = await requestContext();
    requestId = ctx.requestId;
    const result = await confirmEmailChange(String(token), ctx);
    deliverSoon();
    return { ok: true, data: result };
  } catch (error) {
    return actionError(error, requestId);
  }
}
