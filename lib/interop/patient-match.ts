/**
 * Finds the REMS patient a FHIR Patient (or an NCPDP patient) is. Only an identifier identifies:
 * the REMS patient id under the registry's identifier system (lib/interop/identifiers.ts), which is
 * also the REMS case number; a name or birth date sent beside it must fit the patient it names, or
 * the id is reported as someone else's (a wrong id in a chart must not show another patient's
 * requirements as met). A name and birth date alone can only *propose* that the person is
 * enrolled: the caller is told to confirm, and nothing is authorized or reported as met on a
 * proposal. (The registry records no medical record numbers, so there is no MRN to match on.)
 *
 * For NCPDP SCRIPT: call `matchPatient(client, { identifiers: [remsPatientIdentifier(caseId)] })`
 * with the REMS case id, adding name and birth date only to get a proposal back.
 */
import { dayOf } from "../calendar";
import { type Db, db } from "../db";
import { type IdentifierLike, claimsRemsPatientId, remsPatientIdFrom } from "./identifiers";

export interface PatientMatchQuery {
  identifiers?: readonly IdentifierLike[];
  /** First given name and family name as the caller holds them. */
  given?: string | null;
  family?: string | null;
  /** YYYY-MM-DD. */
  birthDate?: string | null;
}

export type PatientMatch =
  /** Identified by the REMS patient id: the facts of this patient may be checked. */
  | { kind: "identified"; patientId: string; remsId: string; via: "rems-patient-id" }
  /**
   * Someone enrolled has this name and birth date; the caller must confirm (send the REMS patient
   * id). Carries no identifier and no facts: a proposal never authorizes.
   */
  | { kind: "proposed"; via: "name-and-birth-date" }
  /**
   * The REMS patient id names a patient whose name or birth date differs from the caller's: the id
   * in the chart is probably someone else's. Nothing of that patient is checked or reported.
   */
  | { kind: "mismatch"; remsId: string; differs: ("name" | "birth date")[] }
  /** No one. `identifierNotFound`: a REMS patient id was sent and matches no patient. */
  | { kind: "none"; identifierNotFound: boolean };

/** Whether a name as the caller holds it is the registry's: accents, case and punctuation aside; absent agrees. */
export function sameName(sent: string | null | undefined, recorded: string): boolean {
  if (sent === undefined || sent === null || sent.trim() === "") return true;
  const fold = (s: string) =>
    s
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]/gu, "");
  return fold(sent) === fold(recorded);
}

/** What of the caller's name and birth date differs from the patient's record (nothing sent: nothing differs). */
export function differencesFrom(
  query: Pick<PatientMatchQuery, "given" | "family" | "birthDate">,
  patient: { firstName: string; lastName: string; dateOfBirth: Date },
): ("name" | "birth date")[] {
  const differs: ("name" | "birth date")[] = [];
  if (!sameName(query.family, patient.lastName) || !sameName(query.given, patient.firstName)) differs.push("name");
  if (query.birthDate && query.birthDate !== patient.dateOfBirth.toISOString().slice(0, 10)) differs.push("birth date");
  return differs;
}

export async function matchPatient(client: Db = db(), query: PatientMatchQuery): Promise<PatientMatch> {
  const remsId = remsPatientIdFrom(query.identifiers);
  if (remsId) {
    const row = await client.patient.findUnique({
      where: { remsId },
      select: { id: true, remsId: true, firstName: true, lastName: true, dateOfBirth: true },
    });
    if (row) {
      const differs = differencesFrom(query, row);
      if (differs.length > 0) return { kind: "mismatch", remsId: row.remsId, differs };
      return { kind: "identified", patientId: row.id, remsId: row.remsId, via: "rems-patient-id" };
    }
  }
  const identifierNotFound = remsId !== null || claimsRemsPatientId(query.identifiers);
  const given = query.given?.trim();
  const family = query.family?.trim();
  const birthDate = query.birthDate && /^\d{4}-\d{2}-\d{2}$/.test(query.birthDate) ? query.birthDate : null;
  if (given && family && birthDate && dayOf(new Date(`${birthDate}T00:00:00.000Z`)) === birthDate) {
    const found = await client.patient.count({
      where: {
        lastName: { equals: family, mode: "insensitive" },
        firstName: { equals: given, mode: "insensitive" },
        dateOfBirth: new Date(`${birthDate}T00:00:00.000Z`),
        enrollments: { some: { status: "ENROLLED" } },
      },
    });
    if (found > 0) return { kind: "proposed", via: "name-and-birth-date" };
  }
  return { kind: "none", identifierNotFound };
}
