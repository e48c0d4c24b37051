import Link from "next/link";
import type { EnrollmentView } from "@/lib/enrollment/service";
import styles from "./enrollment.module.css";
import { formatDate, formatDateTime } from "@/lib/format";
import { stepHref } from "./links";
import { RestartButton } from "./restart-button";

const REASON_HEADINGS: Partial<Record<string, string>> = {
  CHANGES_REQUESTED: "What the administrator asked you to change",
  REJECTED: "Reason for the rejection",
  SUSPENDED: "Reason for the suspension",
  DECERTIFIED: "Reason for the decertification",
};

const STATUS_NAMES: Record<string, string> = {
  DRAFT: "In progress",
  SUBMITTED: "Submitted",
  CHANGES_REQUESTED: "Changes requested",
  CERTIFIED: "Certified",
  REJECTED: "Rejected",
  SUSPENDED: "Suspended",
  DECERTIFIED: "Decertified",
  EXPIRED: "Expired",
};

function describeEvent(e: EnrollmentView["events"][number]): string {
  if (!e.fromStatus) return e.toStatus === "DRAFT" ? "Enrollment started" : (STATUS_NAMES[e.toStatus] ?? e.toStatus);
  if (e.fromStatus === "CHANGES_REQUESTED" && e.toStatus === "SUBMITTED") return "Resubmitted";
  if (e.toStatus === "DRAFT") return "Started again";
  return STATUS_NAMES[e.toStatus] ?? e.toStatus;
}

/** An applicant's view of one application: status, what is missing, documents, signatures, history. */
export function EnrollmentStatus({ view }: { view: EnrollmentView }) {
  const e = view.enrollment;
  if (!e) return null;
  const titleId = `enrollment-${e.id}-title`;
  const reasonHeading = REASON_HEADINGS[e.status];
  const incomplete = view.progress.filter((s) => !s.complete);
  const firstIncomplete = incomplete[0]?.id ?? "details";
  const continueStep = e.status === "CHANGES_REQUESTED" ? "details" : firstIncomplete;
  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId}>
        {view.program.name}: {view.kindLabel.toLowerCase()} enrollment
        {view.stakeholderName ? ` for ${view.stakeholderName}` : ""}
      </h2>
      <dl className={styles.summary}>
        <dt>Status</dt>
        <dd>
          <span className={styles.statusBadge} data-status={e.status}>
            {e.statusLabel}
          </span>
        </dd>
        {e.certificationNumber ? (
          <>
            <dt>Certification number</dt>
            <dd>{e.certificationNumber}</dd>
          </>
        ) : null}
        <dt>Started</dt>
        <dd>{formatDate(e.createdAt)}</dd>
        {e.submittedAt ? (
          <>
            <dt>Last submitted</dt>
            <dd>{formatDateTime(e.submittedAt)}</dd>
          </>
        ) : null}
        {e.certifiedAt && e.status === "CERTIFIED" ? (
          <>
            <dt>Certified on</dt>
            <dd>{formatDate(e.certifiedAt)}</dd>
          </>
        ) : null}
        {e.expiresAt ? (
          <>
            <dt>Certification expires</dt>
            <dd>{formatDate(e.expiresAt)}</dd>
          </>
        ) : null}
      </dl>

      {reasonHeading && e.statusReason ? (
        <div className="banner warn">
          <strong>{reasonHeading}:</strong>
          <p style={{ margin: "0.25rem 0 0", whiteSpace: "pre-wrap" }}>{e.statusReason}</p>
        </div>
      ) : null}

      {view.editable ? (
        <>
          <h3>What is still missing</h3>
          {incomplete.length === 0 ? (
            <p>Nothing: your application is complete.</p>
          ) : (
            <ul>
              {incomplete.map((step) => (
                <li key={step.id}>
                  <strong>{step.label}</strong>
                  {step.missing.length > 0 ? (
                    <ul>
                      {step.missing.map((item) => (
                        <li key={item}>{item}</li>
                      ))}
                    </ul>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
          {view.can.edit ? (
            <p>
              <Link className="button" href={stepHref(view.program.code, continueStep, view.forPrescriber?.id)}>
                {e.status === "CHANGES_REQUESTED" ? "Make the requested changes" : "Continue enrollment"}
              </Link>
            </p>
          ) : null}
        </>
      ) : null}
      {e.status === "SUBMITTED" ? (
        <p>The REMS administrator reviews your application; you will receive an e-mail when it is decided.</p>
      ) : null}
      {view.can.restart ? (
        <RestartButton enrollmentId={e.id} nextHref={stepHref(view.program.code, "details", view.forPrescriber?.id)} />
      ) : null}

      <h3>Documents</h3>
      {view.documents.signedForm || view.documents.certificate ? (
        <ul>
          {view.documents.signedForm ? (
            <li>
              <a href={view.documents.signedForm}>Signed enrollment form (PDF)</a>
            </li>
          ) : null}
          {view.documents.certificate ? (
            <li>
              <a href={view.documents.certificate}>Certificate of certification (PDF)</a>
            </li>
          ) : null}
        </ul>
      ) : (
        <p className="muted">The signed enrollment form is available once the application has been signed.</p>
      )}

      <h3>Electronic signatures</h3>
      {view.signatures.length === 0 ? (
        <p className="muted">Not signed yet.</p>
      ) : (
        <table>
          <caption className={styles.visuallyHidden}>Electronic signatures on this application</caption>
          <thead>
            <tr>
              <th scope="col">Signed</th>
              <th scope="col">Printed name</th>
              <th scope="col">Meaning</th>
              <th scope="col">SHA-256 of the signed content</th>
            </tr>
          </thead>
          <tbody>
            {view.signatures.map((s) => (
              <tr key={s.id}>
                <td>{formatDateTime(s.signedAt)}</td>
                <td>{s.printedName}</td>
                <td>{s.meaning}</td>
                <td className={styles.hash}>{s.contentSha256}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {view.attempts.length > 0 ? (
        <>
          <h3>Knowledge assessment attempts</h3>
          <table>
            <caption className={styles.visuallyHidden}>Knowledge assessment attempts</caption>
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Submitted</th>
                <th scope="col">Score</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {view.attempts.map((a) => (
                <tr key={a.attemptNumber}>
                  <td>{a.attemptNumber}</td>
                  <td>{formatDateTime(a.submittedAt)}</td>
                  <td>
                    {a.correctCount} of {a.questionCount}
                  </td>
                  <td>{a.passed ? "Passed" : "Not passed"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}

      <h3>History</h3>
      <table>
        <caption className={styles.visuallyHidden}>History of this application</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What happened</th>
            <th scope="col">By</th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {view.events.map((event) => (
            <tr key={event.id}>
              <td>{formatDateTime(event.at)}</td>
              <td>{describeEvent(event)}</td>
              <td>{event.actorName ?? "REMS registry"}</td>
              <td>{event.reason && event.reason !== describeEvent(event) ? event.reason : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
