import { STATE_LABELS } from "@/lib/monitoring/rules";
import type { MonitoringState } from "@/lib/monitoring/types";
import styles from "./monitoring.module.css";

/** A monitoring state as text with a colour; the text alone carries the meaning. */
export function StateBadge({ state }: { state: MonitoringState }) {
  return <span className={`${styles.badge} ${styles[state]}`}>{STATE_LABELS[state]}</span>;
}
