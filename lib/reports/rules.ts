/**
 * The assessment report's definitions, pure: who counts as lost to follow-up, and how monitoring
 * adherence is summed over patients. No database, no clock.
 */
import { monitoringAdherence } from "../dashboards/adherence";
import { addDays, monitoringEndsOn } from "../monitoring/rules";
import type { MonitoringFacts } from "../monitoring/types";
import type { TMonitoring } from "../programs/schema";

export interface LostToFollowUpRule {
  /** No contact for more than this many days. */
  thresholdDays: number;
  /** The test the threshold is derived from. */
  testName: string;
  intervalDays: number;
  graceDays: number;
  monthsAfterLastDose: number | null;
}

/**
 * Derived from the programme: twice the interval of its most frequent monitoring test plus that
 * test's grace period, i.e. two consecutive results missed. Null when the programme has no monitoring.
 */
export function lostToFollowUpRule(monitoring: TMonitoring | null): LostToFollowUpRule | null {
  if (!monitoring) return null;
  const test = [...monitoring.testTypes].sort((a, b) => a.intervalDays - b.intervalDays)[0];
  if (!test) return null;
  return {
    thresholdDays: 2 * test.intervalDays + test.graceDays,
    testName: test.name,
    intervalDays: test.intervalDays,
    graceDays: test.graceDays,
    monthsAfterLastDose: monitoring.continueMonthsAfterLastDose,
  };
}

/** The definition as the report prints it. */
export function lostToFollowUpDefinition(rule: LostToFollowUpRule): string {
  const window =
    rule.monthsAfterLastDose === null
      ? "monitoring continues for as long as treatment does"
      : `the programme still requires monitoring (up to ${rule.monthsAfterLastDose} months after the last infusion)`;
  return (
    `A patient is lost to follow-up when, on the last day of the period, they are enrolled, have received at least one infusion, ` +
    `${window}, and no infusion, monitoring result or Patient Status Form has been recorded for more than ${rule.thresholdDays} days: ` +
    `twice the interval of the most frequent monitoring test (${rule.testName}, every ${rule.intervalDays} days) plus its ${rule.graceDays}-day grace period, ` +
    "that is, two consecutive results missed."
  );
}

/** Facts restricted to what was known on `day` (inclusive). */
export function factsUpTo(facts: MonitoringFacts, day: string): MonitoringFacts {
  return {
    doseDates: facts.doseDates.filter((d) => d <= day),
    results: facts.results.filter((r) => r.collectedOn <= day),
    statusFormDates: facts.statusFormDates.filter((d) => d <= day),
    enrolledOn: facts.enrolledOn,
  };
}

/** The last contact day when the patient is lost to follow-up on `day`; null otherwise. */
export function lostToFollowUpSince(
  rule: LostToFollowUpRule,
  monitoring: TMonitoring,
  facts: MonitoringFacts,
  day: string,
): string | null {
  const known = factsUpTo(facts, day);
  if (known.doseDates.length === 0) return null;
  const endsOn = monitoringEndsOn(monitoring, known.doseDates);
  if (endsOn !== null && endsOn < day) return null;
  const last = [...known.doseDates, ...known.results.map((r) => r.collectedOn), ...known.statusFormDates].sort().at(-1);
  if (last === undefined) return null;
  return addDays(last, rule.thresholdDays) < day ? last : null;
}

export interface AdherenceShare {
  /** "YYYY-MM" */
  month: string;
  /** Patients with at least one monitoring result due that month. */
  patientsDue: number;
  /** Of those, patients with every result due that month collected on time. */
  patientsOnTime: number;
}

/**
 * Adds one patient's months to the running totals: a patient counts in a month when a result
 * fell due, and as on time when every result due that month was on time.
 */
export function addAdherence(
  totals: Map<string, AdherenceShare>,
  monitoring: TMonitoring,
  facts: MonitoringFacts,
  lastDay: string,
): void {
  const known = factsUpTo(facts, lastDay);
  for (const m of monitoringAdherence(monitoring, known.doseDates, known.results, lastDay)) {
    if (m.due === 0) continue;
    const row = totals.get(m.month) ?? { month: m.month, patientsDue: 0, patientsOnTime: 0 };
    row.patientsDue++;
    if (m.onTime === m.due) row.patientsOnTime++;
    totals.set(m.month, row);
  }
}

/** Percent with no decimals; null when nobody was due. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 100);
}
