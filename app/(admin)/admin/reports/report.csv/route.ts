import { adminRouteActor } from "@/lib/admin/http";
import { handleApi } from "@/lib/http/api";
import { csvHeaders, csvRecordStream } from "@/lib/csv/writer";
import { assessmentReportRecords, prepareReport, reportFileName } from "@/lib/reports/service";

export const dynamic = "force-dynamic";

/** GET /admin/reports/report.csv?program=&from=&to=[&bom=1] — the assessment report, streamed. */
export function GET(request: Request) {
  return handleApi(request, async (requestId) => {
    const actor = await adminRouteActor(request, "portal:admin");
    if (actor instanceof Response) return actor;
    const ctx = await prepareReport(actor, Object.fromEntries(new URL(request.url).searchParams));
    return new Response(csvRecordStream(assessmentReportRecords(ctx), { bom: ctx.bom }), {
      headers: csvHeaders(reportFileName(ctx, "csv"), requestId),
    });
  });
}
