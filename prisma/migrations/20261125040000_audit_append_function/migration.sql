-- Appends one audit event in a single statement: takes the chain's transaction-scoped advisory
-- lock, reads the last hash, hashes the new row's canonical content (computed by the application,
-- lib/audit/hash.ts) after it, and inserts. The same formula as auditHash():
--   hash = sha256_hex(prevHash || '\n' || canonicalJson(content)).
-- One round trip instead of three shortens the time the lock is held: the chain is the one place
-- where every audited write in the registry queues.
CREATE OR REPLACE FUNCTION audit_append(
  p_lock_key bigint,
  p_at timestamptz,
  p_actor_id text,
  p_actor_role text,
  p_action text,
  p_entity_type text,
  p_entity_id text,
  p_before jsonb,
  p_after jsonb,
  p_request_id text,
  p_canonical text
) RETURNS TABLE (seq bigint, hash text) LANGUAGE plpgsql AS $fn$
DECLARE
  prev text;
  next_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock_key);
  SELECT a."hash" INTO prev FROM "AuditEvent" a ORDER BY a."seq" DESC LIMIT 1;
  prev := COALESCE(prev, repeat('0', 64));
  next_hash := encode(sha256(convert_to(prev || E'\n' || p_canonical, 'UTF8')), 'hex');
  RETURN QUERY
    INSERT INTO "AuditEvent" ("at", "actorId", "actorRole", "action", "entityType", "entityId", "before", "after",
                              "requestId", "prevHash", "hash")
    VALUES (p_at, p_actor_id, p_actor_role, p_action, p_entity_type, p_entity_id, p_before, p_after,
            p_request_id, prev, next_hash)
    RETURNING "AuditEvent"."seq", "AuditEvent"."hash";
END
$fn$;

-- Counts one hit in a fixed-window rate-limit bucket and returns the window's count. A lost count
-- after a crash does no harm, so the statement's own transaction does not wait for the WAL flush
-- (synchronous_commit off, local to it): every caller of one key updates the same row, and waiting
-- for a disk flush per hit would queue them.
CREATE OR REPLACE FUNCTION rate_limit_hit(p_key text, p_window_start timestamptz) RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
  hits integer;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  INSERT INTO "RateLimitBucket" ("key", "windowStart", "count") VALUES (p_key, p_window_start, 1)
  ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitBucket"."count" + 1
  RETURNING "count" INTO hits;
  RETURN hits;
END
$fn$;
