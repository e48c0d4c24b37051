"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/applications", label: "Applications" },
  { href: "/admin/authorizations", label: "Dispense authorizations" },
  { href: "/admin/adverse-events", label: "Adverse events" },
  { href: "/admin/non-compliance", label: "Non-compliance" },
  { href: "/admin/enforcement-discretion", label: "Enforcement discretion" },
  { href: "/admin/reports", label: "Reports" },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/registry", label: "Registry" },
  { href: "/admin/programs", label: "Programmes" },
  { href: "/admin/audit", label: "Audit trail" },
] as const;

/**
 * The administrator's sections, the one being viewed marked: aria-current="page" on its own page,
 * "true" on a page inside it (an application, a user, an audit event…). The overview is current only
 * on /admin itself.
 */
export function AdminNav() {
  const pathname = usePathname() ?? "";
  return (
    <nav className="section-nav" aria-label="Administration">
      {SECTIONS.map(({ href, label }) => {
        const current =
          pathname === href ? "page" : href !== "/admin" && pathname.startsWith(`${href}/`) ? "true" : undefined;
        return (
          <Link key={href} href={href} aria-current={current}>
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
