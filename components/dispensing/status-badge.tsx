import type { TDispenseStatus } from "@/lib/dispensing/schema";
import styles from "./dispensing.module.css";
import { STATUS_LABELS } from "./format";

export function DispenseStatusBadge({ status }: { status: TDispenseStatus }) {
  const tone =
    status === "APPROVED" || status === "DISPENSED"
      ? styles.badgeApproved
      : status === "DENIED" || status === "REVOKED"
        ? styles.badgeDenied
        : "";
  return (
    <span className={`${styles.badge} ${tone}`} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}
