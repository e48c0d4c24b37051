"use server";

import { revalidatePath } from "next/cache";
import type { Actor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import { requireActor } from "../auth/session";
import { actionError, checkActionInput } from "../http/action-result";
import type { FormState } from "./actions";
import { endEnforcementDiscretion, recordFollowUp, startEnforcementDiscretion } from "./discretion";

/*
 * The administrator's enforcement-discretion forms. They post FormData (they work before JavaScript
 * has loaded) and get back what was typed, so a refused form is shown again as it was.
 */

const PAGE = "/admin/enforcement-discretion";

function readValues(formData: FormData, names: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = formData.get(name);
    values[name] = typeof value === "string" ? value : "";
  }
  return values;
}

/**
 * A datetime-local value ("2026-12-01T18:00") read as UTC: every time on the administration pages
 * is UTC, so two administrators in different time zones read and type the same instant. Anything
 * else is passed on for the shared schema to refuse with its own message.
 */
function utcInstant(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?$/.exec(value.trim());
  return match ? `${match[1]}${match[2] ?? ":00"}Z` : value;
}

async function adminActor(): Promise<Actor> {
  const actor = await requireActor();
  requirePermission(actor, "program:manage:any");
  return actor;
}

function revalidate() {
  revalidatePath(PAGE);
  revalidatePath("/admin");
}

export async function startDiscretionAction(
  _previous: FormState<undefined>,
  formData: FormData,
): Promise<FormState<undefined>> {
  const values = readValues(formData, ["programCode", "reason", "endsAt"]);
  let actor: Actor | undefined;
  try {
    checkActionInput(formData);
    actor = await adminActor();
    const endsAt = utcInstant(values.endsAt ?? "");
    await startEnforcementDiscretion(actor, { ...values, endsAt });
    revalidate();
    return { values, result: { ok: true } };
  } catch (error) {
    return { values, result: actionError(error, actor?.requestId) };
  }
}

export async function endDiscretionAction(
  _previous: FormState<undefined>,
  formData: FormData,
): Promise<FormState<undefined>> {
  const values = readValues(formData, ["discretionId", "reason"]);
  let actor: Actor | undefined;
  try {
    checkActionInput(formData);
    actor = await adminActor();
    await endEnforcementDiscretion(actor, values);
    revalidate();
    return { values, result: { ok: true } };
  } catch (error) {
    return { values, result: actionError(error, actor?.requestId) };
  }
}

export async function recordFollowUpAction(
  _previous: FormState<undefined>,
  formData: FormData,
): Promise<FormState<undefined>> {
  const values = readValues(formData, ["authorizationId", "note"]);
  let actor: Actor | undefined;
  try {
    checkActionInput(formData);
    actor = await adminActor();
    await recordFollowUp(actor, values);
    revalidate();
    return { values, result: { ok: true } };
  } catch (error) {
    return { values, result: actionError(error, actor?.requestId) };
  }
}
