import { checkReadiness, observeRequest } from "@alfred/api";
import { deps } from "~/server/deps";

export const dynamic = "force-dynamic";

/** Readiness: 200 when Postgres and Redis answer and every migration is applied; 503 naming the part. */
export function GET(req: Request) {
  return observeRequest(req, "/api/ready", async () => {
    const report = await checkReadiness(deps());
    return Response.json(report, { status: report.status === "ready" ? 200 : 503, headers: { "cache-control": "no-store" } });
  });
}
