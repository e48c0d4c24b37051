import { apiJson } from "@/lib/http/api";
import { authorizationLocation, handleDispenseApi, readJsonBody } from "@/lib/dispensing/http";
import { listDispenseAuthorizations } from "@/lib/dispensing/service";
import { requestDispenseAuthorization } from "@/lib/dispensing/request";
import { refuseCrossSite } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/dispense-authorizations — asks the dispense gate for a decision.
 *
 * Needs `Idempotency-Key`: the same key and body answer the stored decision again with
 * `Idempotent-Replayed: true`; the same key with another body is 409. A denial is a 200 answer with
 * its reasons, not an error. Errors: 400 (no/invalid key, body not JSON), 401, 409, 422 (`fields`),
 * 429 with Retry-After.
 */
export async function POST(request: Request) {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  return handleDispenseApi(request, async ({ caller, requestId, headers }) => {
    const idempotencyKey = request.headers.get("idempotency-key");
    const body = await readJsonBody(request);
    const outcome = await requestDispenseAuthorization(caller, idempotencyKey, body);
    headers.set("location", authorizationLocation(outcome.answer.id));
    if (outcome.replayed) headers.set("idempotent-replayed", "true");
    return apiJson(outcome.answer, { requestId, headers });
  });
}

/**
 * GET /api/v1/dispense-authorizations?status=&decision=&patientRemsId=&prescriptionId=&from=&to=&page=&pageSize=
 *
 * The caller's pharmacy's authorizations, newest first, one page at a time.
 */
export async function GET(request: Request) {
  return handleDispenseApi(request, async ({ caller, requestId, headers }) => {
    const page = await listDispenseAuthorizations(caller, Object.fromEntries(new URL(request.url).searchParams));
    return apiJson(page, { requestId, headers });
  });
}
