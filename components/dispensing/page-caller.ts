import "server-only";
import type { Actor } from "@/lib/auth/actor";
import { callerFromActor, type DispenseCaller } from "@/lib/dispensing/caller";
import { isAppError } from "@/lib/errors";

/**
 * The pharmacist as a dispense caller, or why they cannot be one (e.g. not linked to a pharmacy
 * yet): pages explain that instead of failing.
 */
export function pageCaller(
  actor: Actor,
): { caller: DispenseCaller; message?: never } | { caller?: never; message: string } {
  try {
    return { caller: callerFromActor(actor) };
  } catch (error) {
    if (isAppError(error) && error.code === "FORBIDDEN") return { message: error.message };
    throw error;
  }
}
