/**
 * Rows for the dashboard and report tests, written straight to the database under a programme of
 * the test's own (createTestProgram), so that every figure the test reads is made of its rows only.
 */
import { randomUUID } from "node:crypto";
import { type Db, db } from "../../lib/db";
import type { DispenseStatus, EnrollmentStatus, StakeholderKind } from "../../lib/generated/prisma/enums";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { type CaseStep, STEP_TO_STATE } from "../../lib/noncompliance/rules";
import { createAccount, uniqueNcpdpId, uniqueNpi, uniqueWord } from "./applications";

export interface ProgramRef {
  id: string;
  code: string;
}

const instant = (s: string) => new Date(s.length === 10 ? `${s}T12:00:00.000Z` : s);
const day = (s: string) => new Date(`${s}T00:00:00.000Z`);

/**
 * One enrollment of the given kind (with its stakeholder row) and its history: `history` lists
 * each status with the instant it was entered, oldest first; the enrollment's status is the last.
 */
export async function addEnrollment(
  program: ProgramRef,
  kind: StakeholderKind,
  history: [EnrollmentStatus, string][],
  options: { submittedAt?: string; certifiedAt?: string; claimedByUserId?: string; overdueSince?: string } = {},
  client: Db = db(),
) {
  const last = history.at(-1);
  if (!last) throw new Error("an enrollment needs at least one status");
  let stakeholder: Record<string, string>;
  let patient: { id: string; remsId: string } | null = null;
  if (kind === "PRESCRIBER") {
    const p = await client.prescriber.create({
      data: { npi: uniqueNpi(), firstName: "Ida", lastName: uniqueWord("Report") },
      select: { id: true },
    });
    stakeholder = { prescriberId: p.id };
  } else if (kind === "PHARMACY") {
    const p = await client.pharmacy.create({
      data: { remsId: generateRemsId("PH"), name: uniqueWord("Pharmacy"), ncpdpId: uniqueNcpdpId() },
      select: { id: true },
    });
    stakeholder = { pharmacyId: p.id };
  } else if (kind === "HEALTHCARE_SETTING") {
    const s = await client.healthcareSetting.create({
      data: { remsId: generateRemsId("HS"), name: uniqueWord("Setting") },
      select: { id: true },
    });
    stakeholder = { healthcareSettingId: s.id };
  } else {
    patient = await client.patient.create({
      data: {
        remsId: generateRemsId("PT"),
        firstName: "Jo",
        lastName: uniqueWord("Report"),
        dateOfBirth: day("1980-02-02"),
      },
      select: { id: true, remsId: true },
    });
    stakeholder = { patientId: patient.id };
  }
  const first = history[0]?.[1] ?? last[1];
  const enrollment = await client.enrollment.create({
    data: {
      programId: program.id,
      kind,
      status: last[0],
      ...stakeholder,
      createdAt: instant(first),
      submittedAt: options.submittedAt ? instant(options.submittedAt) : null,
      certifiedAt: options.certifiedAt ? instant(options.certifiedAt) : null,
      claimedByUserId: options.claimedByUserId ?? null,
      claimedAt: options.claimedByUserId ? instant(first) : null,
      monitoringOverdueSince: options.overdueSince ? day(options.overdueSince) : null,
      events: {
        create: history.map(([toStatus, at], i) => ({
          toStatus,
          fromStatus: i === 0 ? null : (history[i - 1]?.[0] ?? null),
          at: instant(at),
        })),
      },
    },
    select: { id: true, status: true },
  });
  return { enrollment, patient };
}

/** A healthcare setting and a user to record infusions for the test's patients. */
export async function createInfusionSite(client: Db = db()) {
  const setting = await client.healthcareSetting.create({
    data: { remsId: generateRemsId("HS"), name: uniqueWord("Site") },
    select: { id: true },
  });
  const user = await createAccount("SETTING_REP", "Sam Site", client);
  return { settingId: setting.id, userId: user.id };
}

export async function addInfusion(
  program: ProgramRef,
  patientId: string,
  site: { settingId: string; userId: string },
  on: string,
  reaction: "mild" | "moderate" | "severe" | null = null,
  client: Db = db(),
) {
  await client.infusion.create({
    data: {
      patientId,
      programId: program.id,
      healthcareSettingId: site.settingId,
      infusedOn: day(on),
      doseMg: 12,
      vialLot: "LOT-REPORT",
      premedicationGiven: true,
      observationCompleted: true,
      reaction: reaction !== null,
      reactionSeverity: reaction,
      courseNumber: 1,
      dayInCourse: 1,
      recordedByUserId: site.userId,
    },
  });
}

