import type { Metadata } from "next";
import Link from "next/link";
import { forbidden } from "next/navigation";
import { PatientHistory, PatientSummary } from "@/components/patients/patient-summary";
import { PatientSignatureForm } from "@/components/patients/signature-form";
import { StatusActions, TransferForm } from "@/components/patients/status-actions";
import { signerFactor } from "@/lib/auth/mfa";
import { getProgramDefinition } from "@/lib/programs/registry";
import { requirePagePermission } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { coSignatureText, getPatientForActor, type PatientDetails } from "@/lib/patients/service";
import { formatDate } from "@/lib/format";

export const metadata: Metadata = { title: "Patient" };

export default async function PatientPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePagePermission("portal:prescriber", `/prescriber/patients/${id}`);
  let patient: PatientDetails;
  try {
    patient = await getPatientForActor(actor, id);
  } catch (error) {
    // The service has already written the refusal to the audit trail.
    if (isAppError(error) && error.code === "FORBIDDEN") forbidden();
    throw error;
  }
  const coSign = patient.can.coSign && patient.enrollment ? coSignatureText(patient.enrollment.programCode) : null;
  const factor =
    coSign && patient.enrollment
      ? await signerFactor(
          actor.userId,
          getProgramDefinition(patient.enrollment.programCode)?.esignature.requireMfa ?? false,
        )
      : undefined;
  return (
    <>
      <p>
        <Link href="/prescriber/patients">← Patients</Link>
      </p>
      <h1>{patient.name}</h1>
      <PatientSummary patient={patient} showContact />
      <nav aria-label="Patient records" className="card">
        <ul>
          <li>
            <Link href={`/prescriber/patients/${patient.id}/labs`}>Lab results</Link>
          </li>
          <li>
            <Link href={`/prescriber/patients/${patient.id}/status-form`}>Patient Status Form</Link>
          </li>
          <li>
            <Link href={`/prescriber/patients/${patient.id}/timeline`}>Timeline and monitoring adherence</Link>
          </li>
        </ul>
      </nav>
      {coSign ? (
        <section className="card" aria-labelledby="cosign-heading">
          <h2 id="cosign-heading">Co-sign the enrollment</h2>
          <PatientSignatureForm
            who="prescriber"
            patientId={patient.id}
            statements={[...coSign.attestations]}
            meaning={coSign.meaning}
            factor={factor}
          />
        </section>
      ) : null}
      {patient.can.changeStatus && patient.enrollment ? (
        <section className="card" aria-labelledby="status-heading">
          <h2 id="status-heading">Change status</h2>
          <StatusActions patientId={patient.id} current={patient.enrollment.status} />
        </section>
      ) : null}
      {patient.can.transfer ? (
        <section className="card" aria-labelledby="transfer-heading">
          <h2 id="transfer-heading">Transfer to another prescriber</h2>
          <TransferForm patientId={patient.id} />
        </section>
      ) : null}
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <PatientHistory patient={patient} />
        {patient.transfers.length > 0 ? (
          <>
            <h3>Transfers</h3>
            <ul>
              {patient.transfers.map((t) => (
                <li key={t.at.toISOString()}>
                  {formatDate(t.at)}: {t.fromPrescriber ?? "—"} → {t.toPrescriber}
                  {t.reason ? ` (${t.reason})` : ""}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
    </>
  );
}
