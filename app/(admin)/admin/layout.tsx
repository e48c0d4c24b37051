import Link from "next/link";
import type { ReactNode } from "react";

/**
 * The administrator's sections. Navigation only: every page and action under /admin checks the
 * administrator's permission itself.
 */
export default function AdminLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <nav className="section-nav" aria-label="Administration">
        <Link href="/admin">Overview</Link>
        <Link href="/admin/applications">Applications</Link>
        <Link href="/admin/authorizations">Dispense authorizations</Link>
        <Link href="/admin/adverse-events">Adverse events</Link>
        <Link href="/admin/non-compliance">Non-compliance</Link>
        <Link href="/admin/enforcement-discretion">Enforcement discretion</Link>
        <Link href="/admin/reports">Reports</Link>
        <Link href="/admin/users">Users</Link>
        <Link href="/admin/registry">Registry</Link>
        <Link href="/admin/programs">Programmes</Link>
        <Link href="/admin/audit">Audit trail</Link>
      </nav>
      {children}
    </>
  );
}
