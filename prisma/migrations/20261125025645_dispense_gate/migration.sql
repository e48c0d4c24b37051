-- CreateEnum
CREATE TYPE "DispenseDecision" AS ENUM ('APPROVED', 'DENIED');

-- CreateEnum
CREATE TYPE "DispenseStatus" AS ENUM ('APPROVED', 'DENIED', 'DISPENSED', 'REVERSED', 'EXPIRED');

-- CreateTable
CREATE TABLE "PharmacyApiKey" (
    "id" UUID NOT NULL,
    "pharmacyId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "createdByUserId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),
    "revokedByUserId" UUID,

    CONSTRAINT "PharmacyApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
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

    CONSTRAINT "DispenseAuthorization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnforcementDiscretion" (
    "id" UUID NOT NULL,
    "programId" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3) NOT NULL,
    "createdByUserId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMPTZ(3),
    "endedByUserId" UUID,
    "endReason" TEXT,

    CONSTRAINT "EnforcementDiscretion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PharmacyApiKey_keyHash_key" ON "PharmacyApiKey"("keyHash");

-- CreateIndex
CREATE INDEX "PharmacyApiKey_pharmacyId_idx" ON "PharmacyApiKey"("pharmacyId");

-- CreateIndex
CREATE UNIQUE INDEX "DispenseAuthorization_authorizationNumber_key" ON "DispenseAuthorization"("authorizationNumber");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_pharmacyId_createdAt_idx" ON "DispenseAuthorization"("pharmacyId", "createdAt");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_pharmacyId_prescriptionId_idx" ON "DispenseAuthorization"("pharmacyId", "prescriptionId");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_patientId_idx" ON "DispenseAuthorization"("patientId");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_enforcementDiscretion_followedUpAt_idx" ON "DispenseAuthorization"("enforcementDiscretion", "followedUpAt");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_status_expiresAt_idx" ON "DispenseAuthorization"("status", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "DispenseAuthorization_pharmacyId_idempotencyKey_key" ON "DispenseAuthorization"("pharmacyId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "EnforcementDiscretion_programId_endsAt_idx" ON "EnforcementDiscretion"("programId", "endsAt");

-- AddForeignKey
ALTER TABLE "Infusion" ADD CONSTRAINT "Infusion_dispenseAuthorizationId_fkey" FOREIGN KEY ("dispenseAuthorizationId") REFERENCES "DispenseAuthorization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PharmacyApiKey" ADD CONSTRAINT "PharmacyApiKey_pharmacyId_fkey" FOREIGN KEY ("pharmacyId") REFERENCES "Pharmacy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DispenseAuthorization" ADD CONSTRAINT "DispenseAuthorization_pharmacyId_fkey" FOREIGN KEY ("pharmacyId") REFERENCES "Pharmacy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- One approved, unconsumed authorization per prescription at a pharmacy: the database, not the
-- application's memory, refuses a second one (concurrent requests included).
CREATE UNIQUE INDEX "DispenseAuthorization_one_approved_per_prescription"
  ON "DispenseAuthorization" ("pharmacyId", "programCode", "prescriptionId")
  WHERE "status" = 'APPROVED';

-- An approved request carries a number and an expiry; a denied one carries neither.
ALTER TABLE "DispenseAuthorization" ADD CONSTRAINT "DispenseAuthorization_decision_shape" CHECK (
  ("decision" = 'APPROVED' AND "authorizationNumber" IS NOT NULL AND "expiresAt" IS NOT NULL AND "status" <> 'DENIED')
  OR ("decision" = 'DENIED' AND "authorizationNumber" IS NULL AND "status" = 'DENIED')
);
ALTER TABLE "DispenseAuthorization" ADD CONSTRAINT "DispenseAuthorization_quantity_positive"
  CHECK ("dispensedQuantity" IS NULL OR "dispensedQuantity" > 0);
ALTER TABLE "EnforcementDiscretion" ADD CONSTRAINT "EnforcementDiscretion_ends_after_start"
  CHECK ("endsAt" > "startsAt");
