import type { Metadata } from "next";
import { EnrollmentSummary } from "@/components/enrollment/enrollment-summary";
import { requirePagePermission } from "@/lib/auth/session";
import { findOwnEnrollments } from "@/lib/enrollment/queries";

export const metadata: Metadata = { title: "Healthcare setting dashboard" };

export default async function Page() {
  const actor = await requirePagePermission("portal:setting", "/setting");
  const enrollments = await findOwnEnrollments(actor);
  return (
    <>
      <h1>Healthcare setting dashboard</h1>
      <p className="muted">Signed in as {actor.name}.</p>
      <EnrollmentSummary rows={enrollments} who="Your healthcare setting" />
    </>
  );
}
