-- CreateIndex
CREATE INDEX "DispenseAuthorization_prescriberId_createdAt_idx" ON "DispenseAuthorization"("prescriberId", "createdAt");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_patientId_createdAt_idx" ON "DispenseAuthorization"("patientId", "createdAt");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_healthcareSettingId_createdAt_idx" ON "DispenseAuthorization"("healthcareSettingId", "createdAt");

-- CreateIndex
CREATE INDEX "Enrollment_prescriberId_idx" ON "Enrollment"("prescriberId");

-- CreateIndex
CREATE INDEX "Enrollment_pharmacyId_idx" ON "Enrollment"("pharmacyId");

-- CreateIndex
CREATE INDEX "Enrollment_healthcareSettingId_idx" ON "Enrollment"("healthcareSettingId");

-- CreateIndex
CREATE INDEX "Enrollment_patientId_idx" ON "Enrollment"("patientId");

-- CreateIndex
CREATE INDEX "Enrollment_kind_status_idx" ON "Enrollment"("kind", "status");

-- CreateIndex
CREATE INDEX "MailMessage_to_createdAt_idx" ON "MailMessage"("to", "createdAt");

-- CreateIndex
CREATE INDEX "Patient_state_idx" ON "Patient"("state");

-- CreateIndex
CREATE INDEX "Patient_createdAt_id_idx" ON "Patient"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Prescriber_createdAt_id_idx" ON "Prescriber"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Signature_signerUserId_signedAt_idx" ON "Signature"("signerUserId", "signedAt");

-- Registry browser (lib/registry/query.ts): names and identifiers are searched by prefix and sorted
-- lower-cased in the "C" collation, with the id breaking ties for keyset paging. Expression indexes,
-- written by hand (the Prisma schema cannot declare them, and schema diffs leave them alone); plain
-- btree, so PGlite runs them too (no pg_trgm: PGlite would need the extension loaded at start-up).
CREATE INDEX "Patient_registry_name_idx" ON "Patient" ((lower("lastName") COLLATE "C"), (lower("firstName") COLLATE "C"), "id");
CREATE INDEX "Patient_registry_first_name_idx" ON "Patient" ((lower("firstName") COLLATE "C"));
CREATE INDEX "Patient_registry_rems_id_idx" ON "Patient" ((lower("remsId") COLLATE "C"), "id");
CREATE INDEX "Patient_registry_email_idx" ON "Patient" ((lower("email")));
CREATE INDEX "Prescriber_registry_name_idx" ON "Prescriber" ((lower("lastName") COLLATE "C"), (lower("firstName") COLLATE "C"), "id");
CREATE INDEX "Prescriber_registry_first_name_idx" ON "Prescriber" ((lower("firstName") COLLATE "C"));
CREATE INDEX "Prescriber_registry_npi_idx" ON "Prescriber" ((lower("npi") COLLATE "C"), "id");
CREATE INDEX "Prescriber_registry_email_idx" ON "Prescriber" ((lower("email")));
CREATE INDEX "Pharmacy_registry_name_idx" ON "Pharmacy" ((lower("name") COLLATE "C"), "id");
CREATE INDEX "HealthcareSetting_registry_name_idx" ON "HealthcareSetting" ((lower("name") COLLATE "C"), "id");
