/**
 * Non-compliance cases as pure rules: which steps the programme's ladder allows from a case's state,
 * whether one step may be taken now, when a corrective action is overdue, what each step tells the
 * stakeholder, and the counts the FDA assessment report reads. No I/O, no clock: callers pass `today`.
 *
 *   OPEN → NOTICE → CORRECTIVE_ACTION → SUSPENDED → DECERTIFIED → CLOSED
 *   (any rung may be skipped, never gone back to; SUSPENDED → REINSTATED → … → CLOSED)
 */
import type { TNonComplianceMeasure } from "../programs/schema";

export const CASE_STATES = [
  "OPEN",
  "NOTICE",
  "CORRECTIVE_ACTION",
  "SUSPENDED",
  "REINSTATED",
  "DECERTIFIED",
  "CLOSED",
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_STEPS = ["NOTICE", "CORRECTIVE_ACTION", "SUSPEND", "DECERTIFY", "REINSTATE", "CLOSE"] as const;
export type CaseStep = (typeof CASE_STEPS)[number];

export const STEP_TO_STATE: Record<CaseStep, CaseState> = {
  NOTICE: "NOTICE",
  CORRECTIVE_ACTION: "CORRECTIVE_ACTION",
  SUSPEND: "SUSPENDED",
  DECERTIFY: "DECERTIFIED",
  REINSTATE: "REINSTATED",
  CLOSE: "CLOSED",
};

export const CASE_STATE_LABELS: Record<CaseState, string> = {
  OPEN: "Opened",
  NOTICE: "Notice sent",
  CORRECTIVE_ACTION: "Corrective action plan running",
  SUSPENDED: "Certification suspended",
  REINSTATED: "Certification reinstated",
  DECERTIFIED: "Decertified",
  CLOSED: "Closed",
};

/** The longest a corrective action plan may run, in days. */
export const MAX_DUE_DAYS = 365;

export interface Rung {
  measure: TNonComplianceMeasure;
  label: string;
  dueDays?: number;
}

/** Everything the rules need to know about a case and its stakeholder. */
export interface CaseFacts {
  state: CaseState;
  /** The ladder measures already taken on this case, in any order. */
  taken: readonly TNonComplianceMeasure[];
  ladder: readonly Rung[];
  /** Prescribers, pharmacies and settings hold a certification; a patient's enrollment is not one. */
  certifiable: boolean;
  /** The stakeholder's enrollment status now (CERTIFIED, SUSPENDED, …). */
  certificationStatus: string;
}

export interface StepOption {
  step: CaseStep;
  label: string;
  /** For a corrective action plan: the due day the programme suggests (YYYY-MM-DD). */
  suggestedDueOn?: string;
}

const ENDED: readonly CaseState[] = ["CLOSED"];

export function isCaseState(value: string): value is CaseState {
  return (CASE_STATES as readonly string[]).includes(value);
}

/** How far up the ladder the case has gone: the index of the strictest measure taken, or -1. */
export function ladderPosition(ladder: readonly Rung[], taken: readonly TNonComplianceMeasure[]): number {
  return ladder.reduce((position, rung, index) => (taken.includes(rung.measure) ? index : position), -1);
}

/** "2026-05-04" plus `days` calendar days. */
export function addDaysIso(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function rungLabel(step: CaseStep, ladder: readonly Rung[]): string {
  if (step === "REINSTATE") return "Reinstate";
  if (step === "CLOSE") return "Close the case";
  return ladder.find((r) => r.measure === step)?.label ?? step;
}

/** Why a certification measure cannot be taken now; null when it can. */
function certificationBlock(step: "SUSPEND" | "DECERTIFY" | "REINSTATE", facts: CaseFacts): string | null {
  if (!facts.certifiable) {
    return "A patient's enrollment is not a certification: its status is changed by the patient's prescriber.";
  }
  const status = facts.certificationStatus;
  if (step === "SUSPEND" && status !== "CERTIFIED") return "Only a certified stakeholder can be suspended.";
  if (step === "DECERTIFY" && status !== "CERTIFIED" && status !== "SUSPENDED") {
    return "Only a certified or suspended stakeholder can be decertified.";
  }
  if (step === "REINSTATE" && status !== "SUSPENDED") return "The stakeholder's certification is not suspended.";
  return null;
}

/** Every step and whether the ladder allows it from here; `why` explains a refusal. */
export function evaluateSteps(facts: CaseFacts): { step: CaseStep; allowed: boolean; why: string }[] {
  const position = ladderPosition(facts.ladder, facts.taken);
  return CASE_STEPS.map((step) => {
    const refuse = (why: string) => ({ step, allowed: false, why });
    if (ENDED.includes(facts.state)) return refuse("The case is closed.");
    if (step === "CLOSE") {
      // A stakeholder reinstated outside the case (from their own page) no longer holds it open.
      return facts.state === "SUSPENDED" && facts.certificationStatus === "SUSPENDED"
        ? refuse("Reinstate or decertify the stakeholder before closing the case.")
        : { step, allowed: true, why: "" };
    }
    if (step === "REINSTATE") {
      if (facts.state !== "SUSPENDED") return refuse("Only a case that suspended the stakeholder can reinstate them.");
      const blocked = certificationBlock(step, facts);
      return blocked ? refuse(blocked) : { step, allowed: true, why: "" };
    }
    const index = facts.ladder.findIndex((r) => r.measure === step);
    if (index === -1) return refuse("The programme's ladder has no such measure.");
    if (facts.state === "DECERTIFIED") return refuse("The stakeholder is decertified: the case can only be closed.");
    // A running corrective action plan may be revised (new plan, new due date); otherwise the ladder only goes up.
    const revisesPlan = step === "CORRECTIVE_ACTION" && facts.state === "CORRECTIVE_ACTION";
    if (index <= position && !revisesPlan) return refuse("The case has already gone past this measure.");
    if (facts.state === "SUSPENDED" && step !== "DECERTIFY") {
      return refuse("While the stakeholder is suspended, reinstate or decertify them.");
    }
    if (step === "SUSPEND" || step === "DECERTIFY") {
      const blocked = certificationBlock(step, facts);
      if (blocked) return refuse(blocked);
    }
    return { step, allowed: true, why: "" };
  });
}

/** The steps an administrator may take now, as the case page offers them. */
export function allowedSteps(facts: CaseFacts, today: string): StepOption[] {
  return evaluateSteps(facts)
    .filter((s) => s.allowed)
    .map(({ step }) => {
      const dueDays = facts.ladder.find((r) => r.measure === step)?.dueDays;
      return {
        step,
        label: rungLabel(step, facts.ladder),
        ...(step === "CORRECTIVE_ACTION" && dueDays ? { suggestedDueOn: addDaysIso(today, dueDays) } : {}),
      };
    });
}

export interface StepInput {
  step: CaseStep;
  reason: string;
  /** YYYY-MM-DD, for a corrective action plan. */
  dueOn?: string | null;
}

export type StepDecision =
  | { ok: true; from: CaseState; to: CaseState; dueOn: string | null; measure: TNonComplianceMeasure | null }
  | {
      ok: false;
      code: "ILLEGAL_STEP" | "REASON_REQUIRED" | "DUE_DATE_INVALID";
      message: string;
      field?: "reason" | "dueOn";
    };

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function isRealDay(day: string): boolean {
  if (!ISO_DAY.test(day)) return false;
  const d = new Date(`${day}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(day);
}

/** Decides one step: allowed from this state, with a reason, and for a plan a due day in range. */
export function decideStep(facts: CaseFacts, input: StepInput, today: string): StepDecision {
  const verdict = evaluateSteps(facts).find((s) => s.step === input.step);
  if (!verdict?.allowed) {
    return { ok: false, code: "ILLEGAL_STEP", message: verdict?.why ?? "Unknown step." };
  }
  if (!input.reason.trim()) {
    return { ok: false, code: "REASON_REQUIRED", message: "Give the reason for this step.", field: "reason" };
  }
  let dueOn: string | null = null;
  if (input.step === "CORRECTIVE_ACTION") {
    const suggested = facts.ladder.find((r) => r.measure === "CORRECTIVE_ACTION")?.dueDays;
    dueOn = input.dueOn?.trim() || (suggested ? addDaysIso(today, suggested) : null);
    if (!dueOn || !isRealDay(dueOn)) {
      return {
        ok: false,
        code: "DUE_DATE_INVALID",
        message: "Give the due date as a day (YYYY-MM-DD).",
        field: "dueOn",
      };
    }
    if (dueOn <= today) {
      return { ok: false, code: "DUE_DATE_INVALID", message: "The due date must be after today.", field: "dueOn" };
    }
    if (dueOn > addDaysIso(today, MAX_DUE_DAYS)) {
      return {
        ok: false,
        code: "DUE_DATE_INVALID",
        message: `The due date must be within ${MAX_DUE_DAYS} days.`,
        field: "dueOn",
      };
    }
  }
  const measure = input.step === "REINSTATE" || input.step === "CLOSE" ? null : input.step;
  return { ok: true, from: facts.state, to: STEP_TO_STATE[input.step], dueOn, measure };
}

/** A corrective action plan whose due day has passed (the day itself still counts as on time). */
export function isOverdue(c: { state: string; dueOn: string | null }, today: string): boolean {
  return c.state === "CORRECTIVE_ACTION" && c.dueOn !== null && c.dueOn < today;
}

// ---------------------------------------------------------------------------
// Case numbers

/** NC-2026-00042: the year the case was opened and its number within that year. */
export function formatCaseNumber(year: number, sequence: number): string {
  return `NC-${year}-${String(sequence).padStart(5, "0")}`;
}

export function parseCaseNumber(value: string): { year: number; sequence: number } | null {
  const match = /^NC-(\d{4})-(\d{5,})$/.exec(value.trim().toUpperCase());
  if (!match) return null;
  return { year: Number(match[1]), sequence: Number(match[2]) };
}

// ---------------------------------------------------------------------------
// What the stakeholder is told (suspension, decertification and reinstatement are told by the
// certification lifecycle's own notice, whose reason names the case)

export function stepNotice(input: {
  step: "NOTICE" | "CORRECTIVE_ACTION" | "CLOSE";
  stepLabel: string;
  programName: string;
  stakeholderName: string;
  caseNumber: string;
  typeLabel: string;
  reason: string;
  dueOn?: string | null;
  appUrl: string;
}): { subject: string; text: string } {
  const subject = `${input.programName}: ${input.stepLabel.toLowerCase()} (case ${input.caseNumber})`;
  const lines = [`Hello ${input.stakeholderName},`, ""];
  switch (input.step) {
    case "NOTICE":
      lines.push(
        `This is a notice of non-compliance with the ${input.programName} requirements (case ${input.caseNumber}).`,
      );
      break;
    case "CORRECTIVE_ACTION":
      lines.push(`You are asked to carry out a corrective action plan (case ${input.caseNumber}).`);
      break;
    case "CLOSE":
      lines.push(`Non-compliance case ${input.caseNumber} has been closed.`);
      break;
  }
  lines.push(`Concerning: ${input.typeLabel}`, "", input.step === "CLOSE" ? "Note:" : "Reason:", input.reason.trim());
  if (input.step === "CORRECTIVE_ACTION" && input.dueOn) {
    lines.push(
      "",
      `Complete the plan and tell the programme by ${input.dueOn}. Without it, the programme may suspend your certification.`,
    );
  }
  lines.push("", `See your enrollment: ${input.appUrl}/enrollment`, "", "— REMS registry");
  return { subject, text: lines.join("\n") };
}

// ---------------------------------------------------------------------------
// The FDA assessment report

export const CASE_OUTCOMES = [
  "DECERTIFIED",
  "SUSPENDED_REINSTATED",
  "SUSPENDED",
  "CORRECTIVE_ACTION",
  "NOTICE",
  "NO_MEASURE",
] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

export const CASE_OUTCOME_LABELS: Record<CaseOutcome, string> = {
  DECERTIFIED: "Decertified",
  SUSPENDED_REINSTATED: "Suspended, then reinstated",
  SUSPENDED: "Suspended",
  CORRECTIVE_ACTION: "Corrective action plan",
  NOTICE: "Notice only",
  NO_MEASURE: "No measure taken",
};

/** The strictest thing that happened to a case, from the steps taken (up to the end of a period). */
export function caseOutcome(steps: readonly CaseStep[]): CaseOutcome {
  if (steps.includes("DECERTIFY")) return "DECERTIFIED";
  if (steps.includes("SUSPEND")) return steps.includes("REINSTATE") ? "SUSPENDED_REINSTATED" : "SUSPENDED";
  if (steps.includes("CORRECTIVE_ACTION")) return "CORRECTIVE_ACTION";
  if (steps.includes("NOTICE")) return "NOTICE";
  return "NO_MEASURE";
}

export interface SummaryCase {
  type: string;
  openedAt: Date;
  steps: readonly { step: CaseStep; at: Date }[];
}

export interface NonComplianceSummaryCounts {
  /** Cases opened in [from, to). */
  opened: number;
  byType: { type: string; count: number }[];
  /** Outcome as of `to`, and whether the case was closed by then. */
  byOutcome: { outcome: CaseOutcome; closed: number; open: number }[];
  /** Every case opened before `to` (in the period or earlier) and not closed by `to`. */
  openAtEnd: number;
}

/** Counts for the period [from, to): pure, so the report's numbers can be checked by hand. */
export function summarizeCases(cases: readonly SummaryCase[], from: Date, to: Date): NonComplianceSummaryCounts {
  const upTo = (c: SummaryCase) => c.steps.filter((s) => s.at < to).map((s) => s.step);
  const inPeriod = cases.filter((c) => c.openedAt >= from && c.openedAt < to);
  const byType = new Map<string, number>();
  const byOutcome = new Map<CaseOutcome, { closed: number; open: number }>();
  for (const c of inPeriod) {
    byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
    const steps = upTo(c);
    const outcome = caseOutcome(steps);
    const entry = byOutcome.get(outcome) ?? { closed: 0, open: 0 };
    if (steps.includes("CLOSE")) entry.closed++;
    else entry.open++;
    byOutcome.set(outcome, entry);
  }
  const openAtEnd = cases.filter((c) => c.openedAt < to && !upTo(c).includes("CLOSE")).length;
  return {
    opened: inPeriod.length,
    byType: [...byType.entries()]
      .map(([type, count]) => ({ type, count }))
      .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type)),
    byOutcome: CASE_OUTCOMES.filter((o) => byOutcome.has(o)).map((outcome) => ({
      outcome,
      ...(byOutcome.get(outcome) as { closed: number; open: number }),
    })),
    openAtEnd,
  };
}
