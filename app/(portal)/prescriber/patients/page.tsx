import type { Metadata } from "next";
import Link from "next/link";
import { firstGate } from "@/components/enrollment/certification-gate";
import { CertificationNotice } from "@/components/enrollment/certification-notice";
import { PatientStatusBadge } from "@/components/patients/status-badge";
import { FormBanner } from "@/components/ui/field";
import { requirePagePermission } from "@/lib/auth/session";
import { findOwnEnrollments } from "@/lib/enrollment/queries";
import { listPatientsForPrescriber } from "@/lib/patients/service";

export const metadata: Metadata = { title: "Patients" };

export default async function PatientsPage({ searchParams }: { searchParams: Promise<{ transferred?: string }> }) {
  const actor = await requirePagePermission("portal:prescriber", "/prescriber/patients");
  const [patients, params, enrollments] = await Promise.all([
    listPatientsForPrescriber(actor),
    searchParams,
    findOwnEnrollments(actor),
  ]);
  const delegate = actor.role === "PRESCRIBER_DELEGATE";
  const gate = firstGate(enrollments, delegate);
  return (
    <>
      <h1>Patients</h1>
      {params.transferred ? (
        <FormBanner kind="ok">The patient was transferred to their new prescriber.</FormBanner>
      ) : null}
      {gate ? (
        <CertificationNotice gate={gate} />
      ) : (
        <p>
          <Link className="button" href="/prescriber/patients/new">
            Enroll a patient
          </Link>
        </p>
      )}
      {patients.length === 0 ? (
        <p className="muted">No patients yet.</p>
      ) : (
        <table>
          <caption className="visuallyHidden">
            {delegate ? "Patients of the prescribers you work for" : "Your patients"}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">REMS patient id</th>
              <th scope="col">Status</th>
              <th scope="col">Healthcare setting</th>
              {delegate ? <th scope="col">Prescriber</th> : null}
            </tr>
          </thead>
          <tbody>
            {patients.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link href={`/prescriber/patients/${p.id}`}>{p.name}</Link>
                </td>
                <td>{p.remsId}</td>
                <td>
                  <PatientStatusBadge status={p.status} />
                </td>
                <td>{p.healthcareSetting ?? "—"}</td>
                {delegate ? <td>{p.prescriber ?? "—"}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