export async function addResults(
  program: ProgramRef,
  patientId: string,
  codes: string[],
  on: string,
  client: Db = db(),
) {
  await client.labResult.createMany({
    data: codes.map((testCode) => ({
      patientId,
      programId: program.id,
      testCode,
      collectedOn: day(on),
      source: "test",
      dedupeKey: `report:${randomUUID()}`,
    })),
  });
}

export interface AuthorizationRow {
  createdAt: string;
  status: DispenseStatus;
  reasons?: string[];
  dispensedAt?: string;
  reversedAt?: string;
  revokedAt?: string;
  discretion?: boolean;
  followedUpAt?: string;
}

/** One dispense request under the programme, in the shape the CHECK constraints allow. */
export async function addAuthorization(
  program: ProgramRef,
  pharmacyId: string,
  row: AuthorizationRow,
  client: Db = db(),
) {
  const approved = row.status !== "DENIED";
  const created = instant(row.createdAt);
  return client.dispenseAuthorization.create({
    data: {
      authorizationNumber: approved ? generateRemsId("DA") : null,
      pharmacyId,
      programId: program.id,
      programCode: program.code,
      prescriptionId: `RX-${randomUUID()}`,
      prescriberNpi: uniqueNpi(),
      patientRemsId: generateRemsId("PT"),
      healthcareSettingRef: generateRemsId("HS"),
      ndc: "58468-0200-01",
      quantity: 1,
      decision: approved ? "APPROVED" : "DENIED",
      status: row.status,
      reasons: (row.reasons ?? []).map((code) => ({ code, stakeholder: "patient", message: code })),
      facts: {},
      enforcementDiscretion: row.discretion ?? false,
      followedUpAt: row.followedUpAt ? instant(row.followedUpAt) : null,
      followUpNote: row.followedUpAt ? "Called the prescriber" : null,
      expiresAt: approved ? new Date(created.getTime() + 7 * 86_400_000) : null,
      expiresOn: approved ? day(new Date(created.getTime() + 7 * 86_400_000).toISOString().slice(0, 10)) : null,
      idempotencyKey: randomUUID(),
      requestHash: randomUUID().replace(/-/g, ""),
      createdAt: created,
      dispensedAt: row.dispensedAt ? instant(row.dispensedAt) : null,
      dispensedQuantity: row.dispensedAt ? 1 : null,
      reversedAt: row.reversedAt ? instant(row.reversedAt) : null,
      reversalReason: row.reversedAt ? "Not picked up" : null,
      revokedAt: row.revokedAt ? instant(row.revokedAt) : null,
      revocationReason: row.revokedAt ? { code: "PRESCRIBER_SUSPENDED", message: "Prescriber suspended" } : undefined,
    },
    select: { id: true },
  });
}

/** A pharmacy row to own the test's authorizations. */
export async function createReportPharmacy(client: Db = db()) {
  return client.pharmacy.create({
    data: { remsId: generateRemsId("PH"), name: uniqueWord("Pharmacy"), ncpdpId: uniqueNcpdpId() },
    select: { id: true },
  });
}

/**
 * A non-compliance case as the report reads it: opened on a day, with its steps on later days (the
 * case's own state is not what the report counts, so it is set to the last step's).
 */
export async function addCase(
  program: ProgramRef,
  enrollment: { id: string },
  kind: StakeholderKind,
  type: string,
  steps: [string, string][],
  actorUserId: string,
  client: Db = db(),
) {
  const [opened] = steps;
  if (!opened) throw new Error("a case needs its opening step");
  const stateAfter = (step: string) => (step === "OPEN" ? "OPEN" : STEP_TO_STATE[step as CaseStep]);
  const closed = steps.find(([step]) => step === "CLOSE");
  return client.nonComplianceCase.create({
    data: {
      caseNumber: `NC-TEST-${randomUUID().slice(0, 8)}`,
      programId: program.id,
      enrollmentId: enrollment.id,
      kind,
      type,
      description: "Report test case",
      state: stateAfter(steps.at(-1)?.[0] ?? "OPEN"),
      openedByUserId: actorUserId,
      openedAt: instant(opened[1]),
      closedAt: closed ? instant(closed[1]) : null,
      steps: {
        create: steps.map(([step, at], i) => ({
          step,
          fromState: i === 0 ? null : stateAfter(steps[i - 1]?.[0] ?? "OPEN"),
          toState: stateAfter(step),
          reason: "Report test",
          actorUserId,
          at: instant(at),
        })),
      },
    },
    select: { id: true },
  });
}
