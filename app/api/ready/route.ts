import { db } from "@/lib/db";
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from "@/lib/errors";
import { checkReadiness } from "@/lib/ops/readiness";

export const dynamic = "force-dynamic";

/**
 * Readiness: 200 when this instance can serve (database reachable, migrations current, background
 * jobs running), 503 with what is missing otherwise. Liveness is GET /api/health.
 */
export async function GET() {
  const readiness = await checkReadiness(db());
  const { ready, ...checks } = readiness;
  return Response.json(
    { status: ready ? "ready" : "not-ready", ...checks },
    {
      status: ready ? 200 : 503,
      headers: {
        "cache-control": "no-store",
        ...(ready ? {} : { "retry-after": String(UNAVAILABLE_RETRY_AFTER_SECONDS) }),
      },
    },
  );
}
