import Link from "next/link";
import type { StepId, StepProgress } from "@/lib/enrollment/rules";
import styles from "./enrollment.module.css";
import { stepHref } from "./links";

/**
 * The guided flow's progress indicator: every step with its state, the current one marked with
 * aria-current, completed ones announced as such. Steps that need an earlier one are not links.
 */
export function StepList({
  programCode,
  steps,
  current,
  started,
  forPrescriberId,
}: {
  programCode: string;
  steps: StepProgress[];
  current: StepId;
  /** Whether the application exists yet (the later steps need it). */
  started: boolean;
  forPrescriberId: string | null;
}) {
  const done = steps.filter((s) => s.complete).length;
  const index = steps.findIndex((s) => s.id === current);
  return (
    <nav className={styles.steps} aria-label="Enrollment steps">
      <p className={styles.progressText} id="enrollment-progress">
        Step {index + 1} of {steps.length} · {done} of {steps.length} complete
      </p>
      <progress className={styles.progressBar} value={done} max={steps.length} aria-labelledby="enrollment-progress" />
      <ol className={styles.stepList}>
        {steps.map((step, i) => {
          const isCurrent = step.id === current;
          const reachable = step.id === "details" || started;
          const className = [
            styles.step,
            isCurrent ? styles.stepCurrent : "",
            step.complete ? styles.stepDone : "",
            reachable ? "" : styles.stepUnavailable,
          ].join(" ");
          const content = (
            <>
              <span className={styles.marker} aria-hidden="true">
                {step.complete ? "✓" : i + 1}
              </span>
              {step.label}
              <span className={styles.visuallyHidden}>
                {step.complete
                  ? " (completed)"
                  : reachable
                    ? " (not completed)"
                    : " (available after the enrollment form)"}
              </span>
            </>
          );
          return (
            <li key={step.id}>
              {reachable ? (
                <Link
                  className={className}
                  href={stepHref(programCode, step.id, forPrescriberId)}
                  aria-current={isCurrent ? "step" : undefined}
                >
                  {content}
                </Link>
              ) : (
                <span className={className}>{content}</span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
