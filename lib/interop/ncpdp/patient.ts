/**
 * Which REMS patient a SCRIPT message is about. The REMS patient id
 * (Patient/HumanPatient/Identification/REMSPatientID) identifies; name and birth date only check
 * it. Without the id, a name and birth date that fit an enrolled patient are reported as a
 * proposal the pharmacy confirms with the prescriber — they never authorize a dispense, and the
 * id is not disclosed on the strength of a name and birth date.
 */
import type { Db } from "../../db";
import { normalizeRemsId } from "../../identifiers/rems-id";
import { differencesFrom } from "../patient-match";
import type { ScriptPatient } from "./message";

export type PatientMatch =
  /** The REMS patient id names a patient, and the name and birth date sent (if any) fit them. */
  | { kind: "identified"; patient: { id: string; remsId: string }; remsPatientId: string }
  /** The REMS patient id is well formed but names no patient: the gate answers for it. */
  | { kind: "unknownId"; remsPatientId: string }
  /** The REMS patient id is not a patient REMS id at all. */
  | { kind: "malformedId"; sent: string }
  /** The REMS patient id names a patient whose name or birth date differs from the message's. */
  | { kind: "mismatch"; remsPatientId: string; differs: ("name" | "birth date")[] }
  /** No REMS patient id; `proposed` patients have this name and birth date. */
  | { kind: "noId"; proposed: number };

export async function matchScriptPatient(client: Db, sent: ScriptPatient): Promise<PatientMatch> {
  if (sent.remsPatientId) {
    const remsId = normalizeRemsId(sent.remsPatientId);
    if (!remsId?.startsWith("PT-")) return { kind: "malformedId", sent: sent.remsPatientId };
    const patient = await client.patient.findUnique({
      where: { remsId },
      select: { id: true, remsId: true, firstName: true, lastName: true, dateOfBirth: true },
    });
    if (!patient) return { kind: "unknownId", remsPatientId: remsId };
    const differs = differencesFrom(
      { given: sent.firstName, family: sent.lastName, birthDate: sent.birthDate },
      patient,
    );
    if (differs.length > 0) return { kind: "mismatch", remsPatientId: remsId, differs };
    return { kind: "identified", patient: { id: patient.id, remsId: patient.remsId }, remsPatientId: remsId };
  }
  if (!sent.lastName || !sent.birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(sent.birthDate)) {
    return { kind: "noId", proposed: 0 };
  }
  const proposed = await client.patient.count({
    where: {
      lastName: { equals: sent.lastName, mode: "insensitive" },
      ...(sent.firstName ? { firstName: { equals: sent.firstName, mode: "insensitive" } } : {}),
      dateOfBirth: new Date(`${sent.birthDate}T00:00:00.000Z`),
    },
  });
  return { kind: "noId", proposed };
}

/** A match that cannot go to the dispense gate: the message does not identify a patient. */
export type UnidentifiedMatch = Exclude<PatientMatch, { kind: "identified" | "unknownId" }>;

export function isIdentifying(match: PatientMatch): match is Exclude<PatientMatch, UnidentifiedMatch> {
  return match.kind === "identified" || match.kind === "unknownId";
}

/** The note of the Closed answer to a message that does not identify its patient. */
export function unidentifiedPatientNote(match: UnidentifiedMatch): string {
  switch (match.kind) {
    case "malformedId":
      return `"${match.sent}" is not a REMS patient id (PT-XXXX-XXXX-X). Send the id from the patient's REMS enrollment in Patient/HumanPatient/Identification/REMSPatientID.`;
    case "mismatch":
      return `The REMS patient id ${match.remsPatientId} belongs to a patient whose ${match.differs.join(" and ")} differ${match.differs.length === 1 ? "s" : ""} from this message's. Check the id with the prescriber; nothing was authorized.`;
    case "noId":
      return match.proposed > 0
        ? "A patient with this name and birth date is enrolled, but a name and birth date alone never authorize a dispense. Confirm the patient with the prescriber and send their REMS patient id in Patient/HumanPatient/Identification/REMSPatientID."
        : "Send the patient's REMS patient id in Patient/HumanPatient/Identification/REMSPatientID. A name and birth date alone never authorize a dispense.";
  }
}
