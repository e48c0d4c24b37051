/**
 * The dispense gate service: loads the facts in one query, asks the pure rules (./rules.ts), and
 * stores every request with its facts and decision, in one transaction with its audit row.
 *
 * Safety under concurrency, enforced by the database:
 * - Requests for one prescription at one pharmacy are serialized by a transaction-scoped advisory
 *   lock, so the second of two concurrent requests sees the first one's authorization and is
 *   denied with DUPLICATE_REQUEST. A partial unique index (one open approval per prescription)
 *   backs this up: should two ever race past the lock, the second insert fails and is decided again.
 * - Requests for one patient, from any pharmacy, are serialized by a second advisory lock: the units
 *   already committed to the patient's course are part of the facts, so two concurrent requests
 *   cannot both fit into what is left of a course.
 * - (pharmacy, Idempotency-Key) is unique: a concurrent retry with the same key loses the insert
 *   and answers with the stored result.
 * Both unique keys live on the authorization's claim (DispenseAuthorizationClaim, written by a
 * trigger in the INSERT's statement), since the authorizations are partitioned by month (./keys.ts).
 */
import { createHash, randomUUID } from "node:crypto";
import { recordAuditSql } from "../audit/sql-append";
import { type Db, db, sqlOf } from "../db";
import { sql } from "../db/sql";
import { AppError } from "../errors";
import { Prisma } from "../generated/prisma/client";
import { generateRemsId, normalizeRemsId } from "../identifiers/rems-id";
import { getProgramDefinition } from "../programs/registry";
import type { TProgramDefinition } from "../programs/schema";
import type { DispenseDecision, DispenseFacts } from "./facts";
import { answerForPharmacy, applyEnforcementDiscretion, decideDispense } from "./rules";
import { dispenseGateLockKey } from "./revoke";
import {
  type TDispenseAnswer,
  type TDispenseAuthorizationView,
  type TDispenseRequest,
  ZDispenseRequest,
  ZIdempotencyKey,
} from "./schema";
import { type DispenseCaller, type ServiceOptions, auditActorOf, callerLabel } from "./caller";
import { viewSelect, type ViewRow, withDuplicateNumbers, toView, answerOf, parseBody } from "./view";
import { findProgram, loadFacts } from "./facts-query";
import { expireOneSql } from "./expiry";
import { byKey, keyOfIdempotencyKey } from "./keys";

export interface DispenseOutcome {
  /** The answer exactly as the API sends it (a replay returns the stored answer). */
  answer: TDispenseAnswer;
  /** true when the same Idempotency-Key and body were seen before: nothing new was decided. */
  replayed: boolean;
  authorization: TDispenseAuthorizationView;
}

function parseIdempotencyKey(value: unknown): string {
  const parsed = ZIdempotencyKey.safeParse(value ?? undefined);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "Send an Idempotency-Key header";
    throw new AppError("BAD_REQUEST", message, { fields: { idempotencyKey: [message] } });
  }
  return parsed.data;
}

/** The NDC as the programme lists it, when the digits match one of its products. */
function canonicalNdc(ndc: string, program: TProgramDefinition | undefined): string {
  const digits = ndc.replace(/-/g, "");
  return program?.ndcs.find((n) => n.replace(/-/g, "") === digits) ?? ndc;
}

