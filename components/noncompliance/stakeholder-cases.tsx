import Link from "next/link";
import { requirePagePermission } from "@/lib/auth/session";
import { casesForStakeholder } from "@/lib/noncompliance/queries";
import { CaseTable } from "./case-table";

/** The stakeholder page's "Non-compliance" section: the stakeholder's cases and a link to open one. */
export async function StakeholderCases({ enrollmentId }: { enrollmentId: string }) {
  const actor = await requirePagePermission("noncompliance:read:any", `/admin/stakeholders/${enrollmentId}`);
  const cases = await casesForStakeholder(actor, enrollmentId);
  return (
    <section className="card" aria-labelledby="non-compliance-title" data-testid="stakeholder-cases">
      <h2 id="non-compliance-title">Non-compliance</h2>
      {cases.length === 0 ? (
        <p>No non-compliance case has been opened against this stakeholder.</p>
      ) : (
        <CaseTable rows={cases} caption="Non-compliance cases, newest first" showStakeholder={false} />
      )}
      <p>
        <Link href={`/admin/non-compliance/new?enrollmentId=${enrollmentId}`}>Open a non-compliance case</Link>
      </p>
    </section>
  );
}
