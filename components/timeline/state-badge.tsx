import { STATE_LABELS } from "@/lib/monitoring/rules";
import type { MonitoringState } from "@/lib/monitoring/types";
import styles from "./timeline.module.css";

/** A monitoring state as a coloured badge; the word carries the meaning, the colour only repeats it. */
export function StateBadge({ state }: { state: MonitoringState }) {
  return (
    <span className={`${styles.badge} ${styles[state]}`} data-state={state}>
      {STATE_LABELS[state]}
    </span>
  );
}
