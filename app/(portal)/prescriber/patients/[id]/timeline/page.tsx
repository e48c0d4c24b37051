import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AdherenceChart } from "@/components/charts/adherence-chart";
import { StateBadge } from "@/components/timeline/state-badge";
import { TimelineList } from "@/components/timeline/timeline-list";
import { requirePagePermission } from "@/lib/auth/session";
import { getPatientTimeline, type PatientTimeline } from "@/lib/dashboards/queries";
import { AppError } from "@/lib/errors";
import { formatDate, formatStatus } from "@/lib/format";
import { ItemState } from "@/components/monitoring/item-state";
import { describeAttention } from "@/lib/monitoring/rules";

export const metadata: Metadata = { title: "Patient timeline" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePagePermission("portal:prescriber", `/prescriber/patients/${id}/timeline`);
  let timeline: PatientTimeline;
  try {
    timeline = await getPatientTimeline(actor, id);
  } catch (error) {
    if (error instanceof AppError && (error.code === "NOT_FOUND" || error.code === "FORBIDDEN")) notFound();
    throw error;
  }
  const { patient } = timeline;
  return (
    <>
      <p>
        <Link href={`/prescriber/patients/${patient.id}`}>Back to {patient.name}</Link>
      </p>
      <h1>Timeline: {patient.name}</h1>
      <p className="muted">
        {patient.remsId}
        {timeline.programName ? ` · ${timeline.programName}` : ""} · {formatStatus(patient.enrollmentStatus, "patient")}
        {patient.statusReason ? ` (${patient.statusReason})` : ""}
      </p>
      <section className="card" aria-labelledby="monitoring-heading">
        <h2 id="monitoring-heading">
          Monitoring <StateBadge state={timeline.overall} />
        </h2>
        {timeline.attention.length > 0 ? (
          <p data-testid="monitoring-attention">
            Needs attention: {timeline.attention.map(describeAttention).join("; ")}.
          </p>
        ) : null}
        {timeline.schedule.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Test</th>
                <th scope="col">Last</th>
                <th scope="col">Next due</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {timeline.schedule.map((item) => (
                <tr key={item.code}>
                  <td>{item.name}</td>
                  <td>{formatDate(item.lastOn)}</td>
                  <td>{formatDate(item.nextDueOn)}</td>
                  <td>
                    <ItemState item={item} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <section className="card" aria-labelledby="adherence-heading">
        <h2 id="adherence-heading">Monitoring adherence</h2>
        <AdherenceChart months={timeline.adherence} />
      </section>
      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <TimelineList events={timeline.events} />
      </section>
    </>
  );
}
