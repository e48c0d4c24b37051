import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { LabResultForm } from "@/components/monitoring/lab-result-form";
import { LabResultsTable } from "@/components/monitoring/lab-results-table";
import { ScheduleTable } from "@/components/monitoring/schedule-table";
import { requirePagePermission } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { getPatientLabs } from "@/lib/labs/service";
import { dayOf } from "@/lib/monitoring/rules";

export const metadata: Metadata = { title: "Monitoring results" };

/** A patient's monitoring schedule, the form to record a result, and the results so far. */
export default async function PatientLabsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePagePermission("portal:prescriber", `/prescriber/patients/${id}/labs`);
  if (!z.uuid().safeParse(id).success) notFound();
  let labs: Awaited<ReturnType<typeof getPatientLabs>>;
  try {
    labs = await getPatientLabs(actor, id);
  } catch (error) {
    if (isAppError(error) && (error.code === "NOT_FOUND" || error.code === "FORBIDDEN")) notFound();
    throw error;
  }
  const { patient } = labs;
  return (
    <>
      <p>
        <Link href={`/prescriber/patients/${patient.id}`}>Back to {patient.name}</Link>
      </p>
      <h1>Monitoring results: {patient.name}</h1>
      <p className="muted">
        REMS patient id <span className="hash">{patient.remsId}</span> · born {patient.dateOfBirth}
      </p>
      {labs.schedule ? (
        <section className="card" aria-labelledby="schedule-heading">
          <h2 id="schedule-heading">Monitoring schedule</h2>
          <ScheduleTable schedule={labs.schedule} caption="What is due, from the last result and the last dose." />
          <p>
            <Link href={`/prescriber/patients/${patient.id}/status-form`}>Patient Status Form</Link>
          </p>
        </section>
      ) : null}
      <section className="card" aria-labelledby="record-heading">
        <h2 id="record-heading">Record a result</h2>
        <LabResultForm patientId={patient.id} testTypes={labs.testTypes} today={dayOf(new Date())} />
      </section>
      <section aria-labelledby="results-heading">
        <h2 id="results-heading">Results</h2>
        <LabResultsTable results={labs.results} />
      </section>
    </>
  );
}
