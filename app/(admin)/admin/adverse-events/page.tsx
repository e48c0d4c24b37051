import type { Metadata } from "next";
import { ReviewAdverseEventButton } from "@/components/monitoring/review-adverse-event-button";
import { requirePagePermission } from "@/lib/auth/session";
import { getProgramDefinition } from "@/lib/programs/registry";
import { listUnreviewedAdverseEvents } from "@/lib/status-forms/service";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Serious adverse events" };

/** Serious adverse events reported on Patient Status Forms and not yet reviewed, oldest first. */
export default async function AdverseEventsPage() {
  const actor = await requirePagePermission("portal:admin", "/admin/adverse-events");
  const events = await listUnreviewedAdverseEvents(actor);
  const labels = new Map(
    (getProgramDefinition("LEMTRADA")?.monitoring?.statusForm?.form.fields ?? []).map((f) => [f.id, f.label]),
  );
  return (
    <>
      <h1>Serious adverse events to review</h1>
      <p className="muted">
        Reported by prescribers on Patient Status Forms (a "yes" to a new autoimmune condition, serious infection,
        malignancy or pregnancy).
      </p>
      {events.length === 0 ? (
        <p>Nothing to review.</p>
      ) : (
        events.map((event) => {
          const patient = `${event.patient.firstName} ${event.patient.lastName}`;
          const prescriber = event.patient.prescriber;
          return (
            <section key={event.id} className="card" aria-labelledby={`sae-${event.id}`}>
              <h2 id={`sae-${event.id}`}>
                {patient} <span className="hash">{event.patient.remsId}</span>
              </h2>
              <dl className="details">
                <dt>Reported</dt>
                <dd>{formatDateTime(event.submittedAt)}</dd>
                <dt>Prescriber</dt>
                <dd>
                  {prescriber ? `${prescriber.firstName} ${prescriber.lastName} (NPI ${prescriber.npi})` : "None"}
                </dd>
                {Object.entries(event.answers).map(([key, value]) => (
                  <div key={key} style={{ display: "contents" }}>
                    <dt>{labels.get(key) ?? key}</dt>
                    <dd>{value === "yes" ? <strong>Yes</strong> : value === "no" ? "No" : value}</dd>
                  </div>
                ))}
              </dl>
              <ReviewAdverseEventButton submissionId={event.id} patientLabel={patient} />
            </section>
          );
        })
      )}
    </>
  );
}
