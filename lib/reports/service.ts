/**
 * The FDA REMS assessment report for one programme and period: each section is computed by its
 * own query so the CSV can stream section by section. Periods are whole UTC days, both ends
 * included. Administrators only.
 */
import { nonComplianceSummary } from "../noncompliance/queries";
import type { Actor } from "../auth/actor";
import { requirePermission } from "../auth/permissions";
import { addDays } from "../courses/dates";
import { loadMonitoringFacts } from "../dashboards/monitoring-facts";
import { db, type Db } from "../db";
import { replicaReader } from "../db/replica";
import { AppError, fieldErrorsFromZod } from "../errors";
import { formatDate } from "../format";
import { getProgramDefinition } from "../programs/registry";
import { type TProgramDefinition, ZProgramDefinition } from "../programs/schema";
import {
  type AdherenceShare,
  addAdherence,
  type LostToFollowUpRule,
  lostToFollowUpDefinition,
  lostToFollowUpRule,
  lostToFollowUpSince,
} from "./rules";
import {
  adherenceRows,
  authorizationRows,
  discretionRows,
  dispenseRows,
  enrollmentRows,
  lostRows,
  nonComplianceRows,
  REPORT_COLUMNS,
  type ReportRow,
  reactionRows,
} from "./rows";
import { type TReportRequest, ZReportRequest } from "./schema";

/** Patients read per batch for adherence and follow-up (their facts are loaded together). */
const PATIENT_BATCH = 500;
/** Lost-to-follow-up patients listed by name on the report (all are counted). */
export const LOST_LISTED = 200;

export interface ReportContext {
  program: { id: string; code: string; name: string };
  definition: TProgramDefinition;
  from: string;
  to: string;
  /** [start, end) as instants. */
  start: Date;
  end: Date;
  generatedAt: Date;
  bom: boolean;
}

export interface EnrollmentSection {
  rows: { kind: string; status: string; atStart: number; atEnd: number }[];
}
export interface AuthorizationSection {
  requested: number;
  approved: number;
  denied: number;
  byReason: { code: string; count: number }[];
}
export interface DispenseSection {
  confirmed: number;
  reversed: number;
  revoked: number;
}
export interface AdherenceSection {
  months: AdherenceShare[];
}
export interface ReactionSection {
  infusions: number;
  withReaction: number;
  bySeverity: { severity: string | null; count: number }[];
}
export interface LostSection {
  rule: LostToFollowUpRule;
  definition: string;
  count: number;
  patients: { remsId: string; lastContactOn: string }[];
}
export interface DiscretionSection {
  periods: { reason: string; startsAt: string; endsAt: string; endedAt: string | null }[];
  authorizations: number;
  followedUp: number;
  awaitingFollowUp: number;
}

export interface AssessmentReport {
  program: { code: string; name: string };
  from: string;
  to: string;
  generatedAt: string;
  enrollment: EnrollmentSection;
  authorizations: AuthorizationSection;
  dispenses: DispenseSection;
  /** Null when the programme has no monitoring. */
  adherence: AdherenceSection | null;
  reactions: ReactionSection;
  lostToFollowUp: LostSection | null;
  discretion: DiscretionSection;
  nonCompliance: NonComplianceSection;
}

/** Non-compliance cases opened in the period by type and outcome, and those open at its end. */
export type NonComplianceSection = Awaited<ReturnType<typeof nonComplianceSummary>>;

function nonComplianceSection(ctx: ReportContext, client: Db): Promise<NonComplianceSection> {
  return nonComplianceSummary({ programId: ctx.program.id, from: ctx.start, to: ctx.end }, client);
}

function definitionOf(program: { code: string; definition: unknown }): TProgramDefinition {
  return getProgramDefinition(program.code) ?? ZProgramDefinition.parse(program.definition);
}

