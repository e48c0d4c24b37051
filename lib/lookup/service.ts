/**
 * Public certification lookup: "is this prescriber, pharmacy or healthcare setting certified for
 * this programme?". No sign-in; every caller is rate-limited by address. Reads only.
 */
import { db, type Db, sqlOf } from "../db";
import { env } from "../env";
import { AppError, fieldErrorsFromZod } from "../errors";
import type { EnrollmentStatus } from "../generated/prisma/enums";
import { rateLimited } from "../http/api";
import { hitRateLimit, type RateLimitResult } from "../http/rate-limit";
import {
  type CertificationAnswer,
  certificationAnswer,
  classifySearch,
  type LookupKind,
  prescriberDisplayName,
  type SearchQuery,
  type StakeholderFacts,
} from "./rules";
import { type CertificationLookupRow, certificationLookupSql, type EnrollmentJson } from "./lookup-sql";
import { ZCertificationQuery, ZPrescriberLookup } from "./schema";

/** Lookups one address may make per minute (LOOKUP_RATE_LIMIT_PER_MINUTE, default 60). */
export function lookupRateLimitPerMinute(): number {
  return env().LOOKUP_RATE_LIMIT_PER_MINUTE;
}

/**
 * Counts one lookup for this address and throws RATE_LIMITED (with Retry-After seconds) past the
 * limit. The API and the lookup page count separately, so a script hammering one does not lock
 * a person out of the other.
 */
export async function enforceLookupRateLimit(
  scope: "api" | "page",
  ip: string,
  client: Db = db(),
  options: { limit?: number; now?: Date } = {},
): Promise<RateLimitResult & { limit: number }> {
  const limit = options.limit ?? lookupRateLimitPerMinute();
  const result = await hitRateLimit(client, `lookup-${scope}:${ip}`, limit, 60, options.now);
  if (!result.allowed) {
    throw rateLimited(
      `Too many lookups from your address. Try again in ${result.retryAfterSeconds} seconds.`,
      result.retryAfterSeconds,
    );
  }
  return { ...result, limit };
}

/** Programmes anyone can look certifications up in. */
export function listLookupPrograms(client: Db = db()) {
  return client.program.findMany({ select: { code: true, name: true }, orderBy: { name: "asc" } });
}

async function findProgram(code: string, client: Db) {
  const program = await client.program.findUnique({
    where: { code: code.trim().toUpperCase() },
    select: { id: true, code: true, name: true },
  });
  if (!program) throw new AppError("NOT_FOUND", `There is no programme with the code "${code}".`);
  return program;
}

const enrollmentFacts = {
  select: { status: true, certificationNumber: true, certifiedAt: true, expiresAt: true },
} as const;

/** An enrollment as the lookup statement gives it (JSON: dates as text with their offset). */
function enrollmentFrom(json: EnrollmentJson | null): StakeholderFacts["enrollment"] {
  if (!json) return null;
  return {
    status: json.status as EnrollmentStatus,
    certificationNumber: json.certificationNumber,
    certifiedAt: json.certifiedAt ? new Date(json.certifiedAt) : null,
    expiresAt: json.expiresAt ? new Date(json.expiresAt) : null,
  };
}

/** The party holding the identifier: by NPI a prescriber, then a pharmacy, then a healthcare setting. */
function stakeholderOf(row: CertificationLookupRow): StakeholderFacts | null {
  if (row.prescriber) {
    return {
      kind: "prescriber",
      name: prescriberDisplayName(row.prescriber),
      enrollment: enrollmentFrom(row.prescriber.enrollment),
    };
  }
  const pharmacy = row.pharmacyByNpi ?? row.pharmacyByNcpdp;
  if (pharmacy) return { kind: "pharmacy", name: pharmacy.name, enrollment: enrollmentFrom(pharmacy.enrollment) };
  if (row.setting) {
    return {
      kind: "healthcareSetting",
      name: row.setting.name,
      remsId: row.setting.remsId,
      enrollment: enrollmentFrom(row.setting.enrollment),
    };
  }
  return null;
}

/**
 * The API answer for `?npi=` or `?ncpdpId=`: 404 for an unknown programme or an identifier nobody
 * in the registry has, 400 (with field errors) for a malformed one. A prescriber who is not
 * certified gets the same 404 as an NPI nobody has: a prescriber is in the registry only because
 * they applied, so telling the two apart would say who applied.
 */
