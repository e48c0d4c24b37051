import type { Metadata } from "next";
import Link from "next/link";
import { ActivateAccount } from "@/components/auth/activate-account";
import { FormBanner } from "@/components/ui/field";
import { tokenState } from "@/lib/auth/account-tokens";
import { verificationLinkProblem } from "@/lib/auth/service";
import { db } from "@/lib/db";

export const metadata: Metadata = { title: "Activate your account", referrer: "no-referrer" };

export default async function VerifyEmailPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const state = await tokenState(db(), "EMAIL_VERIFICATION", token);
  return (
    <div className="narrow">
      <h1>Activate your account</h1>
      {state === "valid" ? (
        <div className="card">
          <p>Your e-mail address is confirmed. Activate the account to finish signing up.</p>
          <ActivateAccount token={token} />
        </div>
      ) : (
        <>
          <FormBanner kind="error">{verificationLinkProblem(state)}</FormBanner>
          <p>{state === "used" ? <Link href="/sign-in">Sign in</Link> : <Link href="/sign-up">Sign up again</Link>}</p>
        </>
      )}
    </div>
  );
}
