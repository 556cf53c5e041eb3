import { randomUUID } from "node:crypto";
import type { Principal } from "@alfred/auth";
import { alfredSignature, createDestination, EVENT_CATALOG, liveChannel, WORKER_HEARTBEAT, workerHeartbeatIndexKey, workerHeartbeatKey, type LiveEvent } from "@alfred/automation";
import { startDeliveryEngine, startSink, type Sink } from "@alfred/automation/testing";
import { createRedis } from "@alfred/core";
import { createChannel, ingestMessage, newScope, queueOutboundMessage } from "@alfred/crm";
import { and, eq } from "@alfred/db";
import { auditLogs, automationCallbackEvents, automationDeliveries, automationDeliveryAttempts, automationEvents, channels, notifications } from "@alfred/db/schema";
import { generateOpenApiDocument } from "trpc-to-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleCallback } from "../../callbacks/handler";
import { accessTokenFor, callerFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../../testing/harness";
import { createTRPCRouter } from "../../trpc";
import { auditLogsRouter } from "../audit-logs/_router";
import { operationsRouter } from "./_router";

let h: ApiHarness;
let t: TenantFixture;
let other: TenantFixture;
let sink: Sink;
let worker: { stop(): Promise<void> };
/** What the sink answers next, by path (`/ok`, `/flaky`, `/gone`). */
const flaky = { failuresLeft: 1 };

const services = () => ({ db: h.deps.db, keys: h.deps.keys, settings: h.deps.automation });
const token = (p: Principal) => accessTokenFor(h.deps, p);

beforeAll(async () => {
  sink = await startSink((req) => {
    if (req.url.startsWith("/gone")) return { status: 410, body: "gone" };
    if (req.url.startsWith("/flaky") && flaky.failuresLeft > 0) {
      flaky.failuresLeft -= 1;
      return { status: 500, body: "boom" };
    }
    return { status: 200, body: "ok" };
  });
  h = await createApiHarness({ EGRESS_ALLOWLIST: `127.0.0.1:${sink.port},127.0.0.1:9`, AUTOMATION_RETRY_SCHEDULE_SECONDS: "1,1", AUTOMATION_DELIVERY_TIMEOUT_MS: "2000" });
  t = await seedTenant(h.deps, "Operations T");
  other = await seedTenant(h.deps, "Operations Other");
  worker = await startDeliveryEngine({ db: h.deps.db, keys: h.deps.keys, settings: h.deps.automation, logger: h.deps.logger, publishLive: (events) => h.deps.producer.publishLive(events) }, { prefix: h.prefix });
});
afterAll(async () => {
  await worker?.stop();
  await h?.close();
  await sink?.close();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An event + delivery row pair of `tenant` to `destinationId`, inserted directly (no sending). */
async function insertDelivery(tenantId: string, destinationId: string, status: (typeof automationDeliveries.$inferSelect)["status"], eventType = "task.created", createdAt?: Date) {
  const [event] = await h.deps.db
    .insert(automationEvents)
    .values({ tenantId, type: eventType, sourceEventId: `seed:${randomUUID()}`, payload: EVENT_CATALOG[eventType as keyof typeof EVENT_CATALOG].sample, ...(createdAt ? { occurredAt: createdAt, createdAt } : {}) })
    .returning();
  const [delivery] = await h.deps.db
    .insert(automationDeliveries)
    .values({ tenantId, eventId: event!.id, destinationId, eventType, status, ...(createdAt ? { createdAt } : {}) })
    .returning();
  return { event: event!, delivery: delivery! };
}

describe("operations.deliveryCounts", () => {
  it("counts per status (every status present) under destination, event type and time filters; other tenants never count", async () => {
    const d1 = await createDestination(services(), t.admin.tenantId, { name: "Counts 1", url: `${sink.url.replace("/hook", "/ok")}`, event_types: ["task.created"] });
    const d2 = await createDestination(services(), t.admin.tenantId, { name: "Counts 2", url: `${sink.url.replace("/hook", "/ok")}`, event_types: ["task.created"] });
    const foreign = await createDestination(services(), other.admin.tenantId, { name: "Foreign", url: sink.url, event_types: ["task.created"] });
    const old = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    await insertDelivery(t.admin.tenantId, d1.id, "pending");
    await insertDelivery(t.admin.tenantId, d1.id, "failed");
    await insertDelivery(t.admin.tenantId, d1.id, "failed", "task.created", old);
    await insertDelivery(t.admin.tenantId, d1.id, "delivered", "lead.score_changed");
    await insertDelivery(t.admin.tenantId, d2.id, "cancelled");
    await insertDelivery(other.admin.tenantId, foreign.id, "failed");

    const manager = callerFor(h.deps, t.manager);
    expect(await manager.operations.deliveryCounts({ destination_id: d1.id })).toEqual({ pending: 1, delivering: 0, delivered: 1, failed: 2, cancelled: 0 });
    expect(await manager.operations.deliveryCounts({ destination_id: d1.id, event_type: "task.created" })).toEqual({ pending: 1, delivering: 0, delivered: 0, failed: 2, cancelled: 0 });
    expect(await manager.operations.deliveryCounts({ destination_id: d1.id, since: new Date(Date.now() - 3600_000) })).toMatchObject({ failed: 1 });
    expect(await manager.operations.deliveryCounts({ destination_id: d1.id, until: new Date(Date.now() - 3600_000) })).toEqual({ pending: 0, delivering: 0, delivered: 0, failed: 1, cancelled: 0 });
    expect(await manager.operations.deliveryCounts({ destination_id: d2.id })).toEqual({ pending: 0, delivering: 0, delivered: 0, failed: 0, cancelled: 1 });
    const all = await manager.operations.deliveryCounts();
    expect(all.failed).toBeGreaterThanOrEqual(2);
    const otherAll = await callerFor(h.deps, other.manager).operations.deliveryCounts({});
    expect(otherAll).toEqual({ pending: 0, delivering: 0, delivered: 0, failed: 1, cancelled: 0 });

    const res = await rest(h.deps, "GET", `/automations/deliveries/counts?destination_id=${d1.id}&event_type=task.created`, { token: await token(t.manager) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ pending: 1, delivering: 0, delivered: 0, failed: 2, cancelled: 0 });
    const bad = await rest(h.deps, "GET", `/automations/deliveries/counts?since=2025-02-01T00:00:00Z&until=2025-01-01T00:00:00Z`, { token: await token(t.manager) });
    expect(bad.status).toBe(422);
    expect(bad.body.error.path).toBe("since");
    expect((await rest(h.deps, "GET", `/automations/deliveries/counts?event_type=nope`, { token: await token(t.manager) })).status).toBe(422);
  });
});

describe("automation.destinations.list health", () => {
  it("computes 24 h success rate, p95 latency, last failure and failed deliveries per destination", async () => {
    const tenantId = other.admin.tenantId; // a tenant with few rows, so the numbers are exact
    const healthy = await createDestination(services(), tenantId, { name: "Health A", url: sink.url, event_types: ["task.created"] });
    const quiet = await createDestination(services(), tenantId, { name: "Health B", url: sink.url, event_types: ["task.created"] });
    const { delivery } = await insertDelivery(tenantId, healthy.id, "failed");
    const now = Date.now();
    const attempt = (number: number, minutesAgo: number, durationMs: number, statusCode: number | null, errorClass: string | null) => ({
      tenantId,
      deliveryId: delivery.id,
      number,
      startedAt: new Date(now - minutesAgo * 60_000),
      durationMs,
      statusCode,
      errorClass,
      errorMessage: errorClass ? `HTTP ${statusCode}` : null,
    });
    await h.deps.db.insert(automationDeliveryAttempts).values([
      attempt(1, 26 * 60, 9_000, 503, "http_status"), // older than 24 h: not in the rate, nor the p95
      attempt(2, 30, 100, 200, null),
      attempt(3, 20, 200, 200, null),
      attempt(4, 10, 300, 500, "http_status"),
    ]);

    const { items } = await callerFor(h.deps, other.admin).automation.destinations.list();
    const a = items.find((d) => d.id === healthy.id)!;
    expect(a.health.success_rate_24h).toBeCloseTo(2 / 3, 5);
    expect(a.health.p95_latency_ms_24h).toBe(290); // percentile_cont over 100, 200, 300
    expect(a.health.last_failure).toMatchObject({ status_code: 500, error: "HTTP 500" });
    expect(Date.parse(a.health.last_failure!.at)).toBe(now - 10 * 60_000);
    expect(a.health.failed_deliveries).toBe(1);
    expect(a.disabled_reason).toBeNull();
    const b = items.find((d) => d.id === quiet.id)!;
    expect(b.health).toEqual({ success_rate_24h: null, p95_latency_ms_24h: null, last_failure: null, failed_deliveries: 0 });

    // Over REST as well, and never another tenant's numbers.
    const res = await rest(h.deps, "GET", "/automations/destinations", { token: await token(t.admin) });
    expect(res.status).toBe(200);
    expect(res.body.items.map((d: { id: string }) => d.id)).not.toContain(healthy.id);
    for (const d of res.body.items) expect(d.health).toEqual(expect.objectContaining({ failed_deliveries: expect.any(Number) }));
  });
});

describe("operations.timeline", () => {
  it("never names another tenant's destination, even for rows that point at one: the joins carry the tenant", async () => {
    const mine = t.admin.tenantId;
    const own = await createDestination(services(), mine, { name: "Own flow", url: sink.url, event_types: ["task.created"] });
    const foreign = await createDestination(services(), other.admin.tenantId, { name: "Foreign secret flow", url: sink.url, event_types: ["task.created"] });
    const { event } = await insertDelivery(mine, own.id, "delivered");
    // Rows of this tenant that (through a bug elsewhere) name the other tenant's destination.
    await insertDelivery(mine, foreign.id, "pending");
    await h.deps.db.update(automationDeliveries).set({ eventId: event.id }).where(and(eq(automationDeliveries.tenantId, mine), eq(automationDeliveries.destinationId, foreign.id)));
    await h.deps.db.insert(automationCallbackEvents).values({ tenantId: mine, destinationId: foreign.id, eventId: `cb-${randomUUID()}`, linkedEventId: event.id, action: "create_task", status: "failed" });

    const timeline = await callerFor(h.deps, t.manager).operations.timeline({ event_id: event.id });
    expect(JSON.stringify(timeline)).not.toContain("Foreign secret flow");
    expect(timeline.items.filter((i) => i.kind === "delivery").map((i) => i.title)).toEqual(["Delivery to Own flow"]);
    expect(timeline.items.filter((i) => i.kind === "callback")).toEqual([]);
  });

  it("shows message -> event -> delivery and attempts -> signed callback -> created task, in time order", async () => {
    const tenantId = t.admin.tenantId;
    flaky.failuresLeft = 1;
    const destination = await createDestination(services(), tenantId, { name: "Activepieces", url: sink.url.replace("/hook", "/flaky"), event_types: ["message.ingested"] });

    // A customer message arrives (correlation id of the inbound webhook request).
    const channel = await h.deps.db.transaction((tx) =>
      createChannel(tx, h.deps.keys, h.deps.automation, tenantId, { type: "api", name: "API timeline", config: { secret: "api-channel-secret-0123456789", send_url: "http://127.0.0.1:9/never" } }),
    );
    const [channelRow] = await h.deps.db.select().from(channels).where(eq(channels.id, channel.id));
    const correlation = `req-${randomUUID()}`;
    const scope = newScope(tenantId, { type: "system", id: null }, correlation);
    const ingested = await ingestMessage(h.deps.db, scope, channelRow!, {
      externalId: `ext-${randomUUID()}`,
      channelAccountId: channel.id,
      from: { externalId: "customer-timeline", name: "Tina Timeline" },
      type: "text",
      body: "Where is my order?",
      sentAt: new Date(),
      raw: {},
    });
    await h.deps.producer.flush(scope.effects, correlation);

    // The worker delivers it: 500 first, then 200 on the retry.
    const [event] = await h.deps.db.select().from(automationEvents).where(eq(automationEvents.correlationId, correlation));
    expect(event!.type).toBe("message.ingested");
    const [delivery] = await until(
      () => h.deps.db.select().from(automationDeliveries).where(eq(automationDeliveries.eventId, event!.id)),
      (rows) => rows[0]?.status === "delivered",
    );
    expect(delivery!.attempts).toBe(2);

    // Activepieces answers with a signed callback quoting the event id as correlation id.
    const callbackEventId = `ap-run-${randomUUID()}`;
    const body = JSON.stringify({ tenant_id: tenantId, event_id: callbackEventId, correlation_id: event!.id, action: "create_task", params: { title: "Answer Tina about her order", conversation_id: ingested.conversationId } });
    const ts = String(Math.floor(Date.now() / 1000));
    const response = await handleCallback(
      new Request("http://alfred.test/api/v1/automations/callbacks", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-alfred-destination-id": destination.id,
          "x-alfred-tenant-id": tenantId,
          "x-alfred-event-id": callbackEventId,
          "x-alfred-timestamp": ts,
          "x-alfred-signature": `sha256=${alfredSignature(destination.secret, ts, callbackEventId, tenantId, body)}`,
        },
        body,
      }),
      h.deps,
    );
    expect(response.status).toBe(200);
    const taskId: string = ((await response.json()) as { result: { task_id: string } }).result.task_id;

    const manager = callerFor(h.deps, t.manager);
    const { items } = await manager.operations.timeline({ correlation_id: correlation });
    expect(items.map((i) => `${i.kind}:${i.status ?? ""}`)).toEqual([
      "message:received",
      "event:",
      "delivery:delivered",
      "attempt:failed",
      "attempt:succeeded",
      "callback:succeeded",
      "result:open",
    ]);
    const sorted = [...items].sort((x, y) => x.at.localeCompare(y.at));
    expect(items.map((i) => i.at)).toEqual(sorted.map((i) => i.at));
    expect(items[0]).toMatchObject({ ref: { type: "message", id: ingested.messageId }, details: { body: "Where is my order?", direction: "in" } });
    expect(items[1]).toMatchObject({ title: "message.ingested", ref: { type: "event", id: event!.id } });
    expect(items[2]).toMatchObject({ title: "Delivery to Activepieces", ref: { type: "delivery", id: delivery!.id }, details: { attempts: 2 } });
    expect(items[3]).toMatchObject({ details: { number: 1, status_code: 500, error_class: "http_status" } });
    expect(items[3]!.title).toMatch(/^Attempt 1: HTTP 500 in \d+ ms$/);
    expect(items[4]).toMatchObject({ details: { number: 2, status_code: 200 } });
    expect(typeof items[4]!.details!.duration_ms).toBe("number");
    expect(items[5]).toMatchObject({ title: "Callback create_task from Activepieces", details: { linked_event_id: event!.id, response_status: 200, result: { type: "task", id: taskId } } });
    expect(items[6]).toMatchObject({ title: "Task created: Answer Tina about her order", ref: { type: "task", id: taskId } });

    // The same story by event id, and over REST.
    const byEvent = await manager.operations.timeline({ event_id: event!.id });
    expect(byEvent.items.map((i) => i.kind)).toEqual(items.map((i) => i.kind));
    const res = await rest(h.deps, "GET", `/automations/timeline?correlation_id=${encodeURIComponent(correlation)}`, { token: await token(t.manager) });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(7);

    // The audit log has both ends: the event sent and the callback executed.
    const audit = await callerFor(h.deps, t.admin).auditLogs.list({ action: "automation_event_sent", target_id: event!.id });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actor: { type: "system", name: "Alfred" }, target: { type: "automation_event", id: event!.id }, metadata: { status_code: 200, attempt: 2 } });
    const executed = await callerFor(h.deps, t.admin).auditLogs.list({ action: "automation_callback_executed", target_id: taskId });
    expect(executed.items[0]).toMatchObject({ actor: { type: "destination", id: destination.id, name: "Activepieces" }, target: { type: "task", id: taskId } });
  });

  it("answers 422 without an id, and NOT_FOUND for ids it does not know", async () => {
    const manager = callerFor(h.deps, t.manager);
    await expect(manager.operations.timeline({})).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await rest(h.deps, "GET", "/automations/timeline", { token: await token(t.manager) })).status).toBe(422);
    await expect(manager.operations.timeline({ event_id: randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(manager.operations.timeline({ correlation_id: "nothing-here" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await rest(h.deps, "GET", "/automations/timeline?correlation_id=has%20space", { token: await token(t.manager) })).status).toBe(422);
  });
});

describe("operations.queueHealth", () => {
  /** An API channel conversation of `tenantId` with outbound messages in these states and ages. */
  async function outboundMessages(tenantId: string, rows: { status: "queued" | "sending" | "failed"; ageSeconds: number }[]) {
    const view = await createChannel(h.deps.db, h.deps.keys, h.deps.automation, tenantId, { type: "api", name: "Backlog", config: { secret: "backlog-secret", send_url: "http://127.0.0.1:9/never" } });
    const [row] = await h.deps.db.select().from(channels).where(eq(channels.id, view.id));
    const system = newScope(tenantId, { type: "system", id: null });
    const inbound = await ingestMessage(h.deps.db, system, row!, { externalId: `in-${randomUUID()}`, channelAccountId: view.id, from: { externalId: `c-${randomUUID()}`, name: "C" }, type: "text", body: "hi", sentAt: new Date(), raw: {} });
    for (const { status, ageSeconds } of rows) {
      const { id } = await h.deps.db.transaction((tx) => queueOutboundMessage(tx, system, inbound.conversationId, status));
      await h.database.pool.query(`update messages set status = $2, created_at = now() - make_interval(secs => $3), updated_at = now() - make_interval(secs => $3) where id = $1`, [id, status, ageSeconds]);
    }
  }

  /** The answer without the ages, which move with the clock. */
  const counts = (health: Awaited<ReturnType<ReturnType<typeof callerFor>["operations"]["queueHealth"]>>) => ({
    deliveries: { ...health.work.deliveries, oldest_pending_seconds: undefined },
    outbound_messages: { ...health.work.outbound_messages, oldest_unsent_seconds: undefined },
    machine: health.machine,
  });

  it("shows each tenant only its own pending and failed work, from Postgres; nothing machine-wide on a hosted install", async () => {
    const a = await seedTenant(h.deps, "Backlog A");
    const b = await seedTenant(h.deps, "Backlog B");
    const [da, db] = await Promise.all([a, b].map((x) => createDestination(services(), x.admin.tenantId, { name: "Backlog", url: sink.url, event_types: ["task.created"] })));
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
    await insertDelivery(a.admin.tenantId, da!.id, "pending", "task.created", minutesAgo(10));
    const { delivery: later } = await insertDelivery(a.admin.tenantId, da!.id, "pending");
    await h.deps.db.update(automationDeliveries).set({ nextRetryAt: new Date(Date.now() + 3_600_000) }).where(eq(automationDeliveries.id, later.id));
    await insertDelivery(a.admin.tenantId, da!.id, "delivering");
    await insertDelivery(a.admin.tenantId, da!.id, "failed");
    const { delivery: stale } = await insertDelivery(a.admin.tenantId, da!.id, "failed", "task.created", minutesAgo(3 * 24 * 60));
    await h.deps.db.update(automationDeliveries).set({ updatedAt: minutesAgo(2 * 24 * 60) }).where(eq(automationDeliveries.id, stale.id));
    await insertDelivery(a.admin.tenantId, da!.id, "delivered");
    // B's backlog is older and bigger: none of it may show in A's view.
    for (let i = 0; i < 3; i++) await insertDelivery(b.admin.tenantId, db!.id, "pending", "task.created", minutesAgo(120));
    await insertDelivery(b.admin.tenantId, db!.id, "failed");
    await outboundMessages(a.admin.tenantId, [
      { status: "queued", ageSeconds: 300 },
      { status: "sending", ageSeconds: 5 },
      { status: "failed", ageSeconds: 60 },
    ]);
    await outboundMessages(b.admin.tenantId, [
      { status: "queued", ageSeconds: 7200 },
      { status: "queued", ageSeconds: 7200 },
      { status: "failed", ageSeconds: 60 },
    ]);

    const health = await callerFor(h.deps, a.manager).operations.queueHealth();
    expect(counts(health)).toEqual({
      deliveries: { due: 1, scheduled: 1, delivering: 1, failed_last_24h: 1, oldest_pending_seconds: undefined },
      outbound_messages: { queued: 1, sending: 1, failed_last_24h: 1, oldest_unsent_seconds: undefined },
      machine: null,
    });
    expect(health.work.deliveries.oldest_pending_seconds).toBeGreaterThanOrEqual(599);
    expect(health.work.deliveries.oldest_pending_seconds).toBeLessThan(3600);
    expect(health.work.outbound_messages.oldest_unsent_seconds).toBeGreaterThanOrEqual(299);
    expect(health.work.outbound_messages.oldest_unsent_seconds).toBeLessThan(3600);
    expect(counts(await callerFor(h.deps, b.manager).operations.queueHealth())).toMatchObject({
      deliveries: { due: 3, scheduled: 0, delivering: 0, failed_last_24h: 1 },
      outbound_messages: { queued: 2, sending: 0, failed_last_24h: 1 },
    });

    // Over REST too: no queue counts, no worker ids.
    await h.redis.zadd(workerHeartbeatIndexKey(h.prefix), Date.now(), "secret-host:4242");
    const res = await rest(h.deps, "GET", "/operations/queues", { token: await token(a.admin) });
    expect(res.status).toBe(200);
    expect(res.body.machine).toBeNull();
    expect(JSON.stringify(res.body)).not.toContain("secret-host");
  });

  it("adds machine-wide queue counts and worker heartbeats on a single-company install", async () => {
    const single = { ...h.deps, singleCompany: true };
    const tenantId = other.admin.tenantId;
    const destination = await createDestination(services(), tenantId, { name: "Queue", url: sink.url, event_types: ["task.created"] });
    await insertDelivery(tenantId, destination.id, "pending");
    await h.deps.producer.channelSends.add("send", { message_id: randomUUID(), tenant_id: tenantId }, { delay: 3_600_000 });

    const now = Date.now();
    const fresh = "host-a:101";
    const stale = "host-b:202";
    await h.redis.del(workerHeartbeatIndexKey(h.prefix));
    await h.redis.set(workerHeartbeatKey(h.prefix, fresh), JSON.stringify({ id: fresh, last_seen_at: new Date(now - 2_000).toISOString() }), "EX", WORKER_HEARTBEAT.ttlSeconds);
    await h.redis.zadd(workerHeartbeatIndexKey(h.prefix), now - 2_000, fresh);
    await h.redis.zadd(workerHeartbeatIndexKey(h.prefix), now - 90_000, stale); // its key expired
    await h.redis.zadd(workerHeartbeatIndexKey(h.prefix), now - 2 * WORKER_HEARTBEAT.forgetAfterMs, "host-c:303"); // forgotten

    const health = await callerFor(single, other.manager).operations.queueHealth();
    const machine = health.machine!;
    expect(machine.available).toBe(true);
    expect(machine.queues.map((q) => q.name)).toEqual(["channel-sends", "maintenance", "classifications"]);
    expect(machine.queues[0]!.delayed).toBe(1);
    for (const q of machine.queues) expect(Object.values(q).slice(1).every((n) => Number.isInteger(n))).toBe(true);
    expect(machine.workers).toEqual([
      { id: fresh, last_seen_at: new Date(now - 2_000).toISOString(), healthy: true },
      { id: stale, last_seen_at: new Date(now - 90_000).toISOString(), healthy: false },
    ]);
    expect(health.work.deliveries.due).toBeGreaterThanOrEqual(1);

    const admin = await rest(single, "GET", "/operations/queues", { token: await token(other.admin) });
    expect(admin.status).toBe(200);
    expect(admin.body.machine.workers).toHaveLength(2);
  });

  it("keeps the tenant's own view when Redis does not answer (single-company)", async () => {
    const unreachable = createRedis("redis://127.0.0.1:1", "client", { retryStrategy: () => null });
    unreachable.on("error", () => undefined);
    try {
      const health = await callerFor({ ...h.deps, singleCompany: true, redis: unreachable }, other.manager).operations.queueHealth();
      expect(health.machine).toEqual({ available: false, queues: [], workers: [] });
      expect(health.work.deliveries.due).toBeGreaterThanOrEqual(1);
    } finally {
      unreachable.disconnect();
    }
  });
});

describe("auditLogs.list", () => {
  it("filters, names actors and pages by keyset without skipping rows that share a timestamp", async () => {
    const tenantId = other.admin.tenantId;
    const at = new Date("2024-06-01T12:00:00.000Z");
    const correlation = `audit-${randomUUID()}`;
    // 7 rows at the same instant plus 3 a minute earlier.
    const rows = [
      ...Array.from({ length: 7 }, (_, i) => ({ tenantId, actorType: "user" as const, actorId: other.manager.userId, action: "tasks.update", targetId: `t-${i}`, correlationId: correlation, createdAt: at })),
      ...Array.from({ length: 3 }, (_, i) => ({
        tenantId,
        actorType: "system" as const,
        action: "automation_event_sent",
        targetType: "automation_event",
        targetId: `e-${i}`,
        correlationId: correlation,
        metadata: { attempt: 1 },
        createdAt: new Date(at.getTime() - 60_000),
      })),
    ];
    await h.deps.db.insert(auditLogs).values(rows);
    await h.deps.db.insert(auditLogs).values({ tenantId: t.admin.tenantId, actorType: "system", action: "automation_event_sent", correlationId: correlation, createdAt: at });

    const admin = callerFor(h.deps, other.admin);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await admin.auditLogs.list({ correlation_id: correlation, limit: 3, cursor });
      seen.push(...page.items.map((i) => i.target!.id));
      cursor = page.next_cursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toHaveLength(10);
    expect(new Set(seen).size).toBe(10);
    expect(seen.slice(7).sort()).toEqual(["e-0", "e-1", "e-2"]);

    const first = (await admin.auditLogs.list({ correlation_id: correlation, limit: 1 })).items[0]!;
    expect(first).toMatchObject({ actor: { type: "user", id: other.manager.userId, name: "Max Manager" }, action: "tasks.update", target: { type: null }, correlation_id: correlation });
    expect((await admin.auditLogs.list({ correlation_id: correlation, action: "automation_event_sent" })).items).toHaveLength(3);
    expect((await admin.auditLogs.list({ correlation_id: correlation, actor_id: other.manager.userId })).items).toHaveLength(7);
    expect((await admin.auditLogs.list({ correlation_id: correlation, target_id: "e-1" })).items).toHaveLength(1);
    expect((await admin.auditLogs.list({ correlation_id: correlation, since: new Date(at.getTime() - 1_000) })).items).toHaveLength(7);
    expect((await admin.auditLogs.list({ correlation_id: correlation, until: at })).items).toHaveLength(3);

    // The caller's mutations are audited too, with the user named.
    await admin.apiKeys.create({ name: "audited" });
    const mine = await admin.auditLogs.list({ action: "apiKeys.create", actor_id: other.admin.userId });
    expect(mine.items[0]).toMatchObject({ actor: { type: "user", name: "Ada Admin" } });

    const res = await rest(h.deps, "GET", `/audit-logs?correlation_id=${correlation}&limit=2`, { token: await token(other.admin) });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(typeof res.body.next_cursor).toBe("string");
    expect((await rest(h.deps, "GET", `/audit-logs?cursor=garbage`, { token: await token(other.admin) })).status).toBe(422);
  });
});

describe("live notifications", () => {
  it("a 410 publishes notification.created for delivery_failed and destination_disabled to the tenant", async () => {
    const tenantId = t.admin.tenantId;
    const subscriber = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", "worker");
    const received: LiveEvent[] = [];
    subscriber.on("message", (_channel: string, message: string) => received.push(JSON.parse(message) as LiveEvent));
    await subscriber.subscribe(liveChannel(h.prefix, tenantId));
    try {
      const gone = await createDestination(services(), tenantId, { name: "Gone", url: sink.url.replace("/hook", "/gone"), event_types: ["task.created"] });
      const { delivery } = await insertDelivery(tenantId, gone.id, "pending");
      await h.deps.db.update(automationDeliveries).set({ nextRetryAt: new Date() }).where(eq(automationDeliveries.id, delivery.id));
      await h.deps.producer.wakeDeliveries();
      await until(async () => received.filter((e) => e.kind === "notification.created"), (events) => events.length >= 2);
      expect(received.filter((e) => e.kind === "notification.created").map((e) => e.data?.notification_kind).sort()).toEqual(["delivery_failed", "destination_disabled"]);
      expect(received.every((e) => e.tenantId === tenantId)).toBe(true);
      const written = await h.deps.db.select({ kind: notifications.kind }).from(notifications).where(eq(notifications.tenantId, tenantId));
      expect(written.map((n) => n.kind)).toEqual(expect.arrayContaining(["delivery_failed", "destination_disabled"]));
    } finally {
      subscriber.disconnect();
    }
  });
});

describe("roles", () => {
  const RANK = { agent: 0, manager: 1, admin: 2 } as const;
  const MATRIX: { name: string; minimum: keyof typeof RANK; call: (c: ReturnType<typeof callerFor>) => Promise<unknown> }[] = [
    { name: "operations.deliveryCounts", minimum: "manager", call: (c) => c.operations.deliveryCounts({}) },
    { name: "operations.queueHealth", minimum: "manager", call: (c) => c.operations.queueHealth() },
    { name: "operations.timeline", minimum: "manager", call: (c) => c.operations.timeline({ correlation_id: "no-such-thing" }).catch((e: { code?: string }) => (e.code === "NOT_FOUND" ? "not found" : Promise.reject(e))) },
    { name: "auditLogs.list", minimum: "admin", call: (c) => c.auditLogs.list({}) },
  ];
  for (const entry of MATRIX) {
    for (const role of ["agent", "manager", "admin"] as const) {
      const allowed = RANK[role] >= RANK[entry.minimum];
      it(`${entry.name} as ${role} is ${allowed ? "allowed" : "FORBIDDEN"}`, async () => {
        const call = entry.call(callerFor(h.deps, t[role]));
        if (allowed) await expect(call).resolves.toBeDefined();
        else await expect(call).rejects.toMatchObject({ code: "FORBIDDEN" });
      });
    }
  }

  it("answers 403 on the REST routes to an agent (and the audit log to a manager)", async () => {
    const agent = await token(t.agent);
    for (const path of ["/automations/deliveries/counts", "/automations/timeline?correlation_id=x", "/operations/queues", "/audit-logs"]) {
      expect((await rest(h.deps, "GET", path, { token: agent })).status).toBe(403);
    }
    expect((await rest(h.deps, "GET", "/audit-logs", { token: await token(t.manager) })).status).toBe(403);
  });

  it("documents the new routes in OpenAPI", () => {
    const router = createTRPCRouter({ operations: operationsRouter, auditLogs: auditLogsRouter });
    const paths = Object.keys(generateOpenApiDocument(router, { title: "t", version: "1", baseUrl: "/api/v1" }).paths ?? {});
    expect(paths).toEqual(expect.arrayContaining(["/automations/deliveries/counts", "/automations/timeline", "/operations/queues", "/audit-logs"]));
  });
});
