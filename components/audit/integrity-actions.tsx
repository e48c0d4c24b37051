"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { FormBanner } from "@/components/ui/field";
import { startFullVerificationAction, verifyAuditNowAction } from "@/lib/audit/actions";

/** "Verify now" and "Start a full re-walk" (both audited). */
export function IntegrityActions({ fullWalkActive }: { fullWalkActive: boolean }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const run = (action: typeof verifyAuditNowAction) => () => {
    setError(null);
    startTransition(async () => {
      const result = await action();
      if (result && !result.ok) setError(result.message);
    });
  };
  return (
    <div>
      {error ? <FormBanner kind="error">{error}</FormBanner> : null}
      <button type="button" className="button" onClick={run(verifyAuditNowAction)} disabled={pending}>
        {pending ? "Working…" : "Verify now"}
      </button>{" "}
      <button
        type="button"
        className="button secondary"
        onClick={run(startFullVerificationAction)}
        disabled={pending || fullWalkActive}
      >
        {fullWalkActive ? "Full re-walk in progress" : "Start a full re-walk"}
      </button>
    </div>
  );
}

/** Reloads the page's data every few seconds while a full re-walk runs and the tab is visible. */
export function RefreshWhileRunning({ everyMs = 3000 }: { everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, everyMs);
    return () => clearInterval(timer);
  }, [router, everyMs]);
  return null;
}
