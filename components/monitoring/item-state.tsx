import { describeBaseline } from "@/lib/monitoring/rules";
import type { BaselineState, ItemSchedule } from "@/lib/monitoring/types";
import styles from "./monitoring.module.css";
import { StateBadge } from "./state-badge";

const BASELINE_LOOK: Record<BaselineState, string | undefined> = {
  fresh: styles.ok,
  stale: styles.due_soon,
  missing: styles.overdue,
};

/**
 * A schedule item's state. Before the first dose a baseline test says whether its result would do
 * for a course starting today, rather than only "Not started".
 */
export function ItemState({ item }: { item: Pick<ItemSchedule, "state" | "baseline"> }) {
  if (!item.baseline) return <StateBadge state={item.state} />;
  return (
    <span
      className={`${styles.badge} ${styles.wrap} ${BASELINE_LOOK[item.baseline.state] ?? ""}`}
      data-baseline={item.baseline.state}
    >
      {describeBaseline(item.baseline)}
    </span>
  );
}
