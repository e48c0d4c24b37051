/**
 * Migration from an existing registry (docs/migration-import.md): reads the CSV export in a folder,
 * validates every row of every file before writing anything, then writes the accepted rows in
 * batches, one transaction per batch: a multi-row `INSERT … SELECT FROM unnest(…) ON CONFLICT DO
 * NOTHING`, one audit event naming the entity, the lines and the count, and the run's checkpoint
 * (RegistryImport.progress) — so the checkpoint exists exactly when the rows it counts do.
 *
 * Resuming: the run is keyed by the SHA-256 of the files. A later run over the same files finds the
 * unfinished run and skips the batches it had committed. Validation is deterministic, and rows an
 * earlier attempt wrote are identical to the registry, so the accepted rows and their batches come
 * out the same on every attempt. Running again after completion writes nothing: every accepted row
 * is then "already present".
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { systemActor } from "../auth/actor";
import { recordAudit } from "../audit/service";
import { dayOf } from "../calendar";
import { type Db, db, type Tx } from "../db";
import { csvLine } from "../csv/writer";
import { getProgramDefinition } from "../programs/registry";
import {
  type CertificationRow,
  checkRegistryRow,
  type LabRow,
  naturalKeys,
  type PatientRow,
  type PharmacyRow,
  type PrescriberRow,
  type RowsOf,
  type SettingRow,
} from "./rules";
import {
  type EntityCounts,
  REGISTRY_COLUMNS,
  REGISTRY_ENTITIES,
  type RegistryEntity,
  type RegistryImportOutcome,
  type RejectedRegistryRow,
  registryFileName,
} from "./schema";

export const REGISTRY_IMPORT_BATCH_SIZE = 2000;
const LOOKUP_CHUNK = 5000;

export interface RegistryImportOptions {
  /** Today's date (YYYY-MM-DD, UTC) for "not in the future"; defaults to the real day. */
  today?: string;
  batchSize?: number;
  /** Stop after this many batches are committed in this invocation (tests an interruption). */
  stopAfterBatches?: number;
  onProgress?: (message: string) => void;
  /** The database to import into (default: the configured one). */
  client?: Db;
}

interface ParsedRow<T> {
  line: number;
  row: T;
}

type Accepted = { [E in RegistryEntity]: ParsedRow<RowsOf[E]>[] };

class ExportRefused extends Error {}

interface Progress {
  [entity: string]: { batchesDone: number; written: number };
}

function emptyCounts(): Record<RegistryEntity, EntityCounts> {
  return Object.fromEntries(
    REGISTRY_ENTITIES.map((e) => [e, { read: 0, written: 0, alreadyPresent: 0, rejected: 0 }]),
  ) as Record<RegistryEntity, EntityCounts>;
}

/** The 1-based line of the first byte sequence that is not UTF-8, or null when the whole file is. */
export function firstNonUtf8Line(bytes: Buffer): number | null {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    line++;
    start = end + 1;
  }
  return null;
}

/** The files of an export, read and hashed; null for a file that is not there. */
async function readExport(folder: string) {
  const hash = createHash("sha256");
  const files = {} as Record<RegistryEntity, Buffer | null>;
  for (const entity of REGISTRY_ENTITIES) {
    const name = registryFileName(entity);
    try {
      files[entity] = await readFile(path.join(folder, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      files[entity] = null;
    }
    hash.update(
      `${name}\0${files[entity] === null ? "absent" : createHash("sha256").update(files[entity]).digest("hex")}\n`,
    );
  }
  return { files, contentHash: hash.digest("hex") };
}

/** Streams one file through csv-parse; yields each record with its line. Refuses the whole file on a file-level problem. */
async function* recordsOf(entity: RegistryEntity, bytes: Buffer): AsyncGenerator<{ line: number; values: string[] }> {
  const file = registryFileName(entity);
  const badLine = firstNonUtf8Line(bytes);
  if (badLine !== null)
    throw new ExportRefused(
      `${file} line ${badLine} is not UTF-8 text. Save every file of the export as UTF-8 and run again.`,
    );
  const parser = Readable.from([bytes]).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }),
  );
  let header = true;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (header) {
        header = false;
        const got = record.map((h) => h.trim().toLowerCase());
        const expected = REGISTRY_COLUMNS[entity] as readonly string[];
        if (got.length !== expected.length || got.some((h, i) => h !== expected[i]))
          throw new ExportRefused(`${file}: the columns must be ${expected.join(",")} (found ${record.join(",")}).`);
        continue;
      }
      yield { line: info.lines, values: record };
    }
  } catch (error) {
    if (error instanceof CsvError) throw new ExportRefused(`${file} is not a readable CSV file: ${error.message}`);
    throw error;
  }
}

