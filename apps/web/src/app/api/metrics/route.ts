import { handleMetricsScrape } from "@alfred/api";
import { collectProcessMetrics } from "@alfred/core";
import { env } from "~/env";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  collectProcessMetrics("web");
  return handleMetricsScrape(req, env().METRICS_TOKEN);
}
