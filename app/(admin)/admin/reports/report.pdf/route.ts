import { adminRouteActor } from "@/lib/admin/http";
import { handleApi } from "@/lib/http/api";
import { renderReportPdf } from "@/lib/reports/pdf";
import { buildAssessmentReport, prepareReport, reportFileName } from "@/lib/reports/service";

export const dynamic = "force-dynamic";

/** GET /admin/reports/report.pdf?program=&from=&to= — the assessment report as one PDF summary. */
export function GET(request: Request) {
  return handleApi(request, async (requestId) => {
    const actor = await adminRouteActor(request, "portal:admin");
    if (actor instanceof Response) return actor;
    const ctx = await prepareReport(actor, Object.fromEntries(new URL(request.url).searchParams));
    const bytes = await renderReportPdf(await buildAssessmentReport(ctx));
    return new Response(Buffer.from(bytes), {
      headers: {
        "content-type": "application/pdf",
        "content-disposition": `attachment; filename="${reportFileName(ctx, "pdf")}"`,
        "content-length": String(bytes.byteLength),
        "cache-control": "private, no-store",
        "x-request-id": requestId,
      },
    });
  });
}
