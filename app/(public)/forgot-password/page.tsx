import type { Metadata } from "next";
import Link from "next/link";
import { DemoMailNote } from "@/components/auth/demo-mail-note";
import { ForgotPasswordForm } from "@/components/auth/forgot-password-form";

export const metadata: Metadata = { title: "Forgot your password?" };

export default function ForgotPasswordPage() {
  return (
    <div className="narrow">
      <h1>Forgot your password?</h1>
      <p className="muted">
        Enter the e-mail address of your account. We will send you a link to choose a new password; it works once, for
        30 minutes.
      </p>
      <DemoMailNote />
      <div className="card">
        <ForgotPasswordForm />
      </div>
      <p>
        Remembered it? <Link href="/sign-in">Sign in</Link>.
      </p>
    </div>
  );
}
