import { createApiKey } from "@alfred/auth";
import { createDestination, createTestDelivery, rotateDestinationSecret } from "@alfred/automation";
import type { ApiHarness, TenantFixture } from "../testing/harness";
import type { TenancyCases } from "./cases";
import { tableSnapshot } from "./cases";

/** Destinations, deliveries, events and API keys of the victim tenant. */
export const automationCases: TenancyCases = {
  domain: "automation",
  seed: async (h: ApiHarness, victim: TenantFixture) => {
    const deps = { db: h.deps.db, keys: h.deps.keys, settings: h.deps.automation };
    const destination = await createDestination(deps, victim.admin.tenantId, {
      name: "Victim hook",
      url: "http://127.0.0.1:9/hook",
      event_types: ["task.created"],
      credential: { kind: "header", header_name: "X-Victim-Token" },
    });
    // Mid-rotation, so a leaking confirm-new-secret would have something to change.
    await rotateDestinationSecret(deps, victim.admin.tenantId, destination.id);
    const sent = await createTestDelivery(deps, victim.admin.tenantId, destination.id);
    const key = await createApiKey(h.deps.db, victim.admin.tenantId, victim.admin.userId, { name: "victim key" });
    return { destination: destination.id, delivery: sent.delivery_id, event: sent.event_id, apiKey: key.id };
  },
  snapshot: (h, victim) =>
    tableSnapshot(h, victim.admin.tenantId, ["automation_destinations", "automation_deliveries", "automation_delivery_attempts", "automation_events", "api_keys"]),
  procedures: [
    { name: "automation.destinations.get", call: (c, v) => c.automation.destinations.get({ id: v.destination! }) },
    { name: "automation.destinations.update", call: (c, v) => c.automation.destinations.update({ id: v.destination!, name: "pwned" }) },
    { name: "automation.destinations.update (url)", call: (c, v) => c.automation.destinations.update({ id: v.destination!, url: "http://127.0.0.1:9/other" }) },
    { name: "automation.destinations.delete", call: (c, v) => c.automation.destinations.delete({ id: v.destination! }) },
    { name: "automation.destinations.rotateSecret", call: (c, v) => c.automation.destinations.rotateSecret({ id: v.destination! }) },
    { name: "automation.destinations.confirmNewSecret", call: (c, v) => c.automation.destinations.confirmNewSecret({ id: v.destination! }) },
    { name: "automation.destinations.setCredential", call: (c, v) => c.automation.destinations.setCredential({ id: v.destination!, credential: { kind: "basic", username: "pwned" } }) },
    { name: "automation.destinations.removeCredential", call: (c, v) => c.automation.destinations.removeCredential({ id: v.destination! }) },
    { name: "automation.destinations.test", call: (c, v) => c.automation.destinations.test({ id: v.destination! }) },
    { name: "automation.deliveries.get", call: (c, v) => c.automation.deliveries.get({ id: v.delivery! }) },
    { name: "automation.deliveries.retry", call: (c, v) => c.automation.deliveries.retry({ id: v.delivery! }) },
    { name: "automation.events.replay", call: (c, v) => c.automation.events.replay({ id: v.event! }) },
    { name: "apiKeys.revoke", call: (c, v) => c.apiKeys.revoke({ id: v.apiKey! }) },
  ],
  routes: [
    { name: "GET /automations/destinations/{id}", method: "GET", path: (v) => `/automations/destinations/${v.destination}` },
    { name: "PATCH /automations/destinations/{id}", method: "PATCH", path: (v) => `/automations/destinations/${v.destination}`, body: () => ({ enabled: false }) },
    { name: "DELETE /automations/destinations/{id}", method: "DELETE", path: (v) => `/automations/destinations/${v.destination}` },
    { name: "POST /automations/destinations/{id}/rotate-secret", method: "POST", path: (v) => `/automations/destinations/${v.destination}/rotate-secret` },
    { name: "POST /automations/destinations/{id}/confirm-new-secret", method: "POST", path: (v) => `/automations/destinations/${v.destination}/confirm-new-secret` },
    { name: "PUT /automations/destinations/{id}/credential", method: "PUT", path: (v) => `/automations/destinations/${v.destination}/credential`, body: () => ({ credential: { kind: "header", header_name: "X-Pwned" } }) },
    { name: "DELETE /automations/destinations/{id}/credential", method: "DELETE", path: (v) => `/automations/destinations/${v.destination}/credential` },
    { name: "POST /automations/destinations/{id}/test", method: "POST", path: (v) => `/automations/destinations/${v.destination}/test` },
    { name: "GET /automations/deliveries/{id}", method: "GET", path: (v) => `/automations/deliveries/${v.delivery}` },
    { name: "POST /automations/deliveries/{id}/retry", method: "POST", path: (v) => `/automations/deliveries/${v.delivery}/retry` },
    { name: "POST /automations/events/{id}/replay", method: "POST", path: (v) => `/automations/events/${v.event}/replay`, body: () => ({}) },
    { name: "DELETE /api-keys/{id}", method: "DELETE", path: (v) => `/api-keys/${v.apiKey}` },
  ],
};
