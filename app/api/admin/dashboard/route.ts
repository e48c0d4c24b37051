import { getAdminDashboard } from "@/lib/admin/dashboard";
import { adminJson } from "@/lib/admin/http";

export const dynamic = "force-dynamic";

/** GET /api/admin/dashboard — the dashboard's figures, polled by its counters (administrators only). */
export function GET(request: Request) {
  return adminJson(request, "portal:admin", (actor) => getAdminDashboard(actor));
}
