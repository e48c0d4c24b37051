const DATE_TIME = new Intl.DateTimeFormat("en-US", {
  timeZone: "UTC",
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

const DATE = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });

/** The same text on the server and in every browser: times are shown in UTC. */
export function formatDateTime(value: Date | string): string {
  return `${DATE_TIME.format(new Date(value))} UTC`;
}

export function formatDate(value: Date | string): string {
  return DATE.format(new Date(value));
}
