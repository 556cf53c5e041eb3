import { errorBody, metricsAccess, metricsText } from "@alfred/core";
import { observeRequest } from "./observe";

/**
 * `GET /api/metrics`: this web process's Prometheus series, for a scraper holding METRICS_TOKEN
 * (401 without it; 404 when no token is configured, so nothing is exposed by default).
 */
export function handleMetricsScrape(request: Request, token: string | undefined): Promise<Response> {
  return observeRequest(request, "/api/metrics", async ({ correlationId }) => {
    const access = metricsAccess(request.headers.get("authorization"), token);
    if (access === "disabled") return Response.json(errorBody("not_found", "metrics are off: set METRICS_TOKEN", correlationId), { status: 404 });
    if (access === "unauthorized") {
      return Response.json(errorBody("unauthorized", "send Authorization: Bearer <METRICS_TOKEN>", correlationId), { status: 401, headers: { "www-authenticate": "Bearer" } });
    }
    const { contentType, body } = await metricsText();
    return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
  });
}
