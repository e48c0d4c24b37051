-- AlterTable
ALTER TABLE "Patient" ADD COLUMN     "ageOverrideReason" TEXT,
ADD COLUMN     "counselledAt" TIMESTAMPTZ(3),
ADD COLUMN     "signatureMethod" TEXT;

-- CreateTable
CREATE TABLE "PatientTransfer" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "fromPrescriberId" UUID,
    "toPrescriberId" UUID NOT NULL,
    "reason" TEXT,
    "actorUserId" UUID,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PatientTransfer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LabResult" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "programId" UUID NOT NULL,
    "testCode" TEXT NOT NULL,
    "collectedOn" DATE NOT NULL,
    "abnormal" BOOLEAN NOT NULL DEFAULT false,
    "note" TEXT,
    "labId" TEXT,
    "source" TEXT NOT NULL,
    "importId" UUID,
    "dedupeKey" TEXT NOT NULL,
    "recordedByUserId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LabResult_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LabImport" (
    "id" UUID NOT NULL,
    "uploadedByUserId" UUID NOT NULL,
    "fileName" TEXT NOT NULL,
    "fileSha256" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "totalRows" INTEGER NOT NULL DEFAULT 0,
    "acceptedRows" INTEGER NOT NULL DEFAULT 0,
    "duplicateRows" INTEGER NOT NULL DEFAULT 0,
    "rejectedRows" INTEGER NOT NULL DEFAULT 0,
    "report" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "LabImport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StatusFormSubmission" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "programId" UUID NOT NULL,
    "answers" JSONB NOT NULL,
    "seriousAdverseEvent" BOOLEAN NOT NULL DEFAULT false,
    "submittedByUserId" UUID NOT NULL,
    "signatureId" UUID,
    "submittedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reviewedAt" TIMESTAMPTZ(3),

    CONSTRAINT "StatusFormSubmission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Infusion" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "programId" UUID NOT NULL,
    "healthcareSettingId" UUID NOT NULL,
    "infusedOn" DATE NOT NULL,
    "doseMg" DECIMAL(8,2) NOT NULL,
    "vialLot" TEXT NOT NULL,
    "premedicationGiven" BOOLEAN NOT NULL,
    "observationCompleted" BOOLEAN NOT NULL,
    "reaction" BOOLEAN NOT NULL,
    "reactionSeverity" TEXT,
    "reactionNarrative" TEXT,
    "courseNumber" INTEGER NOT NULL,
    "dayInCourse" INTEGER NOT NULL,
    "dispenseAuthorizationId" UUID,
    "recordedByUserId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Infusion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MonitoringReminder" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "itemCode" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "dueOn" DATE NOT NULL,
    "recipient" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MonitoringReminder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PatientTransfer_patientId_at_idx" ON "PatientTransfer"("patientId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "LabResult_dedupeKey_key" ON "LabResult"("dedupeKey");

-- CreateIndex
CREATE INDEX "LabResult_patientId_testCode_collectedOn_idx" ON "LabResult"("patientId", "testCode", "collectedOn");

-- CreateIndex
CREATE INDEX "LabImport_uploadedByUserId_createdAt_idx" ON "LabImport"("uploadedByUserId", "createdAt");

-- CreateIndex
CREATE INDEX "StatusFormSubmission_patientId_submittedAt_idx" ON "StatusFormSubmission"("patientId", "submittedAt");

-- CreateIndex
CREATE INDEX "StatusFormSubmission_seriousAdverseEvent_reviewedAt_idx" ON "StatusFormSubmission"("seriousAdverseEvent", "reviewedAt");

-- CreateIndex
CREATE INDEX "Infusion_healthcareSettingId_infusedOn_idx" ON "Infusion"("healthcareSettingId", "infusedOn");

-- CreateIndex
CREATE UNIQUE INDEX "Infusion_patientId_infusedOn_key" ON "Infusion"("patientId", "infusedOn");

-- CreateIndex
CREATE UNIQUE INDEX "MonitoringReminder_patientId_itemCode_kind_dueOn_recipient_key" ON "MonitoringReminder"("patientId", "itemCode", "kind", "dueOn", "recipient");

-- AddForeignKey
ALTER TABLE "PatientTransfer" ADD CONSTRAINT "PatientTransfer_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabResult" ADD CONSTRAINT "LabResult_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabResult" ADD CONSTRAINT "LabResult_importId_fkey" FOREIGN KEY ("importId") REFERENCES "LabImport"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StatusFormSubmission" ADD CONSTRAINT "StatusFormSubmission_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Infusion" ADD CONSTRAINT "Infusion_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Infusion" ADD CONSTRAINT "Infusion_healthcareSettingId_fkey" FOREIGN KEY ("healthcareSettingId") REFERENCES "HealthcareSetting"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MonitoringReminder" ADD CONSTRAINT "MonitoringReminder_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
