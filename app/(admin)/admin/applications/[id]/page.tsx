import type { Metadata } from "next";
import { ApplicationReview, revokedCount } from "@/components/admin/application-review";
import { loadForReview } from "@/components/admin/load-for-review";

export const metadata: Metadata = { title: "Review application" };

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ done?: string | string[]; revoked?: string | string[] }>;
};

export default async function ReviewApplicationPage({ params, searchParams }: Props) {
  const { id } = await params;
  const { done, revoked } = await searchParams;
  const path = `/admin/applications/${id}`;
  const application = await loadForReview(path, id);
  return (
    <ApplicationReview
      application={application}
      done={typeof done === "string" ? done : undefined}
      revoked={revokedCount(revoked)}
      returnTo={path}
    />
  );
}
