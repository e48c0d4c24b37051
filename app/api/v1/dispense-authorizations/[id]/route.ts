import { apiJson } from "@/lib/http/api";
import { authorizationIdParam, handleDispenseApi } from "@/lib/dispensing/http";
import { getDispenseAuthorization } from "@/lib/dispensing/service";

export const dynamic = "force-dynamic";

/** GET /api/v1/dispense-authorizations/{id} — one of the caller's pharmacy's authorizations (404 otherwise). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleDispenseApi(request, async ({ caller, requestId, headers }) => {
    const id = await authorizationIdParam(params);
    const view = await getDispenseAuthorization(caller, id);
    return apiJson(view, { requestId, headers });
  });
}
