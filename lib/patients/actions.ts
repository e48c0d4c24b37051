"use server";

import { requireActor } from "../auth/session";
import { isAppError } from "../errors";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import { deliverSoon } from "../mail/deliver";
import type {
  TCoSignPatientEnrollment,
  TEnrollPatient,
  TSetPatientStatus,
  TSignOwnEnrollment,
  TTransferPatient,
} from "./schema";
import {
  coSignPatientEnrollment,
  type DuplicateMatch,
  type EnrolledPatient,
  enrollPatient,
  setPatientStatus,
  signOwnEnrollment,
  transferPatient,
} from "./service";

/*
 * Each action is a public POST endpoint: it resolves the actor from the session and hands the raw
 * input to the service, which parses it with the shared schema and checks the actor's permission
 * and link to the patient.
 */

type Actor = Awaited<ReturnType<typeof requireActor>>;

/** `check` is the action's boundary check on its own arguments, run before anything else. */
async function run<T>(check: () => void, work: (actor: Actor) => Promise<T>): Promise<ActionResult<T>> {
  let requestId: string | undefined;
  try {
    check();
    const actor = await requireActor();
    requestId = actor.requestId;
    const data = await work(actor);
    deliverSoon();
    return { ok: true, data };
  } catch (error) {
    return actionError(error, requestId);
  }
}

/** Enrollment also answers "possible duplicate" with the matches the prescriber must look at. */
export type EnrollPatientActionResult =
  | ActionResult<EnrolledPatient>
  | { ok: false; code: "POSSIBLE_DUPLICATE"; message: string; matches: DuplicateMatch[] };

export async function enrollPatientAction(input: TEnrollPatient): Promise<EnrollPatientActionResult> {
  let requestId: string | undefined;
  try {
    checkActionInput(input);
    const actor = await requireActor();
    requestId = actor.requestId;
    const data = await enrollPatient(actor, input);
    deliverSoon();
    return { ok: true, data };
  } catch (error) {
    if (isAppError(error) && error.details?.reason === "possible-duplicate") {
      return {
        ok: false,
        code: "POSSIBLE_DUPLICATE",
        message: error.message,
        matches: (error.details.matches as DuplicateMatch[] | undefined) ?? [],
      };
    }
    return actionError(error, requestId);
  }
}

export async function setPatientStatusAction(input: TSetPatientStatus) {
  return run(
    () => checkActionInput(input),
    (actor) => setPatientStatus(actor, input),
  );
}

export async function transferPatientAction(input: TTransferPatient) {
  return run(
    () => checkActionInput(input),
    (actor) => transferPatient(actor, input),
  );
}

export async function coSignPatientEnrollmentAction(input: TCoSignPatientEnrollment) {
  return run(
    () => checkActionInput(input),
    (actor) => coSignPatientEnrollment(actor, input),
  );
}

export async function signOwnEnrollmentAction(input: TSignOwnEnrollment) {
  return run(
    () => checkActionInput(input),
    (actor) => signOwnEnrollment(actor, input),
  );
}
