/**
 * The demo pharmacy's dispense history, made through the dispense gate's own service: for the patient
 * starting her first course, an approved authorization waiting to be used and one confirmed as
 * dispensed; for the compliant patient, one dispensed then reversed; and
 * denials for the patient whose labs are overdue and the one between courses. Fixed idempotency
 * keys make a second seed run replay the same answers instead of adding rows.
 *
 * The pharmacy's API key is written to the demo manifest (demo databases only). Its plaintext is
 * never stored, so a second run reuses the key from the previous manifest when it still works and
 * creates a new one otherwise.
 */
import { readFile } from "node:fs/promises";
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { createApiKey, hashApiKey } from "../dispensing/api-keys";
import { callerFromActor } from "../dispensing/caller";
import { confirmDispense, reverseDispense } from "../dispensing/confirm";
import { requestDispenseAuthorization } from "../dispensing/request";
import type { DemoPatients } from "./patients";

const DEMO_KEY_NAME = "Demo pharmacy system";

interface Planned {
  prescriptionId: string;
  patient: keyof DemoPatients;
  quantity: number;
  outcome: "keep" | "dispense" | "dispense-and-reverse" | "denied";
}

// The gate counts every vial already dispensed or approved for a patient's course (at most 5 for the
// first course, 3 for later ones): the patient starting her first course gets it in two parts, and the
// compliant patient's reversed dispense gives its vials back, so she is free for course 3.
const PLAN: Planned[] = [
  { prescriptionId: "DEMO-RX-1001", patient: "firstCourse", quantity: 2, outcome: "dispense" },
  { prescriptionId: "DEMO-RX-1002", patient: "compliant", quantity: 3, outcome: "dispense-and-reverse" },
  { prescriptionId: "DEMO-RX-1003", patient: "firstCourse", quantity: 3, outcome: "keep" },
  { prescriptionId: "DEMO-RX-2001", patient: "overdueLabs", quantity: 3, outcome: "denied" },
  { prescriptionId: "DEMO-RX-3001", patient: "betweenCourses", quantity: 3, outcome: "denied" },
];

export async function seedDemoDispensing(
  client: Db,
  input: {
    pharmacist: Actor;
    programCode: string;
    ndc: string;
    prescriberNpi: string;
    settingRemsId: string;
    patients: DemoPatients;
    manifestPath: string;
    /** The pharmacist's step-up for creating the demo key: password and a second-factor code. */
    pharmacistStepUp: () => Promise<{ password: string; code: string }>;
  },
): Promise<{ apiKey: string }> {
  const caller = callerFromActor(input.pharmacist);
  for (const plan of PLAN) {
    const outcome = await requestDispenseAuthorization(
      caller,
      // "-2": the plan changed when the gate began counting a course's vials across requests.
      `demo-seed-2-${plan.prescriptionId}`,
      {
        programCode: input.programCode,
        prescriberNpi: input.prescriberNpi,
        patientRemsId: input.patients[plan.patient].remsId,
        healthcareSettingId: input.settingRemsId,
        ndc: input.ndc,
        quantity: plan.quantity,
        prescriptionId: plan.prescriptionId,
      },
      { client },
    );
    const decision = outcome.answer.decision;
    if ((plan.outcome === "denied") !== (decision === "DENIED")) {
      throw new Error(
        `demo ${plan.prescriptionId}: expected ${plan.outcome}, the gate answered ${decision} (${"reasons" in outcome.answer ? outcome.answer.reasons.map((r) => r.code).join(", ") : "approved"}). A demo database made by an earlier version cannot be seeded again: remove it and run the demo again.`,
      );
    }
    if (outcome.authorization.status !== "APPROVED") continue;
    if (plan.outcome === "dispense" || plan.outcome === "dispense-and-reverse") {
      await confirmDispense(
        caller,
        outcome.answer.id,
        { quantity: plan.quantity, lotNumber: "DEMO-LOT-7731" },
        { client },
      );
    }
    if (plan.outcome === "dispense-and-reverse") {
      await reverseDispense(
        caller,
        outcome.answer.id,
        { reason: "Patient's infusion was rescheduled; the vials went back to stock." },
        { client },
      );
    }
  }
  return { apiKey: await demoApiKey(client, input.pharmacist, input.manifestPath, input.pharmacistStepUp) };
}

async function demoApiKey(
  client: Db,
  pharmacist: Actor,
  manifestPath: string,
  stepUp: () => Promise<{ password: string; code: string }>,
): Promise<string> {
  const previous = await readPreviousKey(manifestPath);
  if (previous) {
    const row = await client.pharmacyApiKey.findUnique({
      where: { keyHash: hashApiKey(previous) },
      select: { revokedAt: true, pharmacyId: true },
    });
    if (row && !row.revokedAt && row.pharmacyId === pharmacist.pharmacyId) return previous;
  }
  const created = await createApiKey(pharmacist, { name: DEMO_KEY_NAME, ...(await stepUp()) }, client);
  return created.key;
}

async function readPreviousKey(manifestPath: string): Promise<string | null> {
  try {
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as { pharmacy?: { apiKey?: unknown } };
    return typeof manifest.pharmacy?.apiKey === "string" ? manifest.pharmacy.apiKey : null;
  } catch {
    return null;
  }
}
