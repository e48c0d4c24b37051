/**
 * User administration's pure rules: an account's state, a session's state and why it ended, a
 * device named from its user agent, an administrator request's state, and the e-mails people get.
 * No database, no clock: callers pass `now`.
 */
import { createHash } from "node:crypto";
import { formatDateTime } from "../format";
import type { AccountState } from "./schema";

export const ADMINISTRATOR_REQUEST_TTL_DAYS = 7;

export const ACCOUNT_STATE_LABELS: Record<AccountState, string> = {
  ACTIVE: "Active",
  DEACTIVATED: "Deactivated",
  LOCKED: "Locked",
};

/** Deactivation outranks a lock: a deactivated account cannot sign in whether or not it is locked. */
export function accountState(user: { status: string; lockedUntil: Date | null }, now: Date): AccountState {
  if (user.status !== "ACTIVE") return "DEACTIVATED";
  if (user.lockedUntil && user.lockedUntil.getTime() > now.getTime()) return "LOCKED";
  return "ACTIVE";
}

export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}

export interface SessionFacts {
  createdAt: Date;
  lastSeenAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  sessionVersion: number;
}

export type SessionState = { open: true } | { open: false; endedAt: Date | null; why: string };

/**
 * Whether a session still lets its browser in, and if not, since when and why — the same checks,
 * in the same order, as the session check on every request (lib/auth/service.ts checkSession).
 */
export function sessionState(
  session: SessionFacts,
  user: { status: string; sessionVersion: number },
  limits: SessionLimits,
  now: Date,
): SessionState {
  if (session.revokedReason) return { open: false, endedAt: session.revokedAt, why: session.revokedReason };
  if (user.status !== "ACTIVE") return { open: false, endedAt: session.revokedAt, why: "Account deactivated" };
  if (session.sessionVersion !== user.sessionVersion) {
    return { open: false, endedAt: session.revokedAt, why: "Signed out on every device" };
  }
  if (session.revokedAt) return { open: false, endedAt: session.revokedAt, why: "Signed out" };
  const expiresAt = new Date(session.createdAt.getTime() + limits.maxHours * 3_600_000);
  if (now.getTime() > expiresAt.getTime()) {
    return { open: false, endedAt: expiresAt, why: `Reached the ${limits.maxHours}-hour limit` };
  }
  const idleAt = new Date(session.lastSeenAt.getTime() + limits.idleMinutes * 60_000);
  if (now.getTime() > idleAt.getTime()) {
    return { open: false, endedAt: idleAt, why: `Inactive for ${limits.idleMinutes} minutes` };
  }
  return { open: true };
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bOPR\/|\bOpera\b/, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\bCriOS\/|\bChrom(?:e|ium)\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
  [/\bcurl\//, "curl"],
];

const SYSTEMS: [RegExp, string][] = [
  [/\biPhone\b/, "iPhone"],
  [/\biPad\b/, "iPad"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "Mac"],
  [/\bLinux\b/, "Linux"],
];

/** "Chrome on Windows", "Safari on iPhone", "Firefox", or "Unknown device" — never the raw string. */
export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent?.trim()) return "Unknown device";
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `A browser on ${system}`;
  return "Unknown device";
}

export type AdministratorRequestState = "pending" | "approved" | "declined" | "expired";

export const ADMINISTRATOR_REQUEST_STATE_LABELS: Record<AdministratorRequestState, string> = {
  pending: "Awaiting a second administrator",
  approved: "Approved, invitation sent",
  declined: "Declined",
  expired: "Expired",
};

export function administratorRequestExpiry(now: Date): Date {
  return new Date(now.getTime() + ADMINISTRATOR_REQUEST_TTL_DAYS * 86_400_000);
}

export function administratorRequestState(
  request: { decision: string | null; expiresAt: Date },
  now: Date,
): AdministratorRequestState {
  if (request.decision === "APPROVED") return "approved";
  if (request.decision === "DECLINED") return "declined";
  if (request.expiresAt.getTime() <= now.getTime()) return "expired";
  return "pending";
}

/**
 * The sign-in throttle keys that name an account: its id, or the hash of its e-mail address (the
 * form the sign-in throttle uses so that no address is stored).
 */
export function accountThrottleMarkers(user: { id: string; email: string }): string[] {
  return [user.id, createHash("sha256").update(user.email.toLowerCase()).digest("hex")];
}

export type AccountNotice = "deactivated" | "reactivated" | "unlocked" | "sessions_ended" | "session_ended";

const SIGN_OFF = [
  "",
  "If you did not expect this, contact the REMS programme's contact centre.",
  "",
  "— REMS registry",
];

/** The e-mail a person gets when an administrator acts on their account; it says why. */
export function accountNoticeEmail(
  notice: AccountNotice,
  input: { name: string; reason: string; at: Date; appUrl: string; sessionsEnded?: number },
): { subject: string; text: string } {
  const when = formatDateTime(input.at);
  const reason = ["", "Reason given:", input.reason];
  const body: Record<AccountNotice, { subject: string; lines: string[] }> = {
    deactivated: {
      subject: "Your REMS registry account has been deactivated",
      lines: [
        `A REMS administrator deactivated your account on ${when}. You have been signed out everywhere and cannot sign in until it is reactivated.`,
        ...reason,
      ],
    },
    reactivated: {
      subject: "Your REMS registry account has been reactivated",
      lines: [
        `A REMS administrator reactivated your account on ${when}. You can sign in again: ${input.appUrl}/sign-in`,
        ...reason,
      ],
    },
    unlocked: {
      subject: "Your REMS registry account has been unlocked",
      lines: [
        `A REMS administrator unlocked your account on ${when} after failed sign-ins. You can sign in again: ${input.appUrl}/sign-in`,
        "If the failed sign-ins were not yours, change your password after signing in.",
        ...reason,
      ],
    },
    sessions_ended: {
      subject: "You have been signed out of the REMS registry",
      lines: [
        `A REMS administrator signed you out on every device on ${when} (${input.sessionsEnded ?? 0} open ${input.sessionsEnded === 1 ? "session" : "sessions"}). Sign in again to continue: ${input.appUrl}/sign-in`,
        ...reason,
      ],
    },
    session_ended: {
      subject: "A REMS registry session of yours was ended",
      lines: [
        `A REMS administrator ended one of your sessions on ${when}. Sign in again on that device to continue: ${input.appUrl}/sign-in`,
        ...reason,
      ],
    },
  };
  const { subject, lines } = body[notice];
  return { subject, text: [`Hello ${input.name},`, "", ...lines, ...SIGN_OFF].join("\n") };
}

/** The invitation a newly approved administrator receives. */
export function administratorInvitationEmail(input: {
  name: string;
  requestedBy: string;
  approvedBy: string;
  link: string;
  expiresAt: Date;
}): { subject: string; text: string } {
  return {
    subject: "You have been made a REMS administrator",
    text: [
      `Hello ${input.name},`,
      "",
      `${input.requestedBy} asked for you to become a REMS administrator of the registry, and ${input.approvedBy} approved it.`,
      "",
      "To create your account, open this link and choose a password:",
      input.link,
      "",
      `The link works once and expires on ${formatDateTime(input.expiresAt)}.`,
      "If you did not expect this, ignore this e-mail: no account is created unless you accept.",
      "",
      "— REMS registry",
    ].join("\n"),
  };
}
