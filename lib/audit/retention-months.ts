/** Months of the audit retention command (lib/audit/retention.ts), in UTC. Pure. */

/** "YYYY-MM" → the first instant of that month (UTC), or null when it is not a month. */
export function parseRetentionMonth(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const [year, month] = [Number(match[1]), Number(match[2])];
  if (month < 1 || month > 12 || year < 2000) return null;
  return new Date(Date.UTC(year, month - 1, 1));
}

/** The first month kept when `months` months are kept, counting the current one (UTC). */
export function retentionHorizon(now: Date, months: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1));
}

/** "YYYY-MM" of a month start. */
export function formatRetentionMonth(month: Date): string {
  return month.toISOString().slice(0, 7);
}
