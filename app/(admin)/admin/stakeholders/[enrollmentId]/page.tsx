import type { Metadata } from "next";
import { ApplicationReview, revokedCount } from "@/components/admin/application-review";
import { loadForReview } from "@/components/admin/load-for-review";
import { StakeholderCases } from "@/components/noncompliance/stakeholder-cases";

export const metadata: Metadata = { title: "Stakeholder" };

type Props = {
  params: Promise<{ enrollmentId: string }>;
  searchParams: Promise<{ done?: string | string[]; revoked?: string | string[] }>;
};

/** A stakeholder's certification: the same record, history and actions as the review page. */
export default async function StakeholderPage({ params, searchParams }: Props) {
  const { enrollmentId } = await params;
  const { done, revoked } = await searchParams;
  const path = `/admin/stakeholders/${enrollmentId}`;
  const application = await loadForReview(path, enrollmentId);
  return (
    <>
      <ApplicationReview
        application={application}
        done={typeof done === "string" ? done : undefined}
        revoked={revokedCount(revoked)}
        returnTo={path}
      />
      <StakeholderCases enrollmentId={application.id} />
    </>
  );
}
