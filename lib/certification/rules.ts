/**
 * The certification lifecycle as a pure state machine. No I/O, no clock: the caller passes `now`.
 *
 *   DRAFT → SUBMITTED → (CHANGES_REQUESTED → SUBMITTED)* → CERTIFIED | REJECTED
 *   CERTIFIED → SUSPENDED → CERTIFIED (reinstated) | DECERTIFIED
 *   CERTIFIED → DECERTIFIED
 *   CERTIFIED → EXPIRED when the programme's recertification period has passed
 *   REJECTED | EXPIRED → DRAFT when the applicant starts again
 */
import { CERTIFICATION_STATUS_LABELS } from "@/lib/format";

export const CERTIFICATION_STATUSES = [
  "DRAFT",
  "SUBMITTED",
  "CHANGES_REQUESTED",
  "CERTIFIED",
  "REJECTED",
  "SUSPENDED",
  "DECERTIFIED",
  "EXPIRED",
] as const;
export type CertificationStatus = (typeof CERTIFICATION_STATUSES)[number];

export const CERTIFICATION_EVENTS = [
  "SUBMIT",
  "APPROVE",
  "REJECT",
  "REQUEST_CHANGES",
  "SUSPEND",
  "REINSTATE",
  "DECERTIFY",
  "EXPIRE",
  "RESTART",
] as const;
export type CertificationEvent = (typeof CERTIFICATION_EVENTS)[number];

/** Who may fire an event: the applicant (the stakeholder or their representative), an administrator, or the system. */
export type TransitionActor = "applicant" | "admin" | "system";

interface TransitionRule {
  from: readonly CertificationStatus[];
  to: CertificationStatus;
  actors: readonly TransitionActor[];
  reasonRequired: boolean;
  /** Past tense, for histories and e-mails. */
  verb: string;
}

export const TRANSITIONS: Record<CertificationEvent, TransitionRule> = {
  SUBMIT: {
    from: ["DRAFT", "CHANGES_REQUESTED"],
    to: "SUBMITTED",
    actors: ["applicant"],
    reasonRequired: false,
    verb: "submitted",
  },
  APPROVE: { from: ["SUBMITTED"], to: "CERTIFIED", actors: ["admin"], reasonRequired: false, verb: "approved" },
  REJECT: { from: ["SUBMITTED"], to: "REJECTED", actors: ["admin"], reasonRequired: true, verb: "rejected" },
  REQUEST_CHANGES: {
    from: ["SUBMITTED"],
    to: "CHANGES_REQUESTED",
    actors: ["admin"],
    reasonRequired: true,
    verb: "returned for changes",
  },
  SUSPEND: { from: ["CERTIFIED"], to: "SUSPENDED", actors: ["admin"], reasonRequired: true, verb: "suspended" },
  REINSTATE: { from: ["SUSPENDED"], to: "CERTIFIED", actors: ["admin"], reasonRequired: true, verb: "reinstated" },
  DECERTIFY: {
    from: ["CERTIFIED", "SUSPENDED"],
    to: "DECERTIFIED",
    actors: ["admin"],
    reasonRequired: true,
    verb: "decertified",
  },
  EXPIRE: { from: ["CERTIFIED"], to: "EXPIRED", actors: ["system"], reasonRequired: false, verb: "expired" },
  RESTART: {
    from: ["REJECTED", "EXPIRED"],
    to: "DRAFT",
    actors: ["applicant"],
    reasonRequired: false,
    verb: "restarted",
  },
};

export const STATUS_LABELS: Record<CertificationStatus, string> = CERTIFICATION_STATUS_LABELS;

export interface TransitionInput {
  status: CertificationStatus;
  event: CertificationEvent;
  actor: TransitionActor;
  reason?: string | null;
  now: Date;
  /** For EXPIRE: when the stakeholder was (last) certified and the programme's period. */
  certifiedAt?: Date | null;
  recertificationMonths?: number | null;
}

