import { CASE_OUTCOME_LABELS } from "@/lib/noncompliance/rules";
import type { Metadata } from "next";
import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { FormBanner, TextField } from "@/components/ui/field";
import { authorizationsHref } from "@/lib/admin/links";
import { requirePagePermission } from "@/lib/auth/session";
import { listProgramsForReview } from "@/lib/certification/service";
import { isAppError } from "@/lib/errors";
import {
  formatDate,
  formatDateTime,
  formatDenialReason,
  formatMonth,
  formatStakeholderKind,
  formatStatus,
} from "@/lib/format";
import { severityLabel } from "@/lib/reports/rows";
import { share } from "@/lib/reports/rules";
import { type AssessmentReport, buildAssessmentReport, prepareReport } from "@/lib/reports/service";

export const metadata: Metadata = { title: "Assessment reports" };

type Search = Promise<Record<string, string | string[] | undefined>>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

function Table(props: { caption: string; head: string[]; rows: (string | number)[][]; testId?: string }) {
  return (
    <div className={styles.tableWrap}>
      <table data-testid={props.testId}>
        <caption className="muted" style={{ textAlign: "left" }}>
          {props.caption}
        </caption>
        <thead>
          <tr>
            {props.head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={String(r[0])}>
              <th scope="row">{r[0]}</th>
              {r.slice(1).map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: fixed columns
                <td key={i}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReportView({ report }: { report: AssessmentReport }) {
  const { authorizations: a, dispenses: d, reactions: r, discretion: x } = report;
  const period = { from: report.from, to: report.to, program: report.program.code };
  const enrollment = report.enrollment.rows.map((row) => [
    `${formatStakeholderKind(row.kind)}: ${formatStatus(row.status, row.kind === "PATIENT" ? "patient" : "certification")}`,
    row.atStart,
    row.atEnd,
    `${row.atEnd - row.atStart > 0 ? "+" : ""}${row.atEnd - row.atStart}`,
  ]);
  return (
    <>
      <h2 id="report-title">
        {report.program.name}: {formatDate(report.from)} to {formatDate(report.to)}
      </h2>
      <p className="muted">Generated {formatDateTime(report.generatedAt)}. Days are UTC; both ends are included.</p>
      <section className="card" aria-labelledby="enrollment-title">
        <h3 id="enrollment-title">Enrollment and certification</h3>
        {enrollment.length ? (
          <Table
            caption="Stakeholders by type and status at the start and at the end of the period"
            head={["Type and status", "Start", "End", "Change"]}
            rows={enrollment}
            testId="report-enrollment"
          />
        ) : (
          <p>No enrollment in this programme by the end of the period.</p>
        )}
      </section>
      <section className="card" aria-labelledby="requests-title">
        <h3 id="requests-title">Dispense authorization requests</h3>
        <p data-testid="report-requests">
          {a.requested} requests:{" "}
          <Link href={authorizationsHref({ ...period, decision: "APPROVED" })}>{a.approved} approved</Link>,{" "}
          <Link href={authorizationsHref({ ...period, decision: "DENIED" })}>{a.denied} denied</Link>.
        </p>
        {a.byReason.length ? (
          <Table
            caption="Denied requests by reason (a request denied for two reasons counts under both)"
            head={["Reason", "Denied requests"]}
            rows={a.byReason.map((b) => [formatDenialReason(b.code), b.count])}
            testId="report-reasons"
          />
        ) : null}
      </section>
      <section className="card" aria-labelledby="dispenses-title">
        <h3 id="dispenses-title">Dispenses</h3>
        <ul data-testid="report-dispenses">
          <li>
            Confirmed by the pharmacy:{" "}
            <Link href={authorizationsHref({ ...period, on: "dispensed" })}>{d.confirmed}</Link>
          </li>
          <li>
            Reversed: <Link href={authorizationsHref({ ...period, on: "reversed" })}>{d.reversed}</Link>
          </li>
          <li>
            Authorizations revoked:{" "}
            <Link href={authorizationsHref({ ...period, on: "revoked", status: "REVOKED" })}>{d.revoked}</Link>
          </li>
        </ul>
      </section>
      <section className="card" aria-labelledby="adherence-title">
        <h3 id="adherence-title">Monitoring adherence</h3>
        {report.adherence === null ? (
          <p>The programme has no monitoring.</p>
        ) : report.adherence.months.length === 0 ? (
          <p>No monitoring result fell due in this period.</p>
        ) : (
          <Table
            caption="Patients with a monitoring result due each month, and the share with every result on time"
            head={["Month", "Patients with a result due", "Every result on time", "Share on time"]}
            rows={report.adherence.months.map((m) => {
              const pct = share(m.patientsOnTime, m.patientsDue);
              return [formatMonth(m.month), m.patientsDue, m.patientsOnTime, pct === null ? "—" : `${pct}%`];
            })}
            testId="report-adherence"
          />
        )}
      </section>
      <section className="card" aria-labelledby="reactions-title">
        <h3 id="reactions-title">Infusion reactions</h3>
        <p data-testid="report-reactions">
          {r.infusions} infusions, {r.withReaction} with a reaction.
        </p>
        {r.bySeverity.length ? (
          <Table
            caption="Infusion reactions by severity"
            head={["Severity", "Reactions"]}
            rows={r.bySeverity.map((s) => [severityLabel(s.severity), s.count])}
          />
        ) : null}
      </section>
      <section className="card" aria-labelledby="lost-title">
        <h3 id="lost-title">Patients lost to follow-up</h3>
        {report.lostToFollowUp === null ? (
          <p>The programme has no monitoring.</p>
        ) : (
          <>
            <p data-testid="lost-definition">{report.lostToFollowUp.definition}</p>
            <p data-testid="report-lost">
              {report.lostToFollowUp.count} patient{report.lostToFollowUp.count === 1 ? "" : "s"} lost to follow-up on{" "}
              {formatDate(report.to)}.
            </p>
            {report.lostToFollowUp.patients.length ? (
              <Table
                caption={`Patients lost to follow-up, longest without contact first${report.lostToFollowUp.count > report.lostToFollowUp.patients.length ? ` (the first ${report.lostToFollowUp.patients.length}; the CSV has the same list)` : ""}`}
                head={["REMS id", "Last contact"]}
                rows={report.lostToFollowUp.patients.map((p) => [p.remsId, formatDate(p.lastContactOn)])}
              />
            ) : null}
          </>
        )}
      </section>
      <section className="card" aria-labelledby="discretion-title">
        <h3 id="discretion-title">Enforcement discretion</h3>
        {x.periods.length ? (
          <ul>
            {x.periods.map((p) => (
              <li key={p.startsAt}>
                {formatDateTime(p.startsAt)} to {formatDateTime(p.endedAt ?? p.endsAt)}
                {p.endedAt ? " (ended early)" : ""}: {p.reason}
              </li>
            ))}
          </ul>
        ) : (
          <p>Enforcement discretion was not in effect during the period.</p>
        )}
        <p data-testid="report-discretion">
          <Link href={authorizationsHref({ ...period, discretion: "yes" })}>
            {x.authorizations} authorization{x.authorizations === 1 ? "" : "s"}
          </Link>{" "}
          given under enforcement discretion: {x.followedUp} followed up, {x.awaitingFollowUp} awaiting follow-up.
        </p>
      </section>
      <section className="card" aria-labelledby="noncompliance-title">
        <h3 id="noncompliance-title">Non-compliance cases</h3>
        <p data-testid="report-noncompliance">
          {report.nonCompliance.opened} case{report.nonCompliance.opened === 1 ? "" : "s"} opened in the period;{" "}
          <Link href="/admin/non-compliance">{report.nonCompliance.openAtEnd} open</Link> on {formatDate(report.to)}.
        </p>
        {report.nonCompliance.byType.length ? (
          <Table
            caption="Cases opened in the period, by type"
            head={["Type", "Cases"]}
            rows={report.nonCompliance.byType.map((t) => [t.label, String(t.count)])}
          />
        ) : null}
        {report.nonCompliance.byOutcome.some((o) => o.closed + o.open > 0) ? (
          <Table
            caption="Cases opened in the period, by outcome at its end"
            head={["Outcome", "Closed", "Still open"]}
            rows={report.nonCompliance.byOutcome
              .filter((o) => o.closed + o.open > 0)
              .map((o) => [CASE_OUTCOME_LABELS[o.outcome], String(o.closed), String(o.open)])}
          />
        ) : null}
      </section>
    </>
  );
}

export default async function ReportsPage({ searchParams }: { searchParams: Search }) {
  const actor = await requirePagePermission("portal:admin", "/admin/reports");
  const query = await searchParams;
  const programs = await listProgramsForReview(actor);
  const asked = one(query.program) !== undefined || one(query.from) !== undefined || one(query.to) !== undefined;
  const today = new Date().toISOString().slice(0, 10);
  const values = {
    program: one(query.program) ?? programs[0]?.code ?? "",
    from: one(query.from) ?? `${today.slice(0, 4)}-01-01`,
    to: one(query.to) ?? today,
  };
  let report: AssessmentReport | null = null;
  let fields: Record<string, string[] | undefined> = {};
  let problem: string | null = null;
  if (asked) {
    try {
      report = await buildAssessmentReport(await prepareReport(actor, values));
    } catch (error) {
      if (!isAppError(error) || error.code !== "VALIDATION") throw error;
      problem = error.message;
      fields = error.details?.fields ?? {};
    }
  }
  const download = new URLSearchParams(values).toString();
  return (
    <>
      <h1>Assessment reports</h1>
      <p>
        Figures for the FDA REMS assessment, per programme and period: on screen, as a CSV file for spreadsheets and as
        a PDF summary.
      </p>
      <form method="get" action="/admin/reports" className="card" noValidate>
        {problem ? (
          <FormBanner kind="error" id="report-error">
            {problem}
          </FormBanner>
        ) : null}
        <div className={styles.filters}>
          <div className="field">
            <label htmlFor="program">Programme</label>
            <select
              id="program"
              name="program"
              defaultValue={values.program}
              aria-invalid={fields.program ? true : undefined}
              aria-describedby={fields.program ? "program-error" : undefined}
            >
              {programs.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name}
                </option>
              ))}
            </select>
            {fields.program ? (
              <span id="program-error" className="error">
                {fields.program[0]}
              </span>
            ) : null}
          </div>
          <TextField
            id="from"
            name="from"
            type="date"
            label="First day"
            defaultValue={values.from}
            error={fields.from?.[0]}
          />
          <TextField id="to" name="to" type="date" label="Last day" defaultValue={values.to} error={fields.to?.[0]} />
        </div>
        <button type="submit" className="button">
          Show the report
        </button>
      </form>
      {report ? (
        <>
          <p className="card">
            <a href={`/admin/reports/report.csv?${download}`} download>
              Download CSV
            </a>{" "}
            ·{" "}
            <a href={`/admin/reports/report.csv?${download}&bom=1`} download>
              CSV with byte order mark (for older spreadsheet programs)
            </a>{" "}
            ·{" "}
            <a href={`/admin/reports/report.pdf?${download}`} download>
              Download PDF summary
            </a>
          </p>
          <ReportView report={report} />
        </>
      ) : null}
    </>
  );
}
