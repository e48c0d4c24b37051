import { getActor } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { handleApi } from "@/lib/http/api";
import { getLabImportReport } from "@/lib/labs/import";

export const dynamic = "force-dynamic";

/** GET /prescriber/labs/imports/{id}/report.csv — the rejected rows of one of your imports. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handleApi(request, async (requestId) => {
    const actor = await getActor();
    if (!actor) {
      if (request.headers.get("accept")?.includes("text/html")) {
        const next = encodeURIComponent(new URL(request.url).pathname);
        return new Response(null, { status: 303, headers: { location: `/sign-in?next=${next}` } });
      }
      throw new AppError("UNAUTHENTICATED", "Sign in to download this report.");
    }
    const report = await getLabImportReport(actor, id);
    const base =
      report.fileName
        .replace(/\.csv$/i, "")
        .replace(/[^A-Za-z0-9._-]+/g, "_")
        .slice(0, 80) || "import";
    return new Response(report.csv, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${base}-rejected-rows.csv"`,
        "cache-control": "private, no-store",
        "x-request-id": requestId,
      },
    });
  });
}
