import { handleScriptRequest } from "@/lib/interop/ncpdp/http";

export const dynamic = "force-dynamic";

/**
 * POST /api/ncpdp/script — NCPDP SCRIPT 2017071 REMS transactions from pharmacy systems
 * (docs/interop-ncpdp.md): REMSInitiationRequest, REMSRequest and RxFill, answered with
 * REMSInitiationResponse, REMSResponse and Status, or an Error. XML in and out; the pharmacy's API
 * key as `Authorization: Bearer <key>`; no session, so no cross-site check is needed.
 */
export async function POST(request: Request) {
  return handleScriptRequest(request);
}
