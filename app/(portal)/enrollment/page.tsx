import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EnrollmentStatus } from "@/components/enrollment/enrollment-status";
import { getPageActor, requirePagePermission } from "@/lib/auth/session";
import { applicantPagePermission, listApplicantEnrollments } from "@/lib/enrollment/service";

export const metadata: Metadata = { title: "Your enrollment" };

/** The applicant's status page: every application they make or prepare, with what is missing and its history. */
export default async function EnrollmentStatusPage() {
  const signedIn = await getPageActor();
  if (!signedIn) redirect("/sign-in?next=%2Fenrollment");
  const actor = await requirePagePermission(applicantPagePermission(signedIn.role, "read"), "/enrollment");
  const views = await listApplicantEnrollments(actor);
  return (
    <>
      <h1>Your enrollment</h1>
      {views.length === 0 ? (
        <div className="card">
          <p>You have not started an enrollment yet.</p>
          <Link className="button" href="/enroll">
            Start enrollment
          </Link>
        </div>
      ) : (
        views.map((view) => <EnrollmentStatus key={view.enrollment?.id} view={view} />)
      )}
    </>
  );
}
