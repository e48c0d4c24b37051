-- AlterTable
ALTER TABLE "AuthSession" ADD COLUMN     "revokedReason" TEXT;

-- CreateTable
CREATE TABLE "AdministratorRequest" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "requestedByUserId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "decidedAt" TIMESTAMPTZ(3),
    "decidedByUserId" UUID,
    "decision" TEXT,
    "decisionReason" TEXT,
    "invitationId" UUID,

    CONSTRAINT "AdministratorRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AdministratorRequest_email_idx" ON "AdministratorRequest"("email");

-- CreateIndex
CREATE INDEX "AdministratorRequest_createdAt_idx" ON "AdministratorRequest"("createdAt");
