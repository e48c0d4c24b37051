import type { Metadata } from "next";
import Link from "next/link";
import { ROLE_LABELS } from "@/components/auth/role-labels";
import { AcceptInvitationForm } from "@/components/invitations/accept-form";
import { FormBanner } from "@/components/ui/field";
import { getPageActor } from "@/lib/auth/session";
import { signOutToAcceptAction } from "@/lib/invitations/actions";
import { invitedAs } from "@/lib/invitations/rules";
import { describeInvitation, unusableInvitationMessage } from "@/lib/invitations/service";
import { formatDateTime } from "@/lib/format";

// The token is a credential: keep the page out of search engines and caches.
export const metadata: Metadata = { title: "Accept an invitation", robots: { index: false, follow: false } };

export default async function AcceptInvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [invitation, actor] = await Promise.all([describeInvitation(token), getPageActor()]);

  if (invitation.state !== "pending") {
    return (
      <div className="narrow">
        <h1>Invitation</h1>
        <FormBanner kind="error">
          {unusableInvitationMessage(
            invitation.state,
            "inviterName" in invitation ? invitation.inviterName : undefined,
          )}
        </FormBanner>
        <p>
          <Link href="/sign-in">Sign in</Link> if you already have an account.
        </p>
      </div>
    );
  }

  return (
    <div className="narrow">
      <h1>Join the REMS registry</h1>
      <p>
        {invitation.inviterName} invited you to join as {invitedAs(invitation.role, invitation.organisationName)}.
        Choose your name as it should appear in the registry and a password to create your account.
      </p>
      {actor ? (
        <div className="card">
          <FormBanner kind="warn">
            You are signed in as {actor.name} ({ROLE_LABELS[actor.role]}). Sign out first to accept this invitation with
            a new account.
          </FormBanner>
          <form action={signOutToAcceptAction.bind(null, token)}>
            <button type="submit" className="button secondary">
              Sign out to accept
            </button>
          </form>
        </div>
      ) : (
        <div className="card">
          <dl>
            <dt>E-mail address</dt>
            <dd>{invitation.email}</dd>
            <dt>Expires</dt>
            <dd>{formatDateTime(invitation.expiresAt)}</dd>
          </dl>
          <AcceptInvitationForm token={token} email={invitation.email} />
        </div>
      )}
    </div>
  );
}
