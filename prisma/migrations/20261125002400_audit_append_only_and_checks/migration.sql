-- The audit trail is append-only: no row may be changed or removed, by anyone, through any client.
CREATE OR REPLACE FUNCTION remsgate_audit_event_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'AuditEvent is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditEvent_no_update_delete"
  BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION remsgate_audit_event_immutable();

CREATE TRIGGER "AuditEvent_no_truncate"
  BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION remsgate_audit_event_immutable();

-- An enrollment names exactly the stakeholder its kind says.
ALTER TABLE "Enrollment" ADD CONSTRAINT "Enrollment_stakeholder_matches_kind" CHECK (
  ("kind" = 'PRESCRIBER' AND "prescriberId" IS NOT NULL AND "pharmacyId" IS NULL AND "healthcareSettingId" IS NULL AND "patientId" IS NULL) OR
  ("kind" = 'PHARMACY' AND "pharmacyId" IS NOT NULL AND "prescriberId" IS NULL AND "healthcareSettingId" IS NULL AND "patientId" IS NULL) OR
  ("kind" = 'HEALTHCARE_SETTING' AND "healthcareSettingId" IS NOT NULL AND "prescriberId" IS NULL AND "pharmacyId" IS NULL AND "patientId" IS NULL) OR
  ("kind" = 'PATIENT' AND "patientId" IS NOT NULL AND "prescriberId" IS NULL AND "pharmacyId" IS NULL AND "healthcareSettingId" IS NULL)
);

-- Users are looked up by e-mail case-insensitively; the application stores e-mails lower-cased.
ALTER TABLE "User" ADD CONSTRAINT "User_email_lowercase" CHECK ("email" = lower("email"));
