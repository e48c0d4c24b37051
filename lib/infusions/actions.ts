"use server";

import { revalidatePath } from "next/cache";
import { requireActor } from "../auth/session";
import { isAppError } from "../errors";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import type { InfusionConcern } from "./rules";
import type { TRecordInfusion } from "./schema";
import { type RecordedInfusion, recordInfusion } from "./service";

/** The action's result; a record refused for want of acknowledgement carries the points to acknowledge. */
export type RecordInfusionResult = ActionResult<RecordedInfusion> & { concerns?: InfusionConcern[] };

export async function recordInfusionAction(input: TRecordInfusion): Promise<RecordInfusionResult> {
  let actor: Awaited<ReturnType<typeof requireActor>> | undefined;
  try {
    checkActionInput(input);
    actor = await requireActor();
    const recorded = await recordInfusion(actor, input);
    revalidatePath("/setting");
    return { ok: true, data: recorded };
  } catch (error) {
    const result = actionError(error, actor?.requestId);
    if (isAppError(error) && error.details?.reason === "CONCERNS_NOT_ACKNOWLEDGED") {
      return { ...result, concerns: error.details.concerns as InfusionConcern[] };
    }
    return result;
  }
}
