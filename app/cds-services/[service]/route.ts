import { runCdsService } from "@/lib/interop/cds-hooks";
import { handleCdsRoute } from "@/lib/interop/routes";

export const dynamic = "force-dynamic";

/**
 * POST /cds-services/{rems-order-sign | rems-order-select | rems-patient-view} — a CDS Hooks call:
 * `{"cards": [...]}`. 400 malformed, 401 without a valid CDS Hooks JWT, 404 unknown service, 412
 * when prefetch is missing and fhirServer is not allow-listed, 413 body too large.
 */
export async function POST(request: Request, { params }: { params: Promise<{ service: string }> }) {
  const { service } = await params;
  return handleCdsRoute(request, ({ body }) => runCdsService(service, body));
}
