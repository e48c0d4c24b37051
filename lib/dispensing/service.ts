/**
 * The dispense gate service: loads the facts, asks the pure rules (./rules.ts), stores every
 * request with its facts and decision, and handles idempotency, confirmation and reversal.
 */
import type { Actor } from "../auth/actor";
import { db, type Db } from "../db";
import type {
  TDispenseAnswer,
  TDispenseAuthorizationPage,
  TDispenseAuthorizationView,
} from "./schema";

/** Who is calling the gate: a pharmacy system with an API key, or a signed-in pharmacist. */
export type DispenseCaller =
  | { kind: "apiKey"; apiKeyId: string; pharmacyId: string; requestId: string }
  | { kind: "user"; actor: Actor; pharmacyId: string; requestId: string };

export interface DispenseOutcome {
  /** The answer exactly as the API sends it (a replay returns the stored answer). */
  answer: TDispenseAnswer;
  /** true when the same Idempotency-Key and body were seen before: nothing new was decided. */
  replayed: boolean;
  authorization: TDispenseAuthorizationView;
}

export interface ServiceOptions {
  now?: Date;
  client?: Db;
}

/** A signed-in pharmacist as a caller (dispense:authorize:org, linked to a pharmacy) or FORBIDDEN. */
export function callerFromActor(actor: Actor): DispenseCaller {
  void actor;
  throw new Error("not implemented yet");
}

/**
 * Decides one request. Throws AppError BAD_REQUEST (missing/invalid Idempotency-Key, with
 * fields.idempotencyKey), VALIDATION (body fields, `fields` keyed by field name), CONFLICT (the key
 * was used with a different body). Denials are answers, not errors.
 */
export async function requestDispenseAuthorization(
  caller: DispenseCaller,
  idempotencyKey: unknown,
  body: unknown,
  options: ServiceOptions = {},
): Promise<DispenseOutcome> {
  void caller;
  void idempotencyKey;
  void body;
  void options;
  void db;
  throw new Error("not implemented yet");
}

/** NOT_FOUND for another pharmacy's id; CONFLICT unless APPROVED and unexpired; VALIDATION for bad fields. */
export async function confirmDispense(
  caller: DispenseCaller,
  id: string,
  body: unknown,
  options: ServiceOptions = {},
): Promise<TDispenseAuthorizationView> {
  void caller;
  void id;
  void body;
  void options;
  throw new Error("not implemented yet");
}

/** CONFLICT unless DISPENSED. */
export async function reverseDispense(
  caller: DispenseCaller,
  id: string,
  body: unknown,
  options: ServiceOptions = {},
): Promise<TDispenseAuthorizationView> {
  void caller;
  void id;
  void body;
  void options;
  throw new Error("not implemented yet");
}

export async function getDispenseAuthorization(
  caller: DispenseCaller,
  id: string,
  options: ServiceOptions = {},
): Promise<TDispenseAuthorizationView> {
  void caller;
  void id;
  void options;
  throw new Error("not implemented yet");
}

export async function listDispenseAuthorizations(
  caller: DispenseCaller,
  query: unknown,
  options: ServiceOptions = {},
): Promise<TDispenseAuthorizationPage> {
  void caller;
  void query;
  void options;
  throw new Error("not implemented yet");
}

/** Per-caller limit (DISPENSE_RATE_LIMIT_PER_MINUTE); throws RATE_LIMITED with retryAfterSeconds. */
export async function enforceDispenseRateLimit(
  caller: DispenseCaller,
  options: ServiceOptions = {},
): Promise<{ limit: number; remaining: number }> {
  void caller;
  void options;
  throw new Error("not implemented yet");
}