/** Validates the request and resolves the programme; a field error for anything unusable. */
export async function prepareReport(
  actor: Actor,
  input: TReportRequest | Record<string, unknown>,
  client: Db = db(),
  now: Date = new Date(),
): Promise<ReportContext> {
  requirePermission(actor, "portal:admin");
  const parsed = ZReportRequest.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the programme and the period.", {
      fields: fieldErrorsFromZod(parsed.error),
    });
  }
  const { from, to, bom } = parsed.data;
  const today = now.toISOString().slice(0, 10);
  if (to > today) {
    // A report states what happened: months not yet lived would read as 0% or 100% on time.
    throw new AppError("VALIDATION", "Check the programme and the period.", {
      fields: { to: [`The last day cannot be after today (${formatDate(today)})`] },
    });
  }
  const program = await client.program.findUnique({
    where: { code: parsed.data.program },
    select: { id: true, code: true, name: true, definition: true },
  });
  if (!program) {
    throw new AppError("VALIDATION", "Check the programme and the period.", {
      fields: { program: ["Choose a programme from the list"] },
    });
  }
  return {
    program: { id: program.id, code: program.code, name: program.name },
    definition: definitionOf(program),
    from,
    to,
    start: new Date(`${from}T00:00:00.000Z`),
    end: new Date(`${addDays(to, 1)}T00:00:00.000Z`),
    generatedAt: now,
    bom,
  };
}

/**
 * Each enrollment's status at an instant: its last recorded status change before then. An
 * enrollment with no recorded change at all (loaded from elsewhere) counts in its current status
 * from its creation.
 */
const STATUS_AT = `
  SELECT e."kind"::text AS kind,
         COALESCE(
           (SELECT ev."toStatus" FROM "EnrollmentEvent" ev
             WHERE ev."enrollmentId" = e."id" AND ev."at" < $2::timestamptz
             ORDER BY ev."at" DESC LIMIT 1),
           CASE WHEN e."createdAt" < $2::timestamptz
                 AND NOT EXISTS (SELECT 1 FROM "EnrollmentEvent" x WHERE x."enrollmentId" = e."id")
                THEN e."status" END
         )::text AS status
  FROM "Enrollment" e WHERE e."programId" = $1::uuid`;

async function statusCounts(client: Db, programId: string, at: Date) {
  return client.$queryRawUnsafe<{ kind: string; status: string; count: number }[]>(
    `SELECT kind, status, count(*)::int AS count FROM (${STATUS_AT}) s WHERE status IS NOT NULL GROUP BY 1, 2`,
    programId,
    at.toISOString(),
  );
}

