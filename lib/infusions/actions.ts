"use server";

import { revalidatePath } from "next/cache";
import { requireActor } from "../auth/session";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import type { TRecordInfusion } from "./schema";
import { type RecordedInfusion, recordInfusion } from "./service";

export async function recordInfusionAction(input: TRecordInfusion): Promise<ActionResult<RecordedInfusion>> {
  let actor: Awaited<ReturnType<typeof requireActor>> | undefined;
  try {
    checkActionInput(input);
    actor = await requireActor();
    const recorded = await recordInfusion(actor, input);
    revalidatePath("/setting");
    return { ok: true, data: recorded };
  } catch (error) {
    return actionError(error, actor?.requestId);
  }
}
