"use client";

import { useState, useTransition } from "react";
import { FormBanner } from "@/components/ui/field";
import { signOutEverywhereAction } from "@/lib/auth/actions";

export function SignOutEverywhereButton() {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      {error ? <FormBanner kind="error">{error}</FormBanner> : null}
      <button
        type="button"
        className="button secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await signOutEverywhereAction();
            if (result && !result.ok) setError(result.message);
          })
        }
      >
        Sign out everywhere
      </button>
    </>
  );
}