export async function enrollmentSection(ctx: ReportContext, client: Db = db()): Promise<EnrollmentSection> {
  const [atStart, atEnd] = await Promise.all([
    statusCounts(client, ctx.program.id, ctx.start),
    statusCounts(client, ctx.program.id, ctx.end),
  ]);
  const rows = new Map<string, { kind: string; status: string; atStart: number; atEnd: number }>();
  const row = (kind: string, status: string) => {
    const key = `${kind}/${status}`;
    let r = rows.get(key);
    if (!r) {
      r = { kind, status, atStart: 0, atEnd: 0 };
      rows.set(key, r);
    }
    return r;
  };
  for (const r of atStart) row(r.kind, r.status).atStart = Number(r.count);
  for (const r of atEnd) row(r.kind, r.status).atEnd = Number(r.count);
  const kindOrder = ["PRESCRIBER", "PHARMACY", "HEALTHCARE_SETTING", "PATIENT"];
  return {
    rows: [...rows.values()].sort(
      (a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || a.status.localeCompare(b.status),
    ),
  };
}

export async function authorizationSection(ctx: ReportContext, client: Db = db()): Promise<AuthorizationSection> {
  const where = { programId: ctx.program.id, createdAt: { gte: ctx.start, lt: ctx.end } };
  const [decisions, reasons] = await Promise.all([
    client.dispenseAuthorization.groupBy({ by: ["decision"], where, _count: { _all: true } }),
    client.$queryRawUnsafe<{ code: string; count: number }[]>(
      `SELECT r.value->>'code' AS code, count(*)::int AS count
       FROM "DispenseAuthorization" d CROSS JOIN LATERAL jsonb_array_elements(d."reasons") AS r(value)
       WHERE d."programId" = $1::uuid AND d."decision" = 'DENIED'
         AND d."createdAt" >= $2::timestamptz AND d."createdAt" < $3::timestamptz
       GROUP BY 1 ORDER BY 2 DESC, 1`,
      ctx.program.id,
      ctx.start.toISOString(),
      ctx.end.toISOString(),
    ),
  ]);
  const approved = decisions.find((d) => d.decision === "APPROVED")?._count._all ?? 0;
  const denied = decisions.find((d) => d.decision === "DENIED")?._count._all ?? 0;
  return {
    requested: approved + denied,
    approved,
    denied,
    byReason: reasons.map((r) => ({ code: r.code, count: Number(r.count) })),
  };
}

export async function dispenseSection(ctx: ReportContext, client: Db = db()): Promise<DispenseSection> {
  const inPeriod = { gte: ctx.start, lt: ctx.end };
  const programId = ctx.program.id;
  const [confirmed, reversed, revoked] = await Promise.all([
    client.dispenseAuthorization.count({ where: { programId, dispensedAt: inPeriod } }),
    client.dispenseAuthorization.count({ where: { programId, reversedAt: inPeriod } }),
    client.dispenseAuthorization.count({ where: { programId, revokedAt: inPeriod } }),
  ]);
  return { confirmed, reversed, revoked };
}

export async function reactionSection(ctx: ReportContext, client: Db = db()): Promise<ReactionSection> {
  const where = { programId: ctx.program.id, infusedOn: { gte: ctx.start, lt: ctx.end } };
  const [infusions, bySeverity] = await Promise.all([
    client.infusion.count({ where }),
    client.infusion.groupBy({
      by: ["reactionSeverity"],
      where: { ...where, reaction: true },
      _count: { _all: true },
      orderBy: { reactionSeverity: "asc" },
    }),
  ]);
  const rows = bySeverity.map((r) => ({ severity: r.reactionSeverity, count: r._count._all }));
  return { infusions, withReaction: rows.reduce((t, r) => t + r.count, 0), bySeverity: rows };
}

export async function discretionSection(ctx: ReportContext, client: Db = db()): Promise<DiscretionSection> {
  const programId = ctx.program.id;
  const where = { programId, enforcementDiscretion: true, createdAt: { gte: ctx.start, lt: ctx.end } };
  const [periods, authorizations, followedUp] = await Promise.all([
    client.enforcementDiscretion.findMany({
      where: { programId, startsAt: { lt: ctx.end }, endsAt: { gte: ctx.start } },
      select: { reason: true, startsAt: true, endsAt: true, endedAt: true },
      orderBy: { startsAt: "asc" },
    }),
    client.dispenseAuthorization.count({ where }),
    client.dispenseAuthorization.count({ where: { ...where, followedUpAt: { not: null } } }),
  ]);
  return {
    periods: periods
      .filter((p) => p.endedAt === null || p.endedAt >= ctx.start)
      .map((p) => ({
        reason: p.reason,
        startsAt: p.startsAt.toISOString(),
        endsAt: p.endsAt.toISOString(),
        endedAt: p.endedAt?.toISOString() ?? null,
      })),
    authorizations,
    followedUp,
    awaitingFollowUp: authorizations - followedUp,
  };
}

/**
 * Monitoring adherence by month and patients lost to follow-up: both replay each treated
 * patient's history, so they share one pass over the programme's patients, in batches.
 */
export async function monitoringSections(
  ctx: ReportContext,
  client: Db = db(),
): Promise<{ adherence: AdherenceSection | null; lostToFollowUp: LostSection | null }> {
  const monitoring = ctx.definition.monitoring;
  const rule = lostToFollowUpRule(monitoring);
  if (!monitoring || !rule) return { adherence: null, lostToFollowUp: null };
  const totals = new Map<string, AdherenceShare>();
  const lost: { remsId: string; lastContactOn: string }[] = [];
  let lostCount = 0;
  let cursor = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    // Patients treated in the programme by the end of the period, with their status then.
    const batch = await client.$queryRawUnsafe<
      { patientId: string; remsId: string; status: string | null; certifiedAt: Date | null; createdAt: Date }[]
    >(
      `SELECT p."id" AS "patientId", p."remsId", s.status, e."certifiedAt", e."createdAt"
       FROM (SELECT DISTINCT "patientId" FROM "Infusion"
              WHERE "programId" = $1::uuid AND "infusedOn" <= $3::date AND "patientId" > $4::uuid
              ORDER BY 1 LIMIT ${PATIENT_BATCH}) t
       JOIN "Patient" p ON p."id" = t."patientId"
       JOIN "Enrollment" e ON e."patientId" = p."id" AND e."programId" = $1::uuid
       CROSS JOIN LATERAL (
         SELECT COALESCE(
           (SELECT ev."toStatus" FROM "EnrollmentEvent" ev
             WHERE ev."enrollmentId" = e."id" AND ev."at" < $2::timestamptz ORDER BY ev."at" DESC LIMIT 1),
           CASE WHEN NOT EXISTS (SELECT 1 FROM "EnrollmentEvent" x WHERE x."enrollmentId" = e."id")
                THEN e."status" END)::text AS status) s
       ORDER BY p."id"`,
      ctx.program.id,
      ctx.end.toISOString(),
      ctx.to,
      cursor,
    );
    if (batch.length === 0) break;
    cursor = batch.at(-1)?.patientId ?? cursor;
    const facts = await loadMonitoringFacts(client, ctx.program.id, batch);
    for (const p of batch) {
      const f = facts.get(p.patientId);
      if (!f) continue;
      addAdherence(totals, monitoring, f, ctx.to);
      if (p.status !== "ENROLLED") continue;
      const since = lostToFollowUpSince(rule, monitoring, f, ctx.to);
      if (since === null) continue;
      lostCount++;
      if (lost.length < LOST_LISTED) lost.push({ remsId: p.remsId, lastContactOn: since });
    }
    if (batch.length < PATIENT_BATCH) break;
  }
  const fromMonth = ctx.from.slice(0, 7);
  const toMonth = ctx.to.slice(0, 7);
  return {
    adherence: {
      months: [...totals.values()]
        .filter((m) => m.month >= fromMonth && m.month <= toMonth)
        .sort((a, b) => a.month.localeCompare(b.month)),
    },
    lostToFollowUp: {
      rule,
      definition: lostToFollowUpDefinition(rule),
      count: lostCount,
      patients: lost.sort((a, b) => a.lastContactOn.localeCompare(b.lastContactOn) || a.remsId.localeCompare(b.remsId)),
    },
  };
}

