import { patientStatusLabel } from "@/lib/patients/rules";
import styles from "./patients.module.css";

export function PatientStatusBadge({ status }: { status: string | null }) {
  if (!status) return <span className={styles.status}>No enrollment</span>;
  return <span className={`${styles.status} ${styles[`status${status}`] ?? ""}`}>{patientStatusLabel(status)}</span>;
}
