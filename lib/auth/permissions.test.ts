import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { Role } from "../generated/prisma/enums";
import { can, PERMISSIONS, type Permission, ROLE_HOME, ROLE_PERMISSIONS, requirePermission } from "./permissions";

const ROLES = Object.values(Role);

/** The portal each role lands in; a delegate works inside the prescriber portal. */
const OWN_PORTAL: Record<Role, Permission> = {
  PRESCRIBER: "portal:prescriber",
  PRESCRIBER_DELEGATE: "portal:prescriber",
  PHARMACIST: "portal:pharmacy",
  SETTING_REP: "portal:setting",
  PATIENT: "portal:patient",
  ADMIN: "portal:admin",
};

const PORTALS = PERMISSIONS.filter((p) => p.startsWith("portal:"));
/** Review, management and any-scope permissions: the administrator's alone. */
const ADMIN_ONLY = PERMISSIONS.filter(
  (p) => p.endsWith(":any") || p.includes(":review:") || p.includes(":manage:") || p === "portal:admin",
);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("ROLE_PERMISSIONS", () => {
  it("has an entry for every role in the schema and nothing else", () => {
    expect(Object.keys(ROLE_PERMISSIONS).sort()).toEqual([...ROLES].sort());
  });

  it.each(ROLES)("%s reaches its own portal and no other role's portal", (role) => {
    const portals = PORTALS.filter((p) => can({ role }, p));
    expect(portals).toEqual([OWN_PORTAL[role]]);
  });

  it.each(ROLES)("%s may read its own account and end its own sessions", (role) => {
    expect(can({ role }, "account:read:own")).toBe(true);
    expect(can({ role }, "session:revoke:own")).toBe(true);
  });

  it("grants review, management and any-scope permissions to ADMIN only", () => {
    expect(ADMIN_ONLY).toEqual(
      expect.arrayContaining(["enrollment:review:any", "user:manage:any", "program:manage:any", "audit:read:any"]),
    );
    for (const permission of ADMIN_ONLY) {
      const holders = ROLES.filter((role) => can({ role }, permission));
      expect(holders, permission).toEqual(["ADMIN"]);
    }
  });

  it("lets only pharmacy staff issue API keys (the service also requires the representative)", () => {
    expect(ROLES.filter((role) => can({ role }, "apikey:issue:org"))).toEqual(["PHARMACIST"]);
  });

  it("keeps org-scoped enrollment signing away from prescribers, delegates and patients", () => {
    const signers = ROLES.filter((role) => can({ role }, "enrollment:sign:org"));
    expect(signers.sort()).toEqual(["PHARMACIST", "SETTING_REP"]);
  });

  it("lets only pharmacists authorize a dispense", () => {
    expect(ROLES.filter((role) => can({ role }, "dispense:authorize:org"))).toEqual(["PHARMACIST"]);
  });

  it("names only permissions from the list, without duplicates", () => {
    for (const role of ROLES) {
      const granted = ROLE_PERMISSIONS[role];
      expect(new Set(granted).size, role).toBe(granted.length);
      for (const p of granted) expect(PERMISSIONS).toContain(p);
    }
  });
});

describe("can", () => {
  it("is false without an actor", () => {
    expect(can(null, "account:read:own")).toBe(false);
    expect(can(undefined, "portal:patient")).toBe(false);
  });
});

describe("requirePermission", () => {
  it("throws UNAUTHENTICATED without an actor", () => {
    for (const actor of [null, undefined]) {
      const error = thrown(() => requirePermission(actor, "account:read:own"));
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("UNAUTHENTICATED");
      expect((error as AppError).status).toBe(401);
    }
  });

  it.each(ROLES)("throws FORBIDDEN for %s on every permission it lacks, and passes on the rest", (role) => {
    for (const permission of PERMISSIONS) {
      if (ROLE_PERMISSIONS[role].includes(permission)) {
        expect(() => requirePermission({ role }, permission)).not.toThrow();
      } else {
        const error = thrown(() => requirePermission({ role }, permission));
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe("FORBIDDEN");
        expect((error as AppError).status).toBe(403);
        expect((error as AppError).details).toEqual({ permission });
      }
    }
  });
});

describe("ROLE_HOME", () => {
  it("gives every role a landing page", () => {
    expect(Object.keys(ROLE_HOME).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) expect(ROLE_HOME[role]).toMatch(/^\/[a-z]+$/);
  });

  it("sends each role to the home of the portal it may open", () => {
    for (const role of ROLES) {
      expect(ROLE_HOME[role]).toBe(`/${OWN_PORTAL[role].split(":")[1]}`);
    }
  });
});
