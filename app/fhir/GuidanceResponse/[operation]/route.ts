import { ETASU_OPERATION, remsEtasu } from "@/lib/interop/etasu";
import { fhirError, fhirJson, handleFhirRoute } from "@/lib/interop/routes";
import { AppError } from "@/lib/errors";
import { apiRequestId } from "@/lib/http/api";

export const dynamic = "force-dynamic";

/**
 * POST /fhir/GuidanceResponse/$rems-etasu — the REMS ETASU check (docs/interop.md). A folder
 * named `$rems-etasu` would also route, but a client may percent-encode the `$` (%24): the segment
 * is matched here after decoding. Any other operation is a 404 OperationOutcome.
 */
export async function POST(request: Request, { params }: { params: Promise<{ operation: string }> }) {
  const { operation } = await params;
  let name = operation;
  try {
    name = decodeURIComponent(operation);
  } catch {
    // Left as sent: it matches no operation.
  }
  if (name !== ETASU_OPERATION) {
    const error = new AppError("NOT_FOUND", "GuidanceResponse has no such operation here; use $rems-etasu.");
    return fhirError(error, apiRequestId(request));
  }
  return handleFhirRoute(request, async ({ caller, requestId, body }) =>
    fhirJson(
      await remsEtasu({ pharmacyId: caller.kind === "pharmacy" ? caller.pharmacyId : null }, body),
      200,
      requestId,
    ),
  );
}
