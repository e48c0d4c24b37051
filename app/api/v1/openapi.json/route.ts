import { buildOpenApiDocument } from "@/lib/dispensing/openapi";
import { apiJson, handleApi } from "@/lib/http/api";

export const dynamic = "force-dynamic";

/** GET /api/v1/openapi.json — the OpenAPI 3.1 document of the public API, naming this server. */
export async function GET(request: Request) {
  return handleApi(request, async (requestId) =>
    apiJson(buildOpenApiDocument({ serverUrl: new URL(request.url).origin }), { requestId }),
  );
}