async function lookup<T>(keys: Iterable<string>, fetch: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const all = [...new Set(keys)];
  const out: T[] = [];
  for (let i = 0; i < all.length; i += LOOKUP_CHUNK) out.push(...(await fetch(all.slice(i, i + LOOKUP_CHUNK))));
  return out;
}

const STAKEHOLDER_SELECT = {
  prescriber: { select: { npi: true } },
  pharmacy: { select: { ncpdpId: true } },
  healthcareSetting: { select: { remsId: true } },
  patient: { select: { remsId: true } },
} as const;

/** The natural key an export names an enrollment's stakeholder by. */
function stakeholderIdOf(e: {
  prescriber: { npi: string } | null;
  pharmacy: { ncpdpId: string } | null;
  healthcareSetting: { remsId: string } | null;
  patient: { remsId: string } | null;
}): string {
  return e.prescriber?.npi ?? e.pharmacy?.ncpdpId ?? e.healthcareSetting?.remsId ?? e.patient?.remsId ?? "";
}

/** What the registry already holds under the natural keys of the rows read, for conflict checks. */
async function registryFacts(parsed: Accepted, client: Db) {
  const npis = [
    ...parsed.prescribers.map((r) => r.row.npi),
    ...parsed.patients.map((r) => r.row.prescriberNpi),
    ...parsed.certifications.filter((r) => r.row.kind === "PRESCRIBER").map((r) => r.row.stakeholderId),
  ];
  const prescribers = await lookup(npis, (chunk) =>
    client.prescriber.findMany({
      where: { npi: { in: chunk } },
      select: { npi: true, firstName: true, lastName: true },
    }),
  );
  const settingIds = [
    ...parsed.settings.map((r) => r.row.remsId),
    ...parsed.patients.flatMap((r) => (r.row.settingRemsId ? [r.row.settingRemsId] : [])),
    ...parsed.certifications.filter((r) => r.row.kind === "HEALTHCARE_SETTING").map((r) => r.row.stakeholderId),
  ];
  const settings = await lookup(settingIds, (chunk) =>
    client.healthcareSetting.findMany({
      where: { remsId: { in: chunk } },
      select: { remsId: true, name: true, npi: true },
    }),
  );
  const settingNpis = await lookup(
    [...parsed.settings, ...parsed.pharmacies].flatMap((r) => (r.row.npi ? [r.row.npi] : [])),
    async (chunk) => [
      ...(await client.healthcareSetting.findMany({
        where: { npi: { in: chunk } },
        select: { npi: true, remsId: true },
      })),
      ...(await client.pharmacy.findMany({ where: { npi: { in: chunk } }, select: { npi: true, remsId: true } })),
    ],
  );
  const pharmacyNcpdps = [
    ...parsed.pharmacies.map((r) => r.row.ncpdpId),
    ...parsed.certifications.filter((r) => r.row.kind === "PHARMACY").map((r) => r.row.stakeholderId),
  ];
  const pharmacies = await lookup(pharmacyNcpdps, (chunk) =>
    client.pharmacy.findMany({
      where: { ncpdpId: { in: chunk } },
      select: { ncpdpId: true, remsId: true, name: true },
    }),
  );
  const pharmacyRemsIds = await lookup(
    parsed.pharmacies.map((r) => r.row.remsId),
    (chunk) => client.pharmacy.findMany({ where: { remsId: { in: chunk } }, select: { remsId: true, ncpdpId: true } }),
  );
  const patientIds = [
    ...parsed.patients.map((r) => r.row.remsId),
    ...parsed.certifications.filter((r) => r.row.kind === "PATIENT").map((r) => r.row.stakeholderId),
    ...parsed.labs.map((r) => r.row.patientRemsId),
  ];
  const patients = await lookup(patientIds, (chunk) =>
    client.patient.findMany({
      where: { remsId: { in: chunk } },
      select: { remsId: true, lastName: true, dateOfBirth: true },
    }),
  );
  const numbers = await lookup(
    parsed.certifications.flatMap((r) => (r.row.certificationNumber ? [r.row.certificationNumber] : [])),
    (chunk) =>
      client.enrollment.findMany({
        where: { certificationNumber: { in: chunk } },
        select: {
          certificationNumber: true,
          status: true,
          kind: true,
          program: { select: { code: true } },
          ...STAKEHOLDER_SELECT,
        },
      }),
  );
  const enrollmentsByStakeholder = new Map<string, { status: string; certificationNumber: string | null }>();
  const stakeholderKey = (code: string, kind: string, id: string) => `${code} ${kind} ${id}`;
  const enrollmentSelect = {
    status: true,
    certificationNumber: true,
    program: { select: { code: true } },
  } as const;
  const certs = parsed.certifications;
  for (const kind of ["PRESCRIBER", "PHARMACY", "HEALTHCARE_SETTING", "PATIENT"] as const) {
    const ids = certs.filter((r) => r.row.kind === kind).map((r) => r.row.stakeholderId);
    await lookup(ids, async (chunk) => {
      const where =
        kind === "PRESCRIBER"
          ? { prescriber: { npi: { in: chunk } } }
          : kind === "PHARMACY"
            ? { pharmacy: { ncpdpId: { in: chunk } } }
            : kind === "HEALTHCARE_SETTING"
              ? { healthcareSetting: { remsId: { in: chunk } } }
              : { patient: { remsId: { in: chunk } } };
      const rows = await client.enrollment.findMany({
        where: { kind, ...where },
        select: {
          ...enrollmentSelect,
          ...STAKEHOLDER_SELECT,
        },
      });
      for (const e of rows) {
        const id = stakeholderIdOf(e);
        enrollmentsByStakeholder.set(stakeholderKey(e.program.code, kind, id), e);
      }
      return [];
    });
  }
  const programs = await client.program.findMany({ select: { code: true } });
  return {
    prescribers: new Map(prescribers.map((p) => [p.npi, p])),
    settings: new Map(settings.map((s) => [s.remsId, s])),
    npiOwners: new Map(settingNpis.flatMap((s) => (s.npi ? [[s.npi, s.remsId] as const] : []))),
    pharmaciesByNcpdp: new Map(pharmacies.map((p) => [p.ncpdpId, p])),
    pharmaciesByRemsId: new Map(pharmacyRemsIds.map((p) => [p.remsId, p])),
    patients: new Map(patients.map((p) => [p.remsId, { lastName: p.lastName, dateOfBirth: dayOf(p.dateOfBirth) }])),
    certificationNumbers: new Map(
      numbers.map((e) => [e.certificationNumber ?? "", stakeholderKey(e.program.code, e.kind, stakeholderIdOf(e))]),
    ),
    enrollments: enrollmentsByStakeholder,
    stakeholderKey,
    programs: new Set(programs.map((p) => p.code)),
  };
}

