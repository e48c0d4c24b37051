import { apiJson } from "@/lib/http/api";
import { authorizationIdParam, handleDispenseApi, readJsonBody } from "@/lib/dispensing/http";
import { reverseDispense } from "@/lib/dispensing/confirm";
import { refuseCrossSite } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/dispense-authorizations/{id}/reverse — `{ reason }`: reverses a confirmed dispense
 * (not picked up, claim reversed). 409 unless DISPENSED; 422 with `fields` for a missing reason.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  return handleDispenseApi(request, async ({ caller, requestId, headers }) => {
    const id = await authorizationIdParam(params);
    const view = await reverseDispense(caller, id, await readJsonBody(request));
    return apiJson(view, { requestId, headers });
  });
}
