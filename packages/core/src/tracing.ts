import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import type { BasicTracerProvider, SpanExporter } from "@opentelemetry/sdk-trace-base";

export { SpanKind, SpanStatusCode };

/**
 * OpenTelemetry traces. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (or a test passes an
 * exporter): then the API below is a no-op that costs next to nothing. One trace follows a webhook
 * through its receipt, the event, each delivery attempt and the callback it caused; the hops that
 * cross Postgres or Redis carry the W3C `traceparent` in the stored row or the job data.
 */

const holder = globalThis as unknown as { alfredTracing?: BasicTracerProvider };

export interface TracingOptions {
  /** Tests: spans go here, synchronously, instead of to an OTLP endpoint. */
  exporter?: SpanExporter;
  /** Read from OTEL_EXPORTER_OTLP_ENDPOINT when not given. */
  endpoint?: string;
}

/**
 * Registers the SDK once per process when an endpoint (or exporter) is configured; false when off.
 * The SDK is loaded only then: a process without tracing never pays for importing it.
 */
export async function startTracing(service: string, options: TracingOptions = {}): Promise<boolean> {
  if (holder.alfredTracing) return true;
  const endpoint = options.endpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!options.exporter && !endpoint) return false;
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { OTLPTraceExporter }, { resourceFromAttributes }, { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor }] = await Promise.all([
    import("@opentelemetry/context-async-hooks"),
    import("@opentelemetry/core"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/sdk-trace-base"),
  ]);
  const processor = options.exporter ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint!.replace(/\/$/, "")}/v1/traces` }));
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ "service.name": process.env.OTEL_SERVICE_NAME ?? `alfred-${service}` }), spanProcessors: [processor] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  holder.alfredTracing = provider;
  return true;
}

/** Sends what is buffered (on shutdown). */
export async function stopTracing(): Promise<void> {
  await holder.alfredTracing?.shutdown();
}

const tracer = () => trace.getTracer("alfred");

/** The `traceparent` of the current span, to store with a row or send as a header; null when off. */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** The context a stored or received `traceparent` names (the root context when there is none). */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/**
 * Runs `fn` inside a new span, a child of `parent` (default: the current span). A throw marks the
 * span as an error and is rethrown; the span always ends.
 */
export async function inSpan<T>(name: string, options: { parent?: Context; kind?: SpanKind; attributes?: Attributes }, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}
