import { db } from "@/lib/db";
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from "@/lib/errors";

export const dynamic = "force-dynamic";

/** Liveness and database reachability, for load balancers, docker-compose and the error pages. */
export async function GET() {
  try {
    await db().$queryRaw`SELECT 1`;
    return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
  } catch {
    return Response.json(
      { status: "unavailable", database: "unreachable" },
      {
        status: 503,
        headers: { "cache-control": "no-store", "retry-after": String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
      },
    );
  }
}
