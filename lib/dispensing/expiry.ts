import type { AuditActor } from "../auth/actor";
import { recordAudit } from "../audit/service";
import { recordAuditSql } from "../audit/sql-append";
import { db, type Tx } from "../db";
import { type Sql, sql } from "../db/sql";
import type { ServiceOptions } from "./caller";
import type { AuthorizationKey } from "./keys";

/** Marks one approved authorization EXPIRED (with its audit row); false when it was no longer APPROVED. */
export async function expireOne(tx: Tx, key: AuthorizationKey, actor: AuditActor): Promise<boolean> {
  const changed = await tx.dispenseAuthorization.updateMany({
    where: { id: key.id, createdAt: key.createdAt, status: "APPROVED" },
    data: { status: "EXPIRED" },
  });
  if (changed.count > 0) {
    await recordAudit(tx, actor, {
      action: "dispense.expired",
      entityType: "DispenseAuthorization",
      entityId: key.id,
      before: { status: "APPROVED" },
      after: { status: "EXPIRED" },
    });
  }
  return changed.count > 0;
}

/** expireOne inside a plain SQL transaction (the gate's, lib/dispensing/request.ts). */
export async function expireOneSql(tx: Sql, key: AuthorizationKey, actor: AuditActor): Promise<boolean> {
  const changed = await tx.query<{ id: string }>(sql`
    UPDATE "DispenseAuthorization" SET "status" = 'EXPIRED'
     WHERE "id" = ${key.id}::uuid AND "createdAt" = ${key.createdAt}::timestamptz AND "status" = 'APPROVED'
    RETURNING "id"::text AS "id"`);
  if (changed.length > 0) {
    await recordAuditSql(tx, actor, {
      action: "dispense.expired",
      entityType: "DispenseAuthorization",
      entityId: key.id,
      before: { status: "APPROVED" },
      after: { status: "EXPIRED" },
    });
  }
  return changed.length > 0;
}

/** Marks every approved authorization whose validity has ended as EXPIRED (run by the job scheduler). */
export async function expireDispenseAuthorizations(actor: AuditActor, options: ServiceOptions = {}): Promise<number> {
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const due = await client.dispenseAuthorization.findMany({
    where: { status: "APPROVED", expiresAt: { lte: now } },
    select: { id: true, createdAt: true },
    take: 500,
  });
  let count = 0;
  for (const key of due) {
    if (await client.$transaction((tx) => expireOne(tx, key, actor))) count += 1;
  }
  return count;
}
