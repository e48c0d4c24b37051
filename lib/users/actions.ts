"use server";

import { redirect } from "next/navigation";
import type { Actor } from "../auth/actor";
import { resetMfa } from "../auth/mfa";
import { forcePasswordReset } from "../auth/recovery";
import { requireActor } from "../auth/session";
import { type ActionResult, actionError, checkActionInput } from "../http/action-result";
import { deliverSoon } from "../mail/deliver";
import type { TAdministratorRequest, TDecideAdministratorRequest, TEndSessions, TUserAction } from "./schema";
import {
  deactivateUser,
  decideAdministratorRequest,
  endUserSessions,
  reactivateUser,
  requestAdministrator,
  unlockUser,
} from "./service";

export type UserActionKind =
  | "deactivate"
  | "reactivate"
  | "unlock"
  | "end-sessions"
  | "force-password-reset"
  | "reset-mfa";

const USER_ACTIONS = {
  deactivate: deactivateUser,
  reactivate: reactivateUser,
  unlock: unlockUser,
  "end-sessions": endUserSessions,
  "force-password-reset": (actor: Actor, input: TUserAction) =>
    forcePasswordReset(actor, String(input.userId ?? ""), String(input.reason ?? "")),
  "reset-mfa": (actor: Actor, input: TUserAction) =>
    resetMfa(actor, String(input.userId ?? ""), String(input.reason ?? "")),
} as const;

/** One administrator action on an account; back to the user's page, which says what was done. */
export async function manageUserAction(kind: UserActionKind, input: TUserAction | TEndSessions): Promise<ActionResult> {
  let userId: string;
  try {
    checkActionInput(kind, input);
    const run = Object.hasOwn(USER_ACTIONS, kind) ? USER_ACTIONS[kind] : null;
    if (!run) return { ok: false, code: "BAD_REQUEST", message: "Unknown action." };
    const actor = await requireActor();
    await run(actor, input);
    userId = String(input.userId);
  } catch (error) {
    return actionError(error);
  }
  deliverSoon();
  redirect(`/admin/users/${encodeURIComponent(userId)}?done=${encodeURIComponent(kind)}`);
}

export async function requestAdministratorAction(input: TAdministratorRequest): Promise<ActionResult> {
  try {
    checkActionInput(input);
    const actor = await requireActor();
    await requestAdministrator(actor, input);
  } catch (error) {
    return actionError(error);
  }
  redirect("/admin/users/administrators?done=requested");
}

export async function decideAdministratorRequestAction(input: TDecideAdministratorRequest): Promise<ActionResult> {
  let done: string;
  try {
    checkActionInput(input);
    const actor = await requireActor();
    done = (await decideAdministratorRequest(actor, input)).decision.toLowerCase();
  } catch (error) {
    return actionError(error);
  }
  deliverSoon();
  redirect(`/admin/users/administrators?done=${done}`);
}
