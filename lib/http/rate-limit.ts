import { type Db, sqlOf } from "../db";
import { sql } from "../db/sql";

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/**
 * A fixed-window counter in the database, so every app instance enforces the same limit.
 * `key` names the caller and the endpoint, e.g. "lookup:203.0.113.7".
 */
export async function hitRateLimit(
  client: Db,
  key: string,
  limit: number,
  windowSeconds: number,
  now: Date = new Date(),
): Promise<RateLimitResult> {
  const windowMs = windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  // rate_limit_hit (migration 20261125040000): the upsert, without waiting for the WAL flush.
  // Plain SQL (lib/db/sql.ts): every gate request and every lookup counts here.
  const rows = await sqlOf(client).query<{ count: number }>(
    sql`SELECT rate_limit_hit(${key}::text, ${windowStart}::timestamptz) AS "count"`,
  );
  const count = Number(rows[0]?.count ?? 1);
  // Now and then, drop windows that ended long ago so the table stays small.
  if (Math.random() < 0.01) {
    const cutoff = new Date(now.getTime() - Math.max(windowMs, 86_400_000));
    await client.rateLimitBucket.deleteMany({ where: { windowStart: { lt: cutoff } } });
  }
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
  return { allowed: count <= limit, remaining: Math.max(0, limit - count), retryAfterSeconds };
}
