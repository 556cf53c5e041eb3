import { contextFromTraceparent, CORRELATION_HEADER, correlationIdFrom, inSpan, metrics, SpanKind, withCorrelationId } from "@alfred/core";

/** What the handler may refine once it knows it (the REST adapter learns its route template). */
export interface Observed {
  correlationId: string;
  /** A route template (`/api/v1/contacts/{id}`), never a raw path: it is a metric label. */
  route: string;
}

/**
 * Every HTTP entry point runs inside this: the caller's `X-Correlation-Id` (validated) or a new
 * one is current for everything the request does (log lines, jobs, events) and is returned on the
 * response; the request's duration is recorded by route template, method and status.
 */
export async function observeRequest(request: Request, route: string, handle: (observed: Observed) => Promise<Response>): Promise<Response> {
  const observed: Observed = { correlationId: correlationIdFrom(request.headers.get(CORRELATION_HEADER)), route };
  const started = performance.now();
  let status = 500;
  const method = normalMethod(request.method);
  try {
    // A caller's `traceparent` (a destination answering a delivery) continues its trace.
    const parent = contextFromTraceparent(request.headers.get("traceparent"));
    const response = await withCorrelationId(observed.correlationId, () =>
      inSpan(`${method} ${route}`, { parent, kind: SpanKind.SERVER, attributes: { "http.request.method": method, correlation_id: observed.correlationId } }, async (span) => {
        const answer = await handle(observed);
        span.updateName(`${method} ${observed.route}`);
        span.setAttributes({ "http.route": observed.route, "http.response.status_code": answer.status });
        return answer;
      }),
    );
    status = response.status;
    if (!response.headers.has(CORRELATION_HEADER)) {
      try {
        response.headers.set(CORRELATION_HEADER, observed.correlationId);
      } catch {
        // Immutable headers (a Response.redirect): the body already names the id where it matters.
      }
    }
    return response;
  } finally {
    metrics().httpDuration.observe({ route: observed.route, method, status: String(status) }, (performance.now() - started) / 1000);
  }
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const normalMethod = (method: string) => (METHODS.has(method.toUpperCase()) ? method.toUpperCase() : "OTHER");
