-- CreateTable
CREATE TABLE "NonComplianceCase" (
    "id" UUID NOT NULL,
    "caseNumber" TEXT NOT NULL,
    "programId" UUID NOT NULL,
    "enrollmentId" UUID NOT NULL,
    "kind" "StakeholderKind" NOT NULL,
    "type" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "dueOn" DATE,
    "version" INTEGER NOT NULL DEFAULT 0,
    "openedByUserId" UUID NOT NULL,
    "openedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMPTZ(3),

    CONSTRAINT "NonComplianceCase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NonComplianceStep" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "step" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "dueOn" DATE,
    "actorUserId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NonComplianceStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NonComplianceEvidence" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "note" TEXT,
    "linkType" TEXT,
    "linkedId" UUID,
    "linkLabel" TEXT,
    "fileName" TEXT,
    "contentType" TEXT,
    "sizeBytes" INTEGER,
    "sha256" TEXT,
    "content" BYTEA,
    "addedByUserId" UUID NOT NULL,
    "addedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NonComplianceEvidence_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "NonComplianceCase_caseNumber_key" ON "NonComplianceCase"("caseNumber");

-- CreateIndex
CREATE INDEX "NonComplianceCase_state_dueOn_idx" ON "NonComplianceCase"("state", "dueOn");

-- CreateIndex
CREATE INDEX "NonComplianceCase_enrollmentId_openedAt_idx" ON "NonComplianceCase"("enrollmentId", "openedAt");

-- CreateIndex
CREATE INDEX "NonComplianceCase_programId_openedAt_idx" ON "NonComplianceCase"("programId", "openedAt");

-- CreateIndex
CREATE INDEX "NonComplianceStep_caseId_at_idx" ON "NonComplianceStep"("caseId", "at");

-- CreateIndex
CREATE INDEX "NonComplianceEvidence_caseId_addedAt_idx" ON "NonComplianceEvidence"("caseId", "addedAt");

-- AddForeignKey
ALTER TABLE "NonComplianceCase" ADD CONSTRAINT "NonComplianceCase_enrollmentId_fkey" FOREIGN KEY ("enrollmentId") REFERENCES "Enrollment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NonComplianceStep" ADD CONSTRAINT "NonComplianceStep_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "NonComplianceCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NonComplianceEvidence" ADD CONSTRAINT "NonComplianceEvidence_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "NonComplianceCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: the shapes the service writes, held by the database too.
ALTER TABLE "NonComplianceCase" ADD CONSTRAINT "NonComplianceCase_closed_check"
    CHECK (("state" = 'CLOSED') = ("closedAt" IS NOT NULL));
ALTER TABLE "NonComplianceEvidence" ADD CONSTRAINT "NonComplianceEvidence_kind_check" CHECK (
    ("kind" = 'NOTE' AND "note" IS NOT NULL)
    OR ("kind" = 'LINK' AND "linkType" IS NOT NULL AND "linkedId" IS NOT NULL AND "linkLabel" IS NOT NULL)
    OR ("kind" = 'FILE' AND "content" IS NOT NULL AND "fileName" IS NOT NULL AND "contentType" IS NOT NULL
        AND "sizeBytes" = octet_length("content") AND "sha256" IS NOT NULL)
);
