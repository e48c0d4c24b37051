"use client";

import Link from "next/link";
import { useState, useTransition } from "react";
import { FormBanner } from "@/components/ui/field";
import { completeSignUpAction } from "@/lib/auth/actions";

/** A button, not an automatic GET: mail scanners that open links must not use up the link. */
export function ActivateAccount({ token }: { token: string }) {
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<{ ok: boolean; message?: string } | null>(null);

  if (result?.ok) {
    return (
      <FormBanner kind="ok">
        Your account is active. <Link href="/sign-in">Sign in</Link> with your e-mail address and password.
      </FormBanner>
    );
  }
  return (
    <div>
      {result?.message ? <FormBanner kind="error">{result.message}</FormBanner> : null}
      <button
        type="button"
        className="button"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const outcome = await completeSignUpAction(token);
            setResult(outcome.ok ? { ok: true } : { ok: false, message: outcome.message });
          })
        }
      >
        {pending ? "Activating…" : "Activate my account"}
      </button>
    </div>
  );
}
