/**
 * The safety-monitoring schedule: pure functions of the programme's monitoring definition, the dose
 * history, the results and "today". No clock, no database. Dates are "YYYY-MM-DD" calendar days and
 * all arithmetic is done on UTC days, so no time zone ever moves a due date.
 *
 * Definitions (the same for every programme):
 * - Monitoring starts with the first dose. Before any dose a baseline test's item carries its
 *   baseline state for a course starting today (fresh until the last day its result still counts,
 *   stale, or missing), from `baselineStatus` (the dispense gate's own check), and its state says
 *   so: "baseline_missing", "baseline_stale", or "not_applicable" when fresh. Every other test item
 *   is "not_applicable" until the first dose. A patient who cannot start treatment for want of a
 *   baseline result is therefore never "ok" overall.
 * - A test's next due date is its anchor + intervalDays, where the anchor is the latest of its last
 *   result and the first dose (a baseline result taken before the first dose does not bring the
 *   first monitoring result forward).
 * - The Patient Status Form is due periodMonths after the last form, or after enrollment when no
 *   form was submitted; it is owed from enrollment, dose or not.
 * - State of an item with a due date D (grace G, due-soon window S):
 *     today > D + G            → overdue
 *     D − S ≤ today ≤ D + G    → due_soon (includes "due today" and the grace period)
 *     today < D − S            → ok (so an ok item's due date is always after today)
 * - Monitoring ends `continueMonthsAfterLastDose` months after the last dose (monitoringEndsOn;
 *   month addition clamps to the month's end). An item is "complete" once today ≥ monitoringEndsOn
 *   AND its next due date falls after monitoringEndsOn, i.e. every result owed during the period
 *   was given. Before monitoringEndsOn nothing is complete: an item whose next due date falls after
 *   the end is "ok" with nextDueOn null (no further result is needed). A result owed during the
 *   period and never given keeps the item overdue after the end.
 * - The overall state is the worst item state: overdue > baseline_missing > baseline_stale >
 *   due_soon > ok > complete > not_applicable.
 */
import type { TMonitoring } from "../programs/schema";
import { formatDate } from "../format";
import {
  type BaselineCheck,
  type BaselineItem,
  type BaselineState,
  type ItemSchedule,
  type MonitoringFacts,
  type MonitoringSchedule,
  type MonitoringState,
  STATUS_FORM_CODE,
} from "./types";

export { addDays, addMonths, dayFromNumber, dayNumber, dayOf, isCalendarDay } from "../calendar";
import { addDays, addMonths, dayNumber } from "../calendar";

function maxDay(days: readonly string[]): string | null {
  let best: string | null = null;
  for (const day of days) if (best === null || day > best) best = day;
  return best;
}

function minDay(days: readonly string[]): string | null {
  let best: string | null = null;
  for (const day of days) if (best === null || day < best) best = day;
  return best;
}

/** Worst first; the index is the severity rank. */
export const STATE_ORDER: readonly MonitoringState[] = [
  "overdue",
  "baseline_missing",
  "baseline_stale",
  "due_soon",
  "ok",
  "complete",
  "not_applicable",
];

export function stateRank(state: MonitoringState): number {
  return STATE_ORDER.indexOf(state);
}

/** The worst of the states (not_applicable for none). */
export function worstState(states: readonly MonitoringState[]): MonitoringState {
  let worst: MonitoringState = "not_applicable";
  for (const state of states) if (stateRank(state) < stateRank(worst)) worst = state;
  return worst;
}

export const STATE_LABELS: Record<MonitoringState, string> = {
  overdue: "Overdue",
  baseline_missing: "Baseline tests missing",
  baseline_stale: "Baseline tests too old",
  due_soon: "Due soon",
  ok: "Up to date",
  complete: "Complete",
  not_applicable: "Not started",
};

function itemState(
  dueOn: string,
  window: { graceDays: number; dueSoonDays: number },
  today: string,
  monitoringEndsOn: string | null,
): { state: MonitoringState; nextDueOn: string | null } {
  if (monitoringEndsOn !== null && dueOn > monitoringEndsOn) {
    return today >= monitoringEndsOn ? { state: "complete", nextDueOn: null } : { state: "ok", nextDueOn: null };
  }
  const t = dayNumber(today);
  const due = dayNumber(dueOn);
  if (t > due + window.graceDays) return { state: "overdue", nextDueOn: dueOn };
  if (t >= due - window.dueSoonDays) return { state: "due_soon", nextDueOn: dueOn };
  return { state: "ok", nextDueOn: dueOn };
}

/** Last dose + the programme's monitoring period; null before the first dose or when unlimited. */
export function monitoringEndsOn(monitoring: TMonitoring, doseDates: readonly string[]): string | null {
  const lastDose = maxDay(doseDates);
  if (lastDose === null || monitoring.continueMonthsAfterLastDose === null) return null;
  return addMonths(lastDose, monitoring.continueMonthsAfterLastDose);
}

