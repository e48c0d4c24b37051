/**
 * Patients enrolled through the patient service by a certified prescriber at a certified setting.
 * Every name and e-mail address is unique, so tests never match each other's patients as
 * duplicates unless they mean to.
 */
import type { Actor } from "../../lib/auth/actor";
import { db, type Db } from "../../lib/db";
import type { TEnrollPatient } from "../../lib/patients/schema";
import { enrollPatient } from "../../lib/patients/service";
import { lemtrada } from "../../lib/programs/lemtrada";
import { createPrescriberEnrollment, createSettingEnrollment, uniqueWord } from "./certified";
import { signIn, stepUpCode, uniqueEmail } from "./users";

const requirement = lemtrada.stakeholders.patient;
if (!requirement?.coSignature || !requirement.counselling) throw new Error("LEMTRADA enrolls patients");

export const COUNSELLING_MATERIAL_IDS = requirement.counselling.materials.map((m) => m.id);
export const CO_SIGNATURE_ATTESTATIONS = requirement.coSignature.attestations.map((a) => a.id);
export const PATIENT_ATTESTATIONS = requirement.attestations.map((a) => a.id);

/** Demographics for a new person (unique last name and e-mail); `overrides` win. */
export function patientValues(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    firstName: "Grace",
    lastName: uniqueWord("Hopper"),
    dateOfBirth: "1980-04-02",
    sex: "female",
    addressLine1: "1 Main Street",
    city: "Springfield",
    state: "IL",
    zip: "62701",
    phone: "217-555-0142",
    email: uniqueEmail("patient"),
    ...overrides,
  };
}

/** A certified prescriber (signed in) and a certified healthcare setting. */
export async function createPatientWorld(client: Db = db()) {
  const prescriber = await createPrescriberEnrollment({ client });
  const setting = await createSettingEnrollment({ client });
  const { actor } = await signIn(prescriber, { client });
  // LEMTRADA requires a second factor of e-signers: the prescriber co-signs with recovery codes.
  const codes: string[] = [];
  for (let i = 0; i < 8; i++) codes.push(await stepUpCode(actor.userId, client));
  return { prescriber, setting, actor, password: prescriber.password, codes };
}

/** The input of a complete enrollment: paper form on file, co-signed by the prescriber. */
export function paperEnrollmentInput(
  world: { setting: { setting: { id: string } }; actor: Actor; password: string; codes?: string[] },
  overrides: Partial<TEnrollPatient> = {},
): TEnrollPatient {
  return {
    programCode: lemtrada.code,
    values: patientValues(),
    healthcareSettingId: world.setting.setting.id,
    counselledMaterialIds: COUNSELLING_MATERIAL_IDS,
    signatureMethod: "PAPER",
    coSignature: {
      printedName: world.actor.name,
      password: world.password,
      code: world.codes?.pop(),
      attestations: CO_SIGNATURE_ATTESTATIONS,
    },
    ...overrides,
  };
}

export async function enrollPaperPatient(
  world: { setting: { setting: { id: string } }; actor: Actor; password: string; codes?: string[] },
  overrides: Partial<TEnrollPatient> = {},
  client: Db = db(),
) {
  return enrollPatient(world.actor, paperEnrollmentInput(world, overrides), client);
}