export async function lookupCertification(
  programCode: string,
  query: Record<string, unknown>,
  client: Db = db(),
): Promise<CertificationAnswer> {
  // One statement (the programme and the party, each by a unique index); the query is parsed first
  // so that a malformed identifier is never sent, and the errors keep their order: an unknown
  // programme, then a malformed query, then an identifier nobody has.
  const parsed = ZCertificationQuery.safeParse(query);
  const npi = parsed.success ? (parsed.data.npi ?? null) : null;
  const ncpdpId = parsed.success ? (parsed.data.ncpdpId ?? null) : null;
  const [row] = await sqlOf(client).query<CertificationLookupRow>(
    certificationLookupSql(programCode.trim().toUpperCase(), npi, ncpdpId),
  );
  if (!row) throw new AppError("NOT_FOUND", `There is no programme with the code "${programCode}".`);
  if (!parsed.success) {
    throw new AppError("BAD_REQUEST", "Check the identifier.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  if ((npi === null) === (ncpdpId === null)) {
    throw new AppError("BAD_REQUEST", "Give exactly one of the query parameters npi or ncpdpId.");
  }
  const facts = stakeholderOf(row);
  const answer = facts ? certificationAnswer(facts) : null;
  if (!answer || (answer.kind === "prescriber" && !answer.certified)) {
    throw new AppError(
      "NOT_FOUND",
      npi !== null
        ? `No prescriber, pharmacy or healthcare setting certified in the ${row.name} has this NPI.`
        : "No pharmacy in the registry has this NCPDP provider ID.",
    );
  }
  return answer;
}

/**
 * The lookup page's prescriber answer: certified or not, and nothing else. A prescriber the
 * registry does not know is simply not certified.
 */
export async function lookupPrescriberCertified(
  programCode: string,
  npi: string,
  client: Db = db(),
): Promise<{ certified: boolean }> {
  const program = await findProgram(programCode, client);
  const parsed = ZPrescriberLookup.safeParse({ npi });
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the NPI.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const enrollment = await client.enrollment.findFirst({
    where: { programId: program.id, kind: "PRESCRIBER", prescriber: { npi: parsed.data.npi } },
    select: { status: true },
  });
  return { certified: enrollment?.status === "CERTIFIED" };
}

export interface OrganisationResult {
  id: string;
  kind: Exclude<LookupKind, "prescriber">;
  name: string;
  city: string | null;
  state: string | null;
  npi: string | null;
  ncpdpId: string | null;
  /** A healthcare setting's REMS ID; null for a pharmacy. */
  remsId: string | null;
  certified: boolean;
  certificationNumber: string | null;
  certifiedOn: string | null;
  expiresOn: string | null;
}

export const MAX_SEARCH_RESULTS = 20;

interface OrganisationRow {
  id: string;
  name: string;
  city: string | null;
  state: string | null;
  npi: string | null;
  ncpdpId?: string;
  remsId?: string;
  enrollments: {
    status: EnrollmentStatus;
    certificationNumber: string | null;
    certifiedAt: Date | null;
    expiresAt: Date | null;
  }[];
}

function organisationWhere(query: SearchQuery, kind: "pharmacy" | "healthcareSetting") {
  if (query.by === "npi") return { npi: query.npi };
  if (query.by === "ncpdpId") return kind === "pharmacy" ? { ncpdpId: query.ncpdpId } : null;
  const byText = (text: string) => [
    { name: { contains: text, mode: "insensitive" as const } },
    { city: { contains: text, mode: "insensitive" as const } },
  ];
  if (query.by === "remsId") {
    return {
      OR: [
        { remsId: query.remsId },
        { enrollments: { some: { certificationNumber: query.remsId } } },
        ...(query.text === undefined ? [] : byText(query.text)),
      ],
    };
  }
  return { OR: byText(query.text) };
}

/**
 * Pharmacies and healthcare settings matching a name, city, NPI, NCPDP provider ID, REMS id or
 * certification number, each with its
 * certification in the programme. At most MAX_SEARCH_RESULTS; `truncated` asks for a narrower search.
 */
export async function searchOrganisations(
  programCode: string,
  raw: string,
  client: Db = db(),
): Promise<{ program: { code: string; name: string }; results: OrganisationResult[]; truncated: boolean }> {
  const program = await findProgram(programCode, client);
  const classified = classifySearch(raw);
  if (!classified.ok) throw new AppError("VALIDATION", classified.message, { fields: { q: [classified.message] } });
  const { query } = classified;
  const columns = {
    id: true,
    name: true,
    city: true,
    state: true,
    npi: true,
    enrollments: { where: { programId: program.id }, ...enrollmentFacts },
  } as const;
  const take = MAX_SEARCH_RESULTS + 1;
  const pharmacyWhere = organisationWhere(query, "pharmacy");
  const settingWhere = organisationWhere(query, "healthcareSetting");
  const [pharmacies, settings] = await Promise.all([
    pharmacyWhere
      ? client.pharmacy.findMany({
          where: pharmacyWhere,
          select: { ...columns, ncpdpId: true },
          orderBy: { name: "asc" },
          take,
        })
      : [],
    settingWhere
      ? client.healthcareSetting.findMany({
          where: settingWhere,
          select: { ...columns, remsId: true },
          orderBy: { name: "asc" },
          take,
        })
      : [],
  ]);
  const toResult = (kind: OrganisationResult["kind"], row: OrganisationRow): OrganisationResult => {
    const answer = certificationAnswer({
      kind,
      name: row.name,
      remsId: row.remsId ?? null,
      enrollment: row.enrollments[0] ?? null,
    });
    return {
      id: row.id,
      kind,
      name: row.name,
      city: row.city,
      state: row.state,
      npi: row.npi,
      ncpdpId: row.ncpdpId ?? null,
      remsId: answer.remsId,
      certified: answer.certified,
      certificationNumber: answer.certificationNumber,
      certifiedOn: answer.certifiedOn,
      expiresOn: answer.expiresOn,
    };
  };
  const all = [
    ...pharmacies.map((p) => toResult("pharmacy", p)),
    ...settings.map((s) => toResult("healthcareSetting", s)),
  ].sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
  return {
    program: { code: program.code, name: program.name },
    results: all.slice(0, MAX_SEARCH_RESULTS),
    truncated: all.length > MAX_SEARCH_RESULTS,
  };
}
