import { alfredSignature, createDestination } from "@alfred/automation";
import { startDeliveryEngine, startSink, type Sink } from "@alfred/automation/testing";
import { signSha256Header } from "@alfred/channels";
import { createLogger, startTracing } from "@alfred/core";
import { createChannel, drainDueReceipts } from "@alfred/crm";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleCallback } from "./callbacks/handler";
import { handleWebhook } from "./intake/webhooks";
import { createApiHarness, type ApiHarness } from "./testing/harness";

/**
 * One trace from a provider's webhook to the callback its delivery caused, across the hops that go
 * through Postgres (receipt row, event row) and HTTP (the delivery's `traceparent` header, which the
 * receiver sends back on its callback). Spans go to an in-memory exporter.
 */

const WA_PHONE = "106540352247733";
const WA_SECRET = "wa-app-secret-tracing";
const exporter = new InMemorySpanExporter();

let h: ApiHarness;
let sink: Sink;
let destination: { id: string; secret: string; tenantId: string };
let engine: Awaited<ReturnType<typeof startDeliveryEngine>>;

beforeAll(async () => {
  await startTracing("test", { exporter });
  sink = await startSink();
  h = await createApiHarness({ EGRESS_ALLOWLIST: `127.0.0.1:${sink.port}` });
  const { schema } = await import("@alfred/db");
  const [tenant] = await h.deps.db.insert(schema.tenants).values({ name: "Tracing Co" }).returning();
  await createChannel(h.deps.db, h.deps.keys, h.deps.automation, tenant!.id, { type: "whatsapp", name: "WA", config: { phone_number_id: WA_PHONE, access_token: "t", app_secret: WA_SECRET, verify_token: "v" } });
  const created = await createDestination({ db: h.deps.db, keys: h.deps.keys, settings: h.deps.automation }, tenant!.id, { name: "sink", url: sink.url, event_types: ["message.ingested"] });
  destination = { id: created.id, secret: created.secret, tenantId: tenant!.id };
  engine = await startDeliveryEngine({ db: h.deps.db, keys: h.deps.keys, settings: h.deps.automation, logger: createLogger("trace-test", "silent") }, { prefix: h.prefix });
});

afterAll(async () => {
  await engine.stop();
  await sink.close();
  await h.close();
});

describe("tracing", () => {
  it("webhook -> receipt -> delivery attempt -> callback share one trace, each the child of the one before", async () => {
    const raw = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { phone_number_id: WA_PHONE }, contacts: [{ profile: { name: "T" }, wa_id: "15550002222" }], messages: [{ from: "15550002222", id: "wamid.trace.1", timestamp: "1749416383", type: "text", text: { body: "hi" } }] } }] }],
    });
    const webhook = await handleWebhook(
      new Request("http://alfred.test/api/v1/webhooks/whatsapp", { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signSha256Header(raw, WA_SECRET) }, body: raw }),
      "whatsapp",
      h.deps,
    );
    expect(webhook.status).toBe(200);
    const drained = await drainDueReceipts(h.deps);
    await h.deps.producer.flush(drained.effects);
    await expect.poll(() => sink.requests.length, { timeout: 20_000, interval: 50 }).toBe(1);
    const delivered = sink.requests[0]!;
    const traceparent = delivered.headers.traceparent as string;
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    // The receiver answers with a callback, sending the delivery's traceparent back.
    const { rows } = await h.database.pool.query<{ id: string }>("select id from conversations limit 1");
    const eventId = String(delivered.headers["x-alfred-event-id"]);
    const body = JSON.stringify({ tenant_id: destination.tenantId, event_id: eventId, action: "create_task", params: { title: "Follow up", conversation_id: rows[0]!.id } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const callback = await handleCallback(
      new Request("http://alfred.test/api/v1/automations/callbacks", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-alfred-destination-id": destination.id,
          "x-alfred-tenant-id": destination.tenantId,
          "x-alfred-event-id": eventId,
          "x-alfred-timestamp": timestamp,
          "x-alfred-signature": `sha256=${alfredSignature(destination.secret, timestamp, eventId, destination.tenantId, body)}`,
          traceparent,
        },
        body,
      }),
      h.deps,
    );
    expect(callback.status).toBe(200);

    await expect.poll(() => exporter.getFinishedSpans().some((s) => s.name === "delivery attempt"), { timeout: 10_000, interval: 50 }).toBe(true);
    const spans = exporter.getFinishedSpans();
    const one = (name: string) => {
      const found = spans.filter((s) => s.name === name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    const request = one("POST /api/v1/webhooks/{channel_type}");
    const receipt = one("receipt process");
    const attempt = one("delivery attempt");
    const answered = one("POST /api/v1/automations/callbacks");
    const traceId = request.spanContext().traceId;
    for (const span of [receipt, attempt, answered]) expect(span.spanContext().traceId, span.name).toBe(traceId);
    expect(receipt.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(attempt.parentSpanContext?.spanId).toBe(receipt.spanContext().spanId);
    expect(traceparent).toBe(`00-${traceId}-${attempt.spanContext().spanId}-01`);
    expect(answered.parentSpanContext?.spanId).toBe(attempt.spanContext().spanId);
    expect(answered.attributes["http.response.status_code"]).toBe(200);

    // The rows carry the trace across processes: the receipt and the event the callback recorded.
    const stored = await h.database.pool.query<{ traceparent: string }>(
      "select traceparent from inbound_receipts union all select traceparent from automation_events where type = 'task.created'",
    );
    expect(stored.rows).toHaveLength(2);
    for (const row of stored.rows) expect(row.traceparent).toContain(traceId);
  });
});
