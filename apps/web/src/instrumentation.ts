/**
 * Runs once when the server starts: OpenTelemetry traces go to OTEL_EXPORTER_OTLP_ENDPOINT when it
 * is set (nothing is registered otherwise), and Node's own metrics join the Prometheus registry.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { collectProcessMetrics, startTracing } = await import("@alfred/core");
  await startTracing("web");
  collectProcessMetrics("web");
}