type Facts = Awaited<ReturnType<typeof registryFacts>>;

/**
 * Reasons a row that passed its own checks still cannot be imported: an unknown reference (in
 * neither the export's accepted rows nor the registry), or a record the registry already holds
 * with other values. `accepted` holds the rows of earlier entities that survived.
 */
function crossReasons<E extends RegistryEntity>(
  entity: E,
  row: RowsOf[E],
  facts: Facts,
  accepted: AcceptedKeys,
): string[] {
  const reasons: string[] = [];
  switch (entity) {
    case "prescribers": {
      const r = row as PrescriberRow;
      const existing = facts.prescribers.get(r.npi);
      if (existing && (existing.firstName !== r.firstName || existing.lastName !== r.lastName))
        reasons.push(`NPI ${r.npi} is already in the registry as ${existing.firstName} ${existing.lastName}`);
      break;
    }
    case "settings": {
      const r = row as SettingRow;
      const existing = facts.settings.get(r.remsId);
      if (existing && existing.name !== r.name)
        reasons.push(`${r.remsId} is already in the registry as "${existing.name}"`);
      const npiOwner = r.npi ? facts.npiOwners.get(r.npi) : undefined;
      if (npiOwner && npiOwner !== r.remsId)
        reasons.push(`NPI ${r.npi} already belongs to ${npiOwner} in the registry`);
      break;
    }
    case "pharmacies": {
      const r = row as PharmacyRow;
      const byNcpdp = facts.pharmaciesByNcpdp.get(r.ncpdpId);
      if (byNcpdp && (byNcpdp.remsId !== r.remsId || byNcpdp.name !== r.name))
        reasons.push(`NCPDP ${r.ncpdpId} is already in the registry as ${byNcpdp.remsId} "${byNcpdp.name}"`);
      const byRemsId = facts.pharmaciesByRemsId.get(r.remsId);
      if (byRemsId && byRemsId.ncpdpId !== r.ncpdpId)
        reasons.push(`${r.remsId} is already in the registry with NCPDP ${byRemsId.ncpdpId}`);
      const npiOwner = r.npi ? facts.npiOwners.get(r.npi) : undefined;
      if (npiOwner && npiOwner !== r.remsId)
        reasons.push(`NPI ${r.npi} already belongs to ${npiOwner} in the registry`);
      break;
    }
    case "patients": {
      const r = row as PatientRow;
      if (!accepted.prescribers.has(r.prescriberNpi) && !facts.prescribers.has(r.prescriberNpi))
        reasons.push(`unknown prescriber NPI ${r.prescriberNpi}`);
      if (r.settingRemsId && !accepted.settings.has(r.settingRemsId) && !facts.settings.has(r.settingRemsId))
        reasons.push(`unknown healthcare setting ${r.settingRemsId}`);
      const existing = facts.patients.get(r.remsId);
      if (existing && (existing.lastName !== r.lastName || existing.dateOfBirth !== r.dateOfBirth))
        reasons.push(`${r.remsId} is already in the registry with another name or date of birth`);
      break;
    }
    case "certifications": {
      const r = row as CertificationRow;
      if (!facts.programs.has(r.programCode))
        reasons.push(
          getProgramDefinition(r.programCode)
            ? `programme ${r.programCode} is not set up in this registry yet (run npm run db:seed first)`
            : `unknown programme ${r.programCode}`,
        );
      const known =
        r.kind === "PRESCRIBER"
          ? accepted.prescribers.has(r.stakeholderId) || facts.prescribers.has(r.stakeholderId)
          : r.kind === "PHARMACY"
            ? accepted.pharmacies.has(r.stakeholderId) || facts.pharmaciesByNcpdp.has(r.stakeholderId)
            : r.kind === "HEALTHCARE_SETTING"
              ? accepted.settings.has(r.stakeholderId) || facts.settings.has(r.stakeholderId)
              : accepted.patients.has(r.stakeholderId) || facts.patients.has(r.stakeholderId);
      if (!known) reasons.push(`unknown ${r.kind.toLowerCase().replace("_", " ")} ${r.stakeholderId}`);
      const key = facts.stakeholderKey(r.programCode, r.kind, r.stakeholderId);
      const existing = facts.enrollments.get(key);
      if (existing && (existing.status !== r.status || existing.certificationNumber !== r.certificationNumber))
        reasons.push(`the registry already holds this ${r.programCode} enrollment with another status or number`);
      const owner = r.certificationNumber ? facts.certificationNumbers.get(r.certificationNumber) : undefined;
      if (owner && owner !== key)
        reasons.push(`certification number ${r.certificationNumber} already belongs to another enrollment`);
      break;
    }
    default: {
      const r = row as LabRow;
      const definition = getProgramDefinition(r.programCode);
      if (!definition) reasons.push(`unknown programme ${r.programCode}`);
      else if (!definition.monitoring?.testTypes.some((t) => t.code === r.testCode))
        reasons.push(`unknown test code ${r.testCode} for ${r.programCode}`);
      const dob = accepted.patients.get(r.patientRemsId) ?? facts.patients.get(r.patientRemsId)?.dateOfBirth;
      if (dob === undefined) reasons.push(`unknown patient ${r.patientRemsId}`);
      else if (r.collectedOn < dob)
        reasons.push(`collected_date ${r.collectedOn} is before the patient's date of birth`);
    }
  }
  return reasons;
}

