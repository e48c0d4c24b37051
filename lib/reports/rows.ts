/**
 * The report as rows of (section, measure, category, value): the CSV's body and the PDF's lines.
 * Plain words throughout (lib/format.ts), never stored codes. Pure.
 */
import {
  formatDate,
  formatDateTime,
  formatDenialReason,
  formatMonth,
  formatStakeholderKind,
  formatStatus,
} from "../format";
import { CASE_OUTCOME_LABELS } from "../noncompliance/rules";
import { share } from "./rules";
import type {
  AdherenceSection,
  AssessmentReport,
  AuthorizationSection,
  DiscretionSection,
  DispenseSection,
  EnrollmentSection,
  LostSection,
  NonComplianceSection,
  ReactionSection,
} from "./service";

export interface ReportRow {
  section: string;
  measure: string;
  category: string;
  value: string | number;
}

export const REPORT_COLUMNS = ["Section", "Measure", "Category", "Value"] as const;

export const SECTION_TITLES = {
  enrollment: "Enrollment and certification",
  authorizations: "Dispense authorization requests",
  dispenses: "Dispenses",
  adherence: "Monitoring adherence",
  reactions: "Infusion reactions",
  lost: "Patients lost to follow-up",
  discretion: "Enforcement discretion",
  nonCompliance: "Non-compliance cases",
} as const;

export function severityLabel(severity: string | null): string {
  return severity ? formatStatus(severity) : "Severity not recorded";
}

export function enrollmentRows(s: EnrollmentSection): ReportRow[] {
  return s.rows.flatMap((r) => {
    const category = `${formatStakeholderKind(r.kind)}: ${formatStatus(r.status, r.kind === "PATIENT" ? "patient" : "certification")}`;
    const section = SECTION_TITLES.enrollment;
    return [
      { section, measure: "At the start of the period", category, value: r.atStart },
      { section, measure: "At the end of the period", category, value: r.atEnd },
      { section, measure: "Change over the period", category, value: r.atEnd - r.atStart },
    ];
  });
}

export function authorizationRows(s: AuthorizationSection): ReportRow[] {
  const section = SECTION_TITLES.authorizations;
  return [
    { section, measure: "Requests", category: "All", value: s.requested },
    { section, measure: "Requests", category: "Approved", value: s.approved },
    { section, measure: "Requests", category: "Denied", value: s.denied },
    ...s.byReason.map((r) => ({
      section,
      measure: "Denied requests by reason",
      category: formatDenialReason(r.code),
      value: r.count,
    })),
  ];
}

export function dispenseRows(s: DispenseSection): ReportRow[] {
  const section = SECTION_TITLES.dispenses;
  return [
    { section, measure: "Dispenses", category: "Confirmed by the pharmacy", value: s.confirmed },
    { section, measure: "Dispenses", category: "Reversed", value: s.reversed },
    { section, measure: "Authorizations", category: "Revoked", value: s.revoked },
  ];
}

export function adherenceRows(s: AdherenceSection | null): ReportRow[] {
  const section = SECTION_TITLES.adherence;
  if (!s) return [{ section, measure: "Not applicable", category: "The programme has no monitoring", value: "" }];
  return s.months.flatMap((m) => {
    const category = formatMonth(m.month);
    const pct = share(m.patientsOnTime, m.patientsDue);
    return [
      { section, measure: "Patients with a result due", category, value: m.patientsDue },
      { section, measure: "Patients with every result on time", category, value: m.patientsOnTime },
      { section, measure: "Share on time (%)", category, value: pct === null ? "" : pct },
    ];
  });
}

export function reactionRows(s: ReactionSection): ReportRow[] {
  const section = SECTION_TITLES.reactions;
  return [
    { section, measure: "Infusions", category: "All", value: s.infusions },
    { section, measure: "Infusions", category: "With a reaction", value: s.withReaction },
    ...s.bySeverity.map((r) => ({
      section,
      measure: "Reactions by severity",
      category: severityLabel(r.severity),
      value: r.count,
    })),
  ];
}

export function lostRows(s: LostSection | null): ReportRow[] {
  const section = SECTION_TITLES.lost;
  if (!s) return [{ section, measure: "Not applicable", category: "The programme has no monitoring", value: "" }];
  return [
    {
      section,
      measure: "Definition",
      category: `No contact for more than ${s.rule.thresholdDays} days`,
      value: s.definition,
    },
    { section, measure: "Patients", category: "Lost to follow-up at the end of the period", value: s.count },
    ...s.patients.map((p) => ({
      section,
      measure: "Patient (REMS id), last contact",
      category: p.remsId,
      value: formatDate(p.lastContactOn),
    })),
  ];
}

export function discretionRows(s: DiscretionSection): ReportRow[] {
  const section = SECTION_TITLES.discretion;
  return [
    ...s.periods.map((p) => ({
      section,
      measure: "Period in effect",
      category: `${formatDateTime(p.startsAt)} to ${formatDateTime(p.endedAt ?? p.endsAt)}${p.endedAt ? " (ended early)" : ""}`,
      value: p.reason,
    })),
    { section, measure: "Authorizations given under discretion", category: "All", value: s.authorizations },
    { section, measure: "Authorizations given under discretion", category: "Followed up", value: s.followedUp },
    {
      section,
      measure: "Authorizations given under discretion",
      category: "Awaiting follow-up",
      value: s.awaitingFollowUp,
    },
  ];
}

export function nonComplianceRows(s: NonComplianceSection): ReportRow[] {
  const section = SECTION_TITLES.nonCompliance;
  return [
    { section, measure: "Cases opened", category: "All", value: s.opened },
    ...s.byType.map((t) => ({ section, measure: "Cases opened, by type", category: t.label, value: t.count })),
    ...s.byOutcome.flatMap((o) => [
      {
        section,
        measure: "Cases opened, by outcome (closed)",
        category: CASE_OUTCOME_LABELS[o.outcome],
        value: o.closed,
      },
      {
        section,
        measure: "Cases opened, by outcome (still open)",
        category: CASE_OUTCOME_LABELS[o.outcome],
        value: o.open,
      },
    ]),
    { section, measure: "Cases open at the end of the period", category: "All", value: s.openAtEnd },
  ];
}

/** Every row of a built report, in the order of the sections. */
export function reportRows(r: AssessmentReport): ReportRow[] {
  return [
    ...enrollmentRows(r.enrollment),
    ...authorizationRows(r.authorizations),
    ...dispenseRows(r.dispenses),
    ...adherenceRows(r.adherence),
    ...reactionRows(r.reactions),
    ...lostRows(r.lostToFollowUp),
    ...discretionRows(r.discretion),
    ...nonComplianceRows(r.nonCompliance),
  ];
}
