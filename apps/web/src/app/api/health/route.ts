export const dynamic = "force-dynamic";

/**
 * Liveness: the process answers. It checks nothing else on purpose: a Postgres or Redis outage
 * must not get every web replica restarted. Whether to send traffic here is `/api/ready`.
 */
export function GET() {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
