"use server";

import { requireActor } from "../auth/session";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import type {
  TAcknowledgeTraining,
  TRestartEnrollment,
  TSaveEnrollmentForm,
  TSetAttestation,
  TSignEnrollment,
  TSubmitAssessment,
} from "./schema";
import {
  acknowledgeTrainingSection,
  restartEnrollment,
  saveEnrollmentForm,
  setAttestation,
  signEnrollment,
  submitAssessment,
  type TopicToReview,
} from "./service";

/*
 * Each action is a public POST endpoint: it resolves the actor from the session and hands the raw
 * input to the service, which parses it with the shared schema and checks the actor's permission
 * and link to the application.
 */

/** `check` is the action's boundary check on its own arguments, run before anything else. */
async function run<T>(
  check: () => void,
  work: (actor: Awaited<ReturnType<typeof requireActor>>) => Promise<T>,
): Promise<ActionResult<T>> {
  let requestId: string | undefined;
  try {
    check();
    const actor = await requireActor();
    requestId = actor.requestId;
    return { ok: true, data: await work(actor) };
  } catch (error) {
    return actionError(error, requestId);
  }
}

export async function saveEnrollmentFormAction(
  input: TSaveEnrollmentForm,
): Promise<ActionResult<{ enrollmentId: string; created: boolean }>> {
  return run(
    () => checkActionInput(input),
    (actor) => saveEnrollmentForm(actor, input),
  );
}

export async function acknowledgeTrainingAction(
  input: TAcknowledgeTraining,
): Promise<ActionResult<{ sectionId: string; acknowledgedAt: string | null }>> {
  return run(
    () => checkActionInput(input),
    (actor) => acknowledgeTrainingSection(actor, input),
  );
}

export async function submitAssessmentAction(input: TSubmitAssessment): Promise<
  ActionResult<{
    attemptNumber: number;
    correctCount: number;
    questionCount: number;
    passed: boolean;
    topicsToReview: TopicToReview[];
  }>
> {
  return run(
    () => checkActionInput(input),
    (actor) => submitAssessment(actor, input),
  );
}

export async function setAttestationAction(
  input: TSetAttestation,
): Promise<ActionResult<{ attestationId: string; checked: boolean }>> {
  return run(
    () => checkActionInput(input),
    (actor) => setAttestation(actor, input),
  );
}

export async function signEnrollmentAction(
  input: TSignEnrollment,
): Promise<ActionResult<{ signatureId: string; contentSha256: string; status: string }>> {
  return run(
    () => checkActionInput(input),
    async (actor) => {
      const signed = await signEnrollment(actor, input);
      return { signatureId: signed.signatureId, contentSha256: signed.contentSha256, status: signed.status };
    },
  );
}

export async function restartEnrollmentAction(
  input: TRestartEnrollment,
): Promise<ActionResult<{ enrollmentId: string }>> {
  return run(
    () => checkActionInput(input),
    async (actor) => ({ enrollmentId: (await restartEnrollment(actor, input)).enrollmentId }),
  );
}
