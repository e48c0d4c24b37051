/**
 * Monitoring adherence over time, for the patient timeline's chart. Pure.
 *
 * Each test type is replayed from the first dose: a result is due `intervalDays` after the
 * previous one (or after the first dose); it counts as on time when collected within the grace
 * period after that due date. Dues are counted in the month they fall in, up to today and the end
 * of monitoring. After a missed result (none since) later dues are not counted again: one gap is
 * one missed result, which is what the prescriber has to act on.
 */
import { addDays, monitoringEndsOn } from "../monitoring/rules";
import type { TMonitoring } from "../programs/schema";

export interface AdherenceMonth {
  /** "YYYY-MM" */
  month: string;
  due: number;
  onTime: number;
  late: number;
  missed: number;
}

export function monitoringAdherence(
  monitoring: TMonitoring,
  doseDates: readonly string[],
  results: readonly { testCode: string; collectedOn: string }[],
  today: string,
): AdherenceMonth[] {
  const firstDose = [...doseDates].sort()[0];
  if (!firstDose) return [];
  const endsOn = monitoringEndsOn(monitoring, doseDates);
  const limit = endsOn !== null && endsOn < today ? endsOn : today;
  const months = new Map<string, AdherenceMonth>();
  const bucket = (day: string) => {
    const month = day.slice(0, 7);
    let row = months.get(month);
    if (!row) {
      row = { month, due: 0, onTime: 0, late: 0, missed: 0 };
      months.set(month, row);
    }
    return row;
  };
  for (const test of monitoring.testTypes) {
    const dates = results
      .filter((r) => r.testCode === test.code)
      .map((r) => r.collectedOn)
      .sort();
    let anchor = firstDose;
    for (;;) {
      const due = addDays(anchor, test.intervalDays);
      if (due > limit) break;
      const next = dates.find((d) => d > anchor);
      const row = bucket(due);
      row.due++;
      if (next === undefined || next > today) {
        row.missed++;
        break;
      }
      if (next <= addDays(due, test.graceDays)) row.onTime++;
      else row.late++;
      anchor = next;
    }
  }
  // Every month from the first dose to the limit, so the chart's axis has no holes.
  const out: AdherenceMonth[] = [];
  let cursor = `${firstDose.slice(0, 7)}-01`;
  const last = limit.slice(0, 7);
  while (cursor.slice(0, 7) <= last) {
    const month = cursor.slice(0, 7);
    out.push(months.get(month) ?? { month, due: 0, onTime: 0, late: 0, missed: 0 });
    cursor = `${addDays(cursor, 32).slice(0, 8)}01`;
  }
  return out;
}
