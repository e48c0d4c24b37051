"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { markAdverseEventReviewedAction } from "@/lib/status-forms/actions";

/** Marks one flagged report reviewed; the row disappears from the list on success. */
export function ReviewAdverseEventButton({
  submissionId,
  patientLabel,
}: {
  submissionId: string;
  patientLabel: string;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const errorId = `review-${submissionId}-error`;
  return (
    <div>
      <button
        type="button"
        className="button"
        disabled={pending}
        aria-describedby={error ? errorId : undefined}
        onClick={() =>
          startTransition(async () => {
            setError(null);
            const result = await markAdverseEventReviewedAction({ submissionId });
            if (!result.ok) setError(result.message);
            router.refresh();
          })
        }
      >
        {pending ? "Saving…" : `Mark reviewed: ${patientLabel}`}
      </button>
      {error ? (
        <p id={errorId} className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
