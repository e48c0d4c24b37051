import { getActor } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { apiJson, handleApi } from "@/lib/http/api";
import { importLabFeed } from "@/lib/labs/import";

export const dynamic = "force-dynamic";

/**
 * POST /prescriber/labs/imports — a lab feed import. Either multipart form data (`file`, `mode`),
 * as the page sends it, or the CSV itself as a `text/csv` body with `?mode=…&fileName=…`, which is
 * parsed straight from the request stream.
 */
export async function POST(request: Request) {
  return handleApi(request, async (requestId) => {
    const actor = await getActor();
    if (!actor) throw new AppError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
    if (request.headers.get("content-type")?.startsWith("text/csv") && request.body) {
      const query = new URL(request.url).searchParams;
      const summary = await importLabFeed(actor, {
        fileName: query.get("fileName") ?? "upload.csv",
        mode: query.get("mode") ?? "",
        body: request.body,
      });
      return apiJson(summary, { status: 201, requestId });
    }
    const form = await request.formData().catch(() => null);
    const file = form?.get("file");
    if (!form || !(file instanceof File) || file.size === 0) {
      throw new AppError("VALIDATION", "Choose a CSV file to import.", { fields: { file: ["Choose a CSV file"] } });
    }
    const summary = await importLabFeed(actor, {
      fileName: file.name,
      mode: String(form.get("mode") ?? ""),
      body: file.stream(),
    });
    return apiJson(summary, { status: 201, requestId });
  });
}
