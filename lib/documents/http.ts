import "server-only";
import type { Actor } from "../auth/actor";
import { getActor } from "../auth/session";
import { AppError } from "../errors";
import { handleApi } from "../http/api";
import type { PdfFile } from "./service";

/**
 * Shared by the document route handlers: resolves the signed-in actor (a browser without a session
 * is sent to sign in and brought back; other clients get 401), builds the PDF, and answers it as a
 * download. Refusals use the API error shape.
 */
export function documentDownload(request: Request, build: (actor: Actor) => Promise<PdfFile>): Promise<Response> {
  return handleApi(request, async (requestId) => {
    const actor = await getActor();
    if (!actor) {
      const url = new URL(request.url);
      if (request.headers.get("accept")?.includes("text/html")) {
        const next = encodeURIComponent(url.pathname);
        return new Response(null, { status: 303, headers: { location: `/sign-in?next=${next}` } });
      }
      throw new AppError("UNAUTHENTICATED", "Sign in to download this document.");
    }
    const file = await build(actor);
    return new Response(Buffer.from(file.bytes), {
      headers: {
        "content-type": "application/pdf",
        "content-disposition": `attachment; filename="${file.filename}"`,
        "content-length": String(file.bytes.byteLength),
        "cache-control": "private, no-store",
        "x-request-id": requestId,
      },
    });
  });
}
