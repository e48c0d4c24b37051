import type { Metadata } from "next";
import { TeamView } from "@/components/invitations/team-view";
import { FormBanner } from "@/components/ui/field";
import { requirePagePermission } from "@/lib/auth/session";
import { teamOverview } from "@/lib/invitations/service";

export const metadata: Metadata = { title: "Office staff" };

export default async function PrescriberTeamPage() {
  const actor = await requirePagePermission("invitation:create:own", "/prescriber/team");
  const overview = await teamOverview(actor);
  return (
    <>
      <h1>Office staff</h1>
      {overview.linked ? (
        <>
          <p className="muted">
            Delegates prepare enrollments and forms for you. They can never sign for you: only you sign.
          </p>
          <TeamView
            overview={overview}
            text={{
              inviteHeading: "Invite a delegate",
              inviteIntro: "Invite members of your office staff by e-mail. Each gets their own account.",
              submitLabel: "Send invitation",
              membersHeading: "Delegates",
              noMembers: "No delegates yet.",
            }}
          />
        </>
      ) : (
        <FormBanner kind="warn">{overview.message}</FormBanner>
      )}
    </>
  );
}
