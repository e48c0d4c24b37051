export const dynamic = "force-dynamic";

/**
 * Liveness: the process answers. It asks nothing of the database, so an orchestrator does not
 * restart healthy instances during a database outage; readiness (GET /api/ready) does that check.
 */
export function GET() {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