function requestHashOf(request: TDispenseRequest): string {
  const canonical = JSON.stringify([
    request.programCode,
    request.prescriberNpi,
    request.patientRemsId,
    request.healthcareSettingId,
    request.ndc,
    request.quantity,
    request.prescriptionId,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

const MAX_ATTEMPTS = 3;

/**
 * A unique violation, or null: SQLSTATE 23505 from a plain SQL statement (pg and PGlite errors carry
 * it as `code`), P2002 / P2010 from the Prisma client.
 */
function uniqueTarget(error: unknown): string | null {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const described = JSON.stringify(error.meta ?? {}) + error.message;
    if (error.code === "P2002") return described;
    if (error.code === "P2010" && /23505|unique/i.test(described)) return described;
    return null;
  }
  if (error instanceof Error && (error as { code?: unknown }).code === "23505") {
    return `${(error as { constraint?: unknown }).constraint ?? ""} ${error.message}`;
  }
  return null;
}

/** The end of an authorization's last valid day (inclusive), as an instant. */
export function expiryInstant(expiresOn: string): Date {
  return new Date(`${expiresOn}T23:59:59.999Z`);
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
  const client = options.client ?? db();
  const key = parseIdempotencyKey(idempotencyKey);
  const parsed = parseBody(ZDispenseRequest, body, "dispense request");
  const program = getProgramDefinition(parsed.programCode);
  const request: TDispenseRequest = { ...parsed, ndc: canonicalNdc(parsed.ndc, program) };
  const requestHash = requestHashOf(request);

  const now = options.now ?? new Date();
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await decideAndStore(client, caller, key, requestHash, request, program, now);
      if (outcome !== "seen") return outcome;
      const found = await findByIdempotencyKey(client, caller.pharmacyId, key);
      if (!found) throw new Error("an earlier request with this Idempotency-Key was seen but cannot be read");
      const [existing] = await withDuplicateNumbers(client, [found]);
      return replay(existing ?? found, requestHash, now);
    } catch (error) {
      const target = uniqueTarget(error);
      // A concurrent request with the same key won: answer with its result (next loop turn).
      // A concurrent approval for the same prescription won: decide again, now as a duplicate.
      if (target !== null && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

async function findByIdempotencyKey(client: Db, pharmacyId: string, key: string) {
  const found = await keyOfIdempotencyKey(client, pharmacyId, key);
  if (!found) return null;
  return client.dispenseAuthorization.findUnique({
    where: byKey(found),
    select: { ...viewSelect, requestHash: true },
  });
}

export function replay(existing: ViewRow & { requestHash: string }, requestHash: string, now: Date): DispenseOutcome {
  if (existing.requestHash !== requestHash) {
    throw new AppError(
      "CONFLICT",
      "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
      { fields: { idempotencyKey: ["Already used for a different request"] }, authorizationId: existing.id },
    );
  }
  const authorization = toView(existing, now);
  const answer = answerOf(existing);
  // The stored answer, and — when the approval no longer stands — what became of it: a retry after
  // a timeout must not read a revoked or used approval as a fresh one.
  if (answer.decision === "APPROVED" && authorization.status !== "APPROVED" && authorization.status !== "DENIED") {
    return { answer: { ...answer, status: authorization.status }, replayed: true, authorization };
  }
  return { answer, replayed: true, authorization };
}

async function decideAndStore(
  client: Db,
  caller: DispenseCaller,
  key: string,
  requestHash: string,
  request: TDispenseRequest,
  program: TProgramDefinition | undefined,
  now: Date,
): Promise<DispenseOutcome | "seen"> {
  const patientRemsId = normalizeRemsId(request.patientRemsId) ?? request.patientRemsId.toUpperCase();
  const programRow = program ? await findProgram(client, program.code) : null;
  if (!programRow) {
    // No facts query to ask along the way: look for an earlier request with this key first.
    if (await keyOfIdempotencyKey(client, caller.pharmacyId, key)) return "seen";
  }

  // Plain SQL (lib/db/sql.ts), not the Prisma client: this is the gate's hot path, and the
  // transaction holds the audit chain's lock from its append to its commit.
  const row = await sqlOf(client).transaction(async (tx): Promise<ViewRow | "seen"> => {
    let facts: DispenseFacts;
    let refs: { prescriberId: string | null; patientId: string | null; settingId: string | null } = {
      prescriberId: null,
      patientId: null,
      settingId: null,
    };
    let discretionId: string | null = null;
    let duplicateOfId: string | null = null;
    let duplicateOfNumber: string | null = null;

    if (program && programRow) {
      // One prescription at one pharmacy at a time (see the header).
      // The programme's gate lock, shared: a revoking lifecycle change (exclusive) waits for this
      // decision to commit, or this decision waits for it and sees the new status (./revoke.ts).
      const lockKey = `dispense:${caller.pharmacyId}:${program.code}:${request.prescriptionId}`;
      // One patient at a time across pharmacies: the units already committed to the patient's course
      // are counted by the facts query, so a second request waits for the first one's commit.
      const patientLockKey = `dispense-patient:${program.code}:${patientRemsId}`;
      // The facts query is queued behind the locks (lib/db/sql.ts): it starts, and takes its
      // snapshot, only once both are granted.
      const locked =
        tx.query(sql`SELECT pg_advisory_xact_lock_shared(hashtextextended(${dispenseGateLockKey(programRow.id)}::text, 0)),
                                pg_advisory_xact_lock(hashtextextended(${lockKey}::text, 0)),
                                pg_advisory_xact_lock(hashtextextended(${patientLockKey}::text, 0))`);
      locked.catch(() => undefined); // awaited below, after the facts
      const loaded = await loadFacts(tx, {
        programId: programRow.id,
        programCode: program.code,
        program,
        pharmacyId: caller.pharmacyId,
        request,
        patientRemsId,
        idempotencyKey: key,
        now,
      }).catch(async (error: unknown) => {
        await locked; // when the locks failed, theirs is the error to report
        throw error;
      });
      await locked;
      // This key was used before: answer with what was stored (after this transaction ends).
      if (loaded.seen) return "seen";
      let duplicate = loaded.duplicate;
      if (duplicate && duplicate.expiresAt.getTime() <= now.getTime()) {
        // An unused authorization that has run out no longer stands in the way of a new one.
        await expireOneSql(tx, duplicate, auditActorOf(caller));
        duplicate = null;
      }
      duplicateOfId = duplicate?.id ?? null;
      duplicateOfNumber = duplicate?.number ?? null;
      discretionId = loaded.discretionId;
      refs = {
        prescriberId: loaded.prescriber?.id ?? null,
        patientId: loaded.patient?.id ?? null,
        settingId: loaded.setting?.id ?? null,
      };
      facts = {
        programCode: program.code,
        ndc: request.ndc,
        quantity: request.quantity,
        pharmacy: { certificationStatus: loaded.pharmacyStatus },
        prescriber: loaded.prescriber,
        patient: loaded.patient,
        setting: loaded.setting,
        duplicate: duplicate ? { authorizationId: duplicate.id, authorizationNumber: duplicate.number } : null,
      };
    } else {
      facts = {
        programCode: request.programCode,
        ndc: request.ndc,
        quantity: request.quantity,
        pharmacy: { certificationStatus: null },
        prescriber: null,
        patient: null,
        setting: null,
        duplicate: null,
      };
    }

    const known = program && programRow ? program : undefined;
    let full: DispenseDecision = decideDispense(facts, known, now);
    if (discretionId && full.decision === "DENIED") full = applyEnforcementDiscretion(full, known, now);
    // What the pharmacy is told (and what is stored as the answer): nothing about the patient or the
    // prescriber when its own certification denies the request. The facts are stored in full.
    const { answer: decision, withheld } = answerForPharmacy(full);
    if (withheld.includes("DUPLICATE_REQUEST")) {
      duplicateOfId = null;
      duplicateOfNumber = null;
    }
    const approved = decision.decision === "APPROVED";

    const expiresOn = approved && decision.expiresOn ? decision.expiresOn : null;
    const created: ViewRow = {
      id: randomUUID(),
      decision: decision.decision,
      status: approved ? "APPROVED" : "DENIED",
      authorizationNumber: approved ? generateRemsId("DA") : null,
      programCode: request.programCode,
      prescriptionId: request.prescriptionId,
      prescriberNpi: request.prescriberNpi,
      patientRemsId,
      healthcareSettingRef: request.healthcareSettingId,
      ndc: request.ndc,
      quantity: request.quantity,
      reasons: decision.reasons as unknown as Prisma.JsonValue,
      warnings: decision.warnings as unknown as Prisma.JsonValue,
      enforcementDiscretion: decision.enforcementDiscretion === true,
      duplicateOfId,
      duplicateOfNumber,
      createdAt: now,
      expiresAt: expiresOn ? expiryInstant(expiresOn) : null,
      dispensedAt: null,
      dispensedQuantity: null,
      lotNumber: null,
      reversedAt: null,
      reversalReason: null,
      revokedAt: null,
      revocationReason: null,
    };
    // Written with one plain INSERT: this is the gate's hot path, and the row is known in full here.
    // The audit append and the commit are queued right behind it (nothing here depends on its answer).
    const inserted = tx.query(sql`
      INSERT INTO "DispenseAuthorization" (
        "id", "authorizationNumber", "pharmacyId", "programId", "programCode", "prescriptionId", "prescriberNpi",
        "patientRemsId", "healthcareSettingRef", "ndc", "quantity", "prescriberId", "patientId",
        "healthcareSettingId", "decision", "status", "reasons", "warnings", "facts", "enforcementDiscretion",
        "discretionId", "duplicateOfId", "expiresOn", "expiresAt", "idempotencyKey", "requestHash",
        "requestedByUserId", "apiKeyId", "requestId", "createdAt")
      VALUES (
        ${created.id}::uuid, ${created.authorizationNumber}, ${caller.pharmacyId}::uuid, ${programRow?.id ?? null}::uuid,
        ${request.programCode}, ${request.prescriptionId}, ${request.prescriberNpi}, ${patientRemsId},
        ${request.healthcareSettingId}, ${request.ndc}, ${request.quantity}, ${refs.prescriberId}::uuid,
        ${refs.patientId}::uuid, ${refs.settingId}::uuid, ${created.decision}::"DispenseDecision",
        ${created.status}::"DispenseStatus", ${JSON.stringify(decision.reasons)}::jsonb,
        ${JSON.stringify(decision.warnings)}::jsonb, ${JSON.stringify(facts)}::jsonb, ${created.enforcementDiscretion},
        ${decision.enforcementDiscretion ? discretionId : null}::uuid, ${duplicateOfId}::uuid,
        ${expiresOn}::date, ${created.expiresAt}::timestamptz, ${key}, ${requestHash},
        ${caller.kind === "user" ? caller.actor.userId : null}::uuid,
        ${caller.kind === "apiKey" ? caller.apiKeyId : null}::uuid, ${caller.requestId}::text, ${now}::timestamptz)`);
    inserted.catch(() => undefined); // awaited below: its own error (a unique violation) comes first

    // The audit row goes last, with the commit queued right behind it: the chain's lock is held
    // only for the append and the commit.
    const audited = recordAuditSql(
      tx,
      auditActorOf(caller),
      {
        action: approved ? "dispense.approved" : "dispense.denied",
        entityType: "DispenseAuthorization",
        entityId: created.id,
        after: {
          by: callerLabel(caller),
          pharmacyId: caller.pharmacyId,
          programCode: request.programCode,
          prescriptionId: request.prescriptionId,
          patientRemsId,
          decision: decision.decision,
          authorizationNumber: created.authorizationNumber,
          reasons: decision.reasons.map((r) => r.code),
          warnings: decision.warnings.map((r) => r.code),
          // Found by the gate but not told to a pharmacy that may not take part.
          ...(withheld.length > 0 ? { withheldReasons: withheld } : {}),
          enforcementDiscretion: decision.enforcementDiscretion === true,
          duplicateOfId,
        },
      },
      { last: true },
    );
    audited.catch(() => undefined);
    await inserted;
    await audited;
    return created;
  });

  if (row === "seen") return "seen";
  return { answer: answerOf(row), replayed: false, authorization: toView(row, now) };
}
