import { documentDownload } from "@/lib/documents/http";
import { signedFormPdf } from "@/lib/documents/service";

export const dynamic = "force-dynamic";

/** GET /documents/enrollments/{id}/signed-form.pdf — the signed enrollment form (owner or administrator). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return documentDownload(request, (actor) => signedFormPdf(actor, id));
}
