import type { Actor } from "../auth/actor";
import type { AuditActor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import type { Db } from "../db";
import { AppError } from "../errors";

/** Who is calling the gate: a pharmacy system with an API key, or a signed-in pharmacist. */
export type DispenseCaller =
  | { kind: "apiKey"; apiKeyId: string; pharmacyId: string; requestId: string }
  | { kind: "user"; actor: Actor; pharmacyId: string; requestId: string };

export interface ServiceOptions {
  now?: Date;
  client?: Db;
}

/** A signed-in pharmacist as a caller (dispense:authorize:org, linked to a pharmacy) or FORBIDDEN. */
export function callerFromActor(actor: Actor): DispenseCaller {
  requirePermission(actor, "dispense:authorize:org");
  if (!actor.pharmacyId) throw new AppError("FORBIDDEN", "Your account is not linked to a pharmacy.");
  return { kind: "user", actor, pharmacyId: actor.pharmacyId, requestId: actor.requestId };
}

export function auditActorOf(caller: DispenseCaller): AuditActor {
  if (caller.kind === "user") {
    return { userId: caller.actor.userId, role: caller.actor.role, requestId: caller.requestId };
  }
  return { userId: null, role: null, requestId: caller.requestId, apiKeyId: caller.apiKeyId };
}

/** How the caller is named on the stored row and in audit rows. */
export function callerLabel(caller: DispenseCaller): string {
  return caller.kind === "user" ? `user:${caller.actor.userId}` : `apiKey:${caller.apiKeyId}`;
}

export function notFound(): AppError {
  return new AppError("NOT_FOUND", "There is no dispense authorization with this id for your pharmacy.");
}

export function requireReader(caller: DispenseCaller) {
  if (caller.kind === "user") requirePermission(caller.actor, "dispense:read:org");
}

export function requireAuthorizer(caller: DispenseCaller) {
  if (caller.kind === "user") requirePermission(caller.actor, "dispense:authorize:org");
}
