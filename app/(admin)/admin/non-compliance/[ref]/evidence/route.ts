import { getActor } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { apiError, apiJson, handleApi } from "@/lib/http/api";
import { refuseCrossSite } from "@/lib/http/same-origin";
import { drainBody } from "@/lib/labs/upload";
import { readEvidenceUpload } from "@/lib/noncompliance/upload";
import { addFile } from "@/lib/noncompliance/evidence-service";
import { requireCaseAccess } from "@/lib/noncompliance/common";

export const dynamic = "force-dynamic";

/**
 * POST /admin/non-compliance/{caseId}/evidence — one evidence file as multipart form data (`file`).
 * Over the size limit: 413 before the body is read; the service checks content, name and declared type.
 */
export async function POST(request: Request, { params }: { params: Promise<{ ref: string }> }) {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  const { ref } = await params;
  return handleApi(request, async (requestId) => {
    try {
      const actor = await getActor();
      if (!actor) throw new AppError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
      // Refuse before reading a byte of someone who may not add evidence.
      await requireCaseAccess(actor, "noncompliance:manage:any", `/admin/non-compliance/${ref}/evidence`);
      const upload = await readEvidenceUpload(request);
      const stored = await addFile(actor, { caseId: ref, ...upload });
      return apiJson(stored, { status: 201, requestId });
    } catch (error) {
      drainBody(request);
      return apiError(error, requestId, { connection: "close" });
    }
  });
}
