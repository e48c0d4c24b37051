/**
 * The dispense gate service: loads the facts in one query, asks the pure rules (./rules.ts), and
 * stores every request with its facts and decision, in one transaction with its audit row.
 *
 * Safety under concurrency, enforced by the database:
 * - Requests for one prescription at one pharmacy are serialized by a transaction-scoped advisory
 *   lock, so the second of two concurrent requests sees the first one's authorization and is
 *   denied with DUPLICATE_REQUEST. A partial unique index (one APPROVED row per prescription)
 *   backs this up: should two ever race past the lock, the second insert fails and is decided again.
 * - (pharmacy, Idempotency-Key) is unique: a concurrent retry with the same key loses the insert
 *   and answers with the stored result.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Actor } from "../auth/actor";
import type { AuditActor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import { recordAudit } from "../audit/service";
import { addDays, dayOf } from "../calendar";
import type { CertificationStatus } from "../certification/rules";
import { type Db, db, type Tx } from "../db";
import { env } from "../env";
import { formatDate, formatDateTime } from "../format";
import { AppError, fieldErrorsFromZod } from "../errors";
import { Prisma } from "../generated/prisma/client";
import type { DispenseStatus } from "../generated/prisma/enums";
import { rateLimited } from "../http/api";
import { hitRateLimit } from "../http/rate-limit";
import { generateRemsId, normalizeRemsId } from "../identifiers/rems-id";
import type { PatientStatus } from "../patients/rules";
import { getProgramDefinition } from "../programs/registry";
import type { TProgramDefinition } from "../programs/schema";
import type { DispenseDecision, DispenseFacts, DispenseReason } from "./facts";
import { applyEnforcementDiscretion, decideDispense, relevantTestCodes } from "./rules";
import { type CurrentParties, currentPartyReasons } from "./revocation";
import { dispenseGateLockKey } from "./revoke";
import { isUuid } from "../identifiers/uuid";
import {
  type TDispenseAnswer,
  type TDispenseAuthorizationPage,
  type TDispenseAuthorizationView,
  type TDispenseRequest,
  type TDispenseStatus,
  ZConfirmDispense,
  ZDispenseRequest,
  ZIdempotencyKey,
  ZListDispenseAuthorizations,
  ZReverseDispense,
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
  requirePermission(actor, "dispense:authorize:org");
  if (!actor.pharmacyId) throw new AppError("FORBIDDEN", "Your account is not linked to a pharmacy.");
  return { kind: "user", actor, pharmacyId: actor.pharmacyId, requestId: actor.requestId };
}

function auditActorOf(caller: DispenseCaller): AuditActor {
  if (caller.kind === "user") {
    return { userId: caller.actor.userId, role: caller.actor.role, requestId: caller.requestId };
  }
  return { userId: null, role: null, requestId: caller.requestId };
}

/** How the caller is named on the stored row and in audit rows. */
function callerLabel(caller: DispenseCaller): string {
  return caller.kind === "user" ? `user:${caller.actor.userId}` : `apiKey:${caller.apiKeyId}`;
}

// ---------------------------------------------------------------------------------------------
// Row ↔ view

export const viewSelect = {
  id: true,
  decision: true,
  status: true,
  authorizationNumber: true,
  programCode: true,
  prescriptionId: true,
  prescriberNpi: true,
  patientRemsId: true,
  healthcareSettingRef: true,
  ndc: true,
  quantity: true,
  reasons: true,
  warnings: true,
  enforcementDiscretion: true,
  duplicateOfId: true,
  createdAt: true,
  expiresAt: true,
  dispensedAt: true,
  dispensedQuantity: true,
  lotNumber: true,
  reversedAt: true,
  reversalReason: true,
  revokedAt: true,
  revocationReason: true,
} satisfies Prisma.DispenseAuthorizationSelect;

export type ViewRow = Prisma.DispenseAuthorizationGetPayload<{ select: typeof viewSelect }> & {
  /** The number (DA-…) of the authorization a DUPLICATE_REQUEST points at, when looked up. */
  duplicateOfNumber?: string | null;
};

