import { randomUUID } from "node:crypto";
import { createDestination } from "@alfred/automation";
import { automationDeliveries, automationEvents } from "@alfred/db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokenFor, callerFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../../testing/harness";

/** Delivery health of one destination over time: hourly buckets by outcome, latency percentiles. */

let h: ApiHarness;
let t: TenantFixture;
let destinationId: string;
const HOUR = 3_600_000;
const hourStart = (ms: number) => Math.floor(ms / HOUR) * HOUR;

async function delivery(status: "delivered" | "failed" | "pending" | "cancelled", createdAt: Date, latencyMs?: number) {
  const [event] = await h.deps.db
    .insert(automationEvents)
    .values({ tenantId: t.admin.tenantId, type: "task.created", sourceEventId: randomUUID(), payload: {}, createdAt })
    .returning({ id: automationEvents.id });
  await h.deps.db.insert(automationDeliveries).values({
    tenantId: t.admin.tenantId,
    eventId: event!.id,
    destinationId,
    eventType: "task.created",
    status,
    createdAt,
    deliveredAt: latencyMs === undefined ? null : new Date(createdAt.getTime() + latencyMs),
  });
}

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps);
  destinationId = (await createDestination({ db: h.deps.db, keys: h.deps.keys, settings: h.deps.automation }, t.admin.tenantId, { name: "Health", url: "http://127.0.0.1:9/h", event_types: ["task.created"] })).id;
  const now = Date.now();
  const thisHour = hourStart(now);
  // This hour: three delivered (100, 200, 300 ms), one failed, one pending.
  for (const latency of [100, 200, 300]) await delivery("delivered", new Date(thisHour + 1_000), latency);
  await delivery("failed", new Date(thisHour + 2_000));
  await delivery("pending", new Date(thisHour + 3_000));
  // Three hours ago: one delivered in 1 s.
  await delivery("delivered", new Date(thisHour - 3 * HOUR + 5_000), 1_000);
  // Three days ago: one cancelled (in the 7-day window only).
  await delivery("cancelled", new Date(thisHour - 72 * HOUR));
});

afterAll(async () => {
  await h.close();
});

describe("operations.destinationHealth", () => {
  it("buckets the last 24 h by hour and outcome, with latency percentiles", async () => {
    const health = await callerFor(h.deps, t.manager).operations.destinationHealth({ id: destinationId });
    expect(health.window).toBe("24h");
    expect(health.hours).toHaveLength(24);
    const last = health.hours.at(-1)!;
    expect(new Date(last.hour).getTime()).toBe(hourStart(Date.now()));
    expect(last).toMatchObject({ delivered: 3, failed: 1, pending: 1, cancelled: 0, p50_ms: 200 });
    expect(last.p95_ms).toBeGreaterThan(200);
    expect(last.p95_ms).toBeLessThanOrEqual(300);
    expect(health.hours.at(-4)).toMatchObject({ delivered: 1, p50_ms: 1000, p99_ms: 1000 });
    expect(health.hours.filter((hour) => hour.delivered + hour.failed + hour.pending + hour.cancelled > 0)).toHaveLength(2);
    expect(health.totals).toEqual({ delivered: 4, failed: 1, pending: 1, cancelled: 0 });
    expect(health.latency.p50_ms).toBe(250);
  });

  it("the 7-day window has 168 hours and the older delivery", async () => {
    const health = await callerFor(h.deps, t.manager).operations.destinationHealth({ id: destinationId, window: "7d" });
    expect(health.hours).toHaveLength(168);
    expect(health.totals).toEqual({ delivered: 4, failed: 1, pending: 1, cancelled: 1 });
  });

  it("REST: 200 for a manager, 403 for an agent, 404 for an unknown destination, 422 for another window", async () => {
    const path = `/automations/destinations/${destinationId}/health`;
    const ok = await rest(h.deps, "GET", `${path}?window=7d`, { token: await accessTokenFor(h.deps, t.manager) });
    expect(ok.status).toBe(200);
    expect(ok.body.hours).toHaveLength(168);
    expect((await rest(h.deps, "GET", path, { token: await accessTokenFor(h.deps, t.agent) })).status).toBe(403);
    expect((await rest(h.deps, "GET", `/automations/destinations/${randomUUID()}/health`, { token: await accessTokenFor(h.deps, t.manager) })).status).toBe(404);
    const bad = await rest(h.deps, "GET", `${path}?window=30d`, { token: await accessTokenFor(h.deps, t.manager) });
    expect(bad.status).toBe(422);
    expect(bad.body.error.path).toBe("window");
  });
});
