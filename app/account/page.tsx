import type { Metadata } from "next";
import Link from "next/link";
import { ChangeEmailForm, ChangePasswordForm } from "@/components/auth/account-change-forms";
import { SignOutEverywhereButton } from "@/components/auth/sign-out-everywhere";
import { ROLE_LABELS } from "@/components/auth/role-labels";
import { isMfaEnrolled } from "@/lib/auth/mfa";
import { requirePagePermission } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const actor = await requirePagePermission("account:read:own", "/account");
  const mfaEnrolled = await isMfaEnrolled(actor.userId);
  return (
    <div className="narrow">
      <h1>Your account</h1>
      <div className="card">
        <dl>
          <dt>Name</dt>
          <dd>{actor.name}</dd>
          <dt>E-mail</dt>
          <dd>{actor.email}</dd>
          <dt>Role</dt>
          <dd>{ROLE_LABELS[actor.role]}</dd>
        </dl>
      </div>
      <div className="card">
        <h2>Two-step sign-in</h2>
        <p>
          <Link href="/account/security">Account security</Link>: your authenticator app and recovery codes.
        </p>
      </div>
      <section className="card" aria-labelledby="change-password">
        <h2 id="change-password">Password</h2>
        <p>
          Other devices signed in to your account are signed out when you change it.
          {mfaEnrolled ? " You need your authenticator app as well as your current password." : ""}
        </p>
        <ChangePasswordForm mfaEnrolled={mfaEnrolled} />
      </section>
      <section className="card" aria-labelledby="change-email">
        <h2 id="change-email">Sign-in e-mail address</h2>
        <p>
          We send a confirmation link to the new address; the change happens when you open it, and {actor.email} is told
          about it.
        </p>
        <ChangeEmailForm mfaEnrolled={mfaEnrolled} />
      </section>
      <div className="card">
        <h2>Sessions</h2>
        <p>If you signed in on a shared or lost device, end every session of your account at once.</p>
        <SignOutEverywhereButton />
      </div>
    </div>
  );
}
