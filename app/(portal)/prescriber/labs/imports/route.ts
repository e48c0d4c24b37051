import { getActor } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { apiError, apiJson, handleApi } from "@/lib/http/api";
import { importLabFeed } from "@/lib/labs/import";
import { drainBody, readLabUpload } from "@/lib/labs/upload";
import { refuseCrossSite } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/**
 * POST /prescriber/labs/imports — a lab feed import. Either the CSV itself as a `text/csv` body
 * with `?mode=…&fileName=…`, parsed straight from the request stream (what the page sends), or
 * multipart form data (`file`, `mode`). Over LAB_IMPORT_MAX_BYTES: 413. proxy.ts does not run
 * here (it would cut the body at 10 MB).
 */
export async function POST(request: Request) {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  return handleApi(request, async (requestId) => {
    try {
      const actor = await getActor();
      if (!actor) throw new AppError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
      const maxBytes = env().LAB_IMPORT_MAX_BYTES;
      const upload = await readLabUpload(request, maxBytes);
      const summary = await importLabFeed(actor, { ...upload, maxBytes });
      return apiJson(summary, { status: 201, requestId });
    } catch (error) {
      // Refused before the upload was read to its end: drop the rest and end the connection.
      drainBody(request);
      return apiError(error, requestId, { connection: "close" });
    }
  });
}
