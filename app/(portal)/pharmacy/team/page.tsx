import type { Metadata } from "next";
import { TeamView } from "@/components/invitations/team-view";
import { FormBanner } from "@/components/ui/field";
import { requirePagePermission } from "@/lib/auth/session";
import { teamOverview } from "@/lib/invitations/service";

export const metadata: Metadata = { title: "Pharmacy team" };

export default async function PharmacyTeamPage() {
  const actor = await requirePagePermission("invitation:create:org", "/pharmacy/team");
  const overview = await teamOverview(actor);
  return (
    <>
      <h1>Pharmacy team</h1>
      {overview.linked ? (
        <>
          <p className="muted">Pharmacists of {overview.organisationName} who use the registry.</p>
          <TeamView
            overview={overview}
            text={{
              inviteHeading: "Invite a pharmacist",
              inviteIntro:
                "Invited pharmacists can request dispense authorizations for your pharmacy. Invite only staff you are responsible for.",
              submitLabel: "Send invitation",
              membersHeading: "Pharmacists",
              noMembers: "No pharmacists yet.",
            }}
          />
        </>
      ) : (
        <FormBanner kind="warn">{overview.message}</FormBanner>
      )}
    </>
  );
}
