-- CreateTable
CREATE TABLE "RegistryImport" (
    "id" UUID NOT NULL,
    "folder" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "progress" JSONB NOT NULL DEFAULT '{}',
    "summary" JSONB,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "RegistryImport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RegistryImport_contentHash_status_idx" ON "RegistryImport"("contentHash", "status");
