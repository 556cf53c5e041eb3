import { randomUUID } from "node:crypto";
import { createDestination, createTestDelivery } from "@alfred/automation";
import { createChannel, storeReceipts } from "@alfred/crm";
import { eq, recordAudit } from "@alfred/db";
import { inboundReceipts } from "@alfred/db/schema";
import type { ApiHarness, TenantFixture } from "../testing/harness";
import type { Caller, TenancyCases } from "./cases";
import { tableSnapshot } from "./cases";

/**
 * The operations views (counts, timeline) aimed at the victim's destination, event and correlation
 * id; and the id-less views (pending work, counts), which must show the caller's tenant only and,
 * on a hosted install, nothing machine-wide.
 */
export const operationsCases: TenancyCases = {
  domain: "operations",
  seed: async (h: ApiHarness, victim: TenantFixture) => {
    const deps = { db: h.deps.db, keys: h.deps.keys, settings: h.deps.automation };
    const tenantId = victim.admin.tenantId;
    const correlation = `ops-${randomUUID()}`;
    const destination = await createDestination(deps, tenantId, { name: "Ops hook", url: "http://127.0.0.1:9/ops", event_types: ["task.created"] });
    const sent = await createTestDelivery(deps, tenantId, destination.id, correlation);
    await recordAudit(h.deps.db, { tenantId, actorType: "system", action: "automation_event_sent", targetType: "automation_event", targetId: sent.event_id, correlationId: correlation });
    const channel = await createChannel(h.deps.db, h.deps.keys, h.deps.automation, tenantId, { type: "api", name: "Ops API", config: { secret: "ops-secret" } });
    const body = Buffer.from("not json at all");
    await storeReceipts(h.deps.db, [{ tenantId, channelId: channel.id, channelType: "api", orderingKey: "x", body, bodySha256: randomUUID(), contentType: "application/json", correlationId: correlation, parkedBecause: "unreadable" }]);
    const [receipt] = await h.deps.db.select({ id: inboundReceipts.id }).from(inboundReceipts).where(eq(inboundReceipts.channelId, channel.id));
    return { destination: destination.id, event: sent.event_id, delivery: sent.delivery_id, correlation, receipt: String(receipt!.id) };
  },
  snapshot: (h, victim) => tableSnapshot(h, victim.admin.tenantId, ["automation_destinations", "automation_deliveries", "automation_events", "audit_logs", "inbound_receipts"]),
  procedures: [
    { name: "operations.deliveryCounts (destination_id)", call: (c, v) => c.operations.deliveryCounts({ destination_id: v.destination! }) },
    { name: "operations.destinationHealth", call: (c, v) => c.operations.destinationHealth({ id: v.destination! }) },
    { name: "operations.timeline (event_id)", call: (c, v) => c.operations.timeline({ event_id: v.event! }) },
    { name: "operations.timeline (correlation_id)", call: (c, v) => c.operations.timeline({ correlation_id: v.correlation! }) },
    { name: "operations.timeline (event id as correlation_id)", call: (c, v) => c.operations.timeline({ correlation_id: v.event! }) },
    { name: "operations.retryReceipt", call: (c, v) => c.operations.retryReceipt({ id: v.receipt! }) },
  ],
  views: [
    {
      name: "operations.queueHealth",
      call: (c) => c.operations.queueHealth(),
      stable: (answer: Awaited<ReturnType<Caller["operations"]["queueHealth"]>>) => ({
        deliveries: { ...answer.work.deliveries, oldest_pending_seconds: undefined },
        outbound_messages: { ...answer.work.outbound_messages, oldest_unsent_seconds: undefined },
        machine: answer.machine,
      }),
    },
    { name: "operations.deliveryCounts", call: (c) => c.operations.deliveryCounts() },
    { name: "automation.deliveries.list", call: (c) => c.automation.deliveries.list({}) },
  ],
  routes: [
    { name: "GET /automations/deliveries/counts?destination_id", method: "GET", path: (v) => `/automations/deliveries/counts?destination_id=${v.destination}` },
    { name: "GET /automations/destinations/{id}/health", method: "GET", path: (v) => `/automations/destinations/${v.destination}/health?window=7d` },
    { name: "GET /automations/timeline?event_id", method: "GET", path: (v) => `/automations/timeline?event_id=${v.event}` },
    { name: "GET /automations/timeline?correlation_id", method: "GET", path: (v) => `/automations/timeline?correlation_id=${v.correlation}` },
    { name: "POST /operations/receipts/{id}/retry", method: "POST", path: (v) => `/operations/receipts/${v.receipt}/retry` },
  ],
};
