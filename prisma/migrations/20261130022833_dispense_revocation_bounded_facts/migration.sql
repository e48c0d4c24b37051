-- AlterEnum
ALTER TYPE "DispenseStatus" ADD VALUE 'REVOKED';

-- DropIndex
DROP INDEX "LabResult_patientId_testCode_collectedOn_idx";

-- AlterTable
ALTER TABLE "DispenseAuthorization" ADD COLUMN     "revocationCause" JSONB,
ADD COLUMN     "revocationReason" JSONB,
ADD COLUMN     "revokedAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "DispenseAuthorization_prescriberId_status_idx" ON "DispenseAuthorization"("prescriberId", "status");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_healthcareSettingId_status_idx" ON "DispenseAuthorization"("healthcareSettingId", "status");

-- CreateIndex
CREATE INDEX "LabResult_patientId_programId_testCode_collectedOn_idx" ON "LabResult"("patientId", "programId", "testCode", "collectedOn");

-- A revoked authorization always says when and why (compared as text: a value added to an enum
-- cannot be used in the transaction that adds it).
ALTER TABLE "DispenseAuthorization" ADD CONSTRAINT "DispenseAuthorization_revocation_shape" CHECK (
  ("status"::text = 'REVOKED') = ("revokedAt" IS NOT NULL AND "revocationReason" IS NOT NULL)
);
