/**
 * Dispense authorizations for administrators: the list behind the dashboard's and the report's
 * authorization numbers. Filters come from the address (lenient: an unusable value is ignored),
 * newest first, one page at a time with a keyset cursor (no OFFSET over a large table).
 */
import { z } from "zod";
import type { Actor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import { db, type Db } from "../db";
import { replicaReader } from "../db/replica";
import type { Prisma } from "../generated/prisma/client";
import { DENIAL_REASON_CODES } from "../programs/schema";

export const AUTHORIZATION_PAGE_SIZE = 50;
export const AUTHORIZATION_STATUSES = ["APPROVED", "DENIED", "DISPENSED", "REVERSED", "EXPIRED", "REVOKED"] as const;
export const AUTHORIZATION_DATES = ["requested", "dispensed", "reversed", "revoked"] as const;

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const blank = (v: unknown) => {
  const f = first(v);
  return typeof f === "string" && f.trim() === "" ? undefined : f;
};
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().startsWith(s));
const lenient = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional()).catch(undefined);

export const ZAuthorizationFilters = z.object({
  decision: lenient(z.enum(["APPROVED", "DENIED"])),
  status: lenient(z.enum(AUTHORIZATION_STATUSES)),
  reason: lenient(z.enum(DENIAL_REASON_CODES)),
  program: lenient(z.string().max(32)),
  discretion: lenient(z.enum(["yes"])),
  /** Which date `from` and `to` apply to (default: when the request was made). */
  on: z.preprocess(blank, z.enum(AUTHORIZATION_DATES).default("requested")).catch("requested"),
  from: lenient(day),
  to: lenient(day),
  /** Keyset cursor: "<ISO instant>_<id>" of the last row of the previous page. */
  before: lenient(z.string().regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z_[0-9a-f-]{36}$/i)),
});
export type TAuthorizationFilters = z.output<typeof ZAuthorizationFilters>;

const DATE_COLUMN = {
  requested: "createdAt",
  dispensed: "dispensedAt",
  reversed: "reversedAt",
  revoked: "revokedAt",
} as const;

function nextDay(d: string): Date {
  const date = new Date(`${d}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date;
}

export function authorizationWhere(f: TAuthorizationFilters): Prisma.DispenseAuthorizationWhereInput {
  const range: Prisma.DateTimeNullableFilter = {};
  if (f.from) range.gte = new Date(`${f.from}T00:00:00.000Z`);
  if (f.to) range.lt = nextDay(f.to);
  return {
    ...(f.decision ? { decision: f.decision } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.reason ? { reasons: { array_contains: [{ code: f.reason }] } } : {}),
    ...(f.program ? { programCode: f.program } : {}),
    ...(f.discretion ? { enforcementDiscretion: true } : {}),
    ...(f.from || f.to ? { [DATE_COLUMN[f.on]]: range } : {}),
  };
}

export async function listAuthorizationsForAdmin(actor: Actor, input: Record<string, unknown>, primary: Db = db()) {
  requirePermission(actor, "portal:admin");
  const client = await replicaReader(primary);
  const filters = ZAuthorizationFilters.parse(input);
  const where = authorizationWhere(filters);
  if (filters.before) {
    const at = filters.before.slice(0, filters.before.indexOf("_"));
    const id = filters.before.slice(filters.before.indexOf("_") + 1);
    const createdAt = new Date(at);
    where.OR = [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }];
  }
  const rows = await client.dispenseAuthorization.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: AUTHORIZATION_PAGE_SIZE + 1,
    select: {
      id: true,
      authorizationNumber: true,
      createdAt: true,
      decision: true,
      status: true,
      reasons: true,
      enforcementDiscretion: true,
      followedUpAt: true,
      patientRemsId: true,
      prescriberNpi: true,
      programCode: true,
      quantity: true,
      revokedAt: true,
      pharmacy: { select: { name: true, ncpdpId: true } },
    },
  });
  const page = rows.slice(0, AUTHORIZATION_PAGE_SIZE);
  const last = page.at(-1);
  return {
    filters,
    rows: page.map((r) => ({
      ...r,
      reasonCodes: Array.isArray(r.reasons)
        ? r.reasons.flatMap((x) =>
            x && typeof x === "object" && "code" in x && typeof x.code === "string" ? [x.code] : [],
          )
        : [],
    })),
    nextCursor: rows.length > AUTHORIZATION_PAGE_SIZE && last ? `${last.createdAt.toISOString()}_${last.id}` : null,
  };
}