/** The whole report (the page and the PDF). */
export async function buildAssessmentReport(ctx: ReportContext, primary: Db = db()): Promise<AssessmentReport> {
  const client = await replicaReader(primary);
  const [enrollment, authorizations, dispenses, reactions, discretion, monitoring, nonCompliance] = await Promise.all([
    enrollmentSection(ctx, client),
    authorizationSection(ctx, client),
    dispenseSection(ctx, client),
    reactionSection(ctx, client),
    discretionSection(ctx, client),
    monitoringSections(ctx, client),
    nonComplianceSection(ctx, client),
  ]);
  return {
    program: { code: ctx.program.code, name: ctx.program.name },
    from: ctx.from,
    to: ctx.to,
    generatedAt: ctx.generatedAt.toISOString(),
    enrollment,
    authorizations,
    dispenses,
    adherence: monitoring.adherence,
    reactions,
    lostToFollowUp: monitoring.lostToFollowUp,
    discretion,
    nonCompliance,
  };
}

/** A file name for the report: programme code and period. */
export function reportFileName(ctx: { program: { code: string }; from: string; to: string }, ext: "csv" | "pdf") {
  const code = ctx.program.code.replace(/[^A-Za-z0-9_-]+/g, "_");
  return `rems-assessment-${code}-${ctx.from}-to-${ctx.to}.${ext}`;
}

/**
 * The report's CSV records, section by section: the header, then each section's rows as soon as
 * its query has answered (the CSV route streams them).
 */
export async function* assessmentReportRecords(ctx: ReportContext, primary: Db = db()) {
  const client = await replicaReader(primary);
  const lead = [ctx.program.name, ctx.from, ctx.to];
  const records = (rows: ReportRow[]) => rows.map((r) => [...lead, r.section, r.measure, r.category, r.value]);
  yield [["Programme", "Period from", "Period to", ...REPORT_COLUMNS]];
  yield records(enrollmentRows(await enrollmentSection(ctx, client)));
  yield records(authorizationRows(await authorizationSection(ctx, client)));
  yield records(dispenseRows(await dispenseSection(ctx, client)));
  const monitoring = await monitoringSections(ctx, client);
  yield records(adherenceRows(monitoring.adherence));
  yield records(reactionRows(await reactionSection(ctx, client)));
  yield records(lostRows(monitoring.lostToFollowUp));
  yield records(discretionRows(await discretionSection(ctx, client)));
  yield records(nonComplianceRows(await nonComplianceSection(ctx, client)));
}
