-- Accounts are deactivated, never deleted: a user id named by an audit event, a signature or a
-- decision must always resolve to the same person, and ids are never reused (they are random UUIDs).
CREATE OR REPLACE FUNCTION remsgate_user_never_deleted() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'User rows are never deleted (deactivate the account instead): % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "User_no_delete"
  BEFORE DELETE ON "User"
  FOR EACH ROW EXECUTE FUNCTION remsgate_user_never_deleted();

CREATE TRIGGER "User_no_truncate"
  BEFORE TRUNCATE ON "User"
  FOR EACH STATEMENT EXECUTE FUNCTION remsgate_user_never_deleted();

-- An electronic signature, once made, is never changed or removed (21 CFR 11.70): its printed
-- name, time, meaning and the SHA-256 of the signed content stay as they were signed.
CREATE OR REPLACE FUNCTION remsgate_signature_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'Signature rows are permanent: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Signature_no_update_delete"
  BEFORE UPDATE OR DELETE ON "Signature"
  FOR EACH ROW EXECUTE FUNCTION remsgate_signature_immutable();

CREATE TRIGGER "Signature_no_truncate"
  BEFORE TRUNCATE ON "Signature"
  FOR EACH STATEMENT EXECUTE FUNCTION remsgate_signature_immutable();
