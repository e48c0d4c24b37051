import type { Metadata } from "next";
import { PatientHistory, PatientSummary } from "@/components/patients/patient-summary";
import { PatientSignatureForm } from "@/components/patients/signature-form";
import { signerFactor } from "@/lib/auth/mfa";
import { getProgramDefinition } from "@/lib/programs/registry";
import { requirePagePermission } from "@/lib/auth/session";
import { getOwnMonitoring, getOwnPatientRecord, patientSigningText } from "@/lib/patients/service";
import { ItemState } from "@/components/monitoring/item-state";
import { formatDate } from "@/lib/format";
import { needsAttention } from "@/lib/monitoring/rules";

export const metadata: Metadata = { title: "Patient dashboard" };

export default async function PatientDashboardPage() {
  const actor = await requirePagePermission("patient:read:self", "/patient");
  const [patient, schedule] = await Promise.all([getOwnPatientRecord(actor), getOwnMonitoring(actor)]);
  const signing =
    patient?.can.signAsPatient && patient.enrollment ? patientSigningText(patient.enrollment.programCode) : null;
  const factor =
    signing && patient?.enrollment
      ? await signerFactor(
          actor.userId,
          getProgramDefinition(patient.enrollment.programCode)?.esignature.requireMfa ?? false,
        )
      : undefined;
  return (
    <>
      <h1>Patient dashboard</h1>
      <p className="muted">Signed in as {actor.name}.</p>
      {!patient ? (
        <div className="card">
          <h2>Your REMS status</h2>
          <p>Your account is not linked to an enrollment yet. Your prescriber enrolls you in the programme.</p>
        </div>
      ) : (
        <>
          <h2>Your REMS status</h2>
          <PatientSummary patient={patient} showContact={false} />
          {signing ? (
            <section className="card" aria-labelledby="sign-heading">
              <h2 id="sign-heading">Sign your enrollment</h2>
              <p>
                Your enrollment is waiting for your signature. Read each statement, tick it if it is true, and sign with
                your password{factor?.enrolled ? " and the code from your authenticator app" : ""}.
              </p>
              <PatientSignatureForm
                who="patient"
                patientId={patient.id}
                statements={[...signing.attestations]}
                meaning={signing.meaning}
                factor={factor}
              />
            </section>
          ) : null}
          {schedule ? (
            <section className="card" aria-labelledby="due-heading">
              <h2 id="due-heading">What is due next</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Test or form</th>
                    <th scope="col">Last done</th>
                    <th scope="col">Next due</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {[...schedule.items]
                    .sort(
                      (a, b) =>
                        Number(needsAttention(b.state)) - Number(needsAttention(a.state)) ||
                        (a.nextDueOn ?? "9999").localeCompare(b.nextDueOn ?? "9999"),
                    )
                    .map((item) => (
                      <tr key={item.code} data-state={item.state}>
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
            </section>
          ) : null}
          <section aria-labelledby="history-heading">
            <h2 id="history-heading">History</h2>
            <PatientHistory patient={patient} />
          </section>
        </>
      )}
    </>
  );
}
