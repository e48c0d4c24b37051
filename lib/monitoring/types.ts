/**
 * The shapes the monitoring schedule speaks in (lib/monitoring/rules.ts). Dates are calendar days,
 * "YYYY-MM-DD" strings, so no time zone ever moves a due date.
 */

/**
 * Worst first: overdue > baseline_missing > baseline_stale > due_soon > ok > complete > not_applicable.
 * The two baseline states exist only before the first dose, for a baseline test whose result is
 * missing, or too old for a first dose given today.
 */
export type MonitoringState =
  | "overdue"
  | "baseline_missing"
  | "baseline_stale"
  | "due_soon"
  | "ok"
  | "complete"
  | "not_applicable";

export interface MonitoringFacts {
  /** Every infusion given (any order). */
  doseDates: string[];
  /** Every monitoring result: the programme's test code and the collection date. */
  results: { testCode: string; collectedOn: string }[];
  /** Dates Patient Status Forms were submitted. */
  statusFormDates: string[];
  /** The day the patient was enrolled: the status-form clock starts here. */
  enrolledOn: string;
}

export const STATUS_FORM_CODE = "STATUS_FORM";

/** A baseline test before the first dose: would its latest result do for a course starting today? */
export type BaselineState = "fresh" | "stale" | "missing";

export interface BaselineItem {
  state: BaselineState;
  /** The latest result collected on or before today. */
  lastOn: string | null;
  /** The last day a first dose can be given on this result; null when there is none. */
  freshUntil: string | null;
}

export interface ItemSchedule {
  /** A monitoring test code from the definition, or STATUS_FORM. */
  code: string;
  name: string;
  lastOn: string | null;
  /** null when complete or not applicable, and before the first dose. */
  nextDueOn: string | null;
  /** Before the first dose a baseline test is baseline_missing, baseline_stale or (fresh) not_applicable. */
  state: MonitoringState;
  /** Only before the first dose, and only for the programme's baseline tests. */
  baseline?: BaselineItem;
}

export interface MonitoringSchedule {
  /** The definition's test types in order, then STATUS_FORM when the programme has a status form. */
  items: ItemSchedule[];
  /** The worst state among the items. */
  overall: MonitoringState;
  /** Last dose + the programme's monitoring period; null before the first dose or when unlimited. */
  monitoringEndsOn: string | null;
}

export interface BaselineCheck {
  code: string;
  name: string;
  lastOn: string | null;
  ok: boolean;
  /** Why not ok: no result at all, or the latest is older than the window before the course start. */
  problem: "missing" | "stale" | null;
}
