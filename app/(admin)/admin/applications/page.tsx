import type { Metadata } from "next";
import Link from "next/link";
import { LiveQueue } from "@/components/admin/live-queue";
import { QueueFilters } from "@/components/admin/queue-filters";
import { requirePagePermission } from "@/lib/auth/session";
import { listProgramsForReview, listReviewQueue, reviewQueueView } from "@/lib/certification/service";

export const metadata: Metadata = { title: "Review queue" };

type Search = Promise<Record<string, string | string[] | undefined>>;

/** The filters as the queue understood them, for the live refresh's request. */
function searchOf(filters: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  return params.toString();
}

export default async function ReviewQueuePage({ searchParams }: { searchParams: Search }) {
  const actor = await requirePagePermission("enrollment:read:any", "/admin/applications");
  const query = await searchParams;
  const [queue, programs] = await Promise.all([listReviewQueue(actor, query), listProgramsForReview(actor)]);
  const view = reviewQueueView(queue);
  return (
    <>
      <p>
        <Link href="/admin">Administration</Link>
      </p>
      <h1>Review queue</h1>
      <QueueFilters filters={queue.filters} programs={programs} />
      <LiveQueue initial={view} search={searchOf(queue.filters)} />
    </>
  );
}
