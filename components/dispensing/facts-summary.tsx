import { STATUS_LABELS as CERTIFICATION_LABELS, type CertificationStatus } from "@/lib/certification/rules";
import type { DispenseFacts, PharmacyOnlyFacts } from "@/lib/dispensing/facts";
import { formatDate } from "@/lib/format";
import { patientStatusLabel } from "@/lib/patients/rules";
import styles from "./dispensing.module.css";

function certification(status: CertificationStatus | null | undefined): string {
  if (status === undefined) return "Not registered in the registry";
  return status ? CERTIFICATION_LABELS[status] : "Not enrolled in this programme";
}

function latest(days: readonly string[]): string {
  const last = [...days].sort().at(-1);
  return last ? formatDate(last) : "None on record";
}

/** What the registry knew when it decided: the facts stored with the request. */
export function FactsSummary({ facts }: { facts: DispenseFacts | PharmacyOnlyFacts | null }) {
  if (!facts?.pharmacy) return <p className="muted">No facts were stored with this request.</p>;
  if ("pharmacyOnly" in facts) {
    return (
      <>
        <dl className={styles.details} data-testid="facts">
          <dt>Your pharmacy</dt>
          <dd>{certification(facts.pharmacy.certificationStatus)}</dd>
        </dl>
        <p className="muted" data-testid="facts-withheld">
          Your pharmacy is not certified in this programme, so nothing about the patient, the prescriber or the
          healthcare setting is shown to it.
        </p>
      </>
    );
  }
  const patient = facts.patient;
  return (
    <dl className={styles.details} data-testid="facts">
      <dt>Your pharmacy</dt>
      <dd>{certification(facts.pharmacy.certificationStatus)}</dd>
      <dt>Prescriber</dt>
      <dd>{certification(facts.prescriber ? facts.prescriber.certificationStatus : undefined)}</dd>
      <dt>Healthcare setting</dt>
      <dd>{certification(facts.setting ? facts.setting.certificationStatus : undefined)}</dd>
      <dt>Patient</dt>
      <dd>
        {patient
          ? patient.enrollmentStatus
            ? patientStatusLabel(patient.enrollmentStatus)
            : "Not enrolled in this programme"
          : "Not registered in the registry"}
      </dd>
      {patient ? (
        <>
          <dt>Last infusion</dt>
          <dd>{latest(patient.doseDates)}</dd>
          <dt>Latest monitoring result</dt>
          <dd>{latest(patient.results.map((r) => r.collectedOn))}</dd>
          <dt>Last Patient Status Form</dt>
          <dd>{latest(patient.statusFormDates)}</dd>
        </>
      ) : null}
    </dl>
  );
}