interface AcceptedKeys {
  prescribers: Set<string>;
  settings: Set<string>;
  /** NCPDP ids. */
  pharmacies: Set<string>;
  /** REMS id → date of birth. */
  patients: Map<string, string>;
}

/** Reads and checks the whole export. Throws ExportRefused for a file-level problem. */
async function validateExport(files: Record<RegistryEntity, Buffer | null>, today: string, client: Db) {
  const counts = emptyCounts();
  const rejected: RejectedRegistryRow[] = [];
  const parsed = Object.fromEntries(REGISTRY_ENTITIES.map((e) => [e, []])) as unknown as Accepted;
  const reject = (entity: RegistryEntity, line: number, reasons: string[]) => {
    rejected.push({ entity, file: registryFileName(entity), line, reasons });
    counts[entity].rejected++;
  };
  // Pass 1: each row on its own, and duplicates within its file.
  for (const entity of REGISTRY_ENTITIES) {
    const bytes = files[entity];
    if (!bytes) continue;
    const seen = new Map<string, number>();
    for await (const { line, values } of recordsOf(entity, bytes)) {
      counts[entity].read++;
      const check = checkRegistryRow(entity, values, today);
      if (!check.ok) {
        reject(entity, line, check.reasons);
        continue;
      }
      const keys = naturalKeys(entity, check.row);
      const duplicates = keys.flatMap((k) => (seen.has(k) ? [`duplicate ${k} (first on line ${seen.get(k)})`] : []));
      if (duplicates.length > 0) {
        reject(entity, line, duplicates);
        continue;
      }
      for (const k of keys) seen.set(k, line);
      (parsed[entity] as ParsedRow<unknown>[]).push({ line, row: check.row });
    }
  }
  // Pass 2: references and the registry, entity by entity so a rejected prescriber rejects its patients.
  const facts = await registryFacts(parsed, client);
  const accepted: AcceptedKeys = {
    prescribers: new Set(),
    settings: new Set(),
    pharmacies: new Set(),
    patients: new Map(),
  };
  const result = Object.fromEntries(REGISTRY_ENTITIES.map((e) => [e, []])) as unknown as Accepted;
  for (const entity of REGISTRY_ENTITIES) {
    for (const item of parsed[entity] as ParsedRow<RowsOf[typeof entity]>[]) {
      const reasons = crossReasons(entity, item.row, facts, accepted);
      if (reasons.length > 0) {
        reject(entity, item.line, reasons);
        continue;
      }
      (result[entity] as ParsedRow<unknown>[]).push(item);
      if (entity === "prescribers") accepted.prescribers.add((item.row as PrescriberRow).npi);
      if (entity === "settings") accepted.settings.add((item.row as SettingRow).remsId);
      if (entity === "pharmacies") accepted.pharmacies.add((item.row as PharmacyRow).ncpdpId);
      if (entity === "patients") {
        const p = item.row as PatientRow;
        accepted.patients.set(p.remsId, p.dateOfBirth);
      }
    }
  }
  rejected.sort((a, b) => REGISTRY_ENTITIES.indexOf(a.entity) - REGISTRY_ENTITIES.indexOf(b.entity) || a.line - b.line);
  return { counts, rejected, accepted: result };
}

