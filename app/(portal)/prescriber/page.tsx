import type { Metadata } from "next";
import Link from "next/link";
import { can } from "@/lib/auth/permissions";
import { EnrollmentSummary } from "@/components/enrollment/enrollment-summary";
import { requirePagePermission } from "@/lib/auth/session";
import { findOwnEnrollments } from "@/lib/enrollment/queries";

export const metadata: Metadata = { title: "Prescriber dashboard" };

export default async function Page() {
  const actor = await requirePagePermission("portal:prescriber", "/prescriber");
  const enrollments = await findOwnEnrollments(actor);
  return (
    <>
      <h1>Prescriber dashboard</h1>
      <p className="muted">Signed in as {actor.name}.</p>
      {can(actor, "invitation:create:own") ? (
        <div className="card">
          <h2>Office staff</h2>
          <p>Invite the office staff who prepare enrollments and forms for you.</p>
          <Link href="/prescriber/team">Manage office staff</Link>
        </div>
      ) : null}
      <EnrollmentSummary rows={enrollments} who="Your practice" />
    </>
  );
}
