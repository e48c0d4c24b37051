import { buildOpenApiDocument } from "@/lib/dispensing/openapi";
import { env } from "@/lib/env";
import { apiJson, handleApi } from "@/lib/http/api";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/openapi.json — the OpenAPI 3.1 document of the public API, naming the registry's own
 * address (APP_URL, as /api-docs and the e-mails do): the address the request reached is the
 * server's bind address behind a proxy (0.0.0.0:3000), which no integrator can call.
 */
export async function GET(request: Request) {
  return handleApi(request, async (requestId) =>
    apiJson(buildOpenApiDocument({ serverUrl: env().APP_URL.replace(/\/$/, "") }), { requestId }),
  );
}
