import type { Metadata } from "next";
import Link from "next/link";
import { DiscretionBanner } from "@/components/dispensing/discretion-banner";
import { can } from "@/lib/auth/permissions";
import { EnrollmentSummary } from "@/components/enrollment/enrollment-summary";
import { requirePagePermission } from "@/lib/auth/session";
import { canManageApiKeys } from "@/lib/dispensing/api-keys";
import { findOwnEnrollments } from "@/lib/enrollment/queries";

export const metadata: Metadata = { title: "Pharmacy dashboard" };

export default async function Page() {
  const actor = await requirePagePermission("portal:pharmacy", "/pharmacy");
  const [enrollments, managesKeys] = await Promise.all([
    findOwnEnrollments(actor),
    can(actor, "apikey:issue:org") ? canManageApiKeys(actor) : false,
  ]);
  return (
    <>
      <h1>Pharmacy dashboard</h1>
      <p className="muted">Signed in as {actor.name}.</p>
      <DiscretionBanner />
      {can(actor, "dispense:authorize:org") ? (
        <div className="card">
          <h2>Dispensing</h2>
          <p>Check every prescription with the REMS before you dispense it.</p>
          <ul>
            <li>
              <Link href="/pharmacy/dispense">Request a dispense authorization</Link>
            </li>
            <li>
              <Link href="/pharmacy/authorizations">Authorizations history</Link>
            </li>
            {managesKeys ? (
              <li>
                <Link href="/pharmacy/api-keys">API keys for your pharmacy system</Link>
              </li>
            ) : null}
          </ul>
        </div>
      ) : null}
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
