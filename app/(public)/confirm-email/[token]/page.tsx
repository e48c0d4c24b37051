import type { Metadata } from "next";
import Link from "next/link";
import { ConfirmEmailChange } from "@/components/auth/account-change-forms";
import { FormBanner } from "@/components/ui/field";
import { emailChangeLinkProblem } from "@/lib/auth/account-changes";
import { tokenState } from "@/lib/auth/account-tokens";
import { db } from "@/lib/db";

export const metadata: Metadata = { title: "Confirm your new sign-in address", referrer: "no-referrer" };

export default async function ConfirmEmailPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const state = await tokenState(db(), "EMAIL_CHANGE", token);
  return (
    <div className="narrow">
      <h1>Confirm your new sign-in address</h1>
      {state === "valid" ? (
        <div className="card">
          <p>
            Confirm to make this address the one you sign in with. Every device signed in to your account will be signed
            out.
          </p>
          <ConfirmEmailChange token={token} />
        </div>
      ) : (
        <>
          <FormBanner kind="error">{emailChangeLinkProblem(state)}</FormBanner>
          <p>
            <Link href="/account">Your account</Link>
          </p>
        </>
      )}
    </div>
  );
}
