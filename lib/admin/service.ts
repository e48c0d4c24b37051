import { auditIntegrityStatus } from "../audit/integrity";
import type { Actor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import { db, type Db } from "../db";

/**
 * The administrator's overview: accounts by role. Enrollment counts are the dashboard's
 * (lib/admin/dashboard.ts, trigger-kept counters); the audit trail's size is not counted (count(*)
 * grows with the trail): the audit card shows the chain's head from checkAuditTrail instead.
 */
export async function registryOverview(actor: Actor, client: Db = db()) {
  requirePermission(actor, "portal:admin");
  const usersByRole = await client.user.groupBy({ by: ["role"], _count: { _all: true } });
  return {
    usersByRole: usersByRole.map((r) => ({ role: r.role, count: r._count._all })),
  };
}

/**
 * The audit trail's health for the dashboard, in constant time: the last signed checkpoint, the
 * events written since, and any break a verification found (lib/audit/integrity.ts). The chain
 * itself is walked by the background job, "verify now" and the full re-walk, never by a page view.
 */
export async function checkAuditTrail(actor: Actor, client: Db = db()) {
  return auditIntegrityStatus(actor, client);
}
