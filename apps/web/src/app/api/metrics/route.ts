import { handleMetricsScrape } from "@alfred/api";
import { env } from "~/env";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handleMetricsScrape(req, env().METRICS_TOKEN);
}
