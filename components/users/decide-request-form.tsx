"use client";

import { useState, useTransition } from "react";
import styles from "@/components/admin/admin.module.css";
import { TextAreaField } from "@/components/admin/text-area-field";
import { FormBanner } from "@/components/ui/field";
import { decideAdministratorRequestAction } from "@/lib/users/actions";
import { MAX_REASON_LENGTH } from "@/lib/users/schema";

/** Approve (not one's own request) or decline a pending administrator request. */
export function DecideRequestForm({ requestId, name, mine }: { requestId: string; name: string; mine: boolean }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<{ message: string; reason?: string } | null>(null);
  const [reason, setReason] = useState("");
  const id = `decide-${requestId.slice(0, 8)}`;

  const decide = (decision: "APPROVE" | "DECLINE") => {
    setError(null);
    startTransition(async () => {
      const result = await decideAdministratorRequestAction({ requestId, decision, reason });
      if (result && !result.ok) setError({ message: result.message, reason: result.fields?.reason?.[0] });
    });
  };

  return (
    <form onSubmit={(e) => e.preventDefault()} noValidate aria-label={`Decide the request for ${name}`}>
      {error ? <FormBanner kind="error">{error.message}</FormBanner> : null}
      <TextAreaField
        id={`${id}-reason`}
        label={mine ? "Reason for withdrawing your request" : "Note (required to decline)"}
        maxLength={MAX_REASON_LENGTH}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        error={error?.reason}
      />
      {mine ? (
        <p className="muted">You asked for this administrator: another administrator must approve it.</p>
      ) : (
        <button type="button" className="button" disabled={pending} onClick={() => decide("APPROVE")}>
          Approve and send the invitation
        </button>
      )}{" "}
      <button type="button" className={`button ${styles.danger}`} disabled={pending} onClick={() => decide("DECLINE")}>
        {mine ? "Withdraw the request" : "Decline"}
      </button>
    </form>
  );
}
