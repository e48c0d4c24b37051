-- DropIndex
DROP INDEX "AuditEvent_actorId_idx";

-- DropIndex
DROP INDEX "AuditEvent_entityType_entityId_idx";

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" BIGSERIAL NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "verifiedAt" TIMESTAMPTZ(3) NOT NULL,
    "writtenBy" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditVerification" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "requestedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "fromSeq" BIGINT NOT NULL DEFAULT 0,
    "toSeq" BIGINT,
    "checked" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER NOT NULL DEFAULT 0,
    "brokenAt" BIGINT,
    "reason" TEXT,
    "checkpointId" BIGINT,

    CONSTRAINT "AuditVerification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditVerification_kind_requestedAt_idx" ON "AuditVerification"("kind", "requestedAt");

-- CreateIndex
CREATE INDEX "AuditVerification_kind_finishedAt_idx" ON "AuditVerification"("kind", "finishedAt");

-- CreateIndex
CREATE INDEX "AuditEvent_entityType_entityId_seq_idx" ON "AuditEvent"("entityType", "entityId", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_seq_idx" ON "AuditEvent"("actorId", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_action_seq_idx" ON "AuditEvent"("action", "seq");

-- Checkpoints are append-only like the trail they vouch for: no row may be changed or removed.
-- One function for any append-only table (it names the table); the trail keeps its own.
CREATE OR REPLACE FUNCTION remsgate_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditCheckpoint_no_update_delete"
  BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
  FOR EACH ROW EXECUTE FUNCTION remsgate_append_only();

CREATE TRIGGER "AuditCheckpoint_no_truncate"
  BEFORE TRUNCATE ON "AuditCheckpoint"
  FOR EACH STATEMENT EXECUTE FUNCTION remsgate_append_only();

ALTER TABLE "AuditVerification" ADD CONSTRAINT "AuditVerification_kind" CHECK ("kind" IN ('INCREMENTAL', 'FULL'));
ALTER TABLE "AuditVerification" ADD CONSTRAINT "AuditVerification_status"
  CHECK ("status" IN ('QUEUED', 'RUNNING', 'VERIFIED', 'BROKEN', 'FAILED'));
