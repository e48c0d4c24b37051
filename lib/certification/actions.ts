"use server";

import { redirect } from "next/navigation";
import { requireActor } from "../auth/session";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import { deliverSoon } from "../mail/deliver";
import type { TDecision, TSetClaim } from "./schema";
import { type ClaimState, decideApplication, setClaim } from "./service";

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

/**
 * Claim, take over or release without leaving the page: the claim banner updates itself
 * optimistically and settles on the state returned here (or rolls back on an error).
 */
export async function setClaimAction(input: TSetClaim): Promise<ActionResult<ClaimState>> {
  try {
    checkActionInput(input);
    const actor = await requireActor();
    return { ok: true, data: await setClaim(actor, input) };
  } catch (error) {
    return actionError(error);
  }
}
