-- The audit trail becomes a table partitioned by month of "at" (docs/decisions/003,
-- "Partitions and retention"). An existing trail is moved in place: every row keeps its seq, chain,
-- prevHash and hash, so every chain and every signed checkpoint still verify.
--
-- The partitions live in their own schema, audit_partitions (Prisma's drift check reads only
-- public); partitions detached by the retention command move to audit_archive, still dumped by
-- pg_dump, until an operator drops them.
CREATE SCHEMA IF NOT EXISTS audit_partitions;
CREATE SCHEMA IF NOT EXISTS audit_archive;

-- Each chain's head, kept by audit_append under the chain's lock: the head lookup stays one
-- primary-key read however many monthly partitions the trail has (a lookup of the newest row of a
-- chain on the partitioned table would probe an index in every partition).
CREATE TABLE "AuditChainHead" (
    "chain" SMALLINT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "AuditChainHead_pkey" PRIMARY KEY ("chain")
);

-- The old table steps aside; its sequence is kept for seq.
ALTER SEQUENCE "AuditEvent_seq_seq" OWNED BY NONE;
ALTER TABLE "AuditEvent" RENAME TO "AuditEvent_unpartitioned";
ALTER TABLE "AuditEvent_unpartitioned" RENAME CONSTRAINT "AuditEvent_pkey" TO "AuditEvent_unpartitioned_pkey";
ALTER TABLE "AuditEvent_unpartitioned" RENAME CONSTRAINT "AuditEvent_chain_range" TO "AuditEvent_unpartitioned_chain_range";
ALTER INDEX "AuditEvent_hash_key" RENAME TO "AuditEvent_unpartitioned_hash_key";
ALTER INDEX "AuditEvent_at_idx" RENAME TO "AuditEvent_unpartitioned_at_idx";
ALTER INDEX "AuditEvent_chain_seq_idx" RENAME TO "AuditEvent_unpartitioned_chain_seq_idx";
ALTER INDEX "AuditEvent_entityType_entityId_seq_idx" RENAME TO "AuditEvent_unpartitioned_entityType_entityId_seq_idx";
ALTER INDEX "AuditEvent_actorId_seq_idx" RENAME TO "AuditEvent_unpartitioned_actorId_seq_idx";
ALTER INDEX "AuditEvent_action_seq_idx" RENAME TO "AuditEvent_unpartitioned_action_seq_idx";

