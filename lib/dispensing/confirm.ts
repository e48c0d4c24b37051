import type { AuditActor } from "../auth/actor";
import { recordAudit } from "../audit/service";
import type { CertificationStatus } from "../certification/rules";
import { db, type Tx } from "../db";
import { formatDate, formatDateTime } from "../format";
import { AppError } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import { getProgramDefinition } from "../programs/registry";
import type { DispenseReason } from "./facts";
import { type CurrentParties, currentPartyReasons, discretionEndedReasons } from "./revocation";
import { isUuid } from "../identifiers/uuid";
import { type TDispenseAuthorizationView, type TDispenseStatus, ZConfirmDispense, ZReverseDispense } from "./schema";
import {
  type DispenseCaller,
  type ServiceOptions,
  auditActorOf,
  callerLabel,
  notFound,
  requireAuthorizer,
} from "./caller";
import { viewSelect, type ViewRow, effectiveStatus, toView, parseBody } from "./view";
import { json } from "./facts-query";
import { expireOne } from "./expiry";
import { type AuthorizationKey, byKey } from "./keys";

async function lockOwn(tx: Tx, caller: DispenseCaller, id: string) {
  if (!isUuid(id)) throw notFound();
  // Locked in its month's partition, which its claim names (./keys.ts).
  const [locked] = await tx.$queryRaw<{ createdAt: Date }[]>`
    SELECT d."createdAt" FROM "DispenseAuthorization" d
     WHERE d."id" = ${id}::uuid
       AND d."createdAt" = (SELECT c."createdAt" FROM "DispenseAuthorizationClaim" c WHERE c."id" = ${id}::uuid)
       FOR UPDATE`;
  if (!locked) throw notFound();
  const row = await tx.dispenseAuthorization.findUnique({
    where: byKey({ id, createdAt: locked.createdAt }),
    select: {
      ...viewSelect,
      pharmacyId: true,
      programId: true,
      prescriberId: true,
      patientId: true,
      healthcareSettingId: true,
      discretionId: true,
    },
  });
  if (!row || row.pharmacyId !== caller.pharmacyId) throw notFound();
  return row;
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
      if (row.status === "APPROVED") await expireOne(tx, row, auditActorOf(caller));
      return { refusal };
    }
    // The approval was given on the parties' standing then; the dispense happens on their standing now.
    const blocking = await currentBlockingReasons(tx, row, now);
    if (blocking.length > 0) {
      await revokeAtConfirmation(tx, row, blocking, auditActorOf(caller), now);
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
      where: byKey(row),
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
 * take part, read as it is at this moment. Reasons the approval already carried as warnings were
 * accepted when it was given and do not block now: for good, when the programme only warns about
 * them; while it lasts, when enforcement discretion relaxed them. Once that discretion has ended
 * (its end time passed, or it was ended early), every reason it relaxed blocks the dispense.
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
    enforcementDiscretion: boolean;
    discretionId: string | null;
  },
  now: Date,
): Promise<DispenseReason[]> {
  const program = getProgramDefinition(row.programCode);
  if (!program || !row.programId) return [];
  const found = await tx.$queryRaw<
    {
      pharmacy: string | null;
      prescriber: string | null;
      setting: string | null;
      patient: unknown;
      discretion_ended_at: Date | null;
    }[]
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
        WHERE pt."id" = ${row.patientId}::uuid) AS patient,
      (SELECT LEAST(x."endsAt", COALESCE(x."endedAt", x."endsAt")) FROM "EnforcementDiscretion" x
        WHERE x."id" = ${row.discretionId}::uuid) AS discretion_ended_at`;
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
  const warnings = row.warnings as unknown as DispenseReason[];
  const endedAt = current.discretion_ended_at;
  // Given under discretion whose period is over (or no longer on record): its relaxed reasons block.
  const discretionOver = row.enforcementDiscretion && (endedAt === null || endedAt.getTime() <= now.getTime());
  const ended = discretionOver
    ? discretionEndedReasons(warnings, program, endedAt ? `on ${formatDateTime(endedAt)}` : "")
    : [];
  const relaxed = new Set(ended.map((r) => r.code));
  const accepted = new Set(warnings.filter((w) => !relaxed.has(w.code)).map((w) => w.code));
  const party = currentPartyReasons(parties, program).filter((r) => !accepted.has(r.code));
  const partyCodes = new Set(party.map((r) => r.code));
  return [...party, ...ended.filter((r) => !partyCodes.has(r.code))];
}

/** Revokes an authorization found unusable when its dispense was being confirmed. */
async function revokeAtConfirmation(
  tx: Tx,
  key: AuthorizationKey,
  reasons: DispenseReason[],
  actor: AuditActor,
  now: Date,
) {
  const [first] = reasons;
  if (!first) return;
  await tx.dispenseAuthorization.update({
    where: byKey(key),
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
    entityId: key.id,
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
      where: byKey(row),
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
