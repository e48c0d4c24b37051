import "server-only";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { env } from "../env";
import { AppError } from "../errors";
import { signInUrl } from "../http/safe-redirect";
import type { Actor } from "./actor";
import { auth } from "./config";
import {
  isMfaEnrolmentRequired,
  MFA_REQUIRED_FOR_ROLE_MESSAGE,
  MFA_SETUP_PATH,
  mfaEnrolmentRequired,
  mustEnrolMfa,
} from "./mfa";
import { type Permission, requirePermission } from "./permissions";
import { newRequestId, recordAuthorizationFailure, type SessionCheck } from "./service";
import { checkSessionClaims, lastSessionVerdict } from "./session-check";

export const requestId = cache(async (): Promise<string> => (await headers()).get("x-request-id") ?? newRequestId());

/** What the database says about this request's session: null without a session cookie. */
const sessionCheck = cache(async (): Promise<SessionCheck | null> => {
  const session = await auth();
  const user = session?.user as { id?: string; sessionId?: string; sessionVersion?: number } | undefined;
  // A dead session reads as signed out (lib/auth/config.ts); the callback's verdict says why.
  if (!user?.id || !user.sessionId) return lastSessionVerdict();
  return checkSessionClaims(user.id, user.sessionId, user.sessionVersion ?? -1);
});

/**
 * The signed-in actor for this request, or null. The JWT says who claims to be signed in; the
 * database says whether that session is still alive (not revoked, not idle, not expired, same
 * session version, account active).
 */
export const getSignedInActor = cache(async (): Promise<Actor | null> => {
  const check = await sessionCheck();
  if (!check?.ok) return null;
  return { ...check.actor, requestId: await requestId() };
});

/**
 * The signed-in actor who may use the registry: as getSignedInActor, except that a person whose
 * role requires a second factor and who has not enrolled one is refused (FORBIDDEN, flagged as
 * MFA enrolment) by every page, action and route handler until they do. Only the account security
 * page, the layout and sign-out use getSignedInActor directly.
 */
export const getActor = cache(async (): Promise<Actor | null> => {
  const actor = await getSignedInActor();
  if (actor && (await mustEnrolMfa(actor))) throw mfaEnrolmentRequired(MFA_REQUIRED_FOR_ROLE_MESSAGE);
  return actor;
});

/** For pages that call getActor: sends a person who must enrol a second factor to enrolment. */
export async function getPageActor(): Promise<Actor | null> {
  try {
    return await getActor();
  } catch (error) {
    if (isMfaEnrolmentRequired(error)) redirect(`${MFA_SETUP_PATH}?required=1`);
    throw error;
  }
}

/**
 * For pages: signed out → the sign-in page (coming back here afterwards); signed in without the
 * permission → audited, then the 403 page.
 */
export async function requirePagePermission(permission: Permission, path: string): Promise<Actor> {
  const actor = await getPageActor();
  if (!actor) {
    // A deactivated person's open page says why on the sign-in page instead of "sign in again".
    const check = await sessionCheck();
    const url = signInUrl(path, env().APP_URL);
    const deactivated = check && !check.ok && check.reason === "deactivated";
    redirect(deactivated ? `${url}${url.includes("?") ? "&" : "?"}ended=deactivated` : url);
  }
  try {
    requirePermission(actor, permission);
  } catch (error) {
    if (error instanceof AppError && error.code === "FORBIDDEN") {
      await recordAuthorizationFailure(actor, permission, path);
      forbidden();
    }
    throw error;
  }
  return actor;
}

/** For server actions: the actor or an UNAUTHENTICATED error (never a redirect mid-mutation). */
export async function requireActor(): Promise<Actor> {
  const actor = await getActor();
  if (!actor) throw new AppError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
  return actor;
}