-- A unique index on a partitioned table must include the partition key: the primary key is
-- (seq, at); seq alone stays unique through its sequence. hash keeps a plain index (nothing relies
-- on its uniqueness: a chain's link is checked by walking it).
CREATE TABLE "AuditEvent" (
    "seq" BIGINT NOT NULL DEFAULT nextval('"AuditEvent_seq_seq"'),
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actorId" TEXT,
    "actorRole" TEXT,
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "requestId" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "chain" SMALLINT NOT NULL DEFAULT 0,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("seq", "at"),
    CONSTRAINT "AuditEvent_chain_range" CHECK ("chain" >= 0 AND "chain" < 16)
) PARTITION BY RANGE ("at");
ALTER SEQUENCE "AuditEvent_seq_seq" OWNED BY "AuditEvent"."seq";

CREATE INDEX "AuditEvent_hash_idx" ON "AuditEvent"("hash");
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");
CREATE INDEX "AuditEvent_chain_seq_idx" ON "AuditEvent"("chain", "seq");
CREATE INDEX "AuditEvent_entityType_entityId_seq_idx" ON "AuditEvent"("entityType", "entityId", "seq");
CREATE INDEX "AuditEvent_actorId_seq_idx" ON "AuditEvent"("actorId", "seq");
CREATE INDEX "AuditEvent_action_seq_idx" ON "AuditEvent"("action", "seq");

-- No row may be changed or removed, on the parent or on any partition. The row trigger is cloned
-- onto every partition; a TRUNCATE trigger is not, so audit_attach_partition adds one to each.
CREATE TRIGGER "AuditEvent_no_update_delete"
  BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION remsgate_audit_event_immutable();
CREATE TRIGGER "AuditEvent_no_truncate"
  BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION remsgate_audit_event_immutable();

-- Creates a partition of the trail (a month, or DEFAULT) in audit_partitions, refusing TRUNCATE
-- like the parent. Created apart and then attached: ATTACH PARTITION takes a SHARE UPDATE EXCLUSIVE
-- lock on the trail, which neither appends nor readers (a running pg_dump) conflict with, where
-- CREATE TABLE … PARTITION OF would take an ACCESS EXCLUSIVE one and queue every append behind them.
CREATE FUNCTION audit_attach_partition(p_name text, p_bounds text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $fn$
BEGIN
  EXECUTE format('CREATE TABLE audit_partitions.%I (LIKE "AuditEvent" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', p_name);
  EXECUTE format('ALTER TABLE "AuditEvent" ATTACH PARTITION audit_partitions.%I %s', p_name, p_bounds);
  EXECUTE format(
    'CREATE TRIGGER %I BEFORE TRUNCATE ON audit_partitions.%I FOR EACH STATEMENT EXECUTE FUNCTION remsgate_audit_event_immutable()',
    p_name || '_no_truncate', p_name);
END
$fn$;

-- Rows whose month has no partition land here: an audit write never fails for want of one.
SELECT audit_attach_partition('AuditEvent_default', 'DEFAULT');

-- Creates the partition of one month (UTC), audit_partitions."AuditEvent_YYYY_MM", unless it
-- exists; returns whether it created it. Rows of that month already in the DEFAULT partition are
-- moved into it without an UPDATE or DELETE: the DEFAULT partition is detached, a new empty one
-- takes its place, the month is attached, every detached row is inserted again through the parent
-- (same seq, same hash) and the detached table is dropped, all in the caller's transaction. That
-- locks the trail for the time of the copy, so it happens only when partitions were not created
-- ahead (audit_ensure_partitions runs daily for the coming months).
-- A month already archived by the retention command is not created again. Runs with its owner's
-- rights (the schema owner's), so that the app's role, which may not alter the trail, can have the
-- coming months created by its daily job.
CREATE FUNCTION audit_create_partition(p_month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  lo timestamptz := (date_trunc('month', p_month)::timestamp AT TIME ZONE 'UTC');
  hi timestamptz := ((date_trunc('month', p_month) + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  part text := 'AuditEvent_' || to_char(date_trunc('month', p_month), 'YYYY_MM');
  moving boolean;
BEGIN
  IF to_regclass(format('audit_partitions.%I', part)) IS NOT NULL
     OR to_regclass(format('audit_archive.%I', part)) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM audit_partitions."AuditEvent_default" WHERE "at" >= %L AND "at" < %L)', lo, hi)
    INTO moving;
  IF moving THEN
    ALTER TABLE "AuditEvent" DETACH PARTITION audit_partitions."AuditEvent_default";
    ALTER TABLE audit_partitions."AuditEvent_default" RENAME TO "AuditEvent_default_moving";
    PERFORM audit_attach_partition('AuditEvent_default', 'DEFAULT');
  END IF;
  PERFORM audit_attach_partition(part, format('FOR VALUES FROM (%L) TO (%L)', lo, hi));
  IF moving THEN
    INSERT INTO "AuditEvent" ("seq", "at", "actorId", "actorRole", "action", "entityType", "entityId", "before", "after",
                              "requestId", "prevHash", "hash", "chain")
      SELECT "seq", "at", "actorId", "actorRole", "action", "entityType", "entityId", "before", "after",
             "requestId", "prevHash", "hash", "chain"
      FROM audit_partitions."AuditEvent_default_moving";
    DROP TABLE audit_partitions."AuditEvent_default_moving";
  END IF;
  RETURN true;
END
$fn$;

-- Creates the partitions of the current month (UTC) and the next p_months_ahead months that do
-- not exist yet; returns how many it created. Idempotent; the migration and a daily job call it.
CREATE FUNCTION audit_ensure_partitions(p_months_ahead integer DEFAULT 3) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  created integer := 0;
  this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
BEGIN
  FOR i IN 0 .. p_months_ahead LOOP
    IF audit_create_partition((this_month + make_interval(months => i))::date) THEN
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END
$fn$;

-- One partition for every month the existing trail has rows in (not every month since its oldest
-- row: one row with a wrong clock would make hundreds), and the coming ones; then the rows.
DO $do$
DECLARE
  months date[];
  month_start date;
BEGIN
  months := ARRAY(SELECT DISTINCT date_trunc('month', "at" AT TIME ZONE 'UTC')::date FROM "AuditEvent_unpartitioned");
  FOREACH month_start IN ARRAY months LOOP
    PERFORM audit_create_partition(month_start);
  END LOOP;
  PERFORM audit_ensure_partitions(3);
END
$do$;

INSERT INTO "AuditEvent" ("seq", "at", "actorId", "actorRole", "action", "entityType", "entityId", "before", "after",
                          "requestId", "prevHash", "hash", "chain")
  SELECT "seq", "at", "actorId", "actorRole", "action", "entityType", "entityId", "before", "after",
         "requestId", "prevHash", "hash", "chain"
  FROM "AuditEvent_unpartitioned";

INSERT INTO "AuditChainHead" ("chain", "seq", "hash")
  SELECT DISTINCT ON ("chain") "chain", "seq", "hash" FROM "AuditEvent_unpartitioned" ORDER BY "chain", "seq" DESC;

DROP TABLE "AuditEvent_unpartitioned";

-- Signed anchors: before the retention command detaches partitions, it writes for each chain the
-- last (seq, hash) of that chain among the rows it removes. A chain whose start is gone is verified
-- from its newest anchor; the signature (the checkpoints' key) means an anchor written or edited in
-- the database alone does not verify.
CREATE TABLE "AuditAnchor" (
    "id" BIGSERIAL NOT NULL,
    "chain" SMALLINT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "before" TIMESTAMPTZ(3) NOT NULL,
    "writtenAt" TIMESTAMPTZ(3) NOT NULL,
    "writtenBy" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditAnchor_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "AuditAnchor_chain_seq_idx" ON "AuditAnchor"("chain", "seq");

CREATE TRIGGER "AuditAnchor_no_update_delete"
  BEFORE UPDATE OR DELETE ON "AuditAnchor"
  FOR EACH ROW EXECUTE FUNCTION remsgate_append_only();
CREATE TRIGGER "AuditAnchor_no_truncate"
  BEFORE TRUNCATE ON "AuditAnchor"
  FOR EACH STATEMENT EXECUTE FUNCTION remsgate_append_only();

-- audit_append reads and moves the chain's head in AuditChainHead (same formula, same lock, same
-- chain choice as before; see migration 20261130090116).
CREATE OR REPLACE FUNCTION audit_append(
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
  new_seq bigint;
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
  SELECT h."hash" INTO prev FROM "AuditChainHead" h WHERE h."chain" = chosen;
  prev := COALESCE(prev, lpad(to_hex(chosen), 64, '0'));
  next_hash := encode(sha256(convert_to(prev || E'\n' || p_canonical, 'UTF8')), 'hex');
  INSERT INTO "AuditEvent" ("at", "actorId", "actorRole", "action", "entityType", "entityId", "before", "after",
                            "requestId", "chain", "prevHash", "hash")
  VALUES (p_at, p_actor_id, p_actor_role, p_action, p_entity_type, p_entity_id, p_before, p_after,
          p_request_id, chosen, prev, next_hash)
  RETURNING "AuditEvent"."seq" INTO new_seq;
  UPDATE "AuditChainHead" h SET "seq" = new_seq, "hash" = next_hash WHERE h."chain" = chosen;
  IF NOT FOUND THEN
    INSERT INTO "AuditChainHead" ("chain", "seq", "hash") VALUES (chosen, new_seq, next_hash);
  END IF;
  RETURN QUERY SELECT new_seq, next_hash, chosen::smallint;
END
$fn$;

-- Retention (the `npm run audit:retention` command, run by an operator as the schema owner; the
-- functions below run with the caller's rights, and the app's role may not lock or detach the
-- trail). For the
-- rows dated before p_before (a month start, UTC): each chain's last row among them, and whether a
-- row of that chain dated later has a smaller seq (the rows removed would then not be the start of
-- the chain, and the chain could not be verified from an anchor: retention refuses).
CREATE FUNCTION audit_retention_plan(p_before timestamptz)
RETURNS TABLE (chain smallint, seq bigint, hash text, straddles boolean) LANGUAGE sql STABLE AS $fn$
  SELECT c."chain", h."seq", h."hash",
         EXISTS (SELECT 1 FROM "AuditEvent" e
                 WHERE e."chain" = c."chain" AND e."at" >= p_before AND e."seq" < h."seq")
  FROM "AuditChainHead" c
  CROSS JOIN LATERAL (
    SELECT e."seq", e."hash" FROM "AuditEvent" e
    WHERE e."chain" = c."chain" AND e."at" < p_before ORDER BY e."seq" DESC LIMIT 1
  ) h
  ORDER BY c."chain"
$fn$;

-- Detaches every monthly partition entirely before p_before (a month start, UTC) and moves it to
-- audit_archive, where it stays append-only until audit_drop_archived. Refuses unless each chain's
-- last row before the horizon has its anchor in "AuditAnchor" (the command writes them, signed, in
-- the same transaction) and the removed rows are the start of every chain. Rows of those months
-- still in the DEFAULT partition are first given their month's partition.
CREATE FUNCTION audit_detach_partitions(p_before timestamptz) RETURNS SETOF text LANGUAGE plpgsql AS $fn$
DECLARE
  part record;
  month_start date;
  months date[];
  problem record;
BEGIN
  IF p_before <> (date_trunc('month', p_before AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') THEN
    RAISE EXCEPTION 'audit retention: % is not the start of a month (UTC)', p_before
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  LOCK TABLE "AuditEvent" IN ACCESS EXCLUSIVE MODE;
  -- Read first: creating a partition may replace the DEFAULT partition, which no open cursor may use.
  months := ARRAY(
    SELECT DISTINCT date_trunc('month', d."at" AT TIME ZONE 'UTC')::date
    FROM audit_partitions."AuditEvent_default" d WHERE d."at" < p_before);
  FOREACH month_start IN ARRAY months LOOP
    PERFORM audit_create_partition(month_start);
  END LOOP;
  IF EXISTS (SELECT 1 FROM audit_partitions."AuditEvent_default" d WHERE d."at" < p_before) THEN
    RAISE EXCEPTION 'audit retention: rows dated before % are in the DEFAULT partition, in a month already archived', p_before
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  FOR problem IN SELECT * FROM audit_retention_plan(p_before) LOOP
    IF problem.straddles THEN
      RAISE EXCEPTION 'audit retention: chain % has rows dated from % on that precede its row #% dated before it', problem.chain, p_before, problem.seq
        USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM "AuditAnchor" a
                   WHERE a."chain" = problem.chain AND a."seq" = problem.seq AND a."hash" = problem.hash) THEN
      RAISE EXCEPTION 'audit retention: chain % has no anchor at #%, its last row before %', problem.chain, problem.seq, p_before
        USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
  END LOOP;
  FOR part IN
    SELECT c.relname::text AS name
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE i.inhparent = '"AuditEvent"'::regclass AND n.nspname = 'audit_partitions'
      AND c.relname ~ '^AuditEvent_[0-9]{4}_[0-9]{2}$'
      AND ((to_date(substr(c.relname, 12), 'YYYY_MM') + interval '1 month')::timestamp AT TIME ZONE 'UTC') <= p_before
    ORDER BY c.relname
  LOOP
    EXECUTE format('ALTER TABLE "AuditEvent" DETACH PARTITION audit_partitions.%I', part.name);
    EXECUTE format('ALTER TABLE audit_partitions.%I SET SCHEMA audit_archive', part.name);
    -- Detaching drops the row trigger cloned from the parent; the archived table keeps refusing.
    EXECUTE format(
      'CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON audit_archive.%I FOR EACH ROW EXECUTE FUNCTION remsgate_audit_event_immutable()',
      part.name || '_no_update_delete', part.name);
    RETURN NEXT part.name;
  END LOOP;
END
$fn$;

-- Drops the archived partitions (audit_archive) of the months before p_before; returns their names.
-- Only on an operator's explicit request (`npm run audit:retention -- --before YYYY-MM --drop`).
CREATE FUNCTION audit_drop_archived(p_before timestamptz) RETURNS SETOF text LANGUAGE plpgsql AS $fn$
DECLARE
  part record;
BEGIN
  FOR part IN
    SELECT c.relname::text AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'audit_archive' AND c.relkind = 'r' AND c.relname ~ '^AuditEvent_[0-9]{4}_[0-9]{2}$'
      AND ((to_date(substr(c.relname, 12), 'YYYY_MM') + interval '1 month')::timestamp AT TIME ZONE 'UTC') <= p_before
    ORDER BY c.relname
  LOOP
    EXECUTE format('DROP TABLE audit_archive.%I', part.name);
    RETURN NEXT part.name;
  END LOOP;
END
$fn$;
