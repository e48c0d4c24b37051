import { ROLE_LABELS } from "@/components/auth/role-labels";
import { FormBanner } from "@/components/ui/field";
import { INVITATION_STATE_LABELS } from "@/lib/invitations/rules";
import type { TeamOverview } from "@/lib/invitations/service";
import { InviteForm } from "./invite-form";
import { RevokeInvitationButton } from "./revoke-button";
import { formatDateTime } from "@/lib/format";

/** A team page: invite someone, who is in the team, the invitations sent. */
export function TeamView({
  overview,
  text,
}: {
  overview: Extract<TeamOverview, { linked: true }>;
  text: { inviteHeading: string; inviteIntro: string; submitLabel: string; membersHeading: string; noMembers: string };
}) {
  return (
    <>
      <section className="card" aria-labelledby="invite-heading">
        <h2 id="invite-heading">{text.inviteHeading}</h2>
        {overview.canInvite ? (
          <>
            <p className="muted">{text.inviteIntro}</p>
            <InviteForm role={overview.role} submitLabel={text.submitLabel} />
          </>
        ) : (
          <FormBanner kind="warn">{overview.cannotInviteReason}</FormBanner>
        )}
      </section>

      <section className="card" aria-labelledby="members-heading">
        <h2 id="members-heading">{text.membersHeading}</h2>
        {overview.members.length === 0 ? (
          <p>{text.noMembers}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Account</th>
              </tr>
            </thead>
            <tbody>
              {overview.members.map((m) => (
                <tr key={m.id}>
                  <td>{m.name}</td>
                  <td>{m.email}</td>
                  <td>{ROLE_LABELS[m.role]}</td>
                  <td>{m.active ? "Active" : "Deactivated"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" aria-labelledby="invitations-heading">
        <h2 id="invitations-heading">Invitations</h2>
        {overview.invitations.length === 0 ? (
          <p>No invitations sent yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">E-mail</th>
                <th scope="col">Status</th>
                <th scope="col">Sent</th>
                <th scope="col">Expires or accepted</th>
                <th scope="col">Invited by</th>
                <th scope="col">
                  <span className="muted">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {overview.invitations.map((i) => (
                <tr key={i.id} data-state={i.state}>
                  <td>{i.email}</td>
                  <td>{INVITATION_STATE_LABELS[i.state]}</td>
                  <td>{formatDateTime(i.createdAt)}</td>
                  <td>{i.acceptedAt ? `Accepted ${formatDateTime(i.acceptedAt)}` : formatDateTime(i.expiresAt)}</td>
                  <td>{i.invitedByName}</td>
                  <td>
                    {i.state === "pending" ? <RevokeInvitationButton invitationId={i.id} email={i.email} /> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
