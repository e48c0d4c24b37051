import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import styles from "@/components/admin/admin.module.css";
import { FileForm, LinkForm, NoteForm } from "@/components/noncompliance/evidence-forms";
import { StepForm } from "@/components/noncompliance/step-form";
import { FormBanner } from "@/components/ui/field";
import { requirePagePermission } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { formatDate, formatDateTime } from "@/lib/format";
import { getCase } from "@/lib/noncompliance/queries";

export const metadata: Metadata = { title: "Non-compliance case" };

type Props = {
  params: Promise<{ ref: string }>;
  searchParams: Promise<{ done?: string | string[]; revoked?: string | string[] }>;
};

const DONE: Record<string, string> = {
  opened: "Case opened. Take the first step when ready: the stakeholder is told of each step by e-mail.",
  notice: "Notice sent to the stakeholder.",
  corrective_action: "Corrective action plan sent to the stakeholder.",
  suspend: "Certification suspended. The stakeholder was told by e-mail.",
  decertify: "Certification withdrawn. The stakeholder was told by e-mail.",
  reinstate: "Certification reinstated. The stakeholder was told by e-mail.",
  close: "Case closed. The stakeholder was told by e-mail.",
};

function sizeText(bytes: number | null): string {
  if (bytes === null) return "—";
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export default async function CasePage({ params, searchParams }: Props) {
  const { ref } = await params;
  const { done, revoked } = await searchParams;
  const actor = await requirePagePermission("noncompliance:read:any", `/admin/non-compliance/${ref}`);
  let c: Awaited<ReturnType<typeof getCase>>;
  try {
    c = await getCase(actor, ref);
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  }
  const doneMessage = typeof done === "string" ? DONE[done] : undefined;
  const revokedCount = typeof revoked === "string" && /^\d{1,6}$/.test(revoked) ? Number(revoked) : 0;
  return (
    <>
      <p>
        <Link href="/admin/non-compliance">Non-compliance cases</Link>
      </p>
      <h1>
        Case {c.caseNumber} <span className={styles.badge}>{c.stateLabel}</span>
      </h1>
      <p className="muted">
        {c.typeLabel} · {c.stakeholder.programName}
      </p>
      {doneMessage ? (
        <FormBanner kind="ok" id="done-banner">
          {doneMessage}
        </FormBanner>
      ) : null}
      {doneMessage && revokedCount > 0 ? (
        <FormBanner kind="warn" id="revoked-banner">
          {revokedCount === 1
            ? "1 open dispense authorization that depended on this certification was revoked."
            : `${revokedCount} open dispense authorizations that depended on this certification were revoked.`}
        </FormBanner>
      ) : null}

      <section className="card" aria-labelledby="case-title">
        <h2 id="case-title">The case</h2>
        <dl className={styles.details}>
          <dt>Stakeholder</dt>
          <dd>
            <Link href={`/admin/stakeholders/${c.stakeholder.enrollmentId}`}>{c.stakeholder.name}</Link> (
            {c.stakeholder.kindLabel}
            {c.stakeholder.identifiers.length
              ? `, ${c.stakeholder.identifiers.map((i) => `${i.label} ${i.value}`).join(", ")}`
              : ""}
            )
          </dd>
          <dt>Certification status</dt>
          <dd data-testid="certification-status">{c.stakeholder.statusLabel}</dd>
          <dt>State</dt>
          <dd data-testid="case-state">{c.stateLabel}</dd>
          <dt>Corrective action due</dt>
          <dd>
            {c.dueOn ? formatDate(c.dueOn) : "—"}
            {c.overdue ? <strong> (overdue)</strong> : null}
          </dd>
          <dt>Opened</dt>
          <dd>{formatDateTime(c.openedAt)}</dd>
          {c.closedAt ? (
            <>
              <dt>Closed</dt>
              <dd>{formatDateTime(c.closedAt)}</dd>
            </>
          ) : null}
          <dt>What happened</dt>
          <dd style={{ whiteSpace: "pre-wrap" }}>{c.description}</dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="ladder-title">
        <h2 id="ladder-title">Ladder</h2>
        <ol data-testid="ladder">
          {c.ladder.map((r) => (
            <li key={r.measure} aria-current={r.current ? "step" : undefined}>
              {r.current ? <strong>{r.label} (current)</strong> : r.label}
              {r.reached && !r.current ? " — done" : ""}
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="next-title">
        <h2 id="next-title">Next steps</h2>
        {c.nextSteps.length === 0 ? (
          <p>No step applies to a case in this state.</p>
        ) : (
          <div className={styles.actions}>
            {c.nextSteps.map((s) => (
              <StepForm
                key={`${s.step}-${c.version}`}
                caseId={c.id}
                caseRef={c.caseNumber}
                version={c.version}
                step={s.step}
                label={s.label}
                suggestedDueOn={s.suggestedDueOn}
              />
            ))}
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="evidence-title">
        <h2 id="evidence-title">Evidence</h2>
        {c.evidence.length === 0 ? (
          <p>No evidence yet.</p>
        ) : (
          <div className={styles.tableWrap}>
            <table data-testid="evidence">
              <caption className="muted" style={{ textAlign: "left" }}>
                Notes, linked records and files, oldest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Added</th>
                  <th scope="col">By</th>
                  <th scope="col">Evidence</th>
                </tr>
              </thead>
              <tbody>
                {c.evidence.map((e) => (
                  <tr key={e.id}>
                    <td>{formatDateTime(e.at)}</td>
                    <td>{e.by}</td>
                    <td>
                      {e.kind === "NOTE" ? <span style={{ whiteSpace: "pre-wrap" }}>{e.note}</span> : null}
                      {e.link ? `${e.link.label}` : null}
                      {e.file ? (
                        <>
                          <a href={`/admin/non-compliance/${c.id}/evidence/${e.id}`}>{e.file.name}</a> (
                          {sizeText(e.file.sizeBytes)})
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {c.state !== "CLOSED" ? (
        <section aria-labelledby="add-evidence-title">
          <h2 id="add-evidence-title">Add evidence</h2>
          <div className={styles.actions}>
            <NoteForm caseId={c.id} />
            <LinkForm caseId={c.id} />
            <FileForm caseId={c.id} />
          </div>
        </section>
      ) : null}

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <table data-testid="case-history">
          <caption className="muted" style={{ textAlign: "left" }}>
            Every step, oldest first
          </caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Step</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
              <th scope="col">Due</th>
            </tr>
          </thead>
          <tbody>
            {c.history.map((h) => (
              <tr key={h.id}>
                <td>{formatDateTime(h.at)}</td>
                <td>{h.label}</td>
                <td>{h.by}</td>
                <td style={{ whiteSpace: "pre-wrap" }}>{h.reason}</td>
                <td>{h.dueOn ? formatDate(h.dueOn) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
