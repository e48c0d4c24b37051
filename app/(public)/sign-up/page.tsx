import type { Metadata } from "next";
import Link from "next/link";
import { DemoMailNote } from "@/components/auth/demo-mail-note";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { getPageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage() {
  if (await getPageActor()) redirect("/dashboard");
  return (
    <div className="narrow">
      <h1>Create an account</h1>
      <p className="muted">
        Your account is the first step of enrollment. Certification follows the training, the knowledge assessment and
        your signed attestation.
      </p>
      <DemoMailNote />
      <div className="card">
        <SignUpForm />
      </div>
      <p>
        Already have an account? <Link href="/sign-in">Sign in</Link>.
      </p>
    </div>
  );
}
