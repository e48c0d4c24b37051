import type { Metadata } from "next";
import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { formatDateTime } from "@/lib/format";
import { EndDiscretionForm, FollowUpForm, StartDiscretionForm } from "@/components/discretion/discretion-forms";
import local from "@/components/discretion/discretion.module.css";
import { STATUS_LABELS } from "@/components/dispensing/format";
import { requirePagePermission } from "@/lib/auth/session";
import { listProgramsForReview } from "@/lib/certification/service";
import { listDiscretionFollowUps, listDiscretionPeriods } from "@/lib/dispensing/discretion";

export const metadata: Metadata = { title: "Enforcement discretion" };

type Search = Promise<Record<string, string | string[] | undefined>>;

/** A datetime-local value for an instant, in UTC (the time zone of every administration page). */
function utcInputValue(date: Date): string {
  return date.toISOString().slice(0, 16);
}

export default async function EnforcementDiscretionPage({ searchParams }: { searchParams: Search }) {
  const actor = await requirePagePermission("program:manage:any", "/admin/enforcement-discretion");
  const { followUps } = await searchParams;
  const showAll = followUps === "all";
  const now = new Date();
  const [programs, periods, rows] = await Promise.all([
    listProgramsForReview(actor),
    listDiscretionPeriods(actor),
    listDiscretionFollowUps(actor, { pending: !showAll }),
  ]);
  const defaultEndsAt = utcInputValue(new Date(now.getTime() + 24 * 3_600_000));
  return (
    <>
      <p>
        <Link href="/admin">Administration</Link>
      </p>
      <h1>Enforcement discretion</h1>
      <p>
        When stakeholders cannot meet a requirement in time (an outage, an FDA-announced grace period), a programme can
        be put under enforcement discretion for a limited time: requirements that would deny a dispense only warn, and
        every authorization given that way is listed here for follow-up. Every switch is recorded in the audit trail.
      </p>
      <p className="muted" data-testid="utc-now">
        All times on this page are in UTC. It is now {formatDateTime(now)}.
      </p>

      <h2>Programmes</h2>
      {programs.map((program) => {
        const active = periods.find((p) => p.programCode === program.code && p.active);
        return (
          <section
            key={program.code}
            className={`card ${active ? local.active : ""}`}
            aria-labelledby={`programme-${program.code}`}
            data-testid={`programme-${program.code}`}
          >
            <h3 id={`programme-${program.code}`}>{program.name}</h3>
            {active ? (
              <>
                <p data-testid="discretion-state" data-active="true">
                  <strong>Under enforcement discretion</strong> until {formatDateTime(active.endsAt)}.
                </p>
                <dl className={styles.details}>
                  <dt>Reason</dt>
                  <dd data-testid="discretion-reason">{active.reason}</dd>
                  <dt>Started</dt>
                  <dd>
                    {formatDateTime(active.startsAt)}
                    {active.createdByName ? ` by ${active.createdByName}` : ""}
                  </dd>
                </dl>
                <EndDiscretionForm discretionId={active.id} programName={program.name} />
              </>
            ) : (
              <>
                <p data-testid="discretion-state" data-active="false">
                  Every requirement is enforced.
                </p>
                <StartDiscretionForm
                  programCode={program.code}
                  programName={program.name}
                  defaultEndsAt={defaultEndsAt}
                  minEndsAt={utcInputValue(now)}
                />
              </>
            )}
          </section>
        );
      })}

      <section aria-labelledby="follow-up-heading">
        <h2 id="follow-up-heading">Authorizations to follow up</h2>
        <nav aria-label="Which authorizations" className={local.filters}>
          {showAll ? (
            <Link href="/admin/enforcement-discretion">Only those not yet followed up</Link>
          ) : (
            <span aria-current="page">Only those not yet followed up</span>
          )}
          {showAll ? (
            <span aria-current="page">All given under enforcement discretion</span>
          ) : (
            <Link href="/admin/enforcement-discretion?followUps=all">All given under enforcement discretion</Link>
          )}
        </nav>
        <p role="status" data-testid="follow-up-count">
          {rows.length === 0
            ? showAll
              ? "No authorization has been requested under enforcement discretion."
              : "Nothing to follow up."
            : `${rows.length} authorization${rows.length === 1 ? "" : "s"}${showAll ? "" : " not yet followed up"}, newest first.`}
        </p>
        {rows.length ? (
          <div className={styles.tableWrap}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Requested</th>
                  <th scope="col">Pharmacy</th>
                  <th scope="col">Authorization</th>
                  <th scope="col">Patient</th>
                  <th scope="col">Prescription</th>
                  <th scope="col">Requirements relaxed</th>
                  <th scope="col">Follow-up</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ authorization: a, pharmacyName, followUpNote, followedUpAt }) => {
                  const label = a.authorizationNumber ?? `the request for prescription ${a.prescriptionId}`;
                  return (
                    <tr key={a.id} data-authorization-id={a.id}>
                      <td>{formatDateTime(a.requestedAt)}</td>
                      <td>{pharmacyName}</td>
                      <td>
                        <span className={local.number}>{a.authorizationNumber ?? "—"}</span>
                        <br />
                        <span className="muted">{STATUS_LABELS[a.status]}</span>
                      </td>
                      <td>{a.patientRemsId}</td>
                      <td>
                        {a.prescriptionId}
                        <br />
                        <span className="muted">
                          NDC {a.ndc} × {a.quantity}
                        </span>
                      </td>
                      <td>
                        {a.warnings.length ? (
                          <ul className={local.warnings}>
                            {a.warnings.map((w) => (
                              <li key={`${w.code}-${w.stakeholder}`}>{w.message}</li>
                            ))}
                          </ul>
                        ) : (
                          "—"
                        )}
                        {a.reasons.length ? <p>Still denied: {a.reasons.map((r) => r.message).join(" ")}</p> : null}
                      </td>
                      <td>
                        {followedUpAt ? (
                          <>
                            {followUpNote}
                            <br />
                            <span className="muted">{formatDateTime(followedUpAt)}</span>
                          </>
                        ) : (
                          <FollowUpForm authorizationId={a.id} label={label} />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {periods.length === 0 ? (
          <p>No programme has been under enforcement discretion.</p>
        ) : (
          <div className={styles.tableWrap}>
            <table data-testid="discretion-history">
              <thead>
                <tr>
                  <th scope="col">Programme</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Started</th>
                  <th scope="col">Until</th>
                  <th scope="col">Ended early</th>
                </tr>
              </thead>
              <tbody>
                {periods.map((p) => (
                  <tr key={p.id} data-period-id={p.id}>
                    <td>
                      {p.programName}
                      {p.active ? (
                        <>
                          <br />
                          <span className={styles.badge}>In effect</span>
                        </>
                      ) : null}
                    </td>
                    <td>{p.reason}</td>
                    <td>
                      {formatDateTime(p.startsAt)}
                      {p.createdByName ? (
                        <>
                          <br />
                          <span className="muted">by {p.createdByName}</span>
                        </>
                      ) : null}
                    </td>
                    <td>{formatDateTime(p.endsAt)}</td>
                    <td>{p.endedAt ? `${formatDateTime(p.endedAt)}: ${p.endReason ?? ""}` : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
