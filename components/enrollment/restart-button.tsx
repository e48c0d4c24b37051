"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { FormBanner } from "@/components/ui/field";
import { restartEnrollmentAction } from "@/lib/enrollment/actions";

/** Starts a rejected or expired application again (the form stays filled in). */
export function RestartButton({ enrollmentId, nextHref }: { enrollmentId: string; nextHref: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <div>
      {error ? <FormBanner kind="error">{error}</FormBanner> : null}
      <button
        type="button"
        className="button"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await restartEnrollmentAction({ enrollmentId });
            if (!result.ok) {
              setError(result.message);
              return;
            }
            router.push(nextHref);
            router.refresh();
          })
        }
      >
        {pending ? "Starting again…" : "Start a new application"}
      </button>
    </div>
  );
}
