/**
 * The one table from role to permission. Every restricted page, server action and route handler
 * asks `can` / `requirePermission`; services check ownership of the resource again.
 *
 * Permission strings read `resource:action:scope` — `own` (the actor's own records), `org` (their
 * pharmacy or healthcare setting), `linked` (a prescriber a delegate works for), `any`.
 */
import { AppError } from "../errors";
import type { Role } from "../generated/prisma/enums";

export const PERMISSIONS = [
  // Portals (role landing pages)
  "portal:prescriber",
  "portal:pharmacy",
  "portal:setting",
  "portal:patient",
  "portal:admin",
  // The actor's own account
  "account:read:own",
  "account:update:own",
  "session:revoke:own",
  // Enrollment and certification
  "enrollment:read:own",
  "enrollment:update:own",
  "enrollment:sign:own",
  "enrollment:read:linked",
  "enrollment:update:linked",
  "enrollment:read:org",
  "enrollment:update:org",
  "enrollment:sign:org",
  "enrollment:read:any",
  "invitation:create:own",
  "invitation:create:org",
  "enrollment:review:any",
  "certification:suspend:any",
  // Patients
  "patient:create:own",
  "patient:read:own",
  "patient:read:linked",
  "patient:read:self",
  "patient:read:org",
  "infusion:record:org",
  // Dispensing
  "dispense:authorize:org",
  "dispense:read:org",
  "apikey:issue:org",
  // Administration
  "user:read:any",
  "user:manage:any",
  "session:revoke:any",
  "audit:read:any",
  "audit:verify:any",
  "program:manage:any",
  "user:mfa-reset:any",
  "noncompliance:read:any",
  "noncompliance:manage:any",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const everyone: Permission[] = ["account:read:own", "account:update:own", "session:revoke:own"];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  PRESCRIBER: [
    ...everyone,
    "portal:prescriber",
    "enrollment:read:own",
    "enrollment:update:own",
    "enrollment:sign:own",
    "patient:create:own",
    "patient:read:own",
    "invitation:create:own",
  ],
  PRESCRIBER_DELEGATE: [
    ...everyone,
    "portal:prescriber",
    "enrollment:read:linked",
    "enrollment:update:linked",
    "patient:read:linked",
  ],
  PHARMACIST: [
    ...everyone,
    "portal:pharmacy",
    "enrollment:read:org",
    "enrollment:update:org",
    "enrollment:sign:org",
    "invitation:create:org",
    "dispense:authorize:org",
    "dispense:read:org",
    "apikey:issue:org",
  ],
  SETTING_REP: [
    ...everyone,
    "portal:setting",
    "enrollment:read:org",
    "enrollment:update:org",
    "enrollment:sign:org",
    "patient:read:org",
    "infusion:record:org",
  ],
  PATIENT: [...everyone, "portal:patient", "patient:read:self"],
  ADMIN: [
    ...everyone,
    "portal:admin",
    "enrollment:read:any",
    "enrollment:review:any",
    "certification:suspend:any",
    "user:read:any",
    "user:manage:any",
    "session:revoke:any",
    "audit:read:any",
    "audit:verify:any",
    "program:manage:any",
    "user:mfa-reset:any",
    "noncompliance:read:any",
    "noncompliance:manage:any",
  ],
};

/** The landing page each role reaches after sign-in. */
export const ROLE_HOME: Record<Role, string> = {
  PRESCRIBER: "/prescriber",
  PRESCRIBER_DELEGATE: "/prescriber",
  PHARMACIST: "/pharmacy",
  SETTING_REP: "/setting",
  PATIENT: "/patient",
  ADMIN: "/admin",
};

export function can(actor: { role: Role } | null | undefined, permission: Permission): boolean {
  if (!actor) return false;
  return ROLE_PERMISSIONS[actor.role].includes(permission);
}

/** Throws FORBIDDEN (or UNAUTHENTICATED without an actor) unless the role grants the permission. */
export function requirePermission<A extends { role: Role }>(
  actor: A | null | undefined,
  permission: Permission,
): asserts actor is A {
  if (!actor) throw new AppError("UNAUTHENTICATED", "Sign in to continue.");
  if (!can(actor, permission)) {
    throw new AppError("FORBIDDEN", "You do not have permission to do that.", { permission });
  }
}
