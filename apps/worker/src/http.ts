import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CORRELATION_HEADER, correlationIdFrom, errorBody, metricsAccess, metricsText, type Logger } from "@alfred/core";
import type { HealthReport } from "./health";

function sendJson(res: ServerResponse, status: number, body: unknown, correlationId: string): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    [CORRELATION_HEADER]: correlationId,
  });
  res.end(JSON.stringify(body));
}

export interface MetricsEndpoint {
  /** METRICS_TOKEN: scrapers send it as a bearer token; unset, `/metrics` answers 404. */
  token: string | undefined;
  /** Reads what is only known on demand (queue depths) into the gauges. */
  refresh: () => Promise<void>;
}

/**
 * The worker's small HTTP port: `GET /health` (200 or 503 naming the failing part) and
 * `GET /metrics` (Prometheus text, bearer token).
 */
export function createHttpServer(deps: { checkHealth: () => Promise<HealthReport>; logger: Logger; metrics?: MetricsEndpoint }): Server {
  return createServer((req, res) => {
    const correlationId = correlationIdFrom(req.headers[CORRELATION_HEADER] as string | undefined);
    const { pathname } = new URL(req.url ?? "/", "http://worker.local");
    if (pathname === "/metrics" && deps.metrics) {
      serveMetrics(req.headers.authorization, res, deps.metrics, correlationId, deps.logger);
      return;
    }
    if (pathname !== "/health") {
      sendJson(res, 404, errorBody("not_found", `no route for ${pathname}`, correlationId), correlationId);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      sendJson(res, 405, errorBody("method_not_allowed", "use GET", correlationId), correlationId);
      return;
    }
    deps.checkHealth().then(
      (report) => sendJson(res, report.status === "ok" ? 200 : 503, report, correlationId),
      (err: unknown) => {
        deps.logger.error({ err, correlation_id: correlationId }, "health endpoint failed");
        sendJson(res, 500, errorBody("internal_error", "health check failed", correlationId), correlationId);
      },
    );
  });
}

function serveMetrics(authorization: string | undefined, res: ServerResponse, endpoint: MetricsEndpoint, correlationId: string, logger: Logger): void {
  const access = metricsAccess(authorization, endpoint.token);
  if (access === "disabled") return sendJson(res, 404, errorBody("not_found", "metrics are off: set METRICS_TOKEN", correlationId), correlationId);
  if (access === "unauthorized") {
    res.setHeader("www-authenticate", "Bearer");
    return sendJson(res, 401, errorBody("unauthorized", "send Authorization: Bearer <METRICS_TOKEN>", correlationId), correlationId);
  }
  endpoint
    .refresh()
    .then(() => metricsText())
    .then(
      ({ contentType, body }) => {
        res.writeHead(200, { "content-type": contentType, "cache-control": "no-store", [CORRELATION_HEADER]: correlationId });
        res.end(body);
      },
      (err: unknown) => {
        logger.error({ err }, "metrics endpoint failed");
        sendJson(res, 500, errorBody("internal_error", "metrics could not be collected", correlationId), correlationId);
      },
    );
}

/** Listens and resolves with the bound port (useful when asked for port 0). */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting connections, drops idle keep-alive ones, and waits for in-flight requests. */
export function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}
