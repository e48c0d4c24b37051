-- Database roles for a production deployment (README, "Deploying on PostgreSQL").
--
--   remsgate_owner  owns the schema and runs `npm run db:migrate` (DATABASE_URL of the migration step)
--   remsgate_app    what the app connects as (DATABASE_URL of the running app): it reads and writes
--                   rows, cannot alter or drop tables or their triggers, can only append to the audit
--                   trail, can never change a signature or delete a user.
--
-- Run once as a superuser after creating the database and the two LOGIN roles, then again after each
-- migration that adds tables (the default privileges below cover tables the owner creates later).
-- Neither role is a superuser: a superuser could disable the triggers that keep the trail append-only.

GRANT USAGE ON SCHEMA public TO remsgate_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO remsgate_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO remsgate_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO remsgate_app;

-- The audit trail and its signed checkpoints are append-only, signatures are permanent, users are deactivated, never deleted.
-- The triggers refuse these for every role; the privileges refuse them before the triggers run.
REVOKE UPDATE, DELETE, TRUNCATE ON "AuditEvent" FROM remsgate_app;
REVOKE UPDATE, DELETE, TRUNCATE ON "AuditCheckpoint" FROM remsgate_app;
REVOKE UPDATE, DELETE, TRUNCATE ON "AuditAnchor" FROM remsgate_app;
REVOKE UPDATE, DELETE, TRUNCATE ON "Signature" FROM remsgate_app;
REVOKE DELETE, TRUNCATE ON "User" FROM remsgate_app;
REVOKE ALL ON "_prisma_migrations" FROM remsgate_app;

ALTER DEFAULT PRIVILEGES FOR ROLE remsgate_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO remsgate_app;
ALTER DEFAULT PRIVILEGES FOR ROLE remsgate_owner IN SCHEMA public
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO remsgate_app;

-- The audit trail's monthly partitions (schemas audit_partitions and audit_archive) get no grant:
-- the app appends through "AuditEvent", whose privileges apply to every partition, and its daily
-- job creates the coming months through audit_ensure_partitions, which runs as the owner. Audit
-- retention (`npm run audit:retention`) runs as remsgate_owner.
-- Dispense authorizations' monthly partitions (schema dispense_partitions) likewise get no grant: the
-- app reads and writes through "DispenseAuthorization", whose trigger keeps each authorization's row
-- in "DispenseAuthorizationClaim" (a public table, granted above), and dispense_ensure_partitions
-- runs as the owner.

-- Background jobs (pg-boss) keep their own tables in their own schema, owned by the app role.
CREATE SCHEMA IF NOT EXISTS pgboss AUTHORIZATION remsgate_app;
