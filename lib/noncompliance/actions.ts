"use server";

import { redirect } from "next/navigation";
import { requireActor } from "../auth/session";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import { deliverSoon } from "../mail/deliver";
import type { TAddLink, TAddNote, TOpenCase, TTakeStep } from "./schema";
import { openCase, takeStep } from "./service";
import { addLink, addNote } from "./evidence-service";

export async function openCaseAction(input: TOpenCase): Promise<ActionResult> {
  let caseNumber: string;
  try {
    checkActionInput(input);
    const actor = await requireActor();
    ({ caseNumber } = await openCase(actor, input));
  } catch (error) {
    return actionError(error);
  }
  redirect(`/admin/non-compliance/${caseNumber}?done=opened`);
}

export async function takeStepAction(input: TTakeStep): Promise<ActionResult> {
  let result: Awaited<ReturnType<typeof takeStep>>;
  try {
    checkActionInput(input);
    const actor = await requireActor();
    result = await takeStep(actor, input);
  } catch (error) {
    return actionError(error);
  }
  // The e-mails were queued in the transaction; send them now that the step is committed.
  deliverSoon();
  const revoked = result.revokedAuthorizations.length;
  redirect(
    `/admin/non-compliance/${result.caseNumber}?done=${String(input.step).toLowerCase()}${revoked ? `&revoked=${revoked}` : ""}`,
  );
}

export async function addNoteAction(input: TAddNote): Promise<ActionResult> {
  try {
    checkActionInput(input);
    const actor = await requireActor();
    await addNote(actor, input);
    return { ok: true };
  } catch (error) {
    return actionError(error);
  }
}

export async function addLinkAction(input: TAddLink): Promise<ActionResult> {
  try {
    checkActionInput(input);
    const actor = await requireActor();
    await addLink(actor, input);
    return { ok: true };
  } catch (error) {
    return actionError(error);
  }
}
