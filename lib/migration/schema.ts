/**
 * The export a previous REMS registry hands over (docs/migration-import.md): one CSV file per
 * entity, UTF-8, a header row naming exactly these columns in this order.
 */

export const REGISTRY_ENTITIES = [
  "prescribers",
  "settings",
  "pharmacies",
  "patients",
  "certifications",
  "labs",
] as const;
export type RegistryEntity = (typeof REGISTRY_ENTITIES)[number];

export const REGISTRY_COLUMNS = {
  prescribers: ["npi", "first_name", "last_name", "credentials", "specialty", "state", "email"],
  settings: ["rems_id", "npi", "name", "type", "state"],
  pharmacies: ["rems_id", "ncpdp_id", "npi", "name", "type", "state"],
  patients: [
    "rems_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "state",
    "prescriber_npi",
    "setting_rems_id",
  ],
  certifications: [
    "program_code",
    "kind",
    "stakeholder_id",
    "status",
    "certification_number",
    "certified_on",
    "expires_on",
  ],
  labs: ["rems_patient_id", "program_code", "test_code", "collected_date", "result_flag", "lab_id"],
} as const satisfies Record<RegistryEntity, readonly string[]>;

export function registryFileName(entity: RegistryEntity): string {
  return `${entity}.csv`;
}

/** Statuses an imported certification (or patient enrollment) may carry, per stakeholder kind. */
export const IMPORTABLE_STATUSES = {
  PRESCRIBER: ["CERTIFIED", "SUSPENDED", "DECERTIFIED", "EXPIRED"],
  PHARMACY: ["CERTIFIED", "SUSPENDED", "DECERTIFIED", "EXPIRED"],
  HEALTHCARE_SETTING: ["CERTIFIED", "SUSPENDED", "DECERTIFIED", "EXPIRED"],
  PATIENT: ["ENROLLED", "NOT_AUTHORIZED", "DISENROLLED"],
} as const;
export type ImportKind = keyof typeof IMPORTABLE_STATUSES;

export interface EntityCounts {
  /** Data rows read from the file (the header not counted). */
  read: number;
  written: number;
  /** Accepted rows whose record was already in the registry with the same values. */
  alreadyPresent: number;
  rejected: number;
}

export interface RejectedRegistryRow {
  entity: RegistryEntity;
  file: string;
  /** Line in the file; the header is line 1. */
  line: number;
  reasons: string[];
}

export interface RegistryImportOutcome {
  /** null when the import was refused before anything was written. */
  runId: string | null;
  status: "completed" | "interrupted" | "refused";
  /** A run over the same files that had stopped was continued. */
  resumed: boolean;
  /** Why the whole import was refused (not UTF-8, wrong columns, broken CSV). */
  error?: string;
  counts: Record<RegistryEntity, EntityCounts>;
  rejected: RejectedRegistryRow[];
}
