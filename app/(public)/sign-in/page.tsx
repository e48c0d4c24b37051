import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { FormBanner } from "@/components/ui/field";
import { getActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Sign in" };

type Search = Promise<{ next?: string; signedOut?: string; signedOutEverywhere?: string }>;

export default async function SignInPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  if (await getActor()) redirect("/dashboard");
  return (
    <div className="narrow">
      <h1>Sign in</h1>
      {params.signedOut ? <FormBanner kind="ok">You have signed out.</FormBanner> : null}
      {params.signedOutEverywhere ? <FormBanner kind="ok">You have been signed out on every device.</FormBanner> : null}
      {params.next && !params.signedOut ? (
        <FormBanner kind="warn">Sign in to continue. Sessions end after a period of inactivity.</FormBanner>
      ) : null}
      <div className="card">
        <SignInForm next={params.next} />
      </div>
      <p>
        <Link href="/forgot-password">Forgot password?</Link>
      </p>
      <p>
        New to the registry? <Link href="/sign-up">Create an account</Link>.
      </p>
    </div>
  );
}
