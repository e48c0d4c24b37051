"use server";

import { redirect } from "next/navigation";
import { requireActor } from "../auth/session";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import { triggerBackgroundJob } from "../jobs/scheduler";
import { requestFullVerification, verifyAuditNow } from "./integrity";

/** "Verify now": walks from the last checkpoint to the head; back to the audit page with the outcome. */
export async function verifyAuditNowAction(): Promise<ActionResult> {
  let status: string;
  try {
    checkActionInput();
    const actor = await requireActor();
    status = (await verifyAuditNow(actor)).status.toLowerCase();
  } catch (error) {
    return actionError(error);
  }
  redirect(`/admin/audit?verified=${status}`);
}

/** Queues a full re-walk of the chain and starts the job that runs it. */
export async function startFullVerificationAction(): Promise<ActionResult> {
  let created: boolean;
  try {
    checkActionInput();
    const actor = await requireActor();
    created = (await requestFullVerification(actor)).created;
    await triggerBackgroundJob("audit-full-verification");
  } catch (error) {
    return actionError(error);
  }
  redirect(`/admin/audit?full=${created ? "started" : "running"}`);
}
