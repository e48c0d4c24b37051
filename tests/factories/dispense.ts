/**
 * Dispense authorizations written straight to the database, in the shapes the CHECK constraints of
 * the dispense gate migration allow: APPROVED rows (any status but DENIED) carry a number and an
 * expiry, DENIED rows neither. Every number, prescription and idempotency key is unique.
 */
import { randomUUID } from "node:crypto";
import { type Db, db } from "../../lib/db";
import type { DispenseStatus } from "../../lib/generated/prisma/enums";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { addDays } from "../../lib/calendar";
import { callerFromActor } from "../../lib/dispensing/caller";
import { actorFor } from "./applications";
import { createPharmacyEnrollment, ensureProgram, uniqueNcpdpId, uniqueNpi, uniqueWord } from "./certified";
import { addResults, createCareTeam, createPatient } from "./clinical";

/** LEMTRADA's baseline tests. */
const BASELINE_TESTS = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];

/** A pharmacy row (no account, no enrollment): enough to own authorizations. */
export async function createPharmacy(client: Db = db()) {
  return client.pharmacy.create({
    data: {
      remsId: generateRemsId("PH"),
      name: `${uniqueWord("Pharmacy")} Pharmacy`,
      type: "SPECIALTY",
      ncpdpId: uniqueNcpdpId(),
      npi: uniqueNpi(),
      state: "IL",
    },
    select: { id: true, name: true },
  });
}

export interface AuthorizationOptions {
  patient: { id: string; remsId: string } | null;
  /** Defaults to a new pharmacy. */
  pharmacyId?: string;
  /** DENIED writes a denied request; the others an approved one in that status. Default DISPENSED. */
  status?: DispenseStatus;
  /** Defaults to 7 days after now. */
  expiresAt?: Date;
  enforcementDiscretion?: boolean;
  reversalReason?: string;
  /** When the request was made (its month's partition holds it). Default now. */
  createdAt?: Date;
  /** Defaults to a new one each. */
  prescriptionId?: string;
  idempotencyKey?: string;
  authorizationNumber?: string;
  /** Units authorized (and dispensed, for DISPENSED). Default 1. */
  quantity?: number;
  client?: Db;
}

/** One authorization for the patient under the seeded programme (LEMTRADA). */
export async function createDispenseAuthorization(options: AuthorizationOptions) {
  const client = options.client ?? db();
  const program = await ensureProgram(client);
  const pharmacyId = options.pharmacyId ?? (await createPharmacy(client)).id;
  const status = options.status ?? "DISPENSED";
  const approved = status !== "DENIED";
  const expiresAt = options.expiresAt ?? new Date(Date.now() + 7 * 86_400_000);
  const now = new Date();
  return client.dispenseAuthorization.create({
    data: {
      ...(options.createdAt ? { createdAt: options.createdAt } : {}),
      authorizationNumber: approved ? (options.authorizationNumber ?? generateRemsId("DA")) : null,
      pharmacyId,
      programId: program.id,
      programCode: program.code,
      prescriptionId: options.prescriptionId ?? `RX-${randomUUID()}`,
      prescriberNpi: uniqueNpi(),
      patientRemsId: options.patient?.remsId ?? generateRemsId("PT"),
      healthcareSettingRef: generateRemsId("HS"),
      ndc: "58468-0200-01",
      quantity: options.quantity ?? 1,
      patientId: options.patient?.id ?? null,
      decision: approved ? "APPROVED" : "DENIED",
      status,
      reasons: approved
        ? []
        : [{ code: "PATIENT_NOT_ENROLLED", stakeholder: "patient", message: "The patient is not enrolled." }],
      warnings: [],
      facts: {},
      enforcementDiscretion: options.enforcementDiscretion ?? false,
      expiresOn: approved ? new Date(`${expiresAt.toISOString().slice(0, 10)}T00:00:00.000Z`) : null,
      expiresAt: approved ? expiresAt : null,
      idempotencyKey: options.idempotencyKey ?? randomUUID(),
      requestHash: randomUUID().replace(/-/g, ""),
      dispensedAt: status === "DISPENSED" || status === "REVERSED" ? now : null,
      dispensedQuantity: status === "DISPENSED" || status === "REVERSED" ? (options.quantity ?? 1) : null,
      lotNumber: status === "DISPENSED" || status === "REVERSED" ? "L2026A" : null,
      reversedAt: status === "REVERSED" ? now : null,
      reversalReason: status === "REVERSED" ? (options.reversalReason ?? "Not picked up") : null,
    },
    select: {
      id: true,
      authorizationNumber: true,
      status: true,
      pharmacyId: true,
      createdAt: true,
      prescriptionId: true,
      idempotencyKey: true,
    },
  });
}

/** A certified pharmacy with its representative as a signed-in pharmacist caller of the gate. */
export async function createPharmacyCaller() {
  const pharmacy = await createPharmacyEnrollment();
  const actor = { ...actorFor({ ...pharmacy.user, role: "PHARMACIST" }), pharmacyId: pharmacy.pharmacy.id };
  return { ...pharmacy, actor, caller: callerFromActor(actor) };
}

/**
 * A world the gate approves in: a certified pharmacy (with its caller), a certified prescriber and
 * setting, and their patient enrolled 20 days before `today` with every baseline result taken
 * `baselineDaysAgo` days before it; `body()` is a compliant request for course 1.
 */
export async function createDispenseWorld(options: { today: string; baselineDaysAgo: number; ndc?: string }) {
  const pharmacy = await createPharmacyCaller();
  const team = await createCareTeam();
  const { patient } = await createPatient({
    prescriberId: team.prescriber.prescriber.id,
    healthcareSettingId: team.setting.setting.id,
    enrolledOn: addDays(options.today, -20),
  });
  await addResults(
    patient.id,
    BASELINE_TESTS.map((testCode) => ({ testCode, collectedOn: addDays(options.today, -options.baselineDaysAgo) })),
  );
  const body = (overrides: Record<string, unknown> = {}) => ({
    programCode: "LEMTRADA",
    prescriberNpi: team.prescriber.prescriber.npi,
    patientRemsId: patient.remsId,
    healthcareSettingId: team.setting.setting.npi,
    ndc: options.ndc ?? "58468-0200-01",
    quantity: 5,
    prescriptionId: `RX-${randomUUID().slice(0, 8)}`,
    ...overrides,
  });
  return { pharmacy, team, patient, body };
}
