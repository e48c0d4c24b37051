/**
 * The SQL of one registry list page, built as text plus positional parameters (pure: no database).
 * The service runs it; tests/bench/explain-registry.ts runs EXPLAIN on exactly the same text, so the
 * plans checked there are the plans the pages get.
 *
 * Names are compared lower-cased in the "C" collation: the expression indexes of migration
 * 20261130060000_registry_browser (lower(name) COLLATE "C", …, id) serve both the prefix search
 * (LIKE 'abc%' can use a btree index only under "C") and the name sort with its keyset.
 */
import {
  type Cursor,
  likeContains,
  likePrefix,
  REGISTRY_KIND_STAKEHOLDER,
  type RegistryKind,
  type RegistrySort,
  type SearchTerm,
  sortIsDescending,
  sortKeyTypes,
} from "./rules";

export interface RegistryQueryInput {
  kind: RegistryKind;
  terms: SearchTerm[];
  sort: RegistrySort;
  cursor: Cursor | null;
  /** Programme id (not code): the status filter then applies to that programme's enrollment. */
  programId?: string;
  status?: string;
  state?: string;
  /** Pharmacy or healthcare setting type. */
  type?: string;
  /** Patients: their prescriber (id) and healthcare setting (id). */
  prescriberId?: string;
  settingId?: string;
  limit: number;
}

interface KindSql {
  table: string;
  /** Enrollment column that points at this kind. */
  enrollmentColumn: string;
  /** Sort expressions for "name", most significant first. */
  name: string[];
  identifier: string;
  /** What a text word is matched against (prefix for people, anywhere for organisations). */
  textColumns: string[];
  textMatch: "prefix" | "contains";
  numberColumns: string[];
  remsIdColumn: string | null;
  emailColumn: string;
  /** The column of "User" u that links an account to a stakeholder of this kind. */
  accountOwner: string;
}

const lowerC = (column: string) => `lower(s."${column}") COLLATE "C"`;

const KINDS: Record<RegistryKind, KindSql> = {
  prescribers: {
    table: "Prescriber",
    enrollmentColumn: "prescriberId",
    name: [lowerC("lastName"), lowerC("firstName")],
    identifier: lowerC("npi"),
    textColumns: [lowerC("lastName"), lowerC("firstName")],
    textMatch: "prefix",
    numberColumns: [`s."npi"`],
    remsIdColumn: null,
    emailColumn: `lower(s."email")`,
    accountOwner: `(SELECT p."id" FROM "Prescriber" p WHERE p."userId" = u."id")`,
  },
  patients: {
    table: "Patient",
    enrollmentColumn: "patientId",
    name: [lowerC("lastName"), lowerC("firstName")],
    identifier: lowerC("remsId"),
    textColumns: [lowerC("lastName"), lowerC("firstName")],
    textMatch: "prefix",
    numberColumns: [],
    remsIdColumn: `s."remsId"`,
    emailColumn: `lower(s."email")`,
    accountOwner: `(SELECT p."id" FROM "Patient" p WHERE p."userId" = u."id")`,
  },
  pharmacies: {
    table: "Pharmacy",
    enrollmentColumn: "pharmacyId",
    name: [lowerC("name")],
    identifier: lowerC("remsId"),
    textColumns: [lowerC("name"), lowerC("city")],
    textMatch: "contains",
    numberColumns: [`s."npi"`, `s."ncpdpId"`],
    remsIdColumn: `s."remsId"`,
    emailColumn: `lower(s."contactEmail")`,
    accountOwner: `u."pharmacyId"`,
  },
  settings: {
    table: "HealthcareSetting",
    enrollmentColumn: "healthcareSettingId",
    name: [lowerC("name")],
    identifier: lowerC("remsId"),
    textColumns: [lowerC("name"), lowerC("city")],
    textMatch: "contains",
    numberColumns: [`s."npi"`],
    remsIdColumn: `s."remsId"`,
    emailColumn: `lower(s."contactEmail")`,
    accountOwner: `u."healthcareSettingId"`,
  },
};

function sortExpressions(kind: RegistryKind, sort: RegistrySort): string[] {
  const k = KINDS[kind];
  if (sort === "newest" || sort === "oldest") return [`s."createdAt"`];
  if (sort === "identifier") return [k.identifier];
  return k.name;
}

/** The sort key values of a row as the cursor stores them (the query returns them as sort_0, …). */
export function rowSortValues(row: Record<string, unknown>, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const value = row[`sort_${i}`];
    return value instanceof Date ? value.toISOString() : String(value ?? "");
  });
}

