import { documentDownload } from "@/lib/documents/http";
import { certificatePdf } from "@/lib/documents/service";

export const dynamic = "force-dynamic";

/** GET /documents/enrollments/{id}/certificate.pdf — the certificate of a certified enrollment (owner or administrator). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return documentDownload(request, (actor) => certificatePdf(actor, id));
}
