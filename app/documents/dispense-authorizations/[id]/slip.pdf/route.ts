import { dispenseSlipPdf } from "@/lib/documents/dispense-slip";
import { documentDownload } from "@/lib/documents/http";

export const dynamic = "force-dynamic";

/** GET /documents/dispense-authorizations/{id}/slip.pdf — the slip of an approved authorization (its own pharmacy only). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return documentDownload(request, (actor) => dispenseSlipPdf(actor, id));
}
