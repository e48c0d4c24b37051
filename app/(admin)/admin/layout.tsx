import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav";

/**
 * The administrator's sections. Navigation only: every page and action under /admin checks the
 * administrator's permission itself.
 */
export default function AdminLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <AdminNav />
      {children}
    </>
  );
}