/** The SELECT for one page: ids, sort values and display columns; `limit + 1` rows to tell if more follow. */
export function buildRegistryQuery(input: RegistryQueryInput): { text: string; values: unknown[] } {
  const k = KINDS[input.kind];
  const values: unknown[] = [];
  const param = (value: unknown, cast = "text") => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  const where: string[] = [];

  for (const term of input.terms) {
    const alternatives: string[] = [];
    if (term.kind === "email") {
      alternatives.push(`${k.emailColumn} = ${param(term.value)}`);
      // The address of an account that acts for the stakeholder (User.email is stored lower-cased).
      alternatives.push(
        `s."id" = ANY(ARRAY(SELECT ${k.accountOwner} FROM "User" u WHERE u."email" = ${param(term.value)}))`,
      );
    }
    if (term.kind === "number") {
      for (const column of k.numberColumns) alternatives.push(`${column} = ${param(term.value)}`);
    }
    if (term.kind === "remsId") {
      if (k.remsIdColumn) alternatives.push(`${k.remsIdColumn} = ${param(term.value)}`);
      // ARRAY(…) is computed once, so `id = ANY(…)` can use the primary key beside the other index.
      alternatives.push(
        `s."id" = ANY(ARRAY(SELECT ce."${k.enrollmentColumn}" FROM "Enrollment" ce WHERE ce."certificationNumber" = ${param(term.value)}))`,
      );
    }
    const text =
      term.kind === "text" || term.kind === "number" ? term.value : term.kind === "remsId" ? term.text : undefined;
    if (text !== undefined) {
      const pattern = k.textMatch === "prefix" ? likePrefix(text) : likeContains(text);
      for (const column of k.textColumns) alternatives.push(`${column} LIKE ${param(pattern)} ESCAPE '\\'`);
    }
    where.push(alternatives.length ? `(${alternatives.join(" OR ")})` : "false");
  }

  if (input.status || input.programId) {
    const conditions = [`e."${k.enrollmentColumn}" = s."id"`, `e."kind" = '${REGISTRY_KIND_STAKEHOLDER[input.kind]}'`];
    if (input.programId) conditions.push(`e."programId" = ${param(input.programId, "uuid")}`);
    if (input.status) conditions.push(`e."status" = ${param(input.status, '"EnrollmentStatus"')}`);
    where.push(`EXISTS (SELECT 1 FROM "Enrollment" e WHERE ${conditions.join(" AND ")})`);
  }
  if (input.state) where.push(`s."state" = ${param(input.state)}`);
  if (input.type && input.kind === "pharmacies") where.push(`s."type" = ${param(input.type, '"PharmacyType"')}`);
  if (input.type && input.kind === "settings") {
    where.push(`s."type" = ${param(input.type, '"HealthcareSettingType"')}`);
  }
  if (input.prescriberId && input.kind === "patients") {
    where.push(`s."prescriberId" = ${param(input.prescriberId, "uuid")}`);
  }
  if (input.settingId && input.kind === "patients") {
    where.push(`s."healthcareSettingId" = ${param(input.settingId, "uuid")}`);
  }

  const keys = [...sortExpressions(input.kind, input.sort), `s."id"`];
  // Going back reads the rows before the cursor in reverse order; the service turns the page round.
  const descending = sortIsDescending(input.sort) !== (input.cursor?.back ?? false);
  if (input.cursor) {
    const types = sortKeyTypes(input.kind, input.sort);
    const cursorValues = [
      ...input.cursor.values.map((v, i) =>
        types[i] === "timestamp" ? param(v, "timestamptz") : `${param(v)} COLLATE "C"`,
      ),
      param(input.cursor.id, "uuid"),
    ];
    where.push(`(${keys.join(", ")}) ${descending ? "<" : ">"} (${cursorValues.join(", ")})`);
  }
  const direction = descending ? "DESC" : "ASC";
  const sortColumns = keys.slice(0, -1).map((expr, i) => `${expr} AS "sort_${i}"`);
  const text = [
    `SELECT s."id"::text AS "id", ${sortColumns.join(", ")}`,
    `FROM "${k.table}" s`,
    where.length ? `WHERE ${where.join("\n  AND ")}` : "",
    `ORDER BY ${keys.map((expr) => `${expr} ${direction}`).join(", ")}`,
    `LIMIT ${Math.max(1, Math.floor(input.limit)) + 1}`,
  ]
    .filter(Boolean)
    .join("\n");
  return { text, values };
}
