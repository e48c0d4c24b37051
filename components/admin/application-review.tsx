import Link from "next/link";
import { FormBanner } from "@/components/ui/field";
import { SIGNATURE_CHECK_LABELS } from "@/lib/signatures/verify";
import type { ApplicationForReview } from "@/lib/certification/service";
import styles from "./admin.module.css";
import { ClaimPanel } from "./claim-panel";
import { DecisionForm } from "./decision-form";
import { formatAuditAction, formatDateTime } from "@/lib/format";

const DONE: Record<string, (a: ApplicationForReview) => string> = {
  approve: (a) => `Application approved. Certification number ${a.certificationNumber ?? "—"} issued.`,
  reject: () => "Application rejected. The applicant has been told why.",
  request_changes: () => "Changes requested. The applicant has been told what to change.",
  suspend: () => "Certification suspended.",
  reinstate: () => "Certification reinstated.",
  decertify: () => "Certification withdrawn (decertified).",
};

function Details({ items }: { items: { label: string; value: string; testId?: string }[] }) {
  return (
    <dl className={styles.details}>
      {items.map((item) => (
        <div key={item.label} style={{ display: "contents" }}>
          <dt>{item.label}</dt>
          <dd data-testid={item.testId}>{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The whole application for an administrator: evidence first, then the decision forms. */
/** The `revoked` query parameter: how many dispense authorizations the decision revoked. */
export function revokedCount(value: string | string[] | undefined): number {
  const n = typeof value === "string" && /^\d{1,6}$/.test(value) ? Number(value) : 0;
  return n;
}

export function ApplicationReview({
  application: a,
  done,
  revoked = 0,
  returnTo,
}: {
  application: ApplicationForReview;
  done?: string;
  /** Dispense authorizations the decision just revoked (suspension, decertification). */
  revoked?: number;
  returnTo: string;
}) {
  const doneMessage = done && DONE[done] ? DONE[done](a) : null;
  const status: { label: string; value: string; testId?: string }[] = [
    { label: "Status", value: a.statusLabel },
    ...(a.statusReason
      ? [{ label: a.status === "CHANGES_REQUESTED" ? "What to change" : "Reason", value: a.statusReason }]
      : []),
    { label: "Certification number", value: a.certificationNumber ?? "—", testId: "certification-number" },
    { label: "Programme", value: a.program.name },
    { label: "Submitted", value: formatDateTime(a.submittedAt) },
    { label: "Decided", value: formatDateTime(a.decidedAt) },
    { label: "Certified", value: formatDateTime(a.certifiedAt) },
    ...(a.expiresAt ? [{ label: "Recertification due", value: formatDateTime(a.expiresAt) }] : []),
    { label: "Version", value: String(a.version) },
  ];

  return (
    <>
      <p>
        <Link href="/admin/applications">Back to the review queue</Link>
      </p>
      <h1>
        {a.name} <span className={styles.badge}>{a.statusLabel}</span>
      </h1>
      <p className="muted">
        {a.kindLabel} · {a.program.name}
        {a.applicant ? ` · applied by ${a.applicant.name} (${a.applicant.email})` : ""}
      </p>
      {doneMessage ? (
        <FormBanner kind="ok" id="done-banner">
          {doneMessage}
        </FormBanner>
      ) : null}
      {doneMessage && revoked > 0 ? (
        <FormBanner kind="warn" id="revoked-banner">
          {revoked === 1
            ? "1 open dispense authorization that depended on this certification was revoked."
            : `${revoked} open dispense authorizations that depended on this certification were revoked.`}{" "}
          Each pharmacy concerned was told by e-mail; a confirmation under a revoked authorization is refused.
        </FormBanner>
      ) : null}
      {a.actions.length > 0 ? (
        <p>
          <a href="#decision-title">Go to the decision</a>
        </p>
      ) : null}

      <section className="card" aria-labelledby="status-title">
        <h2 id="status-title">Status</h2>
        <Details items={status} />
      </section>

      {a.awaitsDecision ? (
        <ClaimPanel
          enrollmentId={a.id}
          canClaim
          claim={a.claim ? { name: a.claim.name, since: formatDateTime(a.claim.since), mine: a.claim.mine } : null}
        />
      ) : null}

      <section className="card" aria-labelledby="stakeholder-title">
        <h2 id="stakeholder-title">Stakeholder</h2>
        {a.stakeholder.length ? <Details items={a.stakeholder} /> : <p>No stakeholder record is linked.</p>}
      </section>

      <section className="card" aria-labelledby="form-title">
        <h2 id="form-title">Enrollment form</h2>
        {!a.definitionFound ? (
          <p>The programme definition for this stakeholder type is not available.</p>
        ) : !a.form.hasAnswers ? (
          <p data-testid="no-form-answers">
            No form answers are stored with this application (it was created outside the enrollment wizard).
          </p>
        ) : null}
        {a.form.hasAnswers
          ? a.form.groups.map((group) => (
              <div key={group.title}>
                <h3>{group.title}</h3>
                <dl className={styles.details}>
                  {group.fields.map((f) => (
                    <div key={f.id} style={{ display: "contents" }}>
                      <dt>{f.label}</dt>
                      <dd className={f.value === null ? styles.missing : undefined}>{f.value ?? "Not provided"}</dd>
                    </div>
                  ))}
                </dl>
              </div>
            ))
          : null}
        {a.form.otherAnswers.length ? (
          <>
            <h3>Other answers</h3>
            <Details items={a.form.otherAnswers.map((o) => ({ label: o.label, value: o.value }))} />
          </>
        ) : null}
      </section>

      {a.training ? (
        <section className="card" aria-labelledby="training-title">
          <h2 id="training-title">Training</h2>
          <p className="muted">{a.training.title}</p>
          <table>
            <caption className="muted" style={{ textAlign: "left" }}>
              Training sections and when the applicant acknowledged reading them
            </caption>
            <thead>
              <tr>
                <th scope="col">Section</th>
                <th scope="col">Acknowledged</th>
              </tr>
            </thead>
            <tbody>
              {a.training.sections.map((s) => (
                <tr key={s.id}>
                  <td>{s.title}</td>
                  <td>{s.acknowledgedAt ? formatDateTime(s.acknowledgedAt) : "Not acknowledged"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      {a.attestations.length ? (
        <section className="card" aria-labelledby="attestations-title">
          <h2 id="attestations-title">Attestations</h2>
          <ul>
            {a.attestations.map((att) => (
              <li key={att.id}>
                <strong>
                  {att.ticked ? "Attested:" : att.onPaper ? "Signed on the paper form:" : "Not attested:"}
                </strong>{" "}
                {att.text}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {a.assessment ? (
        <section className="card" aria-labelledby="assessment-title">
          <h2 id="assessment-title">Knowledge assessment</h2>
          <p className="muted">
            {a.assessment.questionCount} questions; pass with{" "}
            {a.assessment.passRule.kind === "minCorrect"
              ? `at least ${a.assessment.passRule.count} correct`
              : `at least ${a.assessment.passRule.value}%`}
            .
          </p>
          {a.attempts.length === 0 ? (
            <p>No attempts recorded.</p>
          ) : (
            <table>
              <caption className="muted" style={{ textAlign: "left" }}>
                Assessment attempts
              </caption>
              <thead>
                <tr>
                  <th scope="col">Attempt</th>
                  <th scope="col">Score</th>
                  <th scope="col">Result</th>
                  <th scope="col">Date</th>
                  <th scope="col">Topics to review</th>
                </tr>
              </thead>
              <tbody>
                {a.attempts.map((t) => (
                  <tr key={t.attemptNumber}>
                    <td>{t.attemptNumber}</td>
                    <td>
                      {t.correctCount} / {t.questionCount}
                    </td>
                    <td>{t.passed ? "Passed" : "Failed"}</td>
                    <td>{formatDateTime(t.submittedAt)}</td>
                    <td>{t.topicsToReview.length ? t.topicsToReview.join(", ") : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}

      <section className="card" aria-labelledby="signatures-title">
        <h2 id="signatures-title">Signatures</h2>
        {a.signatures.length > 0 ? (
          <p>
            <a href={`/documents/enrollments/${a.id}/signed-form.pdf`}>Signed enrollment form (PDF)</a>
          </p>
        ) : null}
        {a.signatures.length === 0 ? (
          <p>No electronic signature recorded.</p>
        ) : (
          <div className={styles.tableWrap}>
            <table>
              <caption className="muted" style={{ textAlign: "left" }}>
                Electronic signatures on this enrollment
              </caption>
              <thead>
                <tr>
                  <th scope="col">Printed name</th>
                  <th scope="col">Meaning</th>
                  <th scope="col">Signed</th>
                  <th scope="col">SHA-256 of the signed content</th>
                  <th scope="col">Verification</th>
                </tr>
              </thead>
              <tbody>
                {a.signatures.map((s) => (
                  <tr key={s.id}>
                    <td>
                      {s.printedName}
                      <br />
                      <span className="muted">{s.signer.email}</span>
                    </td>
                    <td>{s.meaning}</td>
                    <td>{formatDateTime(s.signedAt)}</td>
                    <td className={styles.hash}>{s.contentSha256}</td>
                    <td data-testid="signature-verification">{SIGNATURE_CHECK_LABELS[s.verification]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        {a.history.length === 0 ? (
          <p>No status changes yet.</p>
        ) : (
          <table data-testid="history">
            <caption className="muted" style={{ textAlign: "left" }}>
              Every status change, oldest first
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Change</th>
                <th scope="col">By</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {a.history.map((h) => (
                <tr key={h.id}>
                  <td>{formatDateTime(h.at)}</td>
                  <td>{h.fromLabel ? `${h.fromLabel} → ${h.toLabel}` : h.toLabel}</td>
                  <td>{h.by}</td>
                  <td>{h.reason ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {a.otherEnrollments.length ? (
        <section className="card" aria-labelledby="other-title">
          <h2 id="other-title">Other programmes</h2>
          <ul>
            {a.otherEnrollments.map((o) => (
              <li key={o.id}>
                <Link href={`/admin/stakeholders/${o.id}`}>{o.programName}</Link>: {o.statusLabel}
                {o.certificationNumber ? ` (${o.certificationNumber})` : ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {a.audit.length ? (
        <section className="card" aria-labelledby="audit-title">
          <h2 id="audit-title">Audit trail</h2>
          <table>
            <caption className="muted" style={{ textAlign: "left" }}>
              Audit events recorded for this application
            </caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {a.audit.map((row) => (
                <tr key={row.seq}>
                  <td>{row.seq}</td>
                  <td>{formatDateTime(row.at)}</td>
                  <td>{formatAuditAction(row.action)}</td>
                  <td>{row.by}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      <section aria-labelledby="decision-title">
        <h2 id="decision-title">Decision</h2>
        {a.actions.length === 0 ? (
          <p>No administrator action applies to an application that is {a.statusLabel.toLowerCase()}.</p>
        ) : (
          <div className={styles.actions}>
            {a.actions.map((event) => (
              <DecisionForm
                key={`${event}-${a.version}`}
                enrollmentId={a.id}
                version={a.version}
                event={event}
                returnTo={returnTo}
              />
            ))}
          </div>
        )}
      </section>
    </>
  );
}
