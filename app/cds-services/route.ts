import { apiJson, handleApi } from "@/lib/http/api";
import { cdsDiscovery } from "@/lib/interop/cds-hooks";

export const dynamic = "force-dynamic";

/** GET /cds-services — CDS Hooks discovery: the registry's services, their hooks and prefetch templates. */
export async function GET(request: Request) {
  return handleApi(request, async (requestId) => apiJson(cdsDiscovery(), { requestId }));
}
