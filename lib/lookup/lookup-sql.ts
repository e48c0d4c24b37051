/**
 * The certification lookup's one statement: the programme by code and, by NPI (a prescriber, a
 * pharmacy and a healthcare setting) or by NCPDP provider ID (a pharmacy), the party holding the
 * identifier with its enrollment in that programme. Every branch is a unique-index lookup. An
 * identifier that is null (not asked for, or malformed) matches nothing.
 */
import type { SqlStatement } from "../db/sql";

const enrollmentOf = (column: string) =>
  `(SELECT json_build_object('status', e."status", 'certificationNumber', e."certificationNumber",
                             'certifiedAt', e."certifiedAt", 'expiresAt', e."expiresAt")
      FROM "Enrollment" e WHERE e."programId" = p."id" AND e."${column}" = x."id" LIMIT 1)`;

export interface EnrollmentJson {
  status: string;
  certificationNumber: string | null;
  /** timestamptz as JSON text, with its offset. */
  certifiedAt: string | null;
  expiresAt: string | null;
}

export interface CertificationLookupRow {
  id: string;
  name: string;
  prescriber: {
    firstName: string;
    lastName: string;
    credentials: string | null;
    enrollment: EnrollmentJson | null;
  } | null;
  pharmacyByNpi: { name: string; enrollment: EnrollmentJson | null } | null;
  setting: { name: string; remsId: string; enrollment: EnrollmentJson | null } | null;
  pharmacyByNcpdp: { name: string; enrollment: EnrollmentJson | null } | null;
}

/** The statement's text, built once: $1 the programme code, $2 the NPI, $3 the NCPDP provider ID. */
const LOOKUP_TEXT = `
    SELECT p."id"::text AS "id", p."name",
      (SELECT json_build_object('firstName', x."firstName", 'lastName', x."lastName", 'credentials', x."credentials",
                                'enrollment', ${enrollmentOf("prescriberId")})
         FROM "Prescriber" x WHERE x."npi" = $2::text) AS "prescriber",
      (SELECT json_build_object('name', x."name", 'enrollment', ${enrollmentOf("pharmacyId")})
         FROM "Pharmacy" x WHERE x."npi" = $2::text) AS "pharmacyByNpi",
      (SELECT json_build_object('name', x."name", 'remsId', x."remsId", 'enrollment', ${enrollmentOf("healthcareSettingId")})
         FROM "HealthcareSetting" x WHERE x."npi" = $2::text) AS "setting",
      (SELECT json_build_object('name', x."name", 'enrollment', ${enrollmentOf("pharmacyId")})
         FROM "Pharmacy" x WHERE x."ncpdpId" = $3::text) AS "pharmacyByNcpdp"
    FROM "Program" p WHERE p."code" = $1::text`;

/** Run with plain SQL (lib/db/sql.ts): a public endpoint answered on every request, like the gate. */
export function certificationLookupSql(programCode: string, npi: string | null, ncpdpId: string | null): SqlStatement {
  return { text: LOOKUP_TEXT, values: [programCode, npi, ncpdpId] };
}
