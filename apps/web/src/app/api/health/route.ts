import { checkHealth } from "@alfred/api";
import { deps } from "~/server/deps";

export const dynamic = "force-dynamic";

/** 200 when Postgres and Redis both answer within 2 s; 503 naming the failing part otherwise. */
export async function GET() {
  const report = await checkHealth(deps());
  return Response.json(report, { status: report.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
