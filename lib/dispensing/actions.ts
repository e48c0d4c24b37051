"use server";

import { randomUUID } from "node:crypto";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { Actor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import { requireActor } from "../auth/session";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import { createApiKey, revokeApiKey } from "./api-keys";
import type { TDispenseAnswer, TDispenseStatus } from "./schema";
import { callerFromActor } from "./caller";
import { confirmDispense, reverseDispense } from "./confirm";
import { enforceDispenseRateLimit } from "./service";
import { requestDispenseAuthorization } from "./request";

/**
 * The forms post FormData (they work before JavaScript has loaded), so each state carries back what
 * was typed: a refused form is shown again with the person's values, never emptied.
 */
export interface FormState<T> {
  values: Record<string, string>;
  result: ActionResult<T> | null;
}

export interface DispenseFormState extends FormState<{ answer: TDispenseAnswer; replayed: boolean }> {
  /**
   * The Idempotency-Key the next submission carries. It changes only when an answer comes back, so
   * a double submit (or a resubmit after a lost response) replays the first request's answer.
   */
  idempotencyKey: string;
}

const REQUEST_FIELDS = [
  "programCode",
  "prescriberNpi",
  "patientRemsId",
  "healthcareSettingId",
  "ndc",
  "quantity",
  "prescriptionId",
] as const;

function readValues(formData: FormData, names: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = formData.get(name);
    values[name] = typeof value === "string" ? value : "";
  }
  return values;
}

/** A typed number as a number (the shared schema says what is wrong with anything else). */
function numberOrRaw(value: string | undefined): number | string | undefined {
  const trimmed = value?.trim() ?? "";
  if (trimmed === "") return undefined;
  return Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

export async function requestDispenseAction(
  _previous: DispenseFormState,
  formData: FormData,
): Promise<DispenseFormState> {
  const values = readValues(formData, REQUEST_FIELDS);
  const idempotencyKey = formData.get("idempotencyKey");
  let actor: Actor | undefined;
  let result: DispenseFormState["result"];
  try {
    checkActionInput(formData);
    actor = await requireActor();
    const caller = callerFromActor(actor);
    await enforceDispenseRateLimit(caller);
    const outcome = await requestDispenseAuthorization(caller, idempotencyKey, {
      ...values,
      quantity: numberOrRaw(values.quantity),
    });
    result = { ok: true, data: { answer: outcome.answer, replayed: outcome.replayed } };
  } catch (error) {
    result = actionError(error, actor?.requestId);
  }
  return { values, result, idempotencyKey: randomUUID() };
}

/** "2026-05-04T09:30" (or with seconds) from a datetime-local input, read as UTC (every time on these screens is UTC). */
function utcDateTime(value: string | undefined): string | undefined {
  const trimmed = value?.trim() ?? "";
  if (trimmed === "") return undefined;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(trimmed)) return `${trimmed}:00Z`;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(trimmed) ? `${trimmed}Z` : trimmed;
}

export async function confirmDispenseAction(
  _previous: FormState<{ status: TDispenseStatus }>,
  formData: FormData,
): Promise<FormState<{ status: TDispenseStatus }>> {
  const values = readValues(formData, ["authorizationId", "quantity", "lotNumber", "dispensedAt"]);
  let actor: Actor | undefined;
  let confirmedId: string;
  try {
    checkActionInput(formData);
    actor = await requireActor();
    const view = await confirmDispense(callerFromActor(actor), values.authorizationId ?? "", {
      quantity: numberOrRaw(values.quantity),
      lotNumber: values.lotNumber,
      dispensedAt: utcDateTime(values.dispensedAt),
    });
    confirmedId = view.id;
  } catch (error) {
    return { values, result: actionError(error, actor?.requestId) };
  }
  // The confirm form goes away once the authorization is used: the page itself says it worked.
  revalidatePath(`/pharmacy/authorizations/${confirmedId}`);
  redirect(`/pharmacy/authorizations/${confirmedId}?confirmed=1`);
}

export async function reverseDispenseAction(
  _previous: FormState<{ status: TDispenseStatus }>,
  formData: FormData,
): Promise<FormState<{ status: TDispenseStatus }>> {
  const values = readValues(formData, ["authorizationId", "reason"]);
  let actor: Actor | undefined;
  try {
    checkActionInput(formData);
    actor = await requireActor();
    const view = await reverseDispense(callerFromActor(actor), values.authorizationId ?? "", { reason: values.reason });
    revalidatePath(`/pharmacy/authorizations/${view.id}`);
    return { values, result: { ok: true, data: { status: view.status } } };
  } catch (error) {
    return { values, result: actionError(error, actor?.requestId) };
  }
}

export async function createApiKeyAction(
  _previous: FormState<{ name: string; prefix: string; key: string }>,
  formData: FormData,
): Promise<FormState<{ name: string; prefix: string; key: string }>> {
  const values = readValues(formData, ["name"]);
  let actor: Actor | undefined;
  try {
    checkActionInput(formData);
    actor = await requireActor();
    requirePermission(actor, "apikey:issue:org");
    // The step-up secrets are read for this call only: never echoed back into the form.
    const stepUp = readValues(formData, ["password", "code"]);
    const created = await createApiKey(actor, { ...values, ...stepUp });
    revalidatePath("/pharmacy/api-keys");
    // The plaintext key goes back once, in this answer only; the form is emptied for the next key.
    return {
      values: { name: "" },
      result: { ok: true, data: { name: created.name, prefix: created.prefix, key: created.key } },
    };
  } catch (error) {
    return { values, result: actionError(error, actor?.requestId) };
  }
}

export async function revokeApiKeyAction(
  _previous: FormState<undefined>,
  formData: FormData,
): Promise<FormState<undefined>> {
  const values = readValues(formData, ["keyId"]);
  let actor: Actor | undefined;
  try {
    checkActionInput(formData);
    actor = await requireActor();
    requirePermission(actor, "apikey:issue:org");
    await revokeApiKey(actor, values.keyId ?? "");
    revalidatePath("/pharmacy/api-keys");
    return { values, result: { ok: true } };
  } catch (error) {
    return { values, result: actionError(error, actor?.requestId) };
  }
}
