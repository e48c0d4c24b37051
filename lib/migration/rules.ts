/**
 * Checks on one row of a registry export, on its own (no database): column count, hostile text,
 * identifiers with their check digits (lib/identifiers), real calendar days not in the future,
 * known enumerations. Cross-row checks (duplicates, references, the registry) are in service.ts.
 */
import { isCalendarDay } from "../calendar";
import { certificationNumberPrefix } from "../enrollment/numbers";
import { hostileTextProblem } from "../http/hostile-text";
import { isValidNcpdpId } from "../identifiers/ncpdp";
import { isValidNpi } from "../identifiers/npi";
import { isValidRemsId, normalizeRemsId, REMS_ID_PREFIXES } from "../identifiers/rems-id";
import { IMPORTABLE_STATUSES, type ImportKind, REGISTRY_COLUMNS, type RegistryEntity } from "./schema";

export interface PrescriberRow {
  npi: string;
  firstName: string;
  lastName: string;
  credentials: string | null;
  specialty: string | null;
  state: string | null;
  email: string | null;
}
export interface SettingRow {
  remsId: string;
  npi: string | null;
  name: string;
  type: string | null;
  state: string | null;
}
export interface PharmacyRow {
  remsId: string;
  ncpdpId: string;
  npi: string | null;
  name: string;
  type: string | null;
  state: string | null;
}
export interface PatientRow {
  remsId: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  sex: string | null;
  state: string | null;
  prescriberNpi: string;
  settingRemsId: string | null;
}
export interface CertificationRow {
  programCode: string;
  kind: ImportKind;
  stakeholderId: string;
  status: string;
  certificationNumber: string | null;
  certifiedOn: string;
  expiresOn: string | null;
}
export interface LabRow {
  patientRemsId: string;
  programCode: string;
  testCode: string;
  collectedOn: string;
  abnormal: boolean;
  labId: string;
}

export interface RowsOf {
  prescribers: PrescriberRow;
  settings: SettingRow;
  pharmacies: PharmacyRow;
  patients: PatientRow;
  certifications: CertificationRow;
  labs: LabRow;
}

export type RowCheck<T> = { ok: true; row: T } | { ok: false; reasons: string[] };

