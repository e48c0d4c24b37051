import { dayOf } from "../calendar";
import type { CertificationStatus } from "../certification/rules";
import type { Db, Tx } from "../db";
import { type Sql, sql } from "../db/sql";
import type { PatientStatus } from "../patients/rules";
import type { TProgramDefinition } from "../programs/schema";
import { relevantTestCodes } from "./rules";
import type { TDispenseRequest } from "./schema";

interface ProgramRow {
  id: string;
  code: string;
}

/** Programme rows rarely change; ids are cached per process (a miss is asked every time). */
const programIds = new Map<string, ProgramRow>();

export async function findProgram(client: Db | Tx, code: string): Promise<ProgramRow | null> {
  const cached = programIds.get(code);
  if (cached) return cached;
  const row = await client.program.findUnique({ where: { code }, select: { id: true, code: true } });
  if (row) programIds.set(code, row);
  return row;
}

interface FactsRow {
  pharmacy_status: string | null;
  prescriber: unknown;
  setting: unknown;
  patient: unknown;
  duplicate: unknown;
  discretion_id: string | null;
  seen: boolean;
}

export function json<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/**
 * Every fact the rules need, in one round trip. Identifiers that are not known resolve to null;
 * dates come back as UTC calendar days.
 */
export async function loadFacts(
  tx: Sql,
  input: {
    programId: string;
    programCode: string;
    program: TProgramDefinition;
    pharmacyId: string;
    request: TDispenseRequest;
    patientRemsId: string;
    idempotencyKey: string;
    now: Date;
  },
) {
  const { programId, pharmacyId, request, now } = input;
  // Bounded facts (docs/decisions/007): per test the rules read, the latest result and the latest on
  // or before today, each found by the (patient, programme, test, day) index alone; the latest status
  // form; every dose. The same reduction as boundPatientFacts (./rules.ts).
  const testCodes = relevantTestCodes(input.program);
  const today = dayOf(now);
  // Canonical already (ZDispenseRequest): a REMS ID (HS-…), a certification number (HC-…) or an NPI.
  const settingRef = request.healthcareSettingId;
  const rows = await tx.query<FactsRow>(sql`
    SELECT
      (SELECT e."status"::text FROM "Enrollment" e
        WHERE e."programId" = ${programId}::uuid AND e."pharmacyId" = ${pharmacyId}::uuid) AS pharmacy_status,
      (SELECT json_build_object('id', p."id", 'status', e."status"::text)
         FROM "Prescriber" p
         LEFT JOIN "Enrollment" e ON e."prescriberId" = p."id" AND e."programId" = ${programId}::uuid
        WHERE p."npi" = ${request.prescriberNpi}) AS prescriber,
      (SELECT json_build_object('id', s."id", 'status', e."status"::text)
         FROM "HealthcareSetting" s
         LEFT JOIN "Enrollment" e ON e."healthcareSettingId" = s."id" AND e."programId" = ${programId}::uuid
        WHERE s."remsId" = ${settingRef} OR s."npi" = ${settingRef}
           OR s."id" = (SELECT c."healthcareSettingId" FROM "Enrollment" c WHERE c."certificationNumber" = ${settingRef})
        LIMIT 1) AS setting,
      (SELECT json_build_object(
          'id', pt."id",
          'prescriberId', pt."prescriberId",
          'healthcareSettingId', pt."healthcareSettingId",
          'status', e."status"::text,
          'enrolledOn', to_char(COALESCE(e."certifiedAt", e."createdAt") AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
          'doseDates', (SELECT COALESCE(json_agg(to_char(i."infusedOn", 'YYYY-MM-DD') ORDER BY i."infusedOn"), '[]'::json)
                          FROM "Infusion" i WHERE i."patientId" = pt."id" AND i."programId" = ${programId}::uuid),
          'results', (SELECT COALESCE(json_agg(json_build_object('testCode', c.code, 'collectedOn', to_char(r.day, 'YYYY-MM-DD'))
                                                ORDER BY c.n, r.day), '[]'::json)
                        FROM unnest(${testCodes}::text[]) WITH ORDINALITY AS c(code, n)
                        CROSS JOIN LATERAL (
                          SELECT (SELECT max(l."collectedOn") FROM "LabResult" l
                                   WHERE l."patientId" = pt."id" AND l."programId" = ${programId}::uuid
                                     AND l."testCode" = c.code AND l."collectedOn" <= ${today}::date) AS by_today,
                                 (SELECT max(l."collectedOn") FROM "LabResult" l
                                   WHERE l."patientId" = pt."id" AND l."programId" = ${programId}::uuid
                                     AND l."testCode" = c.code) AS latest) m
                        CROSS JOIN LATERAL (SELECT DISTINCT v.day FROM (VALUES (m.by_today), (m.latest)) v(day)
                                             WHERE v.day IS NOT NULL) r),
          'statusFormDates', (SELECT COALESCE(json_agg(to_char(f."submittedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD')), '[]'::json)
                                FROM (SELECT f."submittedAt" FROM "StatusFormSubmission" f
                                       WHERE f."patientId" = pt."id" AND f."programId" = ${programId}::uuid
                                       ORDER BY f."submittedAt" DESC LIMIT 1) f),
          -- Units committed to the patient: dispensed, or approved and still usable, given after
          -- the last dose before the latest run of consecutive doses (rules.ts committedToCourse).
          'committedUnits', (SELECT COALESCE(json_agg(json_build_object(
                                'on', to_char(d."createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                                'units', COALESCE(d."dispensedQuantity", d."quantity"),
                                'authorizationNumber', d."authorizationNumber") ORDER BY d."createdAt"), '[]'::json)
                               FROM "DispenseAuthorization" d
                              WHERE d."patientId" = pt."id" AND d."programId" = ${programId}::uuid
                                AND (d."status" = 'DISPENSED' OR (d."status" = 'APPROVED' AND d."expiresAt" > ${now}))
                                AND d."createdAt" >= COALESCE(
                                  ((SELECT max(i."infusedOn") FROM "Infusion" i
                                     WHERE i."patientId" = pt."id" AND i."programId" = ${programId}::uuid
                                       AND i."infusedOn" < (SELECT max(s."infusedOn") FROM "Infusion" s
                                                             WHERE s."patientId" = pt."id" AND s."programId" = ${programId}::uuid
                                                               AND NOT EXISTS (SELECT 1 FROM "Infusion" b
                                                                                WHERE b."patientId" = pt."id"
                                                                                  AND b."programId" = ${programId}::uuid
                                                                                  AND b."infusedOn" = s."infusedOn" - 1)))
                                    + 1)::timestamp AT TIME ZONE 'UTC',
                                  '-infinity'::timestamptz)))
         FROM "Patient" pt
         LEFT JOIN "Enrollment" e ON e."patientId" = pt."id" AND e."programId" = ${programId}::uuid
        WHERE pt."remsId" = ${input.patientRemsId}) AS patient,
      (SELECT json_build_object('id', d."id", 'number', d."authorizationNumber", 'expiresAt', d."expiresAt",
                                'createdAt', d."createdAt")
         FROM "DispenseAuthorizationClaim" c
         JOIN "DispenseAuthorization" d ON d."id" = c."id" AND d."createdAt" = c."createdAt"
        WHERE c."pharmacyId" = ${pharmacyId}::uuid AND c."programCode" = ${input.programCode}
          AND c."prescriptionId" = ${request.prescriptionId} AND c."openApproval"
        LIMIT 1) AS duplicate,
      (SELECT x."id"::text FROM "EnforcementDiscretion" x
        WHERE x."programId" = ${programId}::uuid AND x."startsAt" <= ${now} AND x."endsAt" > ${now}
          AND x."endedAt" IS NULL
        ORDER BY x."startsAt" DESC LIMIT 1) AS discretion_id,
      EXISTS (SELECT 1 FROM "DispenseAuthorizationClaim" k
               WHERE k."pharmacyId" = ${pharmacyId}::uuid AND k."idempotencyKey" = ${input.idempotencyKey}::text) AS seen`);
  const row = rows[0];
  if (!row) throw new Error("the facts query returned no row");

  const prescriber = json<{ id: string; status: string | null }>(row.prescriber);
  const setting = json<{ id: string; status: string | null }>(row.setting);
  const patient = json<{
    id: string;
    prescriberId: string | null;
    healthcareSettingId: string | null;
    status: string | null;
    enrolledOn: string | null;
    doseDates: string[];
    results: { testCode: string; collectedOn: string }[];
    statusFormDates: string[];
    committedUnits: { on: string; units: number; authorizationNumber: string | null }[];
  }>(row.patient);
  const duplicate = json<{ id: string; number: string | null; expiresAt: string; createdAt: string }>(row.duplicate);

  return {
    pharmacyStatus: row.pharmacy_status as CertificationStatus | null,
    prescriber: prescriber
      ? { id: prescriber.id, certificationStatus: prescriber.status as CertificationStatus | null }
      : null,
    setting: setting ? { id: setting.id, certificationStatus: setting.status as CertificationStatus | null } : null,
    patient: patient
      ? {
          id: patient.id,
          enrollmentStatus: patient.status as PatientStatus | null,
          prescriberId: patient.prescriberId,
          healthcareSettingId: patient.healthcareSettingId,
          doseDates: patient.doseDates,
          results: patient.results,
          statusFormDates: patient.statusFormDates,
          committedUnits: patient.committedUnits.map((c) => ({
            on: c.on,
            units: c.units,
            authorizationNumber: c.authorizationNumber ?? "",
          })),
          // Never enrolled in this programme: the schedule is not consulted (PATIENT_NOT_ENROLLED).
          enrolledOn: patient.enrolledOn ?? dayOf(now),
        }
      : null,
    duplicate: duplicate
      ? {
          id: duplicate.id,
          number: duplicate.number ?? "",
          expiresAt: new Date(duplicate.expiresAt),
          createdAt: new Date(duplicate.createdAt),
        }
      : null,
    discretionId: row.discretion_id,
    seen: row.seen === true,
  };
}
