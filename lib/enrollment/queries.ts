import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import { db, type Db } from "../db";
import { AppError } from "../errors";

const enrollmentSelect = {
  id: true,
  kind: true,
  status: true,
  certificationNumber: true,
  submittedAt: true,
  certifiedAt: true,
  program: { select: { code: true, name: true } },
} as const;

/**
 * The enrollments an actor may see on their own dashboard: a prescriber's own, or those of the
 * pharmacy / healthcare setting the actor represents.
 */
export async function findOwnEnrollments(actor: Actor, client: Db = db()) {
  if (can(actor, "enrollment:read:own") && actor.role === "PRESCRIBER") {
    return client.enrollment.findMany({
      where: { prescriber: { userId: actor.userId } },
      select: enrollmentSelect,
      orderBy: { createdAt: "asc" },
    });
  }
  if (can(actor, "enrollment:read:org")) {
    if (actor.pharmacyId) {
      return client.enrollment.findMany({ where: { pharmacyId: actor.pharmacyId }, select: enrollmentSelect });
    }
    if (actor.healthcareSettingId) {
      return client.enrollment.findMany({
        where: { healthcareSettingId: actor.healthcareSettingId },
        select: enrollmentSelect,
      });
    }
    return [];
  }
  if (can(actor, "enrollment:read:linked")) {
    // A delegate sees the enrollments of the prescribers they work for.
    return client.enrollment.findMany({
      where: { kind: "PRESCRIBER", prescriber: { delegates: { some: { userId: actor.userId } } } },
      select: enrollmentSelect,
      orderBy: { createdAt: "asc" },
    });
  }
  throw new AppError("FORBIDDEN", "You do not have permission to see enrollments.");
}
