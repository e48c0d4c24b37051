-- Dispense authorizations become a table partitioned by month of "createdAt" (docs/scaling.md,
-- "Partitioning by month"). Existing rows are moved in place: every row keeps its id, number and
-- every column.
--
-- A unique index on a partitioned table must include the partition key, so what has to be unique
-- across every month moves to one narrow, unpartitioned table, "DispenseAuthorizationClaim", one row
-- per authorization, written by a trigger in the statement that writes the authorization:
--   * (pharmacyId, idempotencyKey): a retry with the same key loses the insert and replays;
--   * authorizationNumber (DA-…): a number names one authorization;
--   * one open approval per prescription at a pharmacy ("openApproval" follows status = APPROVED);
--   * the infusion's link to its authorization (a foreign key to the claim's id).
-- The claim also tells where an authorization lives (its createdAt, the partition key).
--
-- The partitions live in their own schema, dispense_partitions (Prisma's drift check reads only public).
CREATE SCHEMA IF NOT EXISTS dispense_partitions;

-- The old table steps aside, without its indexes (they would collide by name, and the copy is
-- faster without them). The infusions' foreign key moves to the claim below.
ALTER TABLE "Infusion" DROP CONSTRAINT "Infusion_dispenseAuthorizationId_fkey";
DO $do$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT c.relname::text AS name
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = '"DispenseAuthorization"'::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
  LOOP
    EXECUTE format('DROP INDEX %I', r.name);
  END LOOP;
END
$do$;
ALTER TABLE "DispenseAuthorization" DROP CONSTRAINT "DispenseAuthorization_pkey";
ALTER TABLE "DispenseAuthorization" RENAME TO "DispenseAuthorization_unpartitioned";

CREATE TABLE "DispenseAuthorization" (
    "id" UUID NOT NULL,
    "authorizationNumber" TEXT,
    "pharmacyId" UUID NOT NULL,
    "programId" UUID,
    "programCode" TEXT NOT NULL,
    "prescriptionId" TEXT NOT NULL,
    "prescriberNpi" TEXT NOT NULL,
    "patientRemsId" TEXT NOT NULL,
    "healthcareSettingRef" TEXT NOT NULL,
    "ndc" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "prescriberId" UUID,
    "patientId" UUID,
    "healthcareSettingId" UUID,
    "decision" "DispenseDecision" NOT NULL,
    "status" "DispenseStatus" NOT NULL,
    "reasons" JSONB NOT NULL DEFAULT '[]',
    "warnings" JSONB NOT NULL DEFAULT '[]',
    "facts" JSONB NOT NULL,
    "enforcementDiscretion" BOOLEAN NOT NULL DEFAULT false,
    "discretionId" UUID,
    "duplicateOfId" UUID,
    "expiresOn" DATE,
    "expiresAt" TIMESTAMPTZ(3),
    "idempotencyKey" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "requestedByUserId" UUID,
    "apiKeyId" UUID,
    "requestId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispensedAt" TIMESTAMPTZ(3),
    "dispensedQuantity" INTEGER,
    "lotNumber" TEXT,
    "dispenseRecordedAt" TIMESTAMPTZ(3),
    "dispenseRecordedBy" TEXT,
    "reversedAt" TIMESTAMPTZ(3),
    "reversalReason" TEXT,
    "reversedBy" TEXT,
    "followUpNote" TEXT,
    "followedUpAt" TIMESTAMPTZ(3),
    "followedUpByUserId" UUID,
    "revocationCause" JSONB,
    "revocationReason" JSONB,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "DispenseAuthorization_pkey" PRIMARY KEY ("id", "createdAt"),
    -- An approved request carries a number and an expiry; a denied one carries neither.
    CONSTRAINT "DispenseAuthorization_decision_shape" CHECK (
      ("decision" = 'APPROVED' AND "authorizationNumber" IS NOT NULL AND "expiresAt" IS NOT NULL AND "status" <> 'DENIED')
      OR ("decision" = 'DENIED' AND "authorizationNumber" IS NULL AND "status" = 'DENIED')),
    CONSTRAINT "DispenseAuthorization_quantity_positive" CHECK ("dispensedQuantity" IS NULL OR "dispensedQuantity" > 0),
    CONSTRAINT "DispenseAuthorization_revocation_shape" CHECK (
      ("status"::text = 'REVOKED') = ("revokedAt" IS NOT NULL AND "revocationReason" IS NOT NULL))
) PARTITION BY RANGE ("createdAt");

CREATE INDEX "DispenseAuthorization_pharmacyId_createdAt_idx" ON "DispenseAuthorization"("pharmacyId", "createdAt");
CREATE INDEX "DispenseAuthorization_pharmacyId_prescriptionId_idx" ON "DispenseAuthorization"("pharmacyId", "prescriptionId");
CREATE INDEX "DispenseAuthorization_patientId_idx" ON "DispenseAuthorization"("patientId");
CREATE INDEX "DispenseAuthorization_enforcementDiscretion_followedUpAt_idx" ON "DispenseAuthorization"("enforcementDiscretion", "followedUpAt");
CREATE INDEX "DispenseAuthorization_status_expiresAt_idx" ON "DispenseAuthorization"("status", "expiresAt");
CREATE INDEX "DispenseAuthorization_prescriberId_status_idx" ON "DispenseAuthorization"("prescriberId", "status");
CREATE INDEX "DispenseAuthorization_healthcareSettingId_status_idx" ON "DispenseAuthorization"("healthcareSettingId", "status");
CREATE INDEX "DispenseAuthorization_prescriberId_createdAt_idx" ON "DispenseAuthorization"("prescriberId", "createdAt");
CREATE INDEX "DispenseAuthorization_patientId_createdAt_idx" ON "DispenseAuthorization"("patientId", "createdAt");
CREATE INDEX "DispenseAuthorization_healthcareSettingId_createdAt_idx" ON "DispenseAuthorization"("healthcareSettingId", "createdAt");
CREATE INDEX "DispenseAuthorization_createdAt_idx" ON "DispenseAuthorization"("createdAt");
CREATE INDEX "DispenseAuthorization_dispensedAt_idx" ON "DispenseAuthorization"("dispensedAt");
CREATE INDEX "DispenseAuthorization_reversedAt_idx" ON "DispenseAuthorization"("reversedAt");
CREATE INDEX "DispenseAuthorization_revokedAt_idx" ON "DispenseAuthorization"("revokedAt");

ALTER TABLE "DispenseAuthorization" ADD CONSTRAINT "DispenseAuthorization_pharmacyId_fkey"
  FOREIGN KEY ("pharmacyId") REFERENCES "Pharmacy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "DispenseAuthorizationClaim" (
    "id" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "pharmacyId" UUID NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "authorizationNumber" TEXT,
    "programCode" TEXT NOT NULL,
    "prescriptionId" TEXT NOT NULL,
    "openApproval" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "DispenseAuthorizationClaim_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "DispenseAuthorizationClaim_authorizationNumber_key" ON "DispenseAuthorizationClaim"("authorizationNumber");
CREATE UNIQUE INDEX "DispenseAuthorizationClaim_pharmacyId_idempotencyKey_key" ON "DispenseAuthorizationClaim"("pharmacyId", "idempotencyKey");
-- One approved, unconsumed authorization per prescription at a pharmacy: the database, not the
-- application's memory, refuses a second one (concurrent requests included).
CREATE UNIQUE INDEX "DispenseAuthorizationClaim_one_approved_per_prescription"
  ON "DispenseAuthorizationClaim" ("pharmacyId", "programCode", "prescriptionId")
  WHERE "openApproval";

-- The claim is written, moved and removed with its authorization, in the same statement: a unique
-- violation on the claim fails the authorization's INSERT or UPDATE as the unique indexes of the
-- unpartitioned table did. Rows moved between partitions by dispense_create_partition are not new
-- authorizations (remsgate.partition_move is set for the move only).
CREATE FUNCTION dispense_authorization_claim() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $fn$
BEGIN
  IF current_setting('remsgate.partition_move', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "DispenseAuthorizationClaim" ("id", "createdAt", "pharmacyId", "idempotencyKey", "authorizationNumber",
                                              "programCode", "prescriptionId", "openApproval")
    VALUES (NEW."id", NEW."createdAt", NEW."pharmacyId", NEW."idempotencyKey", NEW."authorizationNumber",
            NEW."programCode", NEW."prescriptionId", NEW."status" = 'APPROVED');
  ELSIF TG_OP = 'UPDATE' THEN
    IF (NEW."status" = 'APPROVED') IS DISTINCT FROM (OLD."status" = 'APPROVED') THEN
      UPDATE "DispenseAuthorizationClaim" SET "openApproval" = (NEW."status" = 'APPROVED') WHERE "id" = NEW."id";
    END IF;
  ELSE
    DELETE FROM "DispenseAuthorizationClaim" WHERE "id" = OLD."id";
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER "DispenseAuthorization_claim"
  AFTER INSERT OR UPDATE OF "status" OR DELETE ON "DispenseAuthorization"
  FOR EACH ROW EXECUTE FUNCTION dispense_authorization_claim();

-- What the claim holds never changes after the request: an UPDATE that would change it is refused
-- (it would also move the row to another month's partition).
CREATE FUNCTION dispense_authorization_claimed_fixed() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW."id" <> OLD."id" OR NEW."createdAt" <> OLD."createdAt" OR NEW."pharmacyId" <> OLD."pharmacyId"
     OR NEW."idempotencyKey" <> OLD."idempotencyKey"
     OR NEW."authorizationNumber" IS DISTINCT FROM OLD."authorizationNumber"
     OR NEW."programCode" <> OLD."programCode" OR NEW."prescriptionId" <> OLD."prescriptionId" THEN
    RAISE EXCEPTION 'a dispense authorization''s id, request time, pharmacy, Idempotency-Key, number, programme and prescription cannot change'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER "DispenseAuthorization_claimed_fixed"
  BEFORE UPDATE OF "id", "createdAt", "pharmacyId", "idempotencyKey", "authorizationNumber", "programCode", "prescriptionId"
  ON "DispenseAuthorization"
  FOR EACH ROW EXECUTE FUNCTION dispense_authorization_claimed_fixed();

-- Creates a partition (a month, or DEFAULT) in dispense_partitions. Created apart and then attached:
-- ATTACH PARTITION takes a SHARE UPDATE EXCLUSIVE lock on the parent, which the gate's inserts and
-- updates do not conflict with, where CREATE TABLE … PARTITION OF would take an ACCESS EXCLUSIVE one.
CREATE FUNCTION dispense_attach_partition(p_name text, p_bounds text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $fn$
BEGIN
  EXECUTE format('CREATE TABLE dispense_partitions.%I (LIKE "DispenseAuthorization" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', p_name);
  EXECUTE format('ALTER TABLE "DispenseAuthorization" ATTACH PARTITION dispense_partitions.%I %s', p_name, p_bounds);
END
$fn$;

-- Requests dated in a month without a partition land here: a request is never refused for want of one.
SELECT dispense_attach_partition('DispenseAuthorization_default', 'DEFAULT');

-- Creates the partition of one month (UTC), dispense_partitions."DispenseAuthorization_YYYY_MM",
-- unless it exists; returns whether it created it. Rows of that month already in the DEFAULT
-- partition are moved into it: the DEFAULT partition is detached, a new empty one takes its place,
-- the month is attached, the detached rows are inserted again through the parent (their claims stay
-- as they are) and the detached table is dropped, all in the caller's transaction. That locks the
-- authorizations for the time of the copy, so it happens only when partitions were not created
-- ahead (dispense_ensure_partitions runs daily for the coming months). Runs with its owner's rights,
-- so that the app's role can have the coming months created by its daily job.
CREATE FUNCTION dispense_create_partition(p_month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  lo timestamptz := (date_trunc('month', p_month)::timestamp AT TIME ZONE 'UTC');
  hi timestamptz := ((date_trunc('month', p_month) + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  part text := 'DispenseAuthorization_' || to_char(date_trunc('month', p_month), 'YYYY_MM');
  moving boolean;
BEGIN
  IF to_regclass(format('dispense_partitions.%I', part)) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM dispense_partitions."DispenseAuthorization_default" WHERE "createdAt" >= %L AND "createdAt" < %L)', lo, hi)
    INTO moving;
  IF moving THEN
    ALTER TABLE "DispenseAuthorization" DETACH PARTITION dispense_partitions."DispenseAuthorization_default";
    ALTER TABLE dispense_partitions."DispenseAuthorization_default" RENAME TO "DispenseAuthorization_default_moving";
    PERFORM dispense_attach_partition('DispenseAuthorization_default', 'DEFAULT');
  END IF;
  PERFORM dispense_attach_partition(part, format('FOR VALUES FROM (%L) TO (%L)', lo, hi));
  IF moving THEN
    PERFORM set_config('remsgate.partition_move', 'on', true);
    INSERT INTO "DispenseAuthorization" SELECT * FROM dispense_partitions."DispenseAuthorization_default_moving";
    PERFORM set_config('remsgate.partition_move', 'off', true);
    DROP TABLE dispense_partitions."DispenseAuthorization_default_moving";
  END IF;
  RETURN true;
END
$fn$;

-- Creates the partitions of the current month (UTC) and the next p_months_ahead months that do
-- not exist yet; returns how many it created. Idempotent; the migration and a daily job call it.
CREATE FUNCTION dispense_ensure_partitions(p_months_ahead integer DEFAULT 3) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  created integer := 0;
  this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
BEGIN
  FOR i IN 0 .. p_months_ahead LOOP
    IF dispense_create_partition((this_month + make_interval(months => i))::date) THEN
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END
$fn$;

-- One partition for every month the existing authorizations have rows in, and the coming ones;
-- then the rows (their claims are written by the trigger, which also re-checks their uniqueness).
DO $do$
DECLARE
  months date[];
  month_start date;
BEGIN
  months := ARRAY(SELECT DISTINCT date_trunc('month', "createdAt" AT TIME ZONE 'UTC')::date FROM "DispenseAuthorization_unpartitioned");
  FOREACH month_start IN ARRAY months LOOP
    PERFORM dispense_create_partition(month_start);
  END LOOP;
  PERFORM dispense_ensure_partitions(3);
END
$do$;

INSERT INTO "DispenseAuthorization" (
    "id", "authorizationNumber", "pharmacyId", "programId", "programCode", "prescriptionId", "prescriberNpi",
    "patientRemsId", "healthcareSettingRef", "ndc", "quantity", "prescriberId", "patientId", "healthcareSettingId",
    "decision", "status", "reasons", "warnings", "facts", "enforcementDiscretion", "discretionId", "duplicateOfId",
    "expiresOn", "expiresAt", "idempotencyKey", "requestHash", "requestedByUserId", "apiKeyId", "requestId",
    "createdAt", "dispensedAt", "dispensedQuantity", "lotNumber", "dispenseRecordedAt", "dispenseRecordedBy",
    "reversedAt", "reversalReason", "reversedBy", "followUpNote", "followedUpAt", "followedUpByUserId",
    "revocationCause", "revocationReason", "revokedAt")
  SELECT
    "id", "authorizationNumber", "pharmacyId", "programId", "programCode", "prescriptionId", "prescriberNpi",
    "patientRemsId", "healthcareSettingRef", "ndc", "quantity", "prescriberId", "patientId", "healthcareSettingId",
    "decision", "status", "reasons", "warnings", "facts", "enforcementDiscretion", "discretionId", "duplicateOfId",
    "expiresOn", "expiresAt", "idempotencyKey", "requestHash", "requestedByUserId", "apiKeyId", "requestId",
    "createdAt", "dispensedAt", "dispensedQuantity", "lotNumber", "dispenseRecordedAt", "dispenseRecordedBy",
    "reversedAt", "reversalReason", "reversedBy", "followUpNote", "followedUpAt", "followedUpByUserId",
    "revocationCause", "revocationReason", "revokedAt"
  FROM "DispenseAuthorization_unpartitioned";

DROP TABLE "DispenseAuthorization_unpartitioned";

-- An infusion names the authorization it was given under through its claim (a foreign key cannot
-- point into a partitioned table by id alone).
ALTER TABLE "Infusion" ADD CONSTRAINT "Infusion_dispenseAuthorizationId_fkey"
  FOREIGN KEY ("dispenseAuthorizationId") REFERENCES "DispenseAuthorizationClaim"("id") ON DELETE SET NULL ON UPDATE CASCADE;
