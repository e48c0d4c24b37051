"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { FormBanner } from "@/components/ui/field";
import { acknowledgeTrainingAction } from "@/lib/enrollment/actions";
import type { TTrainingSection } from "@/lib/programs/schema";
import styles from "./enrollment.module.css";
import { trainingSectionAnchor } from "./links";

/**
 * The programme's education material, one section after another, each with an "I have read this
 * section" box that is saved the moment it is ticked.
 */
export function TrainingSections({
  enrollmentId,
  sections,
  acknowledged,
  readOnlyReason,
  next,
}: {
  enrollmentId: string;
  sections: readonly TTrainingSection[];
  acknowledged: Record<string, string>;
  /** Set when this person may read but not acknowledge (e.g. a delegate). */
  readOnlyReason: string | null;
  next: { href: string; label: string };
}) {
  const router = useRouter();
  const [acks, setAcks] = useState<Record<string, boolean>>(() =>
    Object.fromEntries(sections.map((s) => [s.id, Boolean(acknowledged[s.id])])),
  );
  const [saving, setSaving] = useState<string | null>(null);
  const [message, setMessage] = useState<string>("");
  const [error, setError] = useState<string | null>(null);
  const [, startTransition] = useTransition();

  const toggle = (section: TTrainingSection, checked: boolean) => {
    setError(null);
    setAcks((a) => ({ ...a, [section.id]: checked }));
    setSaving(section.id);
    startTransition(async () => {
      const result = await acknowledgeTrainingAction({ enrollmentId, sectionId: section.id, acknowledged: checked });
      setSaving(null);
      if (!result.ok) {
        setAcks((a) => ({ ...a, [section.id]: !checked }));
        setError(result.message);
        return;
      }
      setMessage(
        checked ? `Saved: you have read “${section.title}”.` : `Saved: “${section.title}” is no longer marked as read.`,
      );
      router.refresh();
    });
  };

  const remaining = sections.filter((s) => s.requiresAcknowledgement && !acks[s.id]).length;

  return (
    <div>
      {readOnlyReason ? <FormBanner kind="warn">{readOnlyReason}</FormBanner> : null}
      {error ? <FormBanner kind="error">{error}</FormBanner> : null}
      <p className={styles.visuallyHidden} role="status" aria-live="polite">
        {message}
      </p>
      {sections.map((section) => {
        const headingId = trainingSectionAnchor(section.id);
        return (
          <section key={section.id} className={styles.section} aria-labelledby={headingId}>
            <h2 id={headingId} tabIndex={-1}>
              {section.title}
            </h2>
            {section.paragraphs.map((paragraph) => (
              <p key={paragraph}>{paragraph}</p>
            ))}
            {section.requiresAcknowledgement && !readOnlyReason ? (
              <label className={styles.check}>
                <input
                  type="checkbox"
                  checked={acks[section.id] ?? false}
                  disabled={saving === section.id}
                  onChange={(event) => toggle(section, event.target.checked)}
                />
                <span>
                  I have read this section<span className={styles.visuallyHidden}>: {section.title}</span>
                </span>
              </label>
            ) : null}
            {section.requiresAcknowledgement && readOnlyReason && acks[section.id] ? (
              <p className="muted">Marked as read.</p>
            ) : null}
          </section>
        );
      })}
      <div className={styles.actions}>
        {remaining === 0 || readOnlyReason ? (
          <Link className="button" href={next.href}>
            {next.label}
          </Link>
        ) : (
          <p className="muted">
            {remaining === 1
              ? "Tick “I have read this section” on the last section to continue."
              : `Tick “I have read this section” on each section to continue (${remaining} left).`}
          </p>
        )}
      </div>
    </div>
  );
}