/** One multi-row insert per batch; returns how many rows were new. */
async function insertBatch(tx: Tx, entity: RegistryEntity, rows: ParsedRow<RowsOf[RegistryEntity]>[]): Promise<number> {
  const col = <T, R>(pick: (r: T) => R) => rows.map((r) => pick(r.row as T));
  switch (entity) {
    case "prescribers":
      return tx.$executeRaw`
        INSERT INTO "Prescriber" ("id", "npi", "firstName", "lastName", "credentials", "specialty", "state", "email", "updatedAt")
        SELECT gen_random_uuid(), r.npi, r.fn, r.ln, r.cr, r.sp, r.st, r.em, now()
        FROM unnest(${col((r: PrescriberRow) => r.npi)}::text[], ${col((r: PrescriberRow) => r.firstName)}::text[],
          ${col((r: PrescriberRow) => r.lastName)}::text[], ${col((r: PrescriberRow) => r.credentials)}::text[],
          ${col((r: PrescriberRow) => r.specialty)}::text[], ${col((r: PrescriberRow) => r.state)}::text[],
          ${col((r: PrescriberRow) => r.email)}::text[]) AS r(npi, fn, ln, cr, sp, st, em)
        ON CONFLICT DO NOTHING`;
    case "settings":
      return tx.$executeRaw`
        INSERT INTO "HealthcareSetting" ("id", "remsId", "npi", "name", "type", "state", "updatedAt")
        SELECT gen_random_uuid(), r.id, r.npi, r.nm, r.ty::"HealthcareSettingType", r.st, now()
        FROM unnest(${col((r: SettingRow) => r.remsId)}::text[], ${col((r: SettingRow) => r.npi)}::text[],
          ${col((r: SettingRow) => r.name)}::text[], ${col((r: SettingRow) => r.type)}::text[],
          ${col((r: SettingRow) => r.state)}::text[]) AS r(id, npi, nm, ty, st)
        ON CONFLICT DO NOTHING`;
    case "pharmacies":
      return tx.$executeRaw`
        INSERT INTO "Pharmacy" ("id", "remsId", "ncpdpId", "npi", "name", "type", "state", "updatedAt")
        SELECT gen_random_uuid(), r.id, r.nc, r.npi, r.nm, r.ty::"PharmacyType", r.st, now()
        FROM unnest(${col((r: PharmacyRow) => r.remsId)}::text[], ${col((r: PharmacyRow) => r.ncpdpId)}::text[],
          ${col((r: PharmacyRow) => r.npi)}::text[], ${col((r: PharmacyRow) => r.name)}::text[],
          ${col((r: PharmacyRow) => r.type)}::text[], ${col((r: PharmacyRow) => r.state)}::text[]) AS r(id, nc, npi, nm, ty, st)
        ON CONFLICT DO NOTHING`;
    case "patients":
      return tx.$executeRaw`
        INSERT INTO "Patient" ("id", "remsId", "firstName", "lastName", "dateOfBirth", "sex", "state", "prescriberId",
          "healthcareSettingId", "updatedAt")
        SELECT gen_random_uuid(), r.id, r.fn, r.ln, r.dob, r.sx, r.st, pr."id", hs."id", now()
        FROM unnest(${col((r: PatientRow) => r.remsId)}::text[], ${col((r: PatientRow) => r.firstName)}::text[],
          ${col((r: PatientRow) => r.lastName)}::text[], ${col((r: PatientRow) => r.dateOfBirth)}::date[],
          ${col((r: PatientRow) => r.sex)}::text[], ${col((r: PatientRow) => r.state)}::text[],
          ${col((r: PatientRow) => r.prescriberNpi)}::text[], ${col((r: PatientRow) => r.settingRemsId)}::text[])
          AS r(id, fn, ln, dob, sx, st, npi, hs)
        JOIN "Prescriber" pr ON pr."npi" = r.npi
        LEFT JOIN "HealthcareSetting" hs ON hs."remsId" = r.hs
        ON CONFLICT DO NOTHING`;
    case "certifications":
      return tx.$executeRaw`
        INSERT INTO "Enrollment" ("id", "programId", "kind", "status", "prescriberId", "pharmacyId", "healthcareSettingId",
          "patientId", "certificationNumber", "decidedAt", "certifiedAt", "expiresAt", "statusReason", "updatedAt")
        SELECT gen_random_uuid(), pg."id", r.kd::"StakeholderKind", r.st::"EnrollmentStatus", pr."id", ph."id", hs."id",
          pt."id", r.num, r.con::timestamptz, r.con::timestamptz, r.exp::timestamptz, 'Imported from the previous registry', now()
        FROM unnest(${col((r: CertificationRow) => r.programCode)}::text[], ${col((r: CertificationRow) => r.kind)}::text[],
          ${col((r: CertificationRow) => r.stakeholderId)}::text[], ${col((r: CertificationRow) => r.status)}::text[],
          ${col((r: CertificationRow) => r.certificationNumber)}::text[], ${col((r: CertificationRow) => r.certifiedOn)}::date[],
          ${col((r: CertificationRow) => r.expiresOn)}::date[]) AS r(code, kd, sid, st, num, con, exp)
        JOIN "Program" pg ON pg."code" = r.code
        LEFT JOIN "Prescriber" pr ON r.kd = 'PRESCRIBER' AND pr."npi" = r.sid
        LEFT JOIN "Pharmacy" ph ON r.kd = 'PHARMACY' AND ph."ncpdpId" = r.sid
        LEFT JOIN "HealthcareSetting" hs ON r.kd = 'HEALTHCARE_SETTING' AND hs."remsId" = r.sid
        LEFT JOIN "Patient" pt ON r.kd = 'PATIENT' AND pt."remsId" = r.sid
        ON CONFLICT DO NOTHING`;
    default:
      // dedupeKey as labResultDedupeKey (lib/labs/service.ts) computes it, so a lab already in the
      // registry — imported or from the lab feed — is not written twice.
      return tx.$executeRaw`
        INSERT INTO "LabResult" ("id", "patientId", "programId", "testCode", "collectedOn", "abnormal", "labId", "source",
          "dedupeKey")
        SELECT gen_random_uuid(), pt."id", pg."id", r.tc, r.cd, r.ab, r.lab, 'migration',
          encode(sha256(convert_to(pt."id"::text || '|' || r.tc || '|' || to_char(r.cd, 'YYYY-MM-DD') || '|' || r.lab, 'UTF8')), 'hex')
        FROM unnest(${col((r: LabRow) => r.patientRemsId)}::text[], ${col((r: LabRow) => r.programCode)}::text[],
          ${col((r: LabRow) => r.testCode)}::text[], ${col((r: LabRow) => r.collectedOn)}::date[],
          ${col((r: LabRow) => r.abnormal)}::boolean[], ${col((r: LabRow) => r.labId)}::text[]) AS r(pid, code, tc, cd, ab, lab)
        JOIN "Patient" pt ON pt."remsId" = r.pid
        JOIN "Program" pg ON pg."code" = r.code
        ON CONFLICT DO NOTHING`;
  }
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * `npm run import:registry -- <folder>`: validates the whole export, then writes it in resumable
 * batches. Never throws for bad input: a refused export comes back with status "refused" and
 * nothing written.
 */
export async function importRegistry(
  folder: string,
  options: RegistryImportOptions = {},
): Promise<RegistryImportOutcome> {
  const say = options.onProgress ?? (() => {});
  const batchSize = options.batchSize ?? REGISTRY_IMPORT_BATCH_SIZE;
  const { files, contentHash } = await readExport(folder);
  let validated: Awaited<ReturnType<typeof validateExport>>;
  try {
    validated = await validateExport(files, options.today ?? today(), options.client ?? db());
  } catch (error) {
    if (error instanceof ExportRefused)
      return {
        runId: null,
        status: "refused",
        resumed: false,
        error: error.message,
        counts: emptyCounts(),
        rejected: [],
      };
    throw error;
  }
  const { counts, rejected, accepted } = validated;
  say(
    `Validated: ${REGISTRY_ENTITIES.map((e) => `${e} ${counts[e].read} read, ${counts[e].rejected} rejected`).join("; ")}.`,
  );

  const client = options.client ?? db();
  const unfinished = await client.registryImport.findFirst({
    where: { contentHash, status: "writing" },
    orderBy: { startedAt: "desc" },
  });
  const run =
    unfinished ??
    (await client.registryImport.create({
      data: { folder: path.resolve(folder), contentHash, status: "writing", progress: {} },
    }));
  const progress: Progress = { ...((run.progress as Progress | null) ?? {}) };
  const actor = systemActor(`registry-import-${run.id}`);
  if (unfinished) say(`Continuing import ${run.id} from its last checkpoint.`);

  let committed = 0;
  for (const entity of REGISTRY_ENTITIES) {
    const rows = accepted[entity] as ParsedRow<RowsOf[RegistryEntity]>[];
    const state = progress[entity] ?? { batchesDone: 0, written: 0 };
    const batches = Math.ceil(rows.length / batchSize);
    for (let b = state.batchesDone; b < batches; b++) {
      if (options.stopAfterBatches !== undefined && committed >= options.stopAfterBatches) {
        // Written so far; "already present" is only known once every batch has run.
        for (const e of REGISTRY_ENTITIES)
          counts[e].written = e === entity ? state.written : (progress[e]?.written ?? 0);
        return { runId: run.id, status: "interrupted", resumed: !!unfinished, counts, rejected };
      }
      const chunk = rows.slice(b * batchSize, (b + 1) * batchSize);
      const next = { ...progress };
      await client.$transaction(
        async (tx) => {
          const written = await insertBatch(tx, entity, chunk);
          next[entity] = { batchesDone: b + 1, written: state.written + written };
          await recordAudit(tx, actor, {
            action: "registry_import.batch_written",
            entityType: "RegistryImport",
            entityId: run.id,
            after: {
              entity,
              batch: b + 1,
              of: batches,
              rows: chunk.length,
              written,
              lines: [chunk[0]?.line, chunk.at(-1)?.line],
            },
          });
          await tx.registryImport.update({
            where: { id: run.id },
            data: { progress: JSON.parse(JSON.stringify(next)) },
          });
          state.batchesDone = b + 1;
          state.written += written;
        },
        { timeout: 120_000 },
      );
      progress[entity] = { ...state };
      committed++;
      say(`${entity}: batch ${b + 1}/${batches} written.`);
    }
    counts[entity].written = state.written;
    counts[entity].alreadyPresent = rows.length - state.written;
  }
  await client.$transaction(async (tx) => {
    await tx.registryImport.update({
      where: { id: run.id },
      data: { status: "completed", finishedAt: new Date(), summary: JSON.parse(JSON.stringify(counts)) },
    });
    await recordAudit(tx, actor, {
      action: "registry_import.completed",
      entityType: "RegistryImport",
      entityId: run.id,
      after: { folder: path.resolve(folder), counts, rejectedRows: rejected.length },
    });
  });
  return { runId: run.id, status: "completed", resumed: !!unfinished, counts, rejected };
}

export const RECONCILIATION_COLUMNS = [
  "entity",
  "file",
  "line",
  "read",
  "written",
  "already_present",
  "rejected",
  "reason",
] as const;

/** The reconciliation as CSV: one summary row per entity, then every rejected row with its reason. */
export function reconciliationCsv(outcome: RegistryImportOutcome): string {
  let text = csvLine(RECONCILIATION_COLUMNS);
  for (const entity of REGISTRY_ENTITIES) {
    const c = outcome.counts[entity];
    text += csvLine([entity, registryFileName(entity), null, c.read, c.written, c.alreadyPresent, c.rejected, null]);
  }
  for (const r of outcome.rejected)
    text += csvLine([r.entity, r.file, r.line, null, null, null, null, r.reasons.join("; ")]);
  return text;
}

/** The reconciliation for a terminal. */
export function reconciliationText(outcome: RegistryImportOutcome): string {
  const lines = [
    `${"entity".padEnd(16)}${"read".padStart(9)}${"written".padStart(9)}${"present".padStart(9)}${"rejected".padStart(9)}`,
  ];
  for (const entity of REGISTRY_ENTITIES) {
    const c = outcome.counts[entity];
    lines.push(
      `${entity.padEnd(16)}${String(c.read).padStart(9)}${String(c.written).padStart(9)}${String(c.alreadyPresent).padStart(9)}${String(c.rejected).padStart(9)}`,
    );
  }
  for (const r of outcome.rejected) lines.push(`rejected ${r.file} line ${r.line}: ${r.reasons.join("; ")}`);
  return lines.join("\n");
}
