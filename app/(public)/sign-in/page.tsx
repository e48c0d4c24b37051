import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { FormBanner } from "@/components/ui/field";
import { getPageActor } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { sameOriginPath } from "@/lib/http/safe-redirect";

export const metadata: Metadata = { title: "Sign in" };

type Search = Promise<{ next?: string; signedOut?: string; signedOutEverywhere?: string; ended?: string }>;

export default async function SignInPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  if (await getPageActor()) redirect("/dashboard");
  // A way back that leaves this origin is dropped here already, not only when it is honoured.
  const next = sameOriginPath(params.next, env().APP_URL) ?? undefined;
  return (
    <div className="narrow">
      <h1>Sign in</h1>
      {params.signedOut ? <FormBanner kind="ok">You have signed out.</FormBanner> : null}
      {params.signedOutEverywhere ? <FormBanner kind="ok">You have been signed out on every device.</FormBanner> : null}
      {params.ended === "deactivated" ? (
        <FormBanner kind="error">
          Your account has been deactivated and you have been signed out. Contact the REMS administrator.
        </FormBanner>
      ) : params.next && !params.signedOut ? (
        <FormBanner kind="warn">Sign in to continue. Sessions end after a period of inactivity.</FormBanner>
      ) : null}
      <div className="card">
        <SignInForm next={next} />
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
