-- CreateTable
CREATE TABLE "NcpdpMessage" (
    "id" UUID NOT NULL,
    "pharmacyId" UUID NOT NULL,
    "sender" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "messageType" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "responseMessageId" TEXT NOT NULL,
    "responseType" TEXT NOT NULL,
    "responseXml" TEXT NOT NULL,
    "httpStatus" INTEGER NOT NULL,
    "dispenseAuthorizationId" UUID,
    "requestId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NcpdpMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "NcpdpMessage_responseMessageId_key" ON "NcpdpMessage"("responseMessageId");

-- CreateIndex
CREATE UNIQUE INDEX "NcpdpMessage_pharmacyId_sender_messageId_key" ON "NcpdpMessage"("pharmacyId", "sender", "messageId");

-- AddForeignKey
ALTER TABLE "NcpdpMessage" ADD CONSTRAINT "NcpdpMessage_pharmacyId_fkey" FOREIGN KEY ("pharmacyId") REFERENCES "Pharmacy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
