import type { AuditActor } from "../auth/actor";
import { recordAudit } from "../audit/service";
import { recordAuditSql } from "../audit/sql-append";
import { db, type Tx } from "../db";
import { type Sql, sql } from "../db/sql";
import type { ServiceOptions } from "./caller";

/** Marks one approved authorization EXPIRED (with its audit row); false when it was no longer APPROVED. */
export async function expireOne(tx: Tx, id: string, actor: AuditActor): Promise<boolean> {
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

/** expireOne inside a plain SQL transaction (the gate's, lib/dispensing/request.ts). */
export async function expireOneSql(tx: Sql, id: string, actor: AuditActor): Promise<boolean> {
  const changed = await tx.query<{ id: string }>(sql`
    UPDATE "DispenseAuthorization" SET "status" = 'EXPIRED'
     WHERE "id" = ${id}::uuid AND "status" = 'APPROVED' RETURNING "id"::text AS "id"`);
  if (changed.length > 0) {
    await recordAuditSql(tx, actor, {
      action: "dispense.expired",
      entityType: "DispenseAuthorization",
      entityId: id,
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
    select: { id: true },
    take: 500,
  });
  let count = 0;
  for (const { id } of due) {
    if (await client.$transaction((tx) => expireOne(tx, id, actor))) count += 1;
  }
  return count;
}
