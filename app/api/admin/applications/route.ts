import { adminJson } from "@/lib/admin/http";
import { listReviewQueue, reviewQueueView } from "@/lib/certification/service";

export const dynamic = "force-dynamic";

/** GET /api/admin/applications?… — one page of the review queue, polled by the queue page. */
export function GET(request: Request) {
  return adminJson(request, "enrollment:read:any", async (actor, url) =>
    reviewQueueView(await listReviewQueue(actor, Object.fromEntries(url.searchParams))),
  );
}
