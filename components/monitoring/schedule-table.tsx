import type { MonitoringSchedule } from "@/lib/monitoring/types";
import { ItemState } from "./item-state";
import styles from "./monitoring.module.css";
import { formatDate } from "@/lib/format";

/** Each monitoring item with its last result, next due date and state. */
export function ScheduleTable({ schedule, caption }: { schedule: MonitoringSchedule; caption: string }) {
  return (
    <div className={styles.tableWrap}>
      <table>
        <caption className="muted">
          {caption}
          {schedule.monitoringEndsOn ? ` Monitoring continues until ${formatDate(schedule.monitoringEndsOn)}.` : null}
        </caption>
        <thead>
          <tr>
            <th scope="col">Test</th>
            <th scope="col">Last</th>
            <th scope="col">Next due</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {schedule.items.map((item) => (
            <tr key={item.code}>
              <th scope="row">{item.name}</th>
              <td>{item.lastOn ? formatDate(item.lastOn) : "None"}</td>
              <td>{formatDate(item.nextDueOn)}</td>
              <td>
                <ItemState item={item} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
