"use server";

import { requireActor } from "../auth/session";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import type { TRecordLabResult } from "./schema";
import { recordLabResult } from "./service";

/* A public POST endpoint: the session gives the actor; the service parses and authorizes. */
export async function recordLabResultAction(input: TRecordLabResult): Promise<ActionResult<{ id: string }>> {
  let requestId: string | undefined;
  try {
    checkActionInput(input);
    const actor = await requireActor();
    requestId = actor.requestId;
    return { ok: true, data: await recordLabResult(actor, input) };
  } catch (error) {
    return actionError(error, requestId);
  }
}
