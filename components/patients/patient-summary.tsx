import type { PatientDetails } from "@/lib/patients/service";
import { patientStatusLabel, SIGNATURE_METHOD_LABELS } from "@/lib/patients/rules";
import styles from "./patients.module.css";
import { PatientStatusBadge } from "./status-badge";
import { formatDateTime } from "@/lib/format";

/** The patient's identity, links and enrollment status. */
export function PatientSummary({ patient, showContact }: { patient: PatientDetails; showContact: boolean }) {
  const e = patient.enrollment;
  return (
    <div className="card">
      <dl className={styles.details}>
        <dt>REMS patient id</dt>
        <dd>
          <span className={styles.remsId}>{patient.remsId}</span>
        </dd>
        <dt>Status</dt>
        <dd>
          <PatientStatusBadge status={e?.status ?? null} />
          {e?.statusReason ? ` — ${e.statusReason}` : null}
        </dd>
        {e ? (
          <>
            <dt>Programme</dt>
            <dd>{e.programName}</dd>
          </>
        ) : null}
        <dt>Date of birth</dt>
        <dd>{patient.dateOfBirth}</dd>
        <dt>Prescriber</dt>
        <dd>{patient.prescriber ? `${patient.prescriber.name} (NPI ${patient.prescriber.npi})` : "—"}</dd>
        <dt>Healthcare setting</dt>
        <dd>
          {patient.healthcareSetting ? `${patient.healthcareSetting.name} (${patient.healthcareSetting.remsId})` : "—"}
        </dd>
        {showContact ? (
          <>
            <dt>Sex</dt>
            <dd>{patient.sex ?? "—"}</dd>
            <dt>Address</dt>
            <dd>{patient.address || "—"}</dd>
            <dt>Phone</dt>
            <dd>{patient.phone ?? "—"}</dd>
            <dt>E-mail</dt>
            <dd>{patient.email ?? "—"}</dd>
            <dt>Patient&apos;s signature</dt>
            <dd>
              {patient.signatureMethod ? SIGNATURE_METHOD_LABELS[patient.signatureMethod] : "—"}
              {e ? (e.patientSigned ? " (signed)" : " (not signed yet)") : null}
            </dd>
            <dt>Prescriber&apos;s co-signature</dt>
            <dd>{e?.prescriberSigned ? "Signed" : "Not signed yet"}</dd>
            <dt>Counselled</dt>
            <dd>{patient.counselledAt ? formatDateTime(patient.counselledAt) : "—"}</dd>
            {patient.ageOverrideReason ? (
              <>
                <dt>Age override</dt>
                <dd>{patient.ageOverrideReason}</dd>
              </>
            ) : null}
          </>
        ) : null}
      </dl>
    </div>
  );
}

/** The enrollment's history: every status change and transfer, oldest first. */
export function PatientHistory({ patient }: { patient: PatientDetails }) {
  return (
    <table>
      <caption className="visuallyHidden">Enrollment history</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Status</th>
          <th scope="col">Reason</th>
          <th scope="col">By</th>
        </tr>
      </thead>
      <tbody>
        {patient.history.map((h) => (
          <tr key={`${h.at.toISOString()}-${h.toStatus}-${h.reason ?? ""}`}>
            <td>{formatDateTime(h.at)}</td>
            <td>
              {h.fromStatus && h.fromStatus !== h.toStatus
                ? `${patientStatusLabel(h.fromStatus)} → ${patientStatusLabel(h.toStatus)}`
                : patientStatusLabel(h.toStatus)}
            </td>
            <td>{h.reason ?? "—"}</td>
            <td>{h.actorName ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
