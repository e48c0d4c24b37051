"use server";

import { redirect } from "next/navigation";
import { requireActor } from "../auth/session";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import { deliverSoon } from "../mail/deliver";
import type { TClaim, TDecision } from "./schema";
import { claimApplication, decideApplication, releaseClaim } from "./service";

/** Where to go back to after an action: one of the two pages that show an application. */
function backTo(returnTo: unknown, enrollmentId: string, done: string, revoked = 0): string {
  const base =
    typeof returnTo === "string" && /^\/admin\/(applications|stakeholders)\/[0-9a-f-]{36}$/i.test(returnTo)
      ? returnTo
      : `/admin/applications/${encodeURIComponent(enrollmentId)}`;
  return `${base}?done=${encodeURIComponent(done)}${revoked > 0 ? `&revoked=${revoked}` : ""}`;
}

export async function decideApplicationAction(input: TDecision, returnTo?: string): Promise<ActionResult> {
  let enrollmentId: string;
  let revoked: string[];
  try {
    checkActionInput(input, returnTo);
    const actor = await requireActor();
    ({ id: enrollmentId, revokedAuthorizations: revoked } = await decideApplication(actor, input));
  } catch (error) {
    return actionError(error);
  }
  // The e-mails were queued in the transaction; send them now that the decision is committed.
  deliverSoon();
  redirect(backTo(returnTo, enrollmentId, String(input.event).toLowerCase(), revoked.length));
}

export async function claimApplicationAction(input: TClaim, returnTo?: string): Promise<ActionResult> {
  try {
    checkActionInput(input, returnTo);
    const actor = await requireActor();
    await claimApplication(actor, input);
  } catch (error) {
    return actionError(error);
  }
  redirect(backTo(returnTo, String(input.enrollmentId), input.takeOver ? "taken-over" : "claimed"));
}

export async function releaseClaimAction(input: TClaim, returnTo?: string): Promise<ActionResult> {
  try {
    checkActionInput(input, returnTo);
    const actor = await requireActor();
    await releaseClaim(actor, input);
  } catch (error) {
    return actionError(error);
  }
  redirect(backTo(returnTo, String(input.enrollmentId), "released"));
}
