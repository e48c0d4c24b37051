"use server";

import { requireActor } from "../auth/session";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import type { TReviewAdverseEvent, TSubmitStatusForm } from "./schema";
import { markAdverseEventReviewed, submitStatusForm } from "./service";

/* Public POST endpoints: the session gives the actor; the service parses and authorizes. */

export async function submitStatusFormAction(
  input: TSubmitStatusForm,
): Promise<ActionResult<{ submissionId: string; seriousAdverseEvent: boolean }>> {
  let requestId: string | undefined;
  try {
    checkActionInput(input);
    const actor = await requireActor();
    requestId = actor.requestId;
    const result = await submitStatusForm(actor, input);
    return { ok: true, data: { submissionId: result.submissionId, seriousAdverseEvent: result.seriousAdverseEvent } };
  } catch (error) {
    return actionError(error, requestId);
  }
}

export async function markAdverseEventReviewedAction(input: TReviewAdverseEvent): Promise<ActionResult> {
  let requestId: string | undefined;
  try {
    checkActionInput(input);
    const actor = await requireActor();
    requestId = actor.requestId;
    await markAdverseEventReviewed(actor, input);
    return { ok: true };
  } catch (error) {
    return actionError(error, requestId);
  }
}
