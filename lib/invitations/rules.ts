/**
 * Invitations' pure rules: who may invite whom, an invitation's state, and the e-mails.
 * No database, no clock: callers pass `now`.
 */
import { can } from "../auth/permissions";
import type { Role } from "../generated/prisma/enums";
import type { InvitableRole, InvitationRole } from "./schema";

export const INVITATION_TTL_DAYS = 7;
/** Invitations one person may send per hour (each one is an e-mail to an address they chose). */
export const INVITATIONS_PER_HOUR = 20;

export function invitationExpiry(now: Date): Date {
  return new Date(now.getTime() + INVITATION_TTL_DAYS * 86_400_000);
}

export type InvitationState = "pending" | "accepted" | "revoked" | "expired";

export function invitationState(
  inv: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date },
  now: Date,
): InvitationState {
  if (inv.acceptedAt) return "accepted";
  if (inv.revokedAt) return "revoked";
  if (inv.expiresAt.getTime() <= now.getTime()) return "expired";
  return "pending";
}

export const INVITATION_STATE_LABELS: Record<InvitationState, string> = {
  pending: "Pending",
  accepted: "Accepted",
  revoked: "Cancelled",
  expired: "Expired",
};

export interface InvitePolicy {
  role: InvitableRole;
  /** What the invited person joins: the inviter's pharmacy, or the inviting prescriber's office. */
  scope: "pharmacy" | "prescriber";
}

/**
 * What an actor may invite: a pharmacy's pharmacist invites pharmacists to that pharmacy; a
 * prescriber invites office staff as delegates. Whether the actor has a certified pharmacy or
 * practice to invite into is checked by the service.
 */
export function invitePolicy(actor: { role: Role }): InvitePolicy | null {
  if (can(actor, "invitation:create:org") && actor.role === "PHARMACIST") {
    return { role: "PHARMACIST", scope: "pharmacy" };
  }
  if (can(actor, "invitation:create:own") && actor.role === "PRESCRIBER") {
    return { role: "PRESCRIBER_DELEGATE", scope: "prescriber" };
  }
  return null;
}

/** "a pharmacist at Main Street Pharmacy" / "office staff (a delegate) for Ada Lovelace" / "a patient of …". */
export function invitedAs(role: InvitationRole, organisationName: string): string {
  if (role === "PATIENT") return `a patient of ${organisationName}`;
  if (role === "ADMIN") return "a REMS administrator";
  return role === "PHARMACIST"
    ? `a pharmacist at ${organisationName}`
    : `office staff (a delegate) for ${organisationName}`;
}

function formatDay(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function invitationEmail(input: {
  inviterName: string;
  role: InvitationRole;
  organisationName: string;
  link: string;
  expiresAt: Date;
}): { subject: string; text: string } {
  return {
    subject: `${input.inviterName} invited you to the REMS registry`,
    text: [
      "Hello,",
      "",
      `${input.inviterName} invited you to join the REMS registry as ${invitedAs(input.role, input.organisationName)}.`,
      "",
      ...(input.role === "PATIENT"
        ? [
            "Your prescriber enrolled you in a REMS programme. Create your account to read and sign your enrollment.",
            "",
          ]
        : []),
      "To accept, open this link and choose a password:",
      input.link,
      "",
      `The link works once and expires on ${formatDay(input.expiresAt)}.`,
      "If you did not expect this invitation, ignore this e-mail: no account is created unless you accept.",
      "",
      "— REMS registry",
    ].join("\n"),
  };
}

export function acceptanceNotice(input: {
  inviterName: string;
  acceptedName: string;
  acceptedEmail: string;
  role: InvitationRole;
  organisationName: string;
  appUrl: string;
  teamPath: string;
}): { subject: string; text: string } {
  return {
    subject: `${input.acceptedName} accepted your invitation`,
    text: [
      `Hello ${input.inviterName},`,
      "",
      `${input.acceptedName} (${input.acceptedEmail}) accepted your invitation and now has an account as ${invitedAs(input.role, input.organisationName)}.`,
      "",
      `${input.role === "PATIENT" ? "See your patients" : "See your team"}: ${input.appUrl}${input.teamPath}`,
      "",
      "— REMS registry",
    ].join("\n"),
  };
}

export const TEAM_PATHS: Record<InvitePolicy["scope"], string> = {
  pharmacy: "/pharmacy/team",
  prescriber: "/prescriber/team",
};

/** Where the inviter follows up on an accepted invitation. */
export function acceptedInvitationPath(role: InvitationRole): string {
  if (role === "PATIENT") return "/prescriber/patients";
  if (role === "ADMIN") return "/admin/users";
  return TEAM_PATHS[role === "PHARMACIST" ? "pharmacy" : "prescriber"];
}
