import { verifyAuditChain } from "../audit/service";
import type { Actor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import { db, type Db } from "../db";

/**
 * The administrator's overview: accounts by role and audit trail size. Enrollment counts are the
 * dashboard's (lib/admin/dashboard.ts), read from trigger-kept counters.
 */
export async function registryOverview(actor: Actor, client: Db = db()) {
  requirePermission(actor, "portal:admin");
  const [usersByRole, auditEvents] = await Promise.all([
    client.user.groupBy({ by: ["role"], _count: { _all: true } }),
    client.auditEvent.count(),
  ]);
  return {
    usersByRole: usersByRole.map((r) => ({ role: r.role, count: r._count._all })),
    auditEvents,
  };
}

export async function checkAuditTrail(actor: Actor, client: Db = db()) {
  requirePermission(actor, "audit:read:any");
  return verifyAuditChain(client);
}
