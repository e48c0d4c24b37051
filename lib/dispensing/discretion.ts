/**
 * Enforcement discretion: an administrator switches a programme into it (reason, end time), during
 * which blocking reasons only warn (lib/dispensing/rules.ts applyEnforcementDiscretion). Every
 * switch is audited; every authorization given under it is listed for follow-up.
 */
import type { Actor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import { recordAudit } from "../audit/service";
import { type Db, db } from "../db";
import { AppError, fieldErrorsFromZod } from "../errors";
import { type TDispenseAuthorizationView, ZEndDiscretion, ZFollowUp, ZStartDiscretion } from "./schema";
import { toView, viewSelect } from "./view";
import { byKey, keyOfId } from "./keys";

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

/** The longest a programme may stay under discretion without being switched again. */
export const MAX_DISCRETION_DAYS = 90;

function auditActor(actor: Actor) {
  return { userId: actor.userId, role: actor.role, requestId: actor.requestId };
}

function invalid(message: string, fields: Record<string, string[]>): AppError {
  return new AppError("VALIDATION", message, { fields });
}

function isActive(p: { startsAt: Date; endsAt: Date; endedAt: Date | null }, now: Date): boolean {
  return p.endedAt === null && p.startsAt.getTime() <= now.getTime() && p.endsAt.getTime() > now.getTime();
}

const periodSelect = {
  id: true,
  programId: true,
  reason: true,
  startsAt: true,
  endsAt: true,
  createdByUserId: true,
  endedAt: true,
  endReason: true,
} as const;

async function toPeriods(
  client: Db,
  rows: {
    id: string;
    programId: string;
    reason: string;
    startsAt: Date;
    endsAt: Date;
    createdByUserId: string;
    endedAt: Date | null;
    endReason: string | null;
  }[],
  now: Date,
): Promise<DiscretionPeriod[]> {
  if (rows.length === 0) return [];
  const [programs, users] = await Promise.all([
    client.program.findMany({
      where: { id: { in: [...new Set(rows.map((r) => r.programId))] } },
      select: { id: true, code: true, name: true },
    }),
    client.user.findMany({
      where: { id: { in: [...new Set(rows.map((r) => r.createdByUserId))] } },
      select: { id: true, name: true },
    }),
  ]);
  const programById = new Map(programs.map((p) => [p.id, p]));
  const userById = new Map(users.map((u) => [u.id, u.name]));
  return rows.map((r) => ({
    id: r.id,
    programCode: programById.get(r.programId)?.code ?? "",
    programName: programById.get(r.programId)?.name ?? "",
    reason: r.reason,
    startsAt: r.startsAt,
    endsAt: r.endsAt,
    createdByName: userById.get(r.createdByUserId) ?? null,
    endedAt: r.endedAt,
    endReason: r.endReason,
    active: isActive(r, now),
  }));
}

/** program:manage:any. VALIDATION (fields) for a bad reason / an end time not in the future; CONFLICT if one is active. */
export async function startEnforcementDiscretion(
  actor: Actor,
  input: unknown,
  now: Date = new Date(),
  client: Db = db(),
): Promise<DiscretionPeriod> {
  requirePermission(actor, "program:manage:any");
  const parsed = ZStartDiscretion.safeParse(input);
  if (!parsed.success) {
    throw invalid("Check the enforcement discretion form.", fieldErrorsFromZod(parsed.error));
  }
  const endsAt = new Date(parsed.data.endsAt);
  if (endsAt.getTime() <= now.getTime()) {
    throw invalid("The end time must be in the future.", { endsAt: ["The end time must be in the future"] });
  }
  if (endsAt.getTime() - now.getTime() > MAX_DISCRETION_DAYS * 86_400_000) {
    throw invalid(`Enforcement discretion lasts at most ${MAX_DISCRETION_DAYS} days at a time.`, {
      endsAt: [`At most ${MAX_DISCRETION_DAYS} days from now`],
    });
  }
  const program = await client.program.findUnique({
    where: { code: parsed.data.programCode.toUpperCase() },
    select: { id: true, code: true, name: true },
  });
  if (!program) throw invalid("Unknown programme.", { programCode: ["Choose a programme"] });

  const row = await client.$transaction(async (tx) => {
    // One switch at a time per programme.
    await tx.$executeRaw`SELECT "id" FROM "Program" WHERE "id" = ${program.id}::uuid FOR UPDATE`;
    const active = await tx.enforcementDiscretion.findFirst({
      where: { programId: program.id, endedAt: null, startsAt: { lte: now }, endsAt: { gt: now } },
      select: { id: true, endsAt: true },
    });
    if (active) {
      throw new AppError(
        "CONFLICT",
        `${program.name} is already under enforcement discretion until ${active.endsAt.toISOString().slice(0, 16).replace("T", " ")} UTC. End it first to change it.`,
      );
    }
    const created = await tx.enforcementDiscretion.create({
      data: { programId: program.id, reason: parsed.data.reason, startsAt: now, endsAt, createdByUserId: actor.userId },
      select: periodSelect,
    });
    await recordAudit(tx, auditActor(actor), {
      action: "discretion.started",
      entityType: "EnforcementDiscretion",
      entityId: created.id,
      after: { programCode: program.code, reason: created.reason, startsAt: now, endsAt },
    });
    return created;
  });
  const [period] = await toPeriods(client, [row], now);
  if (!period) throw new Error("unreachable: the period was just created");
  return period;
}

/** program:manage:any. Ends an active period early with a reason. */
export async function endEnforcementDiscretion(
  actor: Actor,
  input: unknown,
  now: Date = new Date(),
  client: Db = db(),
): Promise<void> {
  requirePermission(actor, "program:manage:any");
  const parsed = ZEndDiscretion.safeParse(input);
  if (!parsed.success) throw invalid("Say why enforcement discretion ends early.", fieldErrorsFromZod(parsed.error));
  await client.$transaction(async (tx) => {
    const period = await tx.enforcementDiscretion.findUnique({
      where: { id: parsed.data.discretionId },
      select: periodSelect,
    });
    if (!period) throw new AppError("NOT_FOUND", "There is no such enforcement discretion period.");
    if (!isActive(period, now)) throw new AppError("CONFLICT", "This enforcement discretion period has already ended.");
    const changed = await tx.enforcementDiscretion.updateMany({
      where: { id: period.id, endedAt: null },
      data: { endedAt: now, endedByUserId: actor.userId, endReason: parsed.data.reason },
    });
    if (changed.count === 0) throw new AppError("CONFLICT", "This enforcement discretion period has already ended.");
    await recordAudit(tx, auditActor(actor), {
      action: "discretion.ended",
      entityType: "EnforcementDiscretion",
      entityId: period.id,
      before: { endsAt: period.endsAt },
      after: { endedAt: now, reason: parsed.data.reason },
    });
  });
}

/** Periods active now, for every programme: shown on every pharmacist screen. No permission needed. */
export async function activeDiscretionPeriods(now: Date = new Date(), client: Db = db()): Promise<DiscretionPeriod[]> {
  const rows = await client.enforcementDiscretion.findMany({
    where: { endedAt: null, startsAt: { lte: now }, endsAt: { gt: now } },
    orderBy: { startsAt: "desc" },
    select: periodSelect,
  });
  return toPeriods(client, rows, now);
}

/** program:manage:any. Every period, newest first. */
export async function listDiscretionPeriods(
  actor: Actor,
  client: Db = db(),
  now: Date = new Date(),
): Promise<DiscretionPeriod[]> {
  requirePermission(actor, "program:manage:any");
  const rows = await client.enforcementDiscretion.findMany({
    orderBy: { startsAt: "desc" },
    take: 200,
    select: periodSelect,
  });
  return toPeriods(client, rows, now);
}

/** program:manage:any. Authorizations given under discretion; `pending` = not yet followed up. */
export async function listDiscretionFollowUps(
  actor: Actor,
  filter: { pending?: boolean },
  client: Db = db(),
  now: Date = new Date(),
): Promise<FollowUpRow[]> {
  requirePermission(actor, "program:manage:any");
  const rows = await client.dispenseAuthorization.findMany({
    // Only approvals need following up: a request still denied under discretion dispensed nothing.
    where: { enforcementDiscretion: true, decision: "APPROVED", ...(filter.pending ? { followedUpAt: null } : {}) },
    orderBy: { createdAt: "desc" },
    take: 500,
    select: {
      ...viewSelect,
      followUpNote: true,
      followedUpAt: true,
      pharmacy: { select: { name: true } },
    },
  });
  return rows.map((r) => ({
    pharmacyName: r.pharmacy.name,
    followUpNote: r.followUpNote,
    followedUpAt: r.followedUpAt,
    authorization: toView(r, now),
  }));
}

/** program:manage:any. Records the follow-up of one authorization (audited). */
export async function recordFollowUp(
  actor: Actor,
  input: unknown,
  client: Db = db(),
  now: Date = new Date(),
): Promise<void> {
  requirePermission(actor, "program:manage:any");
  const parsed = ZFollowUp.safeParse(input);
  if (!parsed.success) throw invalid("Write the follow-up note.", fieldErrorsFromZod(parsed.error));
  await client.$transaction(async (tx) => {
    const key = await keyOfId(tx, parsed.data.authorizationId);
    const row = key
      ? await tx.dispenseAuthorization.findUnique({
          where: byKey(key),
          select: { id: true, createdAt: true, decision: true, enforcementDiscretion: true, followUpNote: true },
        })
      : null;
    if (!row?.enforcementDiscretion || row.decision !== "APPROVED") {
      throw new AppError("NOT_FOUND", "There is no authorization given under enforcement discretion with this id.");
    }
    await tx.dispenseAuthorization.update({
      where: byKey(row),
      data: { followUpNote: parsed.data.note, followedUpAt: now, followedUpByUserId: actor.userId },
    });
    await recordAudit(tx, auditActor(actor), {
      action: "discretion.followed_up",
      entityType: "DispenseAuthorization",
      entityId: row.id,
      before: { followUpNote: row.followUpNote },
      after: { followUpNote: parsed.data.note, followedUpAt: now },
    });
  });
}
