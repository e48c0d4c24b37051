"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { revokeInvitationAction } from "@/lib/invitations/actions";

export function RevokeInvitationButton({ invitationId, email }: { invitationId: string; email: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="button link"
        disabled={pending}
        aria-label={`Cancel the invitation to ${email}`}
        onClick={() =>
          startTransition(async () => {
            const result = await revokeInvitationAction(invitationId);
            if (!result.ok) setError(result.message);
            else router.refresh();
          })
        }
      >
        Cancel
      </button>
      {error ? (
        <span className="error" role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}
