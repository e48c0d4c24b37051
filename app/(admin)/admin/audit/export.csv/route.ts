import { exportAuditCsv } from "@/lib/audit/viewer";
import { getActor } from "@/lib/auth/session";
import { csvFileName, csvHeaders } from "@/lib/csv/writer";
import { AppError } from "@/lib/errors";
import { handleApi } from "@/lib/http/api";

export const dynamic = "force-dynamic";

/** GET /admin/audit/export.csv?actor=…&bom=1 — the filtered audit trail, streamed (administrators). */
export async function GET(request: Request) {
  return handleApi(request, async (requestId) => {
    const url = new URL(request.url);
    const actor = await getActor();
    if (!actor) {
      if (request.headers.get("accept")?.includes("text/html")) {
        const next = encodeURIComponent(`${url.pathname}${url.search}`);
        return new Response(null, { status: 303, headers: { location: `/sign-in?next=${next}` } });
      }
      throw new AppError("UNAUTHENTICATED", "Sign in to download the audit trail.");
    }
    const stream = await exportAuditCsv(actor, Object.fromEntries(url.searchParams), url.pathname);
    const day = new Date().toISOString().slice(0, 10);
    return new Response(stream, { headers: csvHeaders(csvFileName(`audit-trail-${day}`), requestId) });
  });
}