/** For each test type (then the status form) the last result, the next due date and the state. */
export function monitoringSchedule(monitoring: TMonitoring, facts: MonitoringFacts, today: string): MonitoringSchedule {
  dayNumber(today);
  const firstDose = minDay(facts.doseDates);
  const endsOn = monitoringEndsOn(monitoring, facts.doseDates);
  const latestByCode = new Map<string, string>();
  for (const result of facts.results) {
    const current = latestByCode.get(result.testCode);
    if (current === undefined || result.collectedOn > current) latestByCode.set(result.testCode, result.collectedOn);
  }

  const baseline =
    firstDose === null
      ? new Map(baselineStatus(monitoring, facts.results, today).map((c) => [c.code, baselineItem(monitoring, c)]))
      : null;

  const items: ItemSchedule[] = monitoring.testTypes.map((test) => {
    const lastOn = latestByCode.get(test.code) ?? null;
    if (firstDose === null) {
      const before = baseline?.get(test.code);
      return {
        code: test.code,
        name: test.name,
        lastOn,
        nextDueOn: null,
        state: before ? BASELINE_ITEM_STATE[before.state] : "not_applicable",
        ...(before ? { baseline: before } : {}),
      };
    }
    const anchor = lastOn !== null && lastOn > firstDose ? lastOn : firstDose;
    const dueOn = addDays(anchor, test.intervalDays);
    return { code: test.code, name: test.name, lastOn, ...itemState(dueOn, test, today, endsOn) };
  });

  if (monitoring.statusForm) {
    const form = monitoring.statusForm;
    const lastOn = maxDay(facts.statusFormDates);
    const anchor = lastOn !== null && lastOn > facts.enrolledOn ? lastOn : facts.enrolledOn;
    const dueOn = addMonths(anchor, form.periodMonths);
    items.push({
      code: STATUS_FORM_CODE,
      name: "Patient Status Form",
      lastOn,
      ...itemState(dueOn, form, today, endsOn),
    });
  }

  return { items, overall: worstState(items.map((i) => i.state)), monitoringEndsOn: endsOn };
}

/**
 * The baseline results a course needs: for each baseline test, the latest result collected on or
 * before the course start must be at most withinDaysBeforeFirstDose days older than the start.
 * Results collected after the start do not count.
 */
export function baselineStatus(
  monitoring: TMonitoring,
  results: readonly { testCode: string; collectedOn: string }[],
  courseStartOn: string,
): BaselineCheck[] {
  const start = dayNumber(courseStartOn);
  const earliest = start - monitoring.baseline.withinDaysBeforeFirstDose;
  const names = new Map(monitoring.testTypes.map((t) => [t.code, t.name]));
  return monitoring.baseline.testCodes.map((code) => {
    const lastOn = maxDay(
      results.filter((r) => r.testCode === code && r.collectedOn <= courseStartOn).map((r) => r.collectedOn),
    );
    const name = names.get(code) ?? code;
    if (lastOn === null) return { code, name, lastOn, ok: false, problem: "missing" };
    const ok = dayNumber(lastOn) >= earliest;
    return { code, name, lastOn, ok, problem: ok ? null : "stale" };
  });
}

/** A baseline test's item state before the first dose: a fresh result leaves nothing to do yet. */
const BASELINE_ITEM_STATE: Record<BaselineState, MonitoringState> = {
  missing: "baseline_missing",
  stale: "baseline_stale",
  fresh: "not_applicable",
};

function baselineItem(monitoring: TMonitoring, check: BaselineCheck): BaselineItem {
  if (check.lastOn === null) return { state: "missing", lastOn: null, freshUntil: null };
  const freshUntil = addDays(check.lastOn, monitoring.baseline.withinDaysBeforeFirstDose);
  return { state: check.ok ? "fresh" : "stale", lastOn: check.lastOn, freshUntil };
}

/** What a person reads for a baseline test before the first dose. */
export function describeBaseline(item: BaselineItem): string {
  switch (item.state) {
    case "fresh":
      return `Baseline fresh until ${formatDate(item.freshUntil)}`;
    case "stale":
      return `Baseline too old (last ${formatDate(item.lastOn)}): repeat before the first dose`;
    case "missing":
      return "Baseline missing";
  }
}

/** States that ask someone to act: overdue or due soon, or a baseline result to obtain before the first dose. */
export function needsAttention(state: MonitoringState): boolean {
  return state === "overdue" || state === "baseline_missing" || state === "baseline_stale" || state === "due_soon";
}

/** The items that ask someone to act, worst first, then by due date. */
export function attentionItems(schedule: Pick<MonitoringSchedule, "items">): ItemSchedule[] {
  return schedule.items
    .filter((i) => needsAttention(i.state))
    .sort((a, b) => stateRank(a.state) - stateRank(b.state) || (a.nextDueOn ?? "").localeCompare(b.nextDueOn ?? ""));
}

/** One item that needs attention, in words: "Serum creatinine (baseline missing)". */
export function describeAttention(item: Pick<ItemSchedule, "name" | "state" | "nextDueOn" | "baseline">): string {
  switch (item.state) {
    case "overdue":
      return `${item.name} (overdue, was due ${formatDate(item.nextDueOn)})`;
    case "due_soon":
      return `${item.name} (due ${formatDate(item.nextDueOn)})`;
    case "baseline_missing":
      return `${item.name} (baseline missing)`;
    case "baseline_stale":
      return `${item.name} (baseline too old, last ${formatDate(item.baseline?.lastOn ?? null)})`;
    default:
      return item.name;
  }
}
