import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { StateBadge } from "@/components/monitoring/state-badge";
import { StatusFormForm } from "@/components/monitoring/status-form";
import { signerFactor } from "@/lib/auth/mfa";
import { requirePagePermission } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { getStatusFormPage } from "@/lib/status-forms/service";
import { formatDate } from "@/lib/format";

export const metadata: Metadata = { title: "Patient Status Form" };

/** The periodic status form: when it is due, the form to sign (prescriber only), past forms. */
export default async function StatusFormPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePagePermission("portal:prescriber", `/prescriber/patients/${id}/status-form`);
  if (!z.uuid().safeParse(id).success) notFound();
  let view: Awaited<ReturnType<typeof getStatusFormPage>>;
  try {
    view = await getStatusFormPage(actor, id);
  } catch (error) {
    if (isAppError(error) && (error.code === "NOT_FOUND" || error.code === "FORBIDDEN")) notFound();
    throw error;
  }
  const factor = view.canSign ? await signerFactor(actor.userId, view.signatureRequiresMfa) : undefined;
  const labels = new Map(view.form.fields.map((f) => [f.id, f.label]));
  return (
    <>
      <p>
        <Link href={`/prescriber/patients/${view.patient.id}/labs`}>Monitoring results for {view.patient.name}</Link>
      </p>
      <h1>Patient Status Form: {view.patient.name}</h1>
      {view.due ? (
        <p>
          <StateBadge state={view.due.state} />{" "}
          {view.due.nextDueOn ? `Next form due ${formatDate(view.due.nextDueOn)}.` : "No further form is due."}
          {view.due.lastOn ? ` Last submitted ${formatDate(view.due.lastOn)}.` : " None submitted yet."}
        </p>
      ) : null}
      <section className="card" aria-labelledby="form-heading">
        <h2 id="form-heading">Submit a status form</h2>
        {view.canSign ? (
          <StatusFormForm patientId={view.patient.id} form={view.form} meaning={view.meaning} factor={factor} />
        ) : (
          <p>Only the prescriber can sign the Patient Status Form. Ask them to sign in and submit it.</p>
        )}
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Submitted forms</h2>
        {view.submissions.length === 0 ? (
          <p className="muted">No status form submitted yet.</p>
        ) : (
          view.submissions.map((s) => (
            <details key={s.id} className="card">
              <summary>
                {formatDate(s.submittedAt)}
                {s.seriousAdverseEvent
                  ? s.reviewedAt
                    ? " · serious adverse event (reviewed)"
                    : " · serious adverse event (awaiting review)"
                  : ""}
              </summary>
              <dl className="details">
                {Object.entries(s.answers).map(([key, value]) => (
                  <div key={key} style={{ display: "contents" }}>
                    <dt>{labels.get(key) ?? key}</dt>
                    <dd>{value === "yes" ? "Yes" : value === "no" ? "No" : value}</dd>
                  </div>
                ))}
              </dl>
            </details>
          ))
        )}
      </section>
    </>
  );
}