const SETTING_TYPES = ["INFUSION_CENTER", "HOSPITAL_OUTPATIENT", "PHYSICIAN_OFFICE"];
const PHARMACY_TYPES = ["SPECIALTY", "HOSPITAL", "RETAIL"];
const SEXES = ["F", "M", "X", "U"];
const STATE = /^[A-Z]{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Collects reasons while reading named, trimmed fields of one row. */
class Fields {
  readonly reasons: string[] = [];
  constructor(private readonly byName: Record<string, string>) {}

  text(name: string, max = 100): string {
    const value = this.byName[name] ?? "";
    if (value === "") this.reasons.push(`${name} is missing`);
    else if (value.length > max) this.reasons.push(`${name} is longer than ${max} characters`);
    return value;
  }

  optional(name: string, max = 100): string | null {
    const value = this.byName[name] ?? "";
    if (value.length > max) this.reasons.push(`${name} is longer than ${max} characters`);
    return value === "" ? null : value;
  }

  npi(name: string, required: boolean): string | null {
    const value = this.byName[name] ?? "";
    if (value === "") {
      if (required) this.reasons.push(`${name} is missing`);
      return null;
    }
    if (!/^\d{10}$/.test(value)) this.reasons.push(`${name} "${value}" is not 10 digits`);
    else if (!isValidNpi(value)) this.reasons.push(`${name} ${value} has a wrong check digit`);
    return value;
  }

  remsId(name: string, prefix: string, required: boolean): string | null {
    const raw = this.byName[name] ?? "";
    if (raw === "") {
      if (required) this.reasons.push(`${name} is missing`);
      return null;
    }
    const id = normalizeRemsId(raw);
    if (id === null || !id.startsWith(`${prefix}-`)) this.reasons.push(`${name} "${raw}" is not a ${prefix}- REMS id`);
    else if (!isValidRemsId(id, prefix)) this.reasons.push(`${name} ${raw} has a wrong check character`);
    return id ?? raw;
  }

  oneOf(name: string, allowed: readonly string[], required: boolean): string | null {
    const raw = this.byName[name] ?? "";
    const value = raw.toUpperCase();
    if (value === "") {
      if (required) this.reasons.push(`${name} is missing`);
      return null;
    }
    if (!allowed.includes(value)) this.reasons.push(`unknown ${name} "${raw}" (expected ${allowed.join(", ")})`);
    return value;
  }

  state(name: string): string | null {
    const value = (this.byName[name] ?? "").toUpperCase();
    if (value !== "" && !STATE.test(value)) this.reasons.push(`${name} "${value}" is not a 2-letter state code`);
    return value === "" ? null : value;
  }

  /** A real calendar day, YYYY-MM-DD, not after `today` unless `future` allows it. */
  day(name: string, today: string, options: { required: boolean; future?: boolean }): string | null {
    const value = this.byName[name] ?? "";
    if (value === "") {
      if (options.required) this.reasons.push(`${name} is missing`);
      return null;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !isCalendarDay(value)) {
      this.reasons.push(`${name} "${value}" is not a real date (YYYY-MM-DD)`);
    } else if (!options.future && value > today) this.reasons.push(`${name} ${value} is in the future`);
    else if (value < "1900-01-01") this.reasons.push(`${name} ${value} is before 1900`);
    return value;
  }
}

/** Splits a row into named, trimmed values, or the reasons it cannot be read at all. */
function fieldsOf(entity: RegistryEntity, values: string[]): Fields | string[] {
  const columns = REGISTRY_COLUMNS[entity];
  if (values.length !== columns.length) return [`expected ${columns.length} columns, found ${values.length}`];
  const hostile: string[] = [];
  const byName: Record<string, string> = {};
  columns.forEach((column, i) => {
    const value = values[i] ?? "";
    const problem = hostileTextProblem(value);
    if (problem) hostile.push(`${column}: ${problem.charAt(0).toLowerCase()}${problem.slice(1)}`);
    byName[column] = value.trim();
  });
  return hostile.length > 0 ? hostile : new Fields(byName);
}

function done<T>(f: Fields, row: T): RowCheck<T> {
  return f.reasons.length > 0 ? { ok: false, reasons: f.reasons } : { ok: true, row };
}

type Checker<T> = (f: Fields, today: string) => RowCheck<T>;

const CHECKERS: { [E in RegistryEntity]: Checker<RowsOf[E]> } = {
  prescribers: (f) => {
    const npi = f.npi("npi", true) ?? "";
    const row = {
      npi,
      firstName: f.text("first_name"),
      lastName: f.text("last_name"),
      credentials: f.optional("credentials", 40),
      specialty: f.optional("specialty"),
      state: f.state("state"),
      email: f.optional("email", 254),
    };
    if (row.email && !EMAIL.test(row.email)) f.reasons.push(`email "${row.email}" is not an e-mail address`);
    return done(f, row);
  },
  settings: (f) =>
    done(f, {
      remsId: f.remsId("rems_id", REMS_ID_PREFIXES.healthcareSetting, true) ?? "",
      npi: f.npi("npi", false),
      name: f.text("name", 200),
      type: f.oneOf("type", SETTING_TYPES, false),
      state: f.state("state"),
    }),
  pharmacies: (f) => {
    const remsId = f.remsId("rems_id", REMS_ID_PREFIXES.pharmacy, true) ?? "";
    const ncpdpId = f.text("ncpdp_id", 7);
    if (ncpdpId !== "" && !isValidNcpdpId(ncpdpId)) f.reasons.push(`ncpdp_id "${ncpdpId}" is not a valid NCPDP id`);
    return done(f, {
      remsId,
      ncpdpId,
      npi: f.npi("npi", false),
      name: f.text("name", 200),
      type: f.oneOf("type", PHARMACY_TYPES, false),
      state: f.state("state"),
    });
  },
  patients: (f, today) =>
    done(f, {
      remsId: f.remsId("rems_id", REMS_ID_PREFIXES.patient, true) ?? "",
      firstName: f.text("first_name"),
      lastName: f.text("last_name"),
      dateOfBirth: f.day("date_of_birth", today, { required: true }) ?? "",
      sex: f.oneOf("sex", SEXES, false),
      state: f.state("state"),
      prescriberNpi: f.npi("prescriber_npi", true) ?? "",
      settingRemsId: f.remsId("setting_rems_id", REMS_ID_PREFIXES.healthcareSetting, false),
    }),
  certifications: (f, today) => {
    const programCode = f.text("program_code", 40).toUpperCase();
    const kind = f.oneOf("kind", Object.keys(IMPORTABLE_STATUSES), true) as ImportKind | null;
    const rawStakeholder = f.text("stakeholder_id", 40);
    let stakeholderId = rawStakeholder;
    let status = "";
    let certificationNumber: string | null = null;
    if (kind && kind in IMPORTABLE_STATUSES) {
      if (kind === "PRESCRIBER") stakeholderId = f.npi("stakeholder_id", true) ?? "";
      else if (kind === "PHARMACY") {
        if (rawStakeholder !== "" && !isValidNcpdpId(rawStakeholder))
          f.reasons.push(`stakeholder_id "${rawStakeholder}" is not a valid NCPDP id`);
      } else {
        const prefix = kind === "PATIENT" ? REMS_ID_PREFIXES.patient : REMS_ID_PREFIXES.healthcareSetting;
        stakeholderId = f.remsId("stakeholder_id", prefix, true) ?? "";
      }
      status = f.oneOf("status", IMPORTABLE_STATUSES[kind], true) ?? "";
      certificationNumber = f.remsId("certification_number", certificationNumberPrefix(kind), kind !== "PATIENT");
    }
    const certifiedOn = f.day("certified_on", today, { required: true }) ?? "";
    const expiresOn = f.day("expires_on", today, { required: false, future: true });
    if (expiresOn && certifiedOn && expiresOn <= certifiedOn && f.reasons.length === 0)
      f.reasons.push(`expires_on ${expiresOn} is not after certified_on ${certifiedOn}`);
    return done(f, {
      programCode,
      kind: kind ?? "PRESCRIBER",
      stakeholderId,
      status,
      certificationNumber,
      certifiedOn,
      expiresOn,
    });
  },
  labs: (f, today) => {
    const patientRemsId = f.remsId("rems_patient_id", REMS_ID_PREFIXES.patient, true) ?? "";
    const programCode = f.text("program_code", 40).toUpperCase();
    const testCode = f.text("test_code", 40).toUpperCase();
    const collectedOn = f.day("collected_date", today, { required: true }) ?? "";
    const flag = f.oneOf("result_flag", ["NORMAL", "ABNORMAL"], true);
    return done(f, {
      patientRemsId,
      programCode,
      testCode,
      collectedOn,
      abnormal: flag === "ABNORMAL",
      labId: f.text("lab_id", 64),
    });
  },
};

/** Every reason one row of `entity` cannot be imported on its own, or the row normalised. */
export function checkRegistryRow<E extends RegistryEntity>(
  entity: E,
  values: string[],
  today: string,
): RowCheck<RowsOf[E]> {
  const fields = fieldsOf(entity, values);
  if (Array.isArray(fields)) return { ok: false, reasons: fields };
  return (CHECKERS[entity] as Checker<RowsOf[E]>)(fields, today);
}

/** The natural keys that must be unique within a file and against the registry. */
export function naturalKeys<E extends RegistryEntity>(entity: E, row: RowsOf[E]): string[] {
  switch (entity) {
    case "prescribers":
      return [`npi ${(row as PrescriberRow).npi}`];
    case "settings": {
      const r = row as SettingRow;
      return [`rems_id ${r.remsId}`, ...(r.npi ? [`npi ${r.npi}`] : [])];
    }
    case "pharmacies": {
      const r = row as PharmacyRow;
      return [`rems_id ${r.remsId}`, `ncpdp_id ${r.ncpdpId}`, ...(r.npi ? [`npi ${r.npi}`] : [])];
    }
    case "patients":
      return [`rems_id ${(row as PatientRow).remsId}`];
    case "certifications": {
      const r = row as CertificationRow;
      const keys = [`${r.programCode} ${r.kind.toLowerCase()} ${r.stakeholderId}`];
      return r.certificationNumber ? [...keys, `certification_number ${r.certificationNumber}`] : keys;
    }
    default: {
      const r = row as LabRow;
      return [`lab result ${r.patientRemsId} ${r.testCode} ${r.collectedOn} ${r.labId}`];
    }
  }
}
