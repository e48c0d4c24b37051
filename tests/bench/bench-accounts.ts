/**
 * The accounts the page benchmark signs in with, added to the dispense benchmark's world (which
 * has stakeholders but no users): an administrator and a pharmacist of the bench pharmacy (both
 * with two-step sign-in, which their roles require), a prescriber account for the seeded
 * prescriber whose patients have the most lab results, and a new prescriber whose application is a draft with its
 * details, training and assessment done but not signed (the enrollment wizard's applicant, who
 * can open every step). Passwords are hashed with the app's own hashPassword and the TOTP secrets
 * sealed with enrolKnownTotpSecret, as the demo seed does; re-running updates the same accounts.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { enrolKnownTotpSecret } from "../../lib/auth/mfa";
import { newTotpSecret, totpCodeAt } from "../../lib/auth/mfa-rules";
import { hashPassword } from "../../lib/auth/password";
import type { Actor } from "../../lib/auth/actor";
import { createPrismaClient, type Db } from "../../lib/db";
import {
  acknowledgeTrainingSection,
  getEnrollmentWorkspace,
  saveEnrollmentForm,
  submitAssessment,
} from "../../lib/enrollment/service";
import type { Role } from "../../lib/generated/prisma/enums";
import { npiCheckDigit } from "../../lib/identifiers/npi";
import { getProgramDefinition } from "../../lib/programs/registry";

export interface BenchAccount {
  email: string;
  password: string;
  role: Role;
  /** Base32 TOTP secret for accounts with two-step sign-in. */
  totpSecret: string | null;
}

export interface BenchAccounts {
  admin: BenchAccount;
  prescriber: BenchAccount & { npi: string; patients: number };
  pharmacist: BenchAccount;
  applicant: BenchAccount;
}

/** The code to send with a sign-in now (none for accounts without two-step sign-in). */
export function signInCode(account: BenchAccount): string | undefined {
  return account.totpSecret ? totpCodeAt(account.totpSecret, new Date()) : undefined;
}

