import { adminJson } from "@/lib/admin/http";
import { getClaimState } from "@/lib/certification/service";

export const dynamic = "force-dynamic";

/** GET /api/admin/applications/{id}/claim — who reviews the application now (the claim banner polls it). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return adminJson(request, "enrollment:read:any", (actor) => getClaimState(actor, id));
}
