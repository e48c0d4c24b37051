import type { Metadata } from "next";
import Link from "next/link";
import { SignOutEverywhereButton } from "@/components/auth/sign-out-everywhere";
import { ROLE_LABELS } from "@/components/auth/role-labels";
import { requirePagePermission } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const actor = await requirePagePermission("account:read:own", "/account");
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
      <div className="card">
        <h2>Sessions</h2>
        <p>If you signed in on a shared or lost device, end every session of your account at once.</p>
        <SignOutEverywhereButton />
      </div>
    </div>
  );
}
