const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a value from a URL or form can be a row id. Checked before a lookup: PostgreSQL refuses
 * a malformed uuid with an error, and such an id names nothing, so callers answer "not found".
 */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
