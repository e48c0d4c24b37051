import type { Metadata } from "next";
import Link from "next/link";
import { can } from "@/lib/auth/permissions";
import { EnrollmentSummary } from "@/components/enrollment/enrollment-summary";
import { requirePagePermission } from "@/lib/auth/session";
import { findOwnEnrollments } from "@/lib/enrollment/queries";

export const metadata: Metadata = { title: "Pharmacy dashboard" };

export default async function Page() {
  const actor = await requirePagePermission("portal:pharmacy", "/pharmacy");
  const enrollments = await findOwnEnrollments(actor);
  return (
    <>
      <h1>Pharmacy dashboard</h1>
      <p className="muted">Signed in as {actor.name}.</p>
      {can(actor, "invitation:create:org") ? (
        <div className="card">
          <h2>Pharmacy team</h2>
          <p>Invite the pharmacists who work under your pharmacy&apos;s certification.</p>
          <Link href="/pharmacy/team">Manage pharmacy team</Link>
        </div>
      ) : null}
      <EnrollmentSummary rows={enrollments} who="Your pharmacy" />
    </>
  );
}
