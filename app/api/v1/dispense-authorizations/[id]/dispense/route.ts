import { apiJson } from "@/lib/http/api";
import { authorizationIdParam, handleDispenseApi, readJsonBody } from "@/lib/dispensing/http";
import { confirmDispense } from "@/lib/dispensing/confirm";
import { refuseCrossSite } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/dispense-authorizations/{id}/dispense — `{ quantity, lotNumber, dispensedAt? }`:
 * records that an approved, unexpired authorization was dispensed. 409 when it is not APPROVED
 * (already dispensed, denied, reversed) or has expired; 422 with `fields` for bad fields.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  return handleDispenseApi(request, async ({ caller, requestId, headers }) => {
    const id = await authorizationIdParam(params);
    const view = await confirmDispense(caller, id, await readJsonBody(request));
    return apiJson(view, { requestId, headers });
  });
}
