import { getActor } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { handleApi } from "@/lib/http/api";
import { getEvidenceFile } from "@/lib/noncompliance/evidence-service";

export const dynamic = "force-dynamic";

/** GET /admin/non-compliance/{caseId}/evidence/{evidenceId} — an evidence file, for administrators only. */
export async function GET(request: Request, { params }: { params: Promise<{ ref: string; evidenceId: string }> }) {
  const { ref, evidenceId } = await params;
  return handleApi(request, async (requestId) => {
    const actor = await getActor();
    if (!actor) throw new AppError("UNAUTHENTICATED", "Sign in to download this file.");
    const file = await getEvidenceFile(actor, ref, evidenceId);
    return new Response(Buffer.from(file.bytes), {
      headers: {
        "content-type": file.contentType,
        "content-disposition": `attachment; filename="${file.fileName}"`,
        "content-length": String(file.bytes.byteLength),
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
        "x-request-id": requestId,
      },
    });
  });
}
