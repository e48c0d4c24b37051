/**
 * Calendar days as "YYYY-MM-DD" strings, with arithmetic in UTC so that no time zone or
 * daylight-saving change ever moves a date. Shared by monitoring, courses, reminders and dispensing.
 */
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 for a "YYYY-MM-DD" day; throws a RangeError on anything else. */
export function dayNumber(day: string): number {
  const match = DAY_PATTERN.exec(day);
  if (!match) throw new RangeError(`Expected a date as YYYY-MM-DD (got "${day}")`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const date = Number(match[3]);
  const ms = Date.UTC(year, month - 1, date);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) {
    throw new RangeError(`Not a calendar date: "${day}"`);
  }
  return ms / MS_PER_DAY;
}

/** True when `value` is a real calendar day written YYYY-MM-DD. */
export function isCalendarDay(value: string): boolean {
  try {
    dayNumber(value);
    return true;
  } catch {
    return false;
  }
}

/** The "YYYY-MM-DD" day for a day number. */
export function dayFromNumber(n: number): string {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The UTC calendar day of an instant (a @db.Date column comes back as UTC midnight). */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return dayFromNumber(dayNumber(day) + days);
}

/** Adds calendar months; a day that does not exist in the target month clamps to its last day. */
export function addMonths(day: string, months: number): string {
  dayNumber(day);
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month + 1, 0);
  date.setUTCFullYear(year, month, Math.min(d, date.getUTCDate()));
  return dayOf(date);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}
