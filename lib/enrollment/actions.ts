"use server";

import { requireActor } from "../auth/session";
import { type ActionResult, actionError } from "../http/action-result";
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

async function run<T>(work: (actor: Awaited<ReturnType<typeof requireActor>>) => Promise<T>): Promise<ActionResult<T>> {
  let requestId: string | undefined;
  try {
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
  return run((actor) => saveEnrollmentForm(actor, input));
}

export async function acknowledgeTrainingAction(
  input: TAcknowledgeTraining,
): Promise<ActionResult<{ sectionId: string; acknowledgedAt: string | null }>> {
  return run((actor) => acknowledgeTrainingSection(actor, input));
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
  return run((actor) => submitAssessment(actor, input));
}

export async function setAttestationAction(
  input: TSetAttestation,
): Promise<ActionResult<{ attestationId: string; checked: boolean }>> {
  return run((actor) => setAttestation(actor, input));
}

export async function signEnrollmentAction(
  input: TSignEnrollment,
): Promise<ActionResult<{ signatureId: string; contentSha256: string; status: string }>> {
  return run(async (actor) => {
    const signed = await signEnrollment(actor, input);
    return { signatureId: signed.signatureId, contentSha256: signed.contentSha256, status: signed.status };
  });
}

export async function restartEnrollmentAction(
  input: TRestartEnrollment,
): Promise<ActionResult<{ enrollmentId: string }>> {
  return run(async (actor) => ({ enrollmentId: (await restartEnrollment(actor, input)).enrollmentId }));
}
