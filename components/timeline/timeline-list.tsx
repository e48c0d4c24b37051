import type { TimelineEvent } from "@/lib/dashboards/queries";
import styles from "./timeline.module.css";
import { formatDate } from "@/lib/format";

const KIND_LABELS: Record<TimelineEvent["kind"], string> = {
  enrollment: "Enrollment",
  course: "Course",
  infusion: "Infusion",
  lab: "Result",
  status_form: "Status form",
};

function flagged(event: TimelineEvent): boolean {
  return (
    (event.kind === "infusion" && event.reaction) ||
    (event.kind === "lab" && event.abnormal) ||
    (event.kind === "status_form" && event.seriousAdverseEvent)
  );
}

/** A patient's history, newest first. */
export function TimelineList({ events }: { events: TimelineEvent[] }) {
  if (events.length === 0) return <p className="muted">Nothing recorded yet.</p>;
  return (
    <ol className={styles.list} aria-label="Patient history, newest first">
      {events.map((event, index) => (
        <li
          // Events have no ids of their own; the list never reorders on the client.
          // biome-ignore lint/suspicious/noArrayIndexKey: static server-rendered list
          key={index}
          className={styles.event}
          data-kind={event.kind}
          data-flag={flagged(event) ? "true" : undefined}
        >
          <time className={styles.date} dateTime={event.on}>
            {formatDate(event.on)}
          </time>
          <span className={styles.visuallyHidden}>{KIND_LABELS[event.kind]}: </span>
          <strong>{event.title}</strong>
          {event.detail ? <span className={styles.detail}>{event.detail}</span> : null}
        </li>
      ))}
    </ol>
  );
}
