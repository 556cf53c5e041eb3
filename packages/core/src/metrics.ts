import { createHash, timingSafeEqual } from "node:crypto";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * Every Prometheus series Alfred exports, one registry per process (web: `GET /api/metrics`,
 * worker: `/metrics` on its HTTP port). Labels stay bounded: routes are templates, channels and
 * actions are our own names, tenants are ids of existing tenants, error codes are our codes.
 */
function createMetrics() {
  const registry = new Registry();
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  const slowSeconds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
  return {
    registry,
    httpDuration: new Histogram({
      name: "alfred_http_request_duration_seconds",
      help: "HTTP requests by route template, method and status",
      labelNames: ["route", "method", "status"] as const,
      buckets: seconds,
      registers: [registry],
    }),
    trpcCalls: new Counter({
      name: "alfred_trpc_calls_total",
      help: "tRPC procedure calls by procedure and outcome (ok or the error code)",
      labelNames: ["procedure", "outcome"] as const,
      registers: [registry],
    }),
    webhookIngests: new Counter({
      name: "alfred_webhook_ingests_total",
      help: "Provider webhook requests by channel type and outcome (stored, duplicate, ignored or the error code)",
      labelNames: ["channel", "outcome"] as const,
      registers: [registry],
    }),
    receiptsStored: new Counter({
      name: "alfred_receipts_stored_total",
      help: "Webhook receipts committed, by channel type",
      labelNames: ["channel"] as const,
      registers: [registry],
    }),
    receiptsDone: new Counter({
      name: "alfred_receipts_done_total",
      help: "Receipts the worker finished, by outcome (processed or parked)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    receiptVisibleLatency: new Histogram({
      name: "alfred_receipt_ack_to_visible_seconds",
      help: "From a webhook's acknowledgement (receipt committed) to its messages being visible",
      buckets: slowSeconds,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: "alfred_deliveries_total",
      help: "Finished deliveries by tenant and outcome (delivered, or the reason it failed)",
      labelNames: ["tenant_id", "outcome"] as const,
      registers: [registry],
    }),
    deliveryAttempts: new Counter({
      name: "alfred_delivery_attempts_total",
      help: "Delivery attempts by tenant and outcome (success or the error class)",
      labelNames: ["tenant_id", "outcome"] as const,
      registers: [registry],
    }),
    deliveryRetries: new Counter({
      name: "alfred_delivery_retries_total",
      help: "Retries scheduled after a failed attempt, by tenant",
      labelNames: ["tenant_id"] as const,
      registers: [registry],
    }),
    destinationsDisabled: new Counter({
      name: "alfred_destinations_disabled_total",
      help: "Destinations disabled automatically, by tenant and reason",
      labelNames: ["tenant_id", "reason"] as const,
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: "alfred_delivery_latency_seconds",
      help: "From the event's commit to the destination's 2xx",
      buckets: slowSeconds,
      registers: [registry],
    }),
    callbacks: new Counter({
      name: "alfred_callbacks_total",
      help: "Signed callbacks by action and outcome code (ok, or the error code answered)",
      labelNames: ["action", "code"] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "alfred_queue_jobs",
      help: "Jobs per queue and state, read when scraped",
      labelNames: ["queue", "state"] as const,
      registers: [registry],
    }),
    queueOldestAge: new Gauge({
      name: "alfred_queue_oldest_job_age_seconds",
      help: "Age of the oldest job waiting per queue (0 when empty), read when scraped",
      labelNames: ["queue"] as const,
      registers: [registry],
    }),
    reconcilerReenqueues: new Counter({
      name: "alfred_reconciler_reenqueues_total",
      help: "Work the reconciler found in Postgres without its queue job and enqueued again, by kind",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const holder = globalThis as unknown as { alfredMetrics?: Metrics; alfredDefaultMetrics?: boolean };

/** The process's metrics (kept across Next dev reloads, which would otherwise register twice). */
export function metrics(): Metrics {
  return (holder.alfredMetrics ??= createMetrics());
}

/** Adds Node's own series (heap, event loop lag, GC) once per process; servers call it at start. */
export function collectProcessMetrics(service: string): void {
  if (holder.alfredDefaultMetrics) return;
  holder.alfredDefaultMetrics = true;
  collectDefaultMetrics({ register: metrics().registry, labels: { service } });
}

/** The text exposition of every series. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/**
 * Who may scrape: nobody when no token is configured (404, the endpoint does not exist), else only
 * `Authorization: Bearer <token>` (401 otherwise). Compared in constant time.
 */
export function metricsAccess(authorization: string | null | undefined, token: string | undefined): "allowed" | "unauthorized" | "disabled" {
  if (!token) return "disabled";
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match) return "unauthorized";
  const given = createHash("sha256").update(match[1]!).digest();
  const expected = createHash("sha256").update(token).digest();
  return timingSafeEqual(given, expected) ? "allowed" : "unauthorized";
}
