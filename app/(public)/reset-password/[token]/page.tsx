import type { Metadata } from "next";
import Link from "next/link";
import { ResetPasswordForm } from "@/components/auth/reset-password-form";
import { FormBanner } from "@/components/ui/field";
import { resetLinkProblem, resetTokenState } from "@/lib/auth/recovery";
import { db } from "@/lib/db";

// The token is in the address: no Referer carries it to another site.
export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const state = await resetTokenState(db(), "PASSWORD_RESET", token);
  return (
    <div className="narrow">
      <h1>Choose a new password</h1>
      {state === "valid" ? (
        <>
          <p className="muted">Setting a new password signs you out on every other device.</p>
          <div className="card">
            <ResetPasswordForm token={token} />
          </div>
        </>
      ) : (
        <>
          <FormBanner kind="error">{resetLinkProblem(state)}</FormBanner>
          <p>
            <Link className="button" href="/forgot-password">
              Send me a new link
            </Link>
          </p>
        </>
      )}
    </div>
  );
}
