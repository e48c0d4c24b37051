import { z } from "zod";
import { emailField } from "../auth/schema";
import { Role } from "../generated/prisma/enums";

export const USERS_PAGE_SIZE = 25;
export const MAX_REASON_LENGTH = 2000;

/** What the status filter offers: an account is deactivated, locked (for now), or neither. */
export const ACCOUNT_STATES = ["ACTIVE", "DEACTIVATED", "LOCKED"] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

/** The kinds of organisation a user belongs to. */
export const ORGANISATION_KINDS = ["PHARMACY", "HEALTHCARE_SETTING", "PRACTICE", "NONE"] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** An empty or unknown select value means "any": the list never fails on a hand-edited address. */
const optionalEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(
    (v) => (typeof v === "string" && (values as readonly string[]).includes(v) ? v : undefined),
    z.enum(values).optional(),
  );

const optionalText = (max: number) =>
  z.preprocess((v) => (typeof v === "string" ? v.trim().slice(0, max) || undefined : undefined), z.string().optional());

export const ZUserFilters = z.object({
  q: optionalText(200),
  role: optionalEnum(Object.values(Role) as [Role, ...Role[]]),
  status: optionalEnum(ACCOUNT_STATES),
  orgKind: optionalEnum(ORGANISATION_KINDS),
  org: optionalText(200),
  page: z.preprocess((v) => {
    const n = typeof v === "string" ? Number.parseInt(v, 10) : typeof v === "number" ? v : 1;
    return Number.isFinite(n) && n >= 1 ? Math.min(Math.floor(n), 100_000) : 1;
  }, z.number().int()),
});
export type TUserFilters = z.output<typeof ZUserFilters>;

export const zReason = z
  .string({ error: "Give a reason" })
  .trim()
  .min(1, "Give a reason")
  .max(MAX_REASON_LENGTH, `Use at most ${MAX_REASON_LENGTH} characters`);

const zId = z.uuid({ error: "No such user" });

export const ZUserAction = z.object({ userId: zId, reason: zReason });
export type TUserAction = z.input<typeof ZUserAction>;

/** Ends one session (sessionId) or every open session of the user (no sessionId). */
export const ZEndSessions = z.object({
  userId: zId,
  sessionId: z.uuid({ error: "No such session" }).optional(),
  reason: zReason,
});
export type TEndSessions = z.input<typeof ZEndSessions>;

export const ZAdministratorRequest = z.object({
  name: z
    .string({ error: "Enter the person's full name" })
    .trim()
    .min(1, "Enter the person's full name")
    .max(200, "Name is too long"),
  email: emailField("Enter the person's e-mail address"),
  reason: zReason,
});
export type TAdministratorRequest = z.input<typeof ZAdministratorRequest>;

export const ZDecideAdministratorRequest = z.discriminatedUnion("decision", [
  z.object({
    requestId: z.uuid({ error: "No such request" }),
    decision: z.literal("APPROVE"),
    reason: z.string().trim().max(MAX_REASON_LENGTH).optional(),
  }),
  z.object({ requestId: z.uuid({ error: "No such request" }), decision: z.literal("DECLINE"), reason: zReason }),
]);
export type TDecideAdministratorRequest = z.input<typeof ZDecideAdministratorRequest>;
