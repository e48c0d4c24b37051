-- AlterTable
ALTER TABLE "AuditCheckpoint" ADD COLUMN     "heads" JSONB;

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "chain" SMALLINT NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "AuditEvent_chain_seq_idx" ON "AuditEvent"("chain", "seq");

-- The trail becomes several hash chains (docs/decisions/003). Existing rows keep their hashes and
-- links: they become chain 0 through the column's default, which fills them without an UPDATE (so
-- the append-only trigger does not fire) and without rewriting a hash.
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_chain_range" CHECK ("chain" >= 0 AND "chain" < 16);

DROP FUNCTION audit_append(bigint, timestamptz, text, text, text, text, text, jsonb, jsonb, text, text);

-- Appends one audit event to one of 16 chains, in a single statement. The first append of a
-- transaction chooses its chain: the first whose advisory lock (4242001, chain) is free, trying
-- from pg_backend_pid() % 16, or, when all 16 are held, waits for pg_backend_pid() % 16. The choice
-- is kept in a transaction-local setting, so every later append of the transaction goes to the same
-- chain: a transaction holds at most one chain lock and only ever waits for one while holding none,
-- so chain locks cannot deadlock each other. The lock is taken again on every append (it is
-- re-entrant) so the head is always read under it, whatever a rolled-back savepoint undid.
--   hash = sha256_hex(prevHash || '\n' || canonicalJson(content)), prevHash = the chain's head, or
--   for its first row the chain's number in 64 hex digits (chain 0: 64 zeros, as before chains), so
--   that no two chains' first rows share a hash.
-- The number of chains lives only here and in the check constraint; each row stores its chain, so
-- changing the number later never re-links an existing row.
CREATE FUNCTION audit_append(
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
) RETURNS TABLE (seq bigint, hash text, chain smallint) LANGUAGE plpgsql AS $fn$
DECLARE
  chains constant integer := 16;
  lock_space constant integer := 4242001;
  chosen integer;
  first_try integer;
  prev text;
  next_hash text;
BEGIN
  chosen := nullif(current_setting('remsgate.audit_chain', true), '')::integer;
  IF chosen IS NULL THEN
    first_try := pg_backend_pid() % chains;
    FOR i IN 0 .. chains - 1 LOOP
      IF pg_try_advisory_xact_lock(lock_space, (first_try + i) % chains) THEN
        chosen := (first_try + i) % chains;
        EXIT;
      END IF;
    END LOOP;
    IF chosen IS NULL THEN
      chosen := first_try;
    END IF;
    PERFORM set_config('remsgate.audit_chain', chosen::text, true);
  END IF;
  PERFORM pg_advisory_xact_lock(lock_space, chosen);
  SELECT a."hash" INTO prev FROM "AuditEvent" a WHERE a."chain" = chosen ORDER BY a."seq" DESC LIMIT 1;
  prev := COALESCE(prev, lpad(to_hex(chosen), 64, '0'));
  next_hash := encode(sha256(convert_to(prev || E'\n' || p_canonical, 'UTF8')), 'hex');
  RETURN QUERY
    INSERT INTO "AuditEvent" ("at", "actorId", "actorRole", "action", "entityType", "entityId", "before", "after",
                              "requestId", "chain", "prevHash", "hash")
    VALUES (p_at, p_actor_id, p_actor_role, p_action, p_entity_type, p_entity_id, p_before, p_after,
            p_request_id, chosen, prev, next_hash)
    RETURNING "AuditEvent"."seq", "AuditEvent"."hash", "AuditEvent"."chain";
END
$fn$;