async function upsertUser(
  client: pg.Client,
  user: { email: string; name: string; role: Role; passwordHash: string; pharmacyId?: string | null },
): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO "User" ("id", "email", "name", "passwordHash", "role", "pharmacyId", "updatedAt")
     VALUES (gen_random_uuid(), $1, $2, $3, $4::"Role", $5, now())
     ON CONFLICT ("email") DO UPDATE
       SET "passwordHash" = EXCLUDED."passwordHash", "role" = EXCLUDED."role", "pharmacyId" = EXCLUDED."pharmacyId",
           "status" = 'ACTIVE', "failedSignIns" = 0, "lockedUntil" = NULL, "mfaLastStep" = NULL,
           "passwordResetRequired" = false, "updatedAt" = now()
     RETURNING "id"`,
    [user.email, user.name, user.passwordHash, user.role, user.pharmacyId ?? null],
  );
  const id = rows[0]?.id;
  if (!id) throw new Error(`could not write the account ${user.email}`);
  return id;
}

/**
 * The applicant's LEMTRADA application, brought through the app's own services (as the demo seed
 * does) to the last step before signing: every wizard step then renders instead of redirecting.
 */
async function ensureApplicantDraft(client: Db, actor: Actor): Promise<void> {
  const definition = getProgramDefinition("LEMTRADA");
  const requirement = definition?.stakeholders.prescriber;
  if (!definition || !requirement) throw new Error("the LEMTRADA programme has no prescriber requirements");
  let view = await getEnrollmentWorkspace(actor, { programCode: "LEMTRADA" }, client);
  const done = (step: string) => view.progress.find((s) => s.id === step)?.complete ?? false;
  if (!view.enrollment || !done("details")) {
    const body = "195000001";
    await saveEnrollmentForm(
      actor,
      {
        programCode: "LEMTRADA",
        enrollmentId: view.enrollment?.id,
        values: {
          firstName: "Bench",
          lastName: "Applicant",
          credentials: "md",
          npi: `${body}${npiCheckDigit(body)}`,
          specialty: "Neurology",
          dea: "",
          practiceName: "Bench Neurology",
          addressLine1: "1 Bench Street",
          addressLine2: "",
          city: "Springfield",
          state: "IL",
          zip: "62703",
          phone: "217-555-0199",
          email: actor.email,
        },
      },
      client,
    );
    view = await getEnrollmentWorkspace(actor, { programCode: "LEMTRADA" }, client);
  }
  const enrollmentId = view.enrollment?.id;
  if (!enrollmentId) throw new Error("the applicant's draft was not saved");
  if (!done("training")) {
    for (const section of requirement.training?.sections ?? []) {
      await acknowledgeTrainingSection(actor, { enrollmentId, sectionId: section.id, acknowledged: true }, client);
    }
  }
  const assessment = requirement.knowledgeAssessment;
  if (assessment && !done("assessment")) {
    const attempts = await client.assessmentAttempt.count({ where: { enrollmentId } });
    const answers = Object.fromEntries(assessment.questions.map((q) => [q.id, [...q.correctOptionIds]]));
    await submitAssessment(actor, { enrollmentId, attemptNumber: attempts + 1, answers }, client);
  }
}

/**
 * Adds (or refreshes) the bench accounts. `authSecret` must be the server's AUTH_SECRET: the TOTP
 * secrets are sealed with a key derived from it.
 */
export async function ensureBenchAccounts(url: string, authSecret: string): Promise<BenchAccounts> {
  process.env.AUTH_SECRET = authSecret;
  const password = `Bench-Pages-${randomBytes(6).toString("hex")}`;
  const passwordHash = await hashPassword(password);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const prisma = createPrismaClient({ kind: "postgres", url });
  try {
    // In the seed every prescriber has about the same number of patients, all of one kind: take the
    // one whose patients have the longest histories (most results), the heaviest dashboard to draw.
    const busiest = await client.query<{ id: string; npi: string; patients: number }>(
      `SELECT pr."id", pr."npi", (SELECT count(*)::int FROM "Patient" x WHERE x."prescriberId" = pr."id") AS patients
         FROM (SELECT p."prescriberId" AS id, count(*) AS results
                 FROM "LabResult" l JOIN "Patient" p ON p."id" = l."patientId"
                GROUP BY p."prescriberId" ORDER BY results DESC LIMIT 1) top
         JOIN "Prescriber" pr ON pr."id" = top.id`,
    );
    const prescriberRow = busiest.rows[0];
    if (!prescriberRow) throw new Error("the benchmark database has no prescriber with patients");
    const pharmacy = await client.query<{ id: string }>(
      `SELECT "pharmacyId" AS id FROM "PharmacyApiKey" WHERE "name" = 'Benchmark' LIMIT 1`,
    );
    const pharmacyId = pharmacy.rows[0]?.id;
    if (!pharmacyId) throw new Error("the benchmark database has no bench pharmacy");

    const adminId = await upsertUser(client, {
      email: "bench.admin@bench.test",
      name: "Bench Administrator",
      role: "ADMIN",
      passwordHash,
    });
    const pharmacistId = await upsertUser(client, {
      email: "bench.pharmacist@bench.test",
      name: "Bench Pharmacist",
      role: "PHARMACIST",
      passwordHash,
      pharmacyId,
    });
    const prescriberId = await upsertUser(client, {
      email: "bench.prescriber@bench.test",
      name: "Bench Prescriber",
      role: "PRESCRIBER",
      passwordHash,
    });
    await client.query(`UPDATE "Prescriber" SET "userId" = NULL WHERE "userId" = $1 AND "id" <> $2`, [
      prescriberId,
      prescriberRow.id,
    ]);
    await client.query(`UPDATE "Prescriber" SET "userId" = $1 WHERE "id" = $2`, [prescriberId, prescriberRow.id]);
    const applicantId = await upsertUser(client, {
      email: "bench.applicant@bench.test",
      name: "Bench Applicant",
      role: "PRESCRIBER",
      passwordHash,
    });

    const adminSecret = newTotpSecret();
    const pharmacistSecret = newTotpSecret();
    await enrolKnownTotpSecret(prisma, adminId, adminSecret, "bench-pages");
    await enrolKnownTotpSecret(prisma, pharmacistId, pharmacistSecret, "bench-pages");
    await ensureApplicantDraft(prisma, {
      userId: applicantId,
      role: "PRESCRIBER",
      email: "bench.applicant@bench.test",
      name: "Bench Applicant",
      pharmacyId: null,
      healthcareSettingId: null,
      sessionId: null,
      requestId: "bench-pages",
    });
    return {
      admin: { email: "bench.admin@bench.test", password, role: "ADMIN", totpSecret: adminSecret },
      pharmacist: { email: "bench.pharmacist@bench.test", password, role: "PHARMACIST", totpSecret: pharmacistSecret },
      prescriber: {
        email: "bench.prescriber@bench.test",
        password,
        role: "PRESCRIBER",
        totpSecret: null,
        npi: prescriberRow.npi,
        patients: prescriberRow.patients,
      },
      applicant: { email: "bench.applicant@bench.test", password, role: "PRESCRIBER", totpSecret: null },
    };
  } finally {
    await prisma.$disconnect();
    await client.end();
  }
}