export type TransitionResult =
  | { ok: true; from: CertificationStatus; to: CertificationStatus; issueCertificationNumber: boolean }
  | { ok: false; code: "ILLEGAL_TRANSITION" | "WRONG_ACTOR" | "REASON_REQUIRED" | "NOT_DUE"; message: string };

/** When a certification granted at `certifiedAt` lapses; null when the programme never requires recertification. */
export function certificationExpiresAt(
  certifiedAt: Date,
  recertificationMonths: number | null | undefined,
): Date | null {
  if (!recertificationMonths) return null;
  const d = new Date(certifiedAt.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + recertificationMonths);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  // A day that does not exist in the target month (31 → 30th, 29–31 Jan → 28 Feb) lapses at the end
  // of the month's last day, so a later certification never lapses before an earlier one.
  if (day > lastDay) d.setUTCHours(23, 59, 59, 999);
  return d;
}

export function decideTransition(input: TransitionInput): TransitionResult {
  const rule = TRANSITIONS[input.event];
  const label = STATUS_LABELS[input.status].toLowerCase();
  if (!rule.from.includes(input.status)) {
    return {
      ok: false,
      code: "ILLEGAL_TRANSITION",
      message: `An enrollment that is ${label} cannot be ${rule.verb}.`,
    };
  }
  if (!rule.actors.includes(input.actor)) {
    const who = rule.actors.map((a) =>
      a === "admin" ? "an administrator" : a === "system" ? "the registry" : "the applicant",
    );
    return { ok: false, code: "WRONG_ACTOR", message: `Only ${who.join(" or ")} can do this.` };
  }
  if (rule.reasonRequired && !input.reason?.trim()) {
    return { ok: false, code: "REASON_REQUIRED", message: "A reason is required." };
  }
  if (input.event === "EXPIRE") {
    const expiresAt = input.certifiedAt ? certificationExpiresAt(input.certifiedAt, input.recertificationMonths) : null;
    if (!expiresAt || expiresAt > input.now) {
      return { ok: false, code: "NOT_DUE", message: "This certification has not reached its recertification date." };
    }
  }
  return {
    ok: true,
    from: input.status,
    to: rule.to,
    issueCertificationNumber: input.event === "APPROVE",
  };
}

/** The events an actor could fire from a status (for buttons; the service decides again). */
export function availableEvents(status: CertificationStatus, actor: TransitionActor): CertificationEvent[] {
  return CERTIFICATION_EVENTS.filter((event) => {
    const rule = TRANSITIONS[event];
    return rule.from.includes(status) && rule.actors.includes(actor) && event !== "EXPIRE";
  });
}

/** True when the stakeholder may act under the programme (prescribe, dispense, infuse). */
export function isCertified(status: CertificationStatus | string): boolean {
  return status === "CERTIFIED";
}

/** The e-mail a stakeholder receives after a transition. Pure: the service fills in names. */
export function transitionNotice(input: {
  event: CertificationEvent;
  programName: string;
  stakeholderName: string;
  reason?: string | null;
  certificationNumber?: string | null;
  appUrl: string;
}): { subject: string; text: string } {
  const rule = TRANSITIONS[input.event];
  const subject = `${input.programName}: enrollment ${rule.verb}`;
  const lines = [`Hello ${input.stakeholderName},`, "", `Your ${input.programName} enrollment has been ${rule.verb}.`];
  if (input.event === "APPROVE" && input.certificationNumber) {
    lines.push(`Certification number: ${input.certificationNumber}`);
  }
  if (input.reason?.trim()) {
    lines.push("", input.event === "REQUEST_CHANGES" ? "What to change:" : "Reason:", input.reason.trim());
  }
  if (input.event === "REQUEST_CHANGES") lines.push("", "Update your application and submit it again.");
  if (input.event === "SUSPEND") {
    lines.push("", "Until you are certified again, you may not act under this programme.");
  }
  if (input.event === "DECERTIFY") {
    lines.push(
      "",
      "You may no longer act under this programme. The certification is withdrawn for good: to take part again, enroll again.",
    );
  }
  lines.push("", `See your enrollment: ${input.appUrl}/enrollment`, "", "— REMS registry");
  return { subject, text: lines.join("\n") };
}
