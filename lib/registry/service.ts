/**
 * The registry browser (administrators): one list per stakeholder kind with search, filters, an
 * allow-listed sort and keyset paging, and one page per stakeholder with its whole history, each
 * section bounded so a stakeholder with thousands of rows loads as fast as one with none.
 *
 * Bad input never fails a list: an unknown sort or a page link that cannot be read falls back to the
 * first page by name and says so (`notices`); a search that cannot be run (too long, NUL, lone
 * surrogates) answers no rows with a field error (`fieldErrors.q`).
 */
import type { Actor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import { recordAuthorizationFailure } from "../auth/service";
import { db, type Db } from "../db";
import { replicaReader } from "../db/replica";
import { AppError } from "../errors";
import { formatDate, formatOrganisationType } from "../format";
import type { EnrollmentStatus, StakeholderKind } from "../generated/prisma/enums";
import { isValidNpi } from "../identifiers/npi";
import { normalizeRemsId } from "../identifiers/rems-id";
import { buildRegistryQuery, rowSortValues } from "./query";
import {
  type Cursor,
  decodeCursor,
  encodeCursor,
  isRegistryKind,
  REGISTRY_KIND_STAKEHOLDER,
  REGISTRY_PAGE_SIZE,
  REGISTRY_SORTS,
  type RegistryKind,
  type RegistrySort,
  searchProblem,
  searchTerms,
  sortKeyTypes,
} from "./rules";
import { DEFAULT_SORT, type DetailSection, SECTION_ROWS, SECTION_ROWS_MORE, ZRegistryFilters } from "./schema";

const READ_PERMISSION = "enrollment:read:any" as const;

/** requirePermission that writes the refusal to the audit trail before it reaches the caller. */
async function authorize(actor: Actor, target: string, client: Db): Promise<void> {
  try {
    requirePermission(actor, READ_PERMISSION);
  } catch (error) {
    if (error instanceof AppError && error.code === "FORBIDDEN") {
      await recordAuthorizationFailure(actor, READ_PERMISSION, target, client);
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------
// The lists

export interface RegistryRow {
  id: string;
  /** The identifier a detail page is addressed by: NPI (prescribers) or REMS id. */
  key: string;
  name: string;
  identifiers: { label: string; value: string }[];
  place: string | null;
  createdAt: Date;
  enrollments: { programCode: string; status: EnrollmentStatus; certificationNumber: string | null }[];
}

export interface RegistryList {
  kind: RegistryKind;
  filters: {
    q?: string;
    status?: EnrollmentStatus;
    program?: string;
    state?: string;
    type?: string;
    prescriber?: string;
    setting?: string;
    sort: RegistrySort;
  };
  notices: string[];
  fieldErrors: Partial<Record<"q" | "prescriber" | "setting", string>>;
  rows: RegistryRow[];
  /** Cursors for the next and previous pages (null: none). */
  next: string | null;
  previous: string | null;
  /** true when this is not the first page. */
  paged: boolean;
  programs: { code: string; name: string }[];
}

function personName(p: { firstName: string; lastName: string }): string {
  return `${p.lastName}, ${p.firstName}`;
}

function place(p: { city: string | null; state: string | null }): string | null {
  return [p.city, p.state].filter(Boolean).join(", ") || null;
}

/** Display data for the ids of one page, keyed by id (the page's order comes from the query). */
async function loadRows(
  kind: RegistryKind,
  ids: string[],
  client: Db,
): Promise<Map<string, Omit<RegistryRow, "enrollments">>> {
  const byId = new Map<string, Omit<RegistryRow, "enrollments">>();
  if (ids.length === 0) return byId;
  if (kind === "prescribers") {
    const rows = await client.prescriber.findMany({
      where: { id: { in: ids } },
      select: {
        id: true,
        npi: true,
        firstName: true,
        lastName: true,
        city: true,
        state: true,
        createdAt: true,
        credentials: true,
      },
    });
    for (const r of rows) {
      byId.set(r.id, {
        id: r.id,
        key: r.npi,
        name: `${personName(r)}${r.credentials ? `, ${r.credentials}` : ""}`,
        identifiers: [{ label: "NPI", value: r.npi }],
        place: place(r),
        createdAt: r.createdAt,
      });
    }
  } else if (kind === "patients") {
    const rows = await client.patient.findMany({
      where: { id: { in: ids } },
      select: { id: true, remsId: true, firstName: true, lastName: true, city: true, state: true, createdAt: true },
    });
    for (const r of rows) {
      byId.set(r.id, {
        id: r.id,
        key: r.remsId,
        name: personName(r),
        identifiers: [{ label: "REMS id", value: r.remsId }],
        place: place(r),
        createdAt: r.createdAt,
      });
    }
  } else if (kind === "pharmacies") {
    const rows = await client.pharmacy.findMany({
      where: { id: { in: ids } },
      select: {
        id: true,
        remsId: true,
        name: true,
        ncpdpId: true,
        npi: true,
        city: true,
        state: true,
        createdAt: true,
      },
    });
    for (const r of rows) {
      byId.set(r.id, {
        id: r.id,
        key: r.remsId,
        name: r.name,
        identifiers: [
          { label: "REMS id", value: r.remsId },
          { label: "NCPDP", value: r.ncpdpId },
          ...(r.npi ? [{ label: "NPI", value: r.npi }] : []),
        ],
        place: place(r),
        createdAt: r.createdAt,
      });
    }
  } else {
    const rows = await client.healthcareSetting.findMany({
      where: { id: { in: ids } },
      select: { id: true, remsId: true, name: true, npi: true, city: true, state: true, createdAt: true },
    });
    for (const r of rows) {
      byId.set(r.id, {
        id: r.id,
        key: r.remsId,
        name: r.name,
        identifiers: [{ label: "REMS id", value: r.remsId }, ...(r.npi ? [{ label: "NPI", value: r.npi }] : [])],
        place: place(r),
        createdAt: r.createdAt,
      });
    }
  }
  return byId;
}

const ENROLLMENT_COLUMN = {
  prescribers: "prescriberId",
  pharmacies: "pharmacyId",
  settings: "healthcareSettingId",
  patients: "patientId",
} as const satisfies Record<RegistryKind, string>;

async function enrollmentsOf(kind: RegistryKind, ids: string[], client: Db) {
  const column = ENROLLMENT_COLUMN[kind];
  const rows = await client.enrollment.findMany({
    where: { [column]: { in: ids } },
    select: {
      prescriberId: true,
      pharmacyId: true,
      healthcareSettingId: true,
      patientId: true,
      status: true,
      certificationNumber: true,
      program: { select: { code: true } },
    },
    orderBy: { createdAt: "asc" },
  });
  const byOwner = new Map<string, RegistryRow["enrollments"]>();
  for (const r of rows) {
    const owner = r[column];
    if (!owner) continue;
    const list = byOwner.get(owner) ?? [];
    list.push({ programCode: r.program.code, status: r.status, certificationNumber: r.certificationNumber });
    byOwner.set(owner, list);
  }
  return byOwner;
}

/** One page of a registry list. */
export async function listRegistry(
  actor: Actor,
  kind: string,
  input: Record<string, unknown> = {},
  primary: Db = db(),
): Promise<RegistryList> {
  await authorize(actor, `/admin/registry/${kind}`, primary);
  if (!isRegistryKind(kind)) throw new AppError("NOT_FOUND", "There is no such list in the registry.");
  const client = await replicaReader(primary);
  const raw = ZRegistryFilters.parse(input);
  const notices: string[] = [];
  const fieldErrors: RegistryList["fieldErrors"] = {};

  let sort: RegistrySort = DEFAULT_SORT;
  if (raw.sort && (REGISTRY_SORTS as readonly string[]).includes(raw.sort)) sort = raw.sort as RegistrySort;
  else if (raw.sort) notices.push("That sort order is not offered; the list is sorted by name.");

  const programs = await client.program.findMany({
    select: { id: true, code: true, name: true },
    orderBy: { code: "asc" },
  });
  const program = raw.program ? programs.find((p) => p.code.toUpperCase() === raw.program?.toUpperCase()) : undefined;
  if (raw.program && !program) notices.push("There is no such programme; the list shows every programme.");

  const q = raw.q;
  const problem = q ? searchProblem(q) : null;
  if (problem) fieldErrors.q = problem;

  let prescriberId: string | undefined;
  let settingId: string | undefined;
  if (kind === "patients" && raw.prescriber) {
    const npi = raw.prescriber.replace(/\s+/g, "");
    const found = isValidNpi(npi) ? await client.prescriber.findUnique({ where: { npi }, select: { id: true } }) : null;
    if (found) prescriberId = found.id;
    else fieldErrors.prescriber = "No prescriber has this NPI.";
  }
  if (kind === "patients" && raw.setting) {
    const remsId = normalizeRemsId(raw.setting.slice(0, 40));
    const found = remsId
      ? await client.healthcareSetting.findUnique({ where: { remsId }, select: { id: true } })
      : null;
    if (found) settingId = found.id;
    else fieldErrors.setting = "No healthcare setting has this REMS id.";
  }

  const cursorText = raw.after ?? raw.before;
  let cursor: Cursor | null = null;
  if (cursorText) {
    cursor = decodeCursor(cursorText, kind, sort);
    // A link written for going forward must not be read as one for going back, and the reverse.
    if (!cursor || cursor.back !== !raw.after) {
      cursor = null;
      notices.push("That page link is not valid for this list; this is the first page.");
    }
  }

  const filters: RegistryList["filters"] = {
    q: problem ? undefined : q,
    status: raw.status,
    program: program?.code,
    state: raw.state,
    type: raw.type,
    prescriber: raw.prescriber?.slice(0, 40),
    setting: raw.setting?.slice(0, 40),
    sort,
  };
  const empty: RegistryList = {
    kind,
    filters,
    notices,
    fieldErrors,
    rows: [],
    next: null,
    previous: null,
    paged: false,
    programs: programs.map((p) => ({ code: p.code, name: p.name })),
  };
  if (Object.keys(fieldErrors).length > 0) return empty;

  const query = buildRegistryQuery({
    kind,
    terms: q ? searchTerms(q) : [],
    sort,
    cursor,
    programId: program?.id,
    status: raw.status,
    state: raw.state,
    type: raw.type,
    prescriberId,
    settingId,
    limit: REGISTRY_PAGE_SIZE,
  });
  const found = await client.$queryRawUnsafe<Record<string, unknown>[]>(query.text, ...query.values);
  const more = found.length > REGISTRY_PAGE_SIZE;
  const page = found.slice(0, REGISTRY_PAGE_SIZE);
  if (cursor?.back) page.reverse();
  const ids = page.map((r) => String(r.id));
  const [display, enrollments] = await Promise.all([loadRows(kind, ids, client), enrollmentsOf(kind, ids, client)]);
  const keyCount = sortKeyTypes(kind, sort).length;
  const cursorAt = (row: Record<string, unknown> | undefined, back: boolean) =>
    row ? encodeCursor({ sort, back, id: String(row.id), values: rowSortValues(row, keyCount) }) : null;
  const first = page[0];
  const last = page[page.length - 1];
  return {
    ...empty,
    rows: ids.flatMap((id) => {
      const row = display.get(id);
      return row ? [{ ...row, enrollments: enrollments.get(id) ?? [] }] : [];
    }),
    // Forward: more rows follow when the query found one extra; going back, the cursor row follows.
    next: cursor?.back ? cursorAt(last, false) : more ? cursorAt(last, false) : null,
    previous: cursor?.back ? (more ? cursorAt(first, true) : null) : cursor ? cursorAt(first, true) : null,
    paged: cursor !== null,
  };
}

// ---------------------------------------------------------------------------
// One stakeholder

interface Section<T> {
  rows: T[];
  /** More rows exist than are shown. */
  more: boolean;
}

function section<T>(rows: T[], limit: number): Section<T> {
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}

interface Stakeholder {
  kind: RegistryKind;
  id: string;
  key: string;
  name: string;
  identifiers: { label: string; value: string }[];
  details: { label: string; value: string }[];
  /** Accounts that act for the stakeholder (the prescriber, the patient, an organisation's staff). */
  accounts: { id: string; name: string; email: string }[];
  /** Addresses the stakeholder is e-mailed at. */
  emails: string[];
  /** Patients: their prescriber and healthcare setting, as registry links. */
  links: { label: string; kind: RegistryKind; key: string; name: string }[];
}

const MAX_ACCOUNTS = 50;

function lower(emails: (string | null | undefined)[]): string[] {
  return [...new Set(emails.filter((e): e is string => Boolean(e)).map((e) => e.toLowerCase()))];
}

function addressOf(p: {
  addressLine1: string | null;
  addressLine2: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
}): { label: string; value: string }[] {
  const line = [p.addressLine1, p.addressLine2, p.city, [p.state, p.postalCode].filter(Boolean).join(" ")]
    .filter(Boolean)
    .join(", ");
  return line ? [{ label: "Address", value: line }] : [];
}

function detail(label: string, value: string | null | undefined): { label: string; value: string }[] {
  return value ? [{ label, value }] : [];
}

const ADDRESS = { addressLine1: true, addressLine2: true, city: true, state: true, postalCode: true } as const;
const ACCOUNT = { id: true, name: true, email: true } as const;

async function findStakeholder(kind: RegistryKind, key: string, client: Db): Promise<Stakeholder | null> {
  if (kind === "prescribers") {
    if (!/^\d{10}$/.test(key)) return null;
    const p = await client.prescriber.findUnique({
      where: { npi: key },
      select: {
        id: true,
        npi: true,
        firstName: true,
        lastName: true,
        credentials: true,
        specialty: true,
        practiceName: true,
        phone: true,
        email: true,
        deaNumber: true,
        ...ADDRESS,
        user: { select: ACCOUNT },
        delegates: { select: { user: { select: ACCOUNT } }, take: MAX_ACCOUNTS },
      },
    });
    if (!p) return null;
    const accounts = [...(p.user ? [p.user] : []), ...p.delegates.map((d) => d.user)];
    return {
      kind,
      id: p.id,
      key: p.npi,
      name: `${p.firstName} ${p.lastName}${p.credentials ? `, ${p.credentials}` : ""}`,
      identifiers: [{ label: "NPI", value: p.npi }, ...detail("DEA number", p.deaNumber)],
      details: [
        ...detail("Specialty", p.specialty),
        ...detail("Practice", p.practiceName),
        ...addressOf(p),
        ...detail("Phone", p.phone),
        ...detail("E-mail address", p.email),
      ],
      accounts,
      emails: lower([p.email, p.user?.email]),
      links: [],
    };
  }
  const remsId = normalizeRemsId(key.slice(0, 40));
  if (!remsId) return null;
  if (kind === "patients") {
    const p = await client.patient.findUnique({
      where: { remsId },
      select: {
        id: true,
        remsId: true,
        firstName: true,
        lastName: true,
        dateOfBirth: true,
        sex: true,
        phone: true,
        email: true,
        ...ADDRESS,
        user: { select: ACCOUNT },
        prescriber: { select: { npi: true, firstName: true, lastName: true } },
        healthcareSetting: { select: { remsId: true, name: true } },
      },
    });
    if (!p) return null;
    return {
      kind,
      id: p.id,
      key: p.remsId,
      name: `${p.firstName} ${p.lastName}`,
      identifiers: [{ label: "REMS id", value: p.remsId }],
      details: [
        { label: "Date of birth", value: formatDate(p.dateOfBirth) },
        ...detail("Sex", p.sex),
        ...addressOf(p),
        ...detail("Phone", p.phone),
        ...detail("E-mail address", p.email),
      ],
      accounts: p.user ? [p.user] : [],
      emails: lower([p.email, p.user?.email]),
      links: [
        ...(p.prescriber
          ? [
              {
                label: "Prescriber",
                kind: "prescribers" as const,
                key: p.prescriber.npi,
                name: `${p.prescriber.firstName} ${p.prescriber.lastName}`,
              },
            ]
          : []),
        ...(p.healthcareSetting
          ? [
              {
                label: "Healthcare setting",
                kind: "settings" as const,
                key: p.healthcareSetting.remsId,
                name: p.healthcareSetting.name,
              },
            ]
          : []),
      ],
    };
  }
  const org = {
    id: true,
    remsId: true,
    name: true,
    type: true,
    npi: true,
    phone: true,
    contactName: true,
    contactEmail: true,
    ...ADDRESS,
    users: { select: ACCOUNT, take: MAX_ACCOUNTS, orderBy: { name: "asc" as const } },
  } as const;
  const o =
    kind === "pharmacies"
      ? await client.pharmacy.findUnique({ where: { remsId }, select: { ...org, ncpdpId: true } })
      : await client.healthcareSetting.findUnique({ where: { remsId }, select: org });
  if (!o) return null;
  return {
    kind,
    id: o.id,
    key: o.remsId,
    name: o.name,
    identifiers: [
      { label: "REMS id", value: o.remsId },
      ...("ncpdpId" in o ? [{ label: "NCPDP", value: o.ncpdpId }] : []),
      ...detail("NPI", o.npi),
    ],
    details: [
      ...detail("Type", o.type ? formatOrganisationType(o.type) : null),
      ...addressOf(o),
      ...detail("Phone", o.phone),
      ...detail("Contact", o.contactName),
      ...detail("E-mail address", o.contactEmail),
    ],
    accounts: o.users,
    emails: lower([o.contactEmail, ...o.users.map((u) => u.email)]),
    links: [],
  };
}

/** Everything a stakeholder's page shows; `more` opens one section at length. */
export async function getStakeholderDetail(
  actor: Actor,
  kind: string,
  key: string,
  options: { more?: DetailSection } = {},
  primary: Db = db(),
) {
  await authorize(actor, `/admin/registry/${kind}/${key.slice(0, 40)}`, primary);
  const client = await replicaReader(primary);
  const notFound = new AppError("NOT_FOUND", "There is no such stakeholder in the registry.");
  if (!isRegistryKind(kind) || typeof key !== "string" || key.length > 40) throw notFound;
  const stakeholder = await findStakeholder(kind, key, client);
  if (!stakeholder) throw notFound;
  const limit = (s: DetailSection) => (options.more === s ? SECTION_ROWS_MORE : SECTION_ROWS);
  const take = (s: DetailSection) => limit(s) + 1;
  const column = ENROLLMENT_COLUMN[kind];
  const stakeholderKind: StakeholderKind = REGISTRY_KIND_STAKEHOLDER[kind];

  const enrollments = await client.enrollment.findMany({
    where: { [column]: stakeholder.id, kind: stakeholderKind },
    select: {
      id: true,
      status: true,
      statusReason: true,
      certificationNumber: true,
      createdAt: true,
      submittedAt: true,
      certifiedAt: true,
      expiresAt: true,
      program: { select: { code: true, name: true } },
    },
    orderBy: { createdAt: "asc" },
  });
  const enrollmentIds = enrollments.map((e) => e.id);
  const programOf = new Map(enrollments.map((e) => [e.id, e.program.code]));
  const ownUserIds =
    kind === "prescribers" || kind === "patients" ? stakeholder.accounts.slice(0, 1).map((a) => a.id) : [];
  const statusFormIds =
    kind === "patients"
      ? (
          await client.statusFormSubmission.findMany({
            where: { patientId: stakeholder.id },
            select: { id: true },
            orderBy: { submittedAt: "desc" },
            take: SECTION_ROWS_MORE,
          })
        ).map((s) => s.id)
      : [];

  const daWhere =
    kind === "prescribers"
      ? { prescriberId: stakeholder.id }
      : kind === "pharmacies"
        ? { pharmacyId: stakeholder.id }
        : kind === "patients"
          ? { patientId: stakeholder.id }
          : { healthcareSettingId: stakeholder.id };

  const [events, signatures, authorizations, infusions, labs, emails] = await Promise.all([
    client.enrollmentEvent.findMany({
      where: { enrollmentId: { in: enrollmentIds } },
      select: {
        id: true,
        enrollmentId: true,
        fromStatus: true,
        toStatus: true,
        reason: true,
        actorUserId: true,
        at: true,
      },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: take("events"),
    }),
    client.signature.findMany({
      where: {
        OR: [
          { enrollmentId: { in: enrollmentIds } },
          ...(ownUserIds.length ? [{ signerUserId: { in: ownUserIds } }] : []),
          ...(statusFormIds.length ? [{ entityType: "StatusFormSubmission", entityId: { in: statusFormIds } }] : []),
        ],
      },
      select: { id: true, printedName: true, meaning: true, signedAt: true, entityType: true, enrollmentId: true },
      orderBy: [{ signedAt: "desc" }, { id: "desc" }],
      take: take("signatures"),
    }),
    client.dispenseAuthorization.findMany({
      where: daWhere,
      select: {
        id: true,
        authorizationNumber: true,
        decision: true,
        status: true,
        createdAt: true,
        prescriptionId: true,
        patientRemsId: true,
        prescriberNpi: true,
        quantity: true,
        reasons: true,
        enforcementDiscretion: true,
        pharmacy: { select: { name: true } },
      },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: take("authorizations"),
    }),
    kind === "patients" || kind === "settings"
      ? client.infusion.findMany({
          where: kind === "patients" ? { patientId: stakeholder.id } : { healthcareSettingId: stakeholder.id },
          select: {
            id: true,
            infusedOn: true,
            courseNumber: true,
            dayInCourse: true,
            doseMg: true,
            reaction: true,
            reactionSeverity: true,
            patient: { select: { remsId: true } },
            healthcareSetting: { select: { name: true } },
          },
          orderBy: [{ infusedOn: "desc" }, { id: "desc" }],
          take: take("infusions"),
        })
      : Promise.resolve(null),
    kind === "patients"
      ? client.labResult.findMany({
          where: { patientId: stakeholder.id },
          select: { id: true, testCode: true, collectedOn: true, abnormal: true, source: true, programId: true },
          orderBy: [{ collectedOn: "desc" }, { id: "desc" }],
          take: take("labs"),
        })
      : Promise.resolve(null),
    stakeholder.emails.length
      ? client.mailMessage.findMany({
          where: { to: { in: stakeholder.emails } },
          select: { id: true, to: true, subject: true, createdAt: true, sentAt: true, attempts: true, lastError: true },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
          take: take("emails"),
        })
      : Promise.resolve([]),
  ]);

  const actorIds = [...new Set(events.map((e) => e.actorUserId).filter((id): id is string => Boolean(id)))];
  const actors = new Map(
    (await client.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true, role: true } })).map(
      (u) => [u.id, u],
    ),
  );
  const labPrograms = labs?.length
    ? new Map(
        (
          await client.program.findMany({
            where: { id: { in: [...new Set(labs.map((l) => l.programId))] } },
            select: { id: true, code: true },
          })
        ).map((p) => [p.id, p.code]),
      )
    : new Map<string, string>();

  return {
    stakeholder,
    enrollments,
    events: section(
      events.map((e) => ({
        ...e,
        programCode: programOf.get(e.enrollmentId) ?? "",
        actor: e.actorUserId ? (actors.get(e.actorUserId) ?? null) : null,
      })),
      limit("events"),
    ),
    signatures: section(signatures, limit("signatures")),
    authorizations: section(
      authorizations.map((a) => ({
        ...a,
        reasonCodes: Array.isArray(a.reasons)
          ? a.reasons.flatMap((r) => (r && typeof r === "object" && "code" in r ? [String(r.code)] : []))
          : [],
      })),
      limit("authorizations"),
    ),
    infusions: infusions ? section(infusions, limit("infusions")) : null,
    labs: labs
      ? section(
          labs.map((l) => ({ ...l, programCode: labPrograms.get(l.programId) ?? "" })),
          limit("labs"),
        )
      : null,
    emails: section(emails, limit("emails")),
    more: options.more ?? null,
  };
}
export type StakeholderDetail = Awaited<ReturnType<typeof getStakeholderDetail>>;