/** Adds the number of the authorization each duplicate points at: people quote numbers, not ids. */
async function withDuplicateNumbers<T extends ViewRow>(client: Db | Tx, rows: T[]): Promise<T[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.duplicateOfId ? [r.duplicateOfId] : [])))];
  if (ids.length === 0) return rows;
  const found = await client.dispenseAuthorization.findMany({
    where: { id: { in: ids } },
    select: { id: true, authorizationNumber: true },
  });
  const numbers = new Map(found.map((r) => [r.id, r.authorizationNumber]));
  return rows.map((r) => (r.duplicateOfId ? { ...r, duplicateOfNumber: numbers.get(r.duplicateOfId) ?? null } : r));
}

/** An APPROVED authorization whose expiry has passed reads as EXPIRED even before the job marks it. */
function effectiveStatus(row: { status: DispenseStatus; expiresAt: Date | null }, now: Date): TDispenseStatus {
  if (row.status === "APPROVED" && row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return "EXPIRED";
  return row.status;
}

/** The API's view of a stored authorization, as of `now`. */
export function toView(row: ViewRow, now: Date): TDispenseAuthorizationView {
  return {
    id: row.id,
    decision: row.decision,
    status: effectiveStatus(row, now),
    authorizationNumber: row.authorizationNumber,
    programCode: row.programCode,
    prescriptionId: row.prescriptionId,
    prescriberNpi: row.prescriberNpi,
    patientRemsId: row.patientRemsId,
    healthcareSettingId: row.healthcareSettingRef,
    ndc: row.ndc,
    quantity: row.quantity,
    reasons: row.reasons as unknown as DispenseReason[],
    warnings: row.warnings as unknown as DispenseReason[],
    enforcementDiscretion: row.enforcementDiscretion,
    duplicateOfId: row.duplicateOfId,
    duplicateOfNumber: row.duplicateOfNumber ?? null,
    requestedAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    dispensedAt: row.dispensedAt?.toISOString() ?? null,
    dispensedQuantity: row.dispensedQuantity,
    lotNumber: row.lotNumber,
    reversedAt: row.reversedAt?.toISOString() ?? null,
    reversalReason: row.reversalReason,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revocationReason: (row.revocationReason as unknown as DispenseReason | null) ?? null,
  };
}

/** The POST answer for a stored request (identical on replay). */
function answerOf(row: ViewRow): TDispenseAnswer {
  const warnings = row.warnings as unknown as DispenseReason[];
  if (row.decision === "APPROVED") {
    return {
      id: row.id,
      decision: "APPROVED",
      authorizationNumber: row.authorizationNumber ?? "",
      expiresAt: (row.expiresAt ?? new Date(0)).toISOString(),
      warnings,
      ...(row.enforcementDiscretion ? { enforcementDiscretion: true } : {}),
    };
  }
  return {
    id: row.id,
    decision: "DENIED",
    reasons: row.reasons as unknown as DispenseReason[],
    warnings,
    ...(row.duplicateOfId ? { duplicateOfId: row.duplicateOfId } : {}),
    ...(row.duplicateOfNumber ? { duplicateOfNumber: row.duplicateOfNumber } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Parsing

function parseIdempotencyKey(value: unknown): string {
  const parsed = ZIdempotencyKey.safeParse(value ?? undefined);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "Send an Idempotency-Key header";
    throw new AppError("BAD_REQUEST", message, { fields: { idempotencyKey: [message] } });
  }
  return parsed.data;
}

function parseBody<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  body: unknown,
  what: string,
): T {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new AppError("BAD_REQUEST", `Send the ${what} as a JSON object.`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new AppError("VALIDATION", `Check the ${what}: some fields are missing or not valid.`, {
      fields: fieldErrorsFromZod(parsed.error),
    });
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

// ---------------------------------------------------------------------------------------------
// Facts

interface ProgramRow {
  id: string;
  code: string;
}

/** Programme rows rarely change; ids are cached per process (a miss is asked every time). */
const programIds = new Map<string, ProgramRow>();

async function findProgram(client: Db | Tx, code: string): Promise<ProgramRow | null> {
  const cached = programIds.get(code);
  if (cached) return cached;
  const row = await client.program.findUnique({ where: { code }, select: { id: true, code: true } });
  if (row) programIds.set(code, row);
  return row;
}

interface FactsRow {
  pharmacy_status: string | null;
  prescriber: unknown;
  setting: unknown;
  patient: unknown;
  duplicate: unknown;
  discretion_id: string | null;
  seen: boolean;
}

function json<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/**
 * Every fact the rules need, in one round trip. Identifiers that are not known resolve to null;
 * dates come back as UTC calendar days.
 */
async function loadFacts(
  tx: Tx,
  input: {
    programId: string;
    programCode: string;
    program: TProgramDefinition;
    pharmacyId: string;
    request: TDispenseRequest;
    patientRemsId: string;
    idempotencyKey: string;
    now: Date;
  },
) {
  const { programId, pharmacyId, request, now } = input;
  // Bounded facts (docs/decisions/007): per test the rules read, the latest result and the latest on
  // or before today, each found by the (patient, programme, test, day) index alone; the latest status
  // form; every dose. The same reduction as boundPatientFacts (./rules.ts).
  const testCodes = relevantTestCodes(input.program);
  const today = dayOf(now);
  // Canonical already (ZDispenseRequest): a REMS ID (HS-…), a certification number (HC-…) or an NPI.
  const settingRef = request.healthcareSettingId;
  const rows = await tx.$queryRaw<FactsRow[]>`
    SELECT
      (SELECT e."status"::text FROM "Enrollment" e
        WHERE e."programId" = ${programId}::uuid AND e."pharmacyId" = ${pharmacyId}::uuid) AS pharmacy_status,
      (SELECT json_build_object('id', p."id", 'status', e."status"::text)
         FROM "Prescriber" p
         LEFT JOIN "Enrollment" e ON e."prescriberId" = p."id" AND e."programId" = ${programId}::uuid
        WHERE p."npi" = ${request.prescriberNpi}) AS prescriber,
      (SELECT json_build_object('id', s."id", 'status', e."status"::text)
         FROM "HealthcareSetting" s
         LEFT JOIN "Enrollment" e ON e."healthcareSettingId" = s."id" AND e."programId" = ${programId}::uuid
        WHERE s."remsId" = ${settingRef} OR s."npi" = ${settingRef}
           OR s."id" = (SELECT c."healthcareSettingId" FROM "Enrollment" c WHERE c."certificationNumber" = ${settingRef})
        LIMIT 1) AS setting,
      (SELECT json_build_object(
          'id', pt."id",
          'prescriberId', pt."prescriberId",
          'healthcareSettingId', pt."healthcareSettingId",
          'status', e."status"::text,
          'enrolledOn', to_char(COALESCE(e."certifiedAt", e."createdAt") AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
          'doseDates', (SELECT COALESCE(json_agg(to_char(i."infusedOn", 'YYYY-MM-DD') ORDER BY i."infusedOn"), '[]'::json)
                          FROM "Infusion" i WHERE i."patientId" = pt."id" AND i."programId" = ${programId}::uuid),
          'results', (SELECT COALESCE(json_agg(json_build_object('testCode', c.code, 'collectedOn', to_char(r.day, 'YYYY-MM-DD'))
                                                ORDER BY c.n, r.day), '[]'::json)
                        FROM unnest(${testCodes}::text[]) WITH ORDINALITY AS c(code, n)
                        CROSS JOIN LATERAL (
                          SELECT (SELECT max(l."collectedOn") FROM "LabResult" l
                                   WHERE l."patientId" = pt."id" AND l."programId" = ${programId}::uuid
                                     AND l."testCode" = c.code AND l."collectedOn" <= ${today}::date) AS by_today,
                                 (SELECT max(l."collectedOn") FROM "LabResult" l
                                   WHERE l."patientId" = pt."id" AND l."programId" = ${programId}::uuid
                                     AND l."testCode" = c.code) AS latest) m
                        CROSS JOIN LATERAL (SELECT DISTINCT v.day FROM (VALUES (m.by_today), (m.latest)) v(day)
                                             WHERE v.day IS NOT NULL) r),
          'statusFormDates', (SELECT COALESCE(json_agg(to_char(f."submittedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD')), '[]'::json)
                                FROM (SELECT f."submittedAt" FROM "StatusFormSubmission" f
                                       WHERE f."patientId" = pt."id" AND f."programId" = ${programId}::uuid
                                       ORDER BY f."submittedAt" DESC LIMIT 1) f))
         FROM "Patient" pt
         LEFT JOIN "Enrollment" e ON e."patientId" = pt."id" AND e."programId" = ${programId}::uuid
        WHERE pt."remsId" = ${input.patientRemsId}) AS patient,
      (SELECT json_build_object('id', d."id", 'number', d."authorizationNumber", 'expiresAt', d."expiresAt")
         FROM "DispenseAuthorization" d
        WHERE d."pharmacyId" = ${pharmacyId}::uuid AND d."programCode" = ${input.programCode}
          AND d."prescriptionId" = ${request.prescriptionId} AND d."status" = 'APPROVED'
        LIMIT 1) AS duplicate,
      (SELECT x."id"::text FROM "EnforcementDiscretion" x
        WHERE x."programId" = ${programId}::uuid AND x."startsAt" <= ${now} AND x."endsAt" > ${now}
          AND x."endedAt" IS NULL
        ORDER BY x."startsAt" DESC LIMIT 1) AS discretion_id,
      EXISTS (SELECT 1 FROM "DispenseAuthorization" k
               WHERE k."pharmacyId" = ${pharmacyId}::uuid AND k."idempotencyKey" = ${input.idempotencyKey}) AS seen`;
  const row = rows[0];
  if (!row) throw new Error("the facts query returned no row");

  const prescriber = json<{ id: string; status: string | null }>(row.prescriber);
  const setting = json<{ id: string; status: string | null }>(row.setting);
  const patient = json<{
    id: string;
    prescriberId: string | null;
    healthcareSettingId: string | null;
    status: string | null;
    enrolledOn: string | null;
    doseDates: string[];
    results: { testCode: string; collectedOn: string }[];
    statusFormDates: string[];
  }>(row.patient);
  const duplicate = json<{ id: string; number: string | null; expiresAt: string }>(row.duplicate);

  return {
    pharmacyStatus: row.pharmacy_status as CertificationStatus | null,
    prescriber: prescriber
      ? { id: prescriber.id, certificationStatus: prescriber.status as CertificationStatus | null }
      : null,
    setting: setting ? { id: setting.id, certificationStatus: setting.status as CertificationStatus | null } : null,
    patient: patient
      ? {
          id: patient.id,
          enrollmentStatus: patient.status as PatientStatus | null,
          prescriberId: patient.prescriberId,
          healthcareSettingId: patient.healthcareSettingId,
          doseDates: patient.doseDates,
          results: patient.results,
          statusFormDates: patient.statusFormDates,
          // Never enrolled in this programme: the schedule is not consulted (PATIENT_NOT_ENROLLED).
          enrolledOn: patient.enrolledOn ?? dayOf(now),
        }
      : null,
    duplicate: duplicate
      ? { id: duplicate.id, number: duplicate.number ?? "", expiresAt: new Date(duplicate.expiresAt) }
      : null,
    discretionId: row.discretion_id,
    seen: row.seen === true,
  };
}

// ---------------------------------------------------------------------------------------------
// Request

const MAX_ATTEMPTS = 3;

/** A unique violation (P2002 from the client, SQLSTATE 23505 from a raw statement), or null. */
function uniqueTarget(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return null;
  const described = JSON.stringify(error.meta ?? {}) + error.message;
  if (error.code === "P2002") return described;
  if (error.code === "P2010" && /23505|unique/i.test(described)) return described;
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
  return client.dispenseAuthorization.findUnique({
    where: { pharmacyId_idempotencyKey: { pharmacyId, idempotencyKey: key } },
    select: { ...viewSelect, requestHash: true },
  });
}

function replay(existing: ViewRow & { requestHash: string }, requestHash: string, now: Date): DispenseOutcome {
  if (existing.requestHash !== requestHash) {
    throw new AppError(
      "CONFLICT",
      "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
      { fields: { idempotencyKey: ["Already used for a different request"] }, authorizationId: existing.id },
    );
  }
  return { answer: answerOf(existing), replayed: true, authorization: toView(existing, now) };
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
    const seen = await client.dispenseAuthorization.count({
      where: { pharmacyId: caller.pharmacyId, idempotencyKey: key },
    });
    if (seen > 0) return "seen";
  }

  const row = await client.$transaction(async (tx): Promise<ViewRow | "seen"> => {
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
      await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended(${dispenseGateLockKey(programRow.id)}, 0)),
                                  pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`;
      const loaded = await loadFacts(tx, {
        programId: programRow.id,
        programCode: program.code,
        program,
        pharmacyId: caller.pharmacyId,
        request,
        patientRemsId,
        idempotencyKey: key,
        now,
      });
      // This key was used before: answer with what was stored (after this transaction ends).
      if (loaded.seen) return "seen";
      let duplicate = loaded.duplicate;
      if (duplicate && duplicate.expiresAt.getTime() <= now.getTime()) {
        // An unused authorization that has run out no longer stands in the way of a new one.
        await expireOne(tx, duplicate.id, auditActorOf(caller));
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
    let decision: DispenseDecision = decideDispense(facts, known, now);
    if (discretionId && decision.decision === "DENIED") decision = applyEnforcementDiscretion(decision, known, now);
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
    await tx.$executeRaw`
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
        ${caller.kind === "apiKey" ? caller.apiKeyId : null}::uuid, ${caller.requestId}, ${now}::timestamptz)`;

    // The audit row goes last: its lock is held only until the commit that follows.
    await recordAudit(tx, auditActorOf(caller), {
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
        enforcementDiscretion: decision.enforcementDiscretion === true,
        duplicateOfId,
      },
    });
    return created;
  });

  if (row === "seen") return "seen";
  return { answer: answerOf(row), replayed: false, authorization: toView(row, now) };
}

/** Marks one approved authorization EXPIRED (with its audit row); false when it was no longer APPROVED. */
async function expireOne(tx: Tx, id: string, actor: AuditActor): Promise<boolean> {
  const changed = await tx.dispenseAuthorization.updateMany({
    where: { id, status: "APPROVED" },
    data: { status: "EXPIRED" },
  });
  if (changed.count > 0) {
    await recordAudit(tx, actor, {
      action: "dispense.expired",
      entityType: "DispenseAuthorization",
      entityId: id,
      before: { status: "APPROVED" },
      after: { status: "EXPIRED" },
    });
  }
  return changed.count > 0;
}

/** Marks every approved authorization whose validity has ended as EXPIRED (run by the job scheduler). */
export async function expireDispenseAuthorizations(actor: AuditActor, options: ServiceOptions = {}): Promise<number> {
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const due = await client.dispenseAuthorization.findMany({
    where: { status: "APPROVED", expiresAt: { lte: now } },
    select: { id: true },
    take: 500,
  });
  let count = 0;
  for (const { id } of due) {
    if (await client.$transaction((tx) => expireOne(tx, id, actor))) count += 1;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Confirm and reverse

async function lockOwn(tx: Tx, caller: DispenseCaller, id: string) {
  if (!isUuid(id)) throw notFound();
  await tx.$executeRaw`SELECT "id" FROM "DispenseAuthorization" WHERE "id" = ${id}::uuid FOR UPDATE`;
  const row = await tx.dispenseAuthorization.findUnique({
    where: { id },
    select: {
      ...viewSelect,
      pharmacyId: true,
      programId: true,
      prescriberId: true,
      patientId: true,
      healthcareSettingId: true,
    },
  });
  if (!row || row.pharmacyId !== caller.pharmacyId) throw notFound();
  return row;
}

function notFound(): AppError {
  return new AppError("NOT_FOUND", "There is no dispense authorization with this id for your pharmacy.");
}

function requireReader(caller: DispenseCaller) {
  if (caller.kind === "user") requirePermission(caller.actor, "dispense:read:org");
}

function requireAuthorizer(caller: DispenseCaller) {
  if (caller.kind === "user") requirePermission(caller.actor, "dispense:authorize:org");
}

function notUsable(row: ViewRow, now: Date): AppError | null {
  const status = effectiveStatus(row, now);
  switch (status) {
    case "APPROVED":
      return null;
    case "DENIED":
      return new AppError("CONFLICT", "This request was denied; there is nothing to dispense under it.", { status });
    case "DISPENSED":
      return new AppError(
        "CONFLICT",
        `This authorization was already used: dispensed ${row.dispensedAt ? formatDateTime(row.dispensedAt) : ""}. It is single-use.`,
        { status },
      );
    case "REVERSED":
      return new AppError(
        "CONFLICT",
        "This authorization's dispense was reversed. Request a new authorization to dispense again.",
        { status },
      );
    case "EXPIRED":
      return new AppError(
        "CONFLICT",
        `This authorization expired ${row.expiresAt ? `at the end of ${formatDate(row.expiresAt)} (UTC)` : ""}. Request a new authorization.`,
        { status },
      );
    case "REVOKED": {
      const reason = row.revocationReason as unknown as DispenseReason | null;
      return revokedError(reason ? [reason] : [], status);
    }
  }
}

/** 409 AUTHORIZATION_REVOKED: do not dispense; `reasons` carries the gate's reason codes. */
function revokedError(reasons: DispenseReason[], status: TDispenseStatus): AppError {
  const first = reasons[0];
  return new AppError(
    "AUTHORIZATION_REVOKED",
    first
      ? `This authorization is revoked: do not dispense. ${first.message}`
      : "This authorization is revoked: do not dispense.",
    { status, reasons },
  );
}

/** NOT_FOUND for another pharmacy's id; CONFLICT unless APPROVED and unexpired; VALIDATION for bad fields. */
export async function confirmDispense(
  caller: DispenseCaller,
  id: string,
  body: unknown,
  options: ServiceOptions = {},
): Promise<TDispenseAuthorizationView> {
  requireAuthorizer(caller);
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const input = parseBody(ZConfirmDispense, body, "dispense confirmation");
  const dispensedAt = input.dispensedAt ? new Date(input.dispensedAt) : now;

  const outcome = await client.$transaction(async (tx) => {
    const row = await lockOwn(tx, caller, id);
    const refusal = notUsable(row, now);
    if (refusal) {
      // Record that it ran out, so lists and the unique index agree with what the caller was told.
      if (row.status === "APPROVED") await expireOne(tx, row.id, auditActorOf(caller));
      return { refusal };
    }
    // The approval was given on the parties' standing then; the dispense happens on their standing now.
    const blocking = await currentBlockingReasons(tx, row);
    if (blocking.length > 0) {
      await revokeAtConfirmation(tx, row.id, blocking, auditActorOf(caller), now);
      return { refusal: revokedError(blocking, "REVOKED") };
    }
    const fields: Record<string, string[]> = {};
    if (input.quantity > row.quantity) {
      fields.quantity = [`At most ${row.quantity} units were authorized`];
    }
    if (dispensedAt.getTime() > now.getTime() + 5 * 60_000) fields.dispensedAt = ["The dispense time is in the future"];
    else if (dispensedAt.getTime() < row.createdAt.getTime() - 60_000) {
      fields.dispensedAt = ["The dispense time is before the authorization was given"];
    }
    if (Object.keys(fields).length > 0) {
      return { refusal: new AppError("VALIDATION", "Check the dispense confirmation.", { fields }) };
    }
    const updated = await tx.dispenseAuthorization.update({
      where: { id: row.id },
      data: {
        status: "DISPENSED",
        dispensedAt,
        dispensedQuantity: input.quantity,
        lotNumber: input.lotNumber,
        dispenseRecordedAt: now,
        dispenseRecordedBy: callerLabel(caller),
      },
      select: viewSelect,
    });
    await recordAudit(tx, auditActorOf(caller), {
      action: "dispense.confirmed",
      entityType: "DispenseAuthorization",
      entityId: row.id,
      before: { status: "APPROVED" },
      after: {
        status: "DISPENSED",
        by: callerLabel(caller),
        quantity: input.quantity,
        lotNumber: input.lotNumber,
        dispensedAt: dispensedAt.toISOString(),
      },
    });
    return { updated };
  });
  if ("refusal" in outcome) throw outcome.refusal;
  return toView(outcome.updated, now);
}

/**
 * What stands in the way of dispensing under an approved authorization now: every party's right to
 * take part, read as it is at this moment. Reasons the approval already carried as warnings (a
 * "warn" policy, enforcement discretion) were accepted when it was given and do not block now.
 */
async function currentBlockingReasons(
  tx: Tx,
  row: {
    programCode: string;
    programId: string | null;
    pharmacyId: string;
    prescriberId: string | null;
    patientId: string | null;
    healthcareSettingId: string | null;
    warnings: Prisma.JsonValue;
  },
): Promise<DispenseReason[]> {
  const program = getProgramDefinition(row.programCode);
  if (!program || !row.programId) return [];
  const found = await tx.$queryRaw<
    { pharmacy: string | null; prescriber: string | null; setting: string | null; patient: unknown }[]
  >`
    SELECT
      (SELECT e."status"::text FROM "Enrollment" e
        WHERE e."programId" = ${row.programId}::uuid AND e."pharmacyId" = ${row.pharmacyId}::uuid) AS pharmacy,
      (SELECT e."status"::text FROM "Enrollment" e
        WHERE e."programId" = ${row.programId}::uuid AND e."prescriberId" = ${row.prescriberId}::uuid) AS prescriber,
      (SELECT e."status"::text FROM "Enrollment" e
        WHERE e."programId" = ${row.programId}::uuid AND e."healthcareSettingId" = ${row.healthcareSettingId}::uuid) AS setting,
      (SELECT json_build_object('status', e."status"::text, 'prescriberId', pt."prescriberId",
                                'healthcareSettingId', pt."healthcareSettingId")
         FROM "Patient" pt
         LEFT JOIN "Enrollment" e ON e."patientId" = pt."id" AND e."programId" = ${row.programId}::uuid
        WHERE pt."id" = ${row.patientId}::uuid) AS patient`;
  const current = found[0];
  if (!current) return [];
  const patient = json<{ status: string | null; prescriberId: string | null; healthcareSettingId: string | null }>(
    current.patient,
  );
  const parties: CurrentParties = {
    pharmacyStatus: current.pharmacy as CertificationStatus | null,
    prescriber: row.prescriberId
      ? { id: row.prescriberId, certificationStatus: current.prescriber as CertificationStatus | null }
      : null,
    setting: row.healthcareSettingId
      ? { id: row.healthcareSettingId, certificationStatus: current.setting as CertificationStatus | null }
      : null,
    patient: patient
      ? {
          enrollmentStatus: patient.status,
          prescriberId: patient.prescriberId,
          healthcareSettingId: patient.healthcareSettingId,
        }
      : null,
  };
  const accepted = new Set((row.warnings as unknown as DispenseReason[]).map((w) => w.code));
  return currentPartyReasons(parties, program).filter((r) => !accepted.has(r.code));
}

/** Revokes an authorization found unusable when its dispense was being confirmed. */
async function revokeAtConfirmation(tx: Tx, id: string, reasons: DispenseReason[], actor: AuditActor, now: Date) {
  const [first] = reasons;
  if (!first) return;
  await tx.dispenseAuthorization.update({
    where: { id },
    data: {
      status: "REVOKED",
      revokedAt: now,
      revocationReason: first as unknown as Prisma.InputJsonValue,
      revocationCause: { detectedAt: "confirmation", reasons: reasons.map((r) => r.code) },
    },
  });
  await recordAudit(tx, actor, {
    action: "dispense.revoked",
    entityType: "DispenseAuthorization",
    entityId: id,
    before: { status: "APPROVED" },
    after: { status: "REVOKED", reasons: reasons.map((r) => r.code), detectedAt: "confirmation" },
  });
}

/** CONFLICT unless DISPENSED. */
export async function reverseDispense(
  caller: DispenseCaller,
  id: string,
  body: unknown,
  options: ServiceOptions = {},
): Promise<TDispenseAuthorizationView> {
  requireAuthorizer(caller);
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const input = parseBody(ZReverseDispense, body, "reversal");
  const updated = await client.$transaction(async (tx) => {
    const row = await lockOwn(tx, caller, id);
    if (row.status !== "DISPENSED") {
      const status = effectiveStatus(row, now);
      throw new AppError(
        "CONFLICT",
        status === "REVERSED"
          ? "This dispense was already reversed."
          : "Only a confirmed dispense can be reversed; this authorization has not been dispensed.",
        { status },
      );
    }
    // A dispense whose drug was infused cannot be undone: the infusion record says it was used.
    const infused = await tx.infusion.count({ where: { dispenseAuthorizationId: row.id } });
    if (infused > 0) {
      throw new AppError(
        "CONFLICT",
        `Infusions (${infused}) were recorded under this authorization, so its dispense cannot be reversed. Contact the REMS administrator if the infusion record is wrong.`,
        { status: "DISPENSED" },
      );
    }
    const result = await tx.dispenseAuthorization.update({
      where: { id: row.id },
      data: { status: "REVERSED", reversedAt: now, reversalReason: input.reason, reversedBy: callerLabel(caller) },
      select: viewSelect,
    });
    await recordAudit(tx, auditActorOf(caller), {
      action: "dispense.reversed",
      entityType: "DispenseAuthorization",
      entityId: row.id,
      before: { status: "DISPENSED" },
      after: { status: "REVERSED", by: callerLabel(caller), reason: input.reason },
    });
    return result;
  });
  return toView(updated, now);
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function getDispenseAuthorization(
  caller: DispenseCaller,
  id: string,
  options: ServiceOptions = {},
): Promise<TDispenseAuthorizationView> {
  requireReader(caller);
  if (!isUuid(id)) throw notFound();
  const client = options.client ?? db();
  const found = await client.dispenseAuthorization.findFirst({
    where: { id, pharmacyId: caller.pharmacyId },
    select: viewSelect,
  });
  if (!found) throw notFound();
  const [row] = await withDuplicateNumbers(client, [found]);
  return toView(row ?? found, options.now ?? new Date());
}

/** The stored facts and who asked, for the pharmacist's detail page and the slip. */
export async function getDispenseAuthorizationDetails(
  caller: DispenseCaller,
  id: string,
  options: ServiceOptions = {},
) {
  const view = await getDispenseAuthorization(caller, id, options);
  const client = options.client ?? db();
  const row = await client.dispenseAuthorization.findUniqueOrThrow({
    where: { id: view.id },
    select: {
      facts: true,
      pharmacy: { select: { name: true, ncpdpId: true, npi: true } },
      dispenseRecordedBy: true,
      reversedBy: true,
      apiKeyId: true,
      requestedByUserId: true,
    },
  });
  return { view, ...row, facts: row.facts as unknown as DispenseFacts };
}

export async function listDispenseAuthorizations(
  caller: DispenseCaller,
  query: unknown,
  options: ServiceOptions = {},
): Promise<TDispenseAuthorizationPage> {
  requireReader(caller);
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const parsed = ZListDispenseAuthorizations.safeParse(query ?? {});
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the filters.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const q = parsed.data;
  const where: Prisma.DispenseAuthorizationWhereInput = { pharmacyId: caller.pharmacyId };
  if (q.decision) where.decision = q.decision;
  if (q.status === "APPROVED") Object.assign(where, { status: "APPROVED", expiresAt: { gt: now } });
  else if (q.status === "EXPIRED") {
    where.OR = [{ status: "EXPIRED" }, { status: "APPROVED", expiresAt: { lte: now } }];
  } else if (q.status) where.status = q.status;
  if (q.patientRemsId) where.patientRemsId = normalizeRemsId(q.patientRemsId) ?? q.patientRemsId.toUpperCase();
  if (q.prescriptionId) where.prescriptionId = q.prescriptionId;
  if (q.from || q.to) {
    where.createdAt = {
      ...(q.from ? { gte: new Date(`${q.from}T00:00:00.000Z`) } : {}),
      ...(q.to ? { lt: new Date(`${addDays(q.to, 1)}T00:00:00.000Z`) } : {}),
    };
  }
  const [total, rows] = await Promise.all([
    client.dispenseAuthorization.count({ where }),
    client.dispenseAuthorization.findMany({
      where,
      select: viewSelect,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
    }),
  ]);
  const items = (await withDuplicateNumbers(client, rows)).map((r) => toView(r, now));
  return { items, page: q.page, pageSize: q.pageSize, total };
}

// ---------------------------------------------------------------------------------------------
// Rate limit

export function dispenseRateLimitPerMinute(): number {
  return env().DISPENSE_RATE_LIMIT_PER_MINUTE;
}

/** Per-caller limit (DISPENSE_RATE_LIMIT_PER_MINUTE); throws RATE_LIMITED with retryAfterSeconds. */
export async function enforceDispenseRateLimit(
  caller: DispenseCaller,
  options: ServiceOptions = {},
): Promise<{ limit: number; remaining: number }> {
  const limit = dispenseRateLimitPerMinute();
  const who = caller.kind === "apiKey" ? `key:${caller.apiKeyId}` : `user:${caller.actor.userId}`;
  const result = await hitRateLimit(options.client ?? db(), `dispense:${who}`, limit, 60, options.now);
  if (!result.allowed) {
    throw rateLimited(
      `Too many dispense requests from this ${caller.kind === "apiKey" ? "API key" : "account"}. Try again in ${result.retryAfterSeconds} seconds.`,
      result.retryAfterSeconds,
    );
  }
  return { limit, remaining: result.remaining };
}
