/**
 * 21 CFR Part 11 controls as tests: the audit trail cannot be changed or removed by the app's
 * database role (trigger and privileges, docs/database-roles.sql); a changed record still shows its
 * prior value in the trail; a signature verifies against its record and fails when one byte of the
 * signed content changes; signatures are permanent; user ids are never deleted (so never reused).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { decideApplication } from "../../lib/certification/service";
import { db, disconnectDb } from "../../lib/db";
import { contentMatches, signatureVerdict, verifySignatures } from "../../lib/signatures/verify";
import { submitStatusForm } from "../../lib/status-forms/service";
import { createAdminActor } from "../factories/applications";
import { createPrescriberEnrollment } from "../factories/certified";
import { createPrescriberWithPatients } from "../factories/patients-lite";
import { createAdmin, signIn, stepUpCode } from "../factories/users";

const pgUrl = process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : null;

afterAll(async () => {
  await disconnectDb();
});

async function rejects(run: () => Promise<unknown>): Promise<string> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, "the statement should have been refused").toBeInstanceOf(Error);
  return (error as Error).message;
}

/** One signed record made through the registry's own signing service. */
async function signedStatusForm() {
  const world = await createPrescriberWithPatients(1);
  const { actor } = await signIn(world);
  const patient = world.patients[0];
  if (!patient) throw new Error("the factory made no patient");
  const result = await submitStatusForm(actor, {
    patientId: patient.id,
    answers: {
      labsUpToDate: "yes",
      newAutoimmuneCondition: "no",
      seriousInfection: "no",
      malignancy: "no",
      pregnancy: "no",
    },
    printedName: actor.name,
    password: world.password,
    code: await stepUpCode(actor.userId),
  });
  return { ...result, world, printedName: actor.name };
}

describe("signatures are linked to their records", () => {
  it("a signature verifies against the signed content in the audit trail, and one changed byte does not", async () => {
    const signed = await signedStatusForm();
    expect((await verifySignatures([signed.signatureId])).get(signed.signatureId)).toBe("verified");

    const audit = await db().auditEvent.findFirstOrThrow({
      where: { entityType: "StatusFormSubmission", entityId: signed.submissionId },
      select: { after: true },
    });
    const content = (audit.after as { signedContent: string }).signedContent;
    expect(contentMatches(content, signed.contentSha256)).toBe(true);
    // Change one byte anywhere in the content: the signature no longer matches it.
    for (const at of [0, Math.floor(content.length / 2), content.length - 1]) {
      const code = content.charCodeAt(at);
      const changed = content.slice(0, at) + String.fromCharCode(code ^ 1) + content.slice(at + 1);
      expect(contentMatches(changed, signed.contentSha256)).toBe(false);
      expect(signatureVerdict(signed, { signedContent: changed, contentSha256: signed.contentSha256 })).toBe(
        "mismatch",
      );
    }
    expect(signatureVerdict(signed, null)).toBe("missing");
  });

  it("a signature row cannot be changed or removed, and a user cannot be deleted", async () => {
    const signed = await signedStatusForm();
    const message = await rejects(() =>
      db().signature.update({ where: { id: signed.signatureId }, data: { printedName: "Someone Else" } }),
    );
    expect(message).toMatch(/Signature rows are permanent/);
    await rejects(() => db().signature.delete({ where: { id: signed.signatureId } }));
    const signature = await db().signature.findUniqueOrThrow({ where: { id: signed.signatureId } });
    expect(signature.printedName).toBe(signed.printedName);

    const { user } = await createAdmin();
    expect(await rejects(() => db().user.delete({ where: { id: user.id } }))).toMatch(/never deleted/);
    expect(await db().user.count({ where: { id: user.id } })).toBe(1);
  });
});

