/**
 * The identifier and code systems the registry speaks in FHIR, CDS Hooks and NCPDP messages — in
 * one place, so every channel names a patient, prescriber and drug the same way (docs/interop.md).
 */
import { env } from "../env";
import { isValidRemsId, normalizeRemsId } from "../identifiers/rems-id";

/** US National Provider Identifier (prescribers, pharmacies, settings). */
export const NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi";
/** RxNorm concept ids (RXCUI). */
export const RXNORM_SYSTEM = "http://www.nlm.nih.gov/research/umls/rxnorm";
/** National Drug Codes. */
export const NDC_SYSTEM = "http://hl7.org/fhir/sid/ndc";

/** Path of the REMS patient id's identifier system under the registry's own address (APP_URL). */
export const REMS_PATIENT_ID_SYSTEM_PATH = "/fhir/sid/rems-patient-id";

/**
 * The FHIR identifier system of the REMS patient id (PT-XXXX-XXXX-C): the registry issues these
 * ids, so the system is a URL under the registry's own address, e.g.
 * `https://rems.example.org/fhir/sid/rems-patient-id`. The same id is the REMS case number.
 */
export function remsPatientIdSystem(appUrl: string = env().APP_URL): string {
  return new URL(REMS_PATIENT_ID_SYSTEM_PATH, appUrl).href;
}

function sameSystem(a: string, b: string): boolean {
  return a.trim().replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();
}

export interface IdentifierLike {
  system?: string | undefined;
  value?: string | undefined;
}

/** The canonical REMS patient id among identifiers under the registry's system, or null. */
export function remsPatientIdFrom(identifiers: readonly IdentifierLike[] | undefined): string | null {
  const system = remsPatientIdSystem();
  for (const identifier of identifiers ?? []) {
    if (!identifier.system || !identifier.value || !sameSystem(identifier.system, system)) continue;
    const id = normalizeRemsId(identifier.value);
    if (id && isValidRemsId(id, "PT")) return id;
  }
  return null;
}

/** Whether any identifier claims the registry's REMS patient id system (valid or not). */
export function claimsRemsPatientId(identifiers: readonly IdentifierLike[] | undefined): boolean {
  const system = remsPatientIdSystem();
  return (identifiers ?? []).some((i) => i.system !== undefined && sameSystem(i.system, system));
}

/** The NPI among identifiers (system us-npi, ten digits), or null. */
export function npiFrom(identifiers: readonly IdentifierLike[] | undefined): string | null {
  for (const identifier of identifiers ?? []) {
    if (!identifier.system || !identifier.value || !sameSystem(identifier.system, NPI_SYSTEM)) continue;
    const digits = identifier.value.trim();
    if (/^\d{10}$/.test(digits)) return digits;
  }
  return null;
}

/** The REMS patient id as a FHIR Identifier. */
export function remsPatientIdentifier(remsId: string) {
  return { system: remsPatientIdSystem(), value: remsId };
}

/** Path of the code system of the dispense gate's reason codes (PATIENT_NOT_ENROLLED, …). */
export const DISPENSE_REASON_SYSTEM_PATH = "/fhir/CodeSystem/dispense-reason";

/** The code system of the dispense gate's reason codes, under the registry's address. */
export function dispenseReasonSystem(appUrl: string = env().APP_URL): string {
  return new URL(DISPENSE_REASON_SYSTEM_PATH, appUrl).href;
}
