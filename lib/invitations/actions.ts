"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { signIn, signOut } from "../auth/config";
import { endSession, newRequestId } from "../auth/service";
import { getActor, requireActor } from "../auth/session";
import { clientIp } from "../http/client-ip";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import { deliverSoon } from "../mail/deliver";
import type { TAcceptInvitation, TCreateInvitation } from "./schema";
import { acceptInvitation, createInvitation, revokeInvitation } from "./service";
import { isWellFormedToken } from "./token";

export async function createInvitationAction(
  input: TCreateInvitation,
): Promise<ActionResult<{ email: string; link: string; expiresAt: string }>> {
  try {
    checkActionInput(input);
    const actor = await requireActor();
    const invitation = await createInvitation(actor, input);
    deliverSoon();
    return {
      ok: true,
      data: { email: invitation.email, link: invitation.link, expiresAt: invitation.expiresAt.toISOString() },
    };
  } catch (error) {
    return actionError(error);
  }
}

export async function revokeInvitationAction(invitationId: string): Promise<ActionResult> {
  try {
    checkActionInput(invitationId);
    const actor = await requireActor();
    await revokeInvitation(actor, String(invitationId));
    return { ok: true };
  } catch (error) {
    return actionError(error);
  }
}

/** Creates the invited account, then signs the person in and takes them to their dashboard. */
export async function acceptInvitationAction(token: string, input: TAcceptInvitation): Promise<ActionResult> {
  let requestId: string | undefined;
  let email: string;
  try {
    checkActionInput(token, input);
    const h = await headers();
    const ctx = { ip: clientIp(h), userAgent: h.get("user-agent"), requestId: h.get("x-request-id") ?? newRequestId() };
    requestId = ctx.requestId;
    ({ email } = await acceptInvitation(String(token), input, ctx));
  } catch (error) {
    return actionError(error, requestId);
  }
  deliverSoon();
  try {
    await signIn("credentials", { email, password: String(input.password), redirect: false });
  } catch {
    // The account exists; if signing in fails now (e.g. a throttle), the person signs in by hand.
    redirect("/sign-in?next=%2Fdashboard");
  }
  redirect("/dashboard");
}

/** Someone signed in opened an invitation meant for a new account: sign out and come back to it. */
export async function signOutToAcceptAction(token: string): Promise<void> {
  // A form with no result to show: text that is no token just signs out to the sign-in page.
  let back = "/sign-in?signedOut=1";
  try {
    checkActionInput(token);
    if (isWellFormedToken(token)) back = `/invitations/${token}`;
  } catch {}
  const actor = await getActor();
  if (actor) await endSession(actor);
  await signOut({ redirectTo: back });
}