describe("the trail keeps what a record was", () => {
  it("a changed record still shows its prior value", async () => {
    const prescriber = await createPrescriberEnrollment();
    const enrollmentId = prescriber.enrollment?.id ?? "";
    const admin = await createAdminActor("Part Eleven");
    const before = await db().enrollment.findUniqueOrThrow({ where: { id: enrollmentId } });
    await decideApplication(admin, { enrollmentId, version: before.version, event: "SUSPEND", reason: "Audit" });
    const current = await db().enrollment.findUniqueOrThrow({ where: { id: enrollmentId } });
    expect(current.status).toBe("SUSPENDED");
    const event = await db().auditEvent.findFirstOrThrow({
      where: { entityType: "Enrollment", entityId: enrollmentId, action: "enrollment.suspend" },
    });
    expect(event.before).toMatchObject({ status: "CERTIFIED", version: before.version });
    expect(event.after).toMatchObject({ status: "SUSPENDED", reason: "Audit" });
    expect(event.actorId).toBe(admin.userId);
  });
});

describe.runIf(pgUrl)("the app's database role (PostgreSQL)", () => {
  it("cannot change, remove or unprotect the audit trail; can append to it and do its work", async () => {
    const suffix = randomBytes(4).toString("hex");
    const owner = `remsgate_owner_t${suffix}`;
    const app = `remsgate_app_t${suffix}`;
    const admin = new pg.Client({ connectionString: pgUrl ?? "" });
    await admin.connect();
    const grants = readFileSync(path.resolve("docs/database-roles.sql"), "utf8")
      .replaceAll("remsgate_owner", owner)
      .replaceAll("remsgate_app", app)
      // Other test files use the real pg-boss schema at the same time: this role gets its own.
      .replaceAll("pgboss", `pgboss_t${suffix}`);
    const url = new URL(pgUrl ?? "");
    url.username = app;
    const client = new pg.Client({ connectionString: url.toString() });
    try {
      await admin.query(`CREATE ROLE ${owner} LOGIN`);
      await admin.query(`CREATE ROLE ${app} LOGIN`);
      await admin.query(grants);
      await client.connect();

      const { rows } = await client.query<{ rolsuper: boolean }>(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
      );
      expect(rows[0]?.rolsuper).toBe(false);
      // It does its work: reads, and appends to the trail through audit_append.
      await client.query(`SELECT count(*) FROM "Patient"`);
      await client.query("BEGIN");
      await client.query(
        `SELECT * FROM audit_append(now(), null, null, 'test.appended', 'Test', null, null, null, null, '{}')`,
      );
      await client.query("ROLLBACK");
      // Its daily job creates the coming months of the partitioned trail (the function runs as the owner).
      await client.query("SELECT audit_ensure_partitions(4)");
      // And those of dispense authorizations, whose claims it writes through the gate's INSERT.
      await client.query("SELECT dispense_ensure_partitions(4)");

      for (const statement of [
        `UPDATE "AuditEvent" SET "action" = 'x' WHERE "seq" = (SELECT min("seq") FROM "AuditEvent")`,
        `DELETE FROM "AuditEvent" WHERE "seq" = (SELECT min("seq") FROM "AuditEvent")`,
        `TRUNCATE "AuditEvent"`,
        `ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL`,
        `DROP TRIGGER "AuditEvent_no_update_delete" ON "AuditEvent"`,
        `TRUNCATE audit_partitions."AuditEvent_default"`,
        `SELECT * FROM audit_detach_partitions('2000-01-01')`,
        `ALTER TABLE "AuditEvent" DETACH PARTITION audit_partitions."AuditEvent_default"`,
        `ALTER TABLE "DispenseAuthorization" DETACH PARTITION dispense_partitions."DispenseAuthorization_default"`,
        `DROP TRIGGER "DispenseAuthorization_claim" ON "DispenseAuthorization"`,
        `UPDATE "AuditAnchor" SET "hash" = 'x'`,
        `UPDATE "Signature" SET "printedName" = 'x'`,
        `DELETE FROM "User" WHERE false`,
      ]) {
        const message = await rejects(() => client.query(statement));
        expect(message, statement).toMatch(/permission denied|must be owner/);
      }
    } finally {
      await client.end().catch(() => undefined);
      await admin.query(`DROP OWNED BY ${app}, ${owner}`).catch(() => undefined);
      await admin.query(`DROP ROLE IF EXISTS ${app}`);
      await admin.query(`DROP ROLE IF EXISTS ${owner}`);
      await admin.end();
    }
  });
});
