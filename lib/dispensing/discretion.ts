/**
 * Enforcement discretion: an administrator switches a programme into it (reason, end time), during
 * which blocking reasons only warn (lib/dispensing/rules.ts applyEnforcementDiscretion). Every
 * switch is audited; every authorization given under it is listed for follow-up.
 */
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import type { TDispenseAuthorizationView } from "./schema";

export interface DiscretionPeriod {
  id: string;
  programCode: string;
  programName: string;
  reason: string;
  startsAt: Date;
  endsAt: Date;
  createdByName: string | null;
  endedAt: Date | null;
  endReason: string | null;
  /** startsAt <= now < endsAt and not ended early. */
  active: boolean;
}

export interface FollowUpRow {
  authorization: TDispenseAuthorizationView;
  pharmacyName: string;
  followUpNote: string | null;
  followedUpAt: Date | null;
}

/** program:manage:any. VALIDATION (fields) for a bad reason / an end time not in the future; CONFLICT if one is active. */
export async function startEnforcementDiscretion(actor: Actor, input: unknown, now?: Date, client?: Db) {
  void actor;
  void input;
  void now;
  void client;
  throw new Error("not implemented yet");
}

/** program:manage:any. Ends an active period early with a reason. */
export async function endEnforcementDiscretion(actor: Actor, input: unknown, now?: Date, client?: Db) {
  void actor;
  void input;
  void now;
  void client;
  throw new Error("not implemented yet");
}

/** Periods active now (every programme, or one): shown on every pharmacist screen. No permission needed. */
export async function activeDiscretionPeriods(now?: Date, client?: Db): Promise<DiscretionPeriod[]> {
  void now;
  void client;
  throw new Error("not implemented yet");
}

/** program:manage:any. Every period, newest first. */
export async function listDiscretionPeriods(actor: Actor, client?: Db): Promise<DiscretionPeriod[]> {
  void actor;
  void client;
  throw new Error("not implemented yet");
}

/** program:manage:any. Authorizations given under discretion; `pending` = not yet followed up. */
export async function listDiscretionFollowUps(
  actor: Actor,
  filter: { pending?: boolean },
  client?: Db,
): Promise<FollowUpRow[]> {
  void actor;
  void filter;
  void client;
  throw new Error("not implemented yet");
}

/** program:manage:any. Records the follow-up of one authorization (audited). */
export async function recordFollowUp(actor: Actor, input: unknown, client?: Db): Promise<void> {
  void actor;
  void input;
  void client;
  throw new Error("not implemented yet");
}
