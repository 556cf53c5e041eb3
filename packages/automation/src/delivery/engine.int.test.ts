import { createHmac, randomBytes } from "node:crypto";
import { createLogger, createRedis, EnvKeyRing, generateKeyRingEntry, metrics } from "@alfred/core";
import { and, eq, inArray, sql } from "@alfred/db";
import { auditLogs, automationDeliveries, automationDeliveryAttempts, automationDestinations, notifications, tenants, workerHeartbeats } from "@alfred/db/schema";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import type { ResolvedAddress } from "@alfred/egress";
import type { Redis } from "ioredis";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDestination, currentSecrets, destinationCredential, reencryptDestinationSecrets, rotateDestinationSecret, setDestinationCredential } from "../destinations";
import { PostCommitEffects } from "../effects";
import type { EventType } from "../events/catalog";
import { recordEvent } from "../outbox";
import { Producer } from "../producer";
import { automationEnvSchema, automationSettingsFrom, type AutomationSettings } from "../settings";
import { startDeliveryEngine } from "../testing/delivery-worker";
import { startSink, type Sink, type SinkReply } from "../testing/sink";
import { claimDueDeliveries } from "./claim";
import { leaseMs, type DeliveryEngine } from "./engine";
import { forgetWorker, LEASE_HEARTBEAT, pruneWorkerHeartbeats } from "./heartbeat";
import { recordAttempts } from "./record";

/**
 * Delivery end to end against real services: Postgres (own database), Redis (own prefix, for the
 * wake-ups), delivery engines in this process running the production pipeline, and real HTTP
 * receivers on loopback.
 */

const logger = createLogger("delivery-test", "silent");
const PREFIX = `alfred_test_delivery_${randomBytes(4).toString("hex")}`;
const OLD_KEY = generateKeyRingEntry("t1");
const keys = new EnvKeyRing(OLD_KEY);

let db: TestDatabase;
let redis: Redis;
let producer: Producer;
let sink: Sink;
/** A second receiver that is NOT allow-listed: nothing may ever reach it. */
let forbidden: Sink;
let settings: AutomationSettings;
let tenantId: string;
const dns = new Map<string, string>();
const engines: Awaited<ReturnType<typeof startDeliveryEngine>>[] = [];

async function startEngine(overrides: Partial<AutomationSettings> = {}, options: { sweepMs?: number; workerId?: string } = {}): Promise<DeliveryEngine & { stop(): Promise<void> }> {
  const engine = await startDeliveryEngine(
    { db: db.db, keys, settings: { ...settings, ...overrides }, logger, random: () => 0.5, workerId: options.workerId },
    { prefix: PREFIX, sweepMs: options.sweepMs ?? 250 },
  );
  engines.push(engine);
  return engine;
}

async function stopEngines(): Promise<void> {
  await Promise.all(engines.splice(0).map((engine) => engine.stop()));
}

async function destination(overrides: { url?: string; secret?: string; types?: EventType[] } = {}) {
  return createDestination({ db: db.db, keys, settings }, tenantId, {
    name: `dest-${randomBytes(3).toString("hex")}`,
    url: overrides.url ?? sink.url,
    event_types: overrides.types ?? ["lead.score_changed"],
    secret: overrides.secret,
  });
}

const CONTACT = "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d";

/** Commits a lead.score_changed event (fan-out in the same transaction), then wakes the engines (unless told not to). */
async function emit(correlationId = `corr-${randomBytes(4).toString("hex")}`, options: { wake?: boolean } = {}) {
  const effects = new PostCommitEffects();
  const recorded = await db.db.transaction((tx) =>
    recordEvent(tx, { tenantId, type: "lead.score_changed", payload: { contact_id: CONTACT, previous_score: 10, score: 90 }, sourceEventId: `src-${randomBytes(6).toString("hex")}`, correlationId }, effects),
  );
  if (options.wake !== false) await producer.flush(effects, correlationId);
  return { ...recorded, correlationId };
}

async function deliveryRow(id: string) {
  const [row] = await db.db.select().from(automationDeliveries).where(eq(automationDeliveries.id, id));
  return row!;
}

async function attemptsOf(id: string) {
  return db.db.select().from(automationDeliveryAttempts).where(eq(automationDeliveryAttempts.deliveryId, id)).orderBy(automationDeliveryAttempts.number);
}

async function settled(id: string, timeout = 15_000) {
  await expect.poll(async () => (await deliveryRow(id)).status, { timeout, interval: 50 }).toMatch(/^(delivered|failed|cancelled)$/);
  return deliveryRow(id);
}

/** The spec's X-Alfred-Signature, computed here from scratch (not with our signing module). */
function independentAlfredSignature(secret: string, headers: Record<string, unknown>, body: string): string {
  const message = `${String(headers["x-alfred-timestamp"])}.${String(headers["x-alfred-event-id"])}.${String(headers["x-alfred-tenant-id"])}.${body}`;
  return `sha256=${createHmac("sha256", Buffer.from(secret, "utf8")).update(message, "utf8").digest("hex")}`;
}

beforeAll(async () => {
  db = await createTestDatabase();
  redis = createRedis("redis://127.0.0.1:6379", "client");
  producer = new Producer(redis, PREFIX, logger);
  sink = await startSink();
  forbidden = await startSink();
  settings = {
    ...automationSettingsFrom(
      automationEnvSchema.parse({
        AUTOMATION_SSRF_ALLOWLIST: `127.0.0.1:${sink.port}`,
        AUTOMATION_RETRY_SCHEDULE_SECONDS: "1,1,1",
        AUTOMATION_DELIVERY_TIMEOUT_MS: "1000",
        AUTOMATION_ROTATION_GRACE_SECONDS: "2",
      }),
    ),
    resolve: async (hostname: string): Promise<ResolvedAddress[]> => {
      const address = dns.get(hostname);
      if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
      return [{ address, family: 4 }];
    },
  };
  const [tenant] = await db.db.insert(tenants).values({ name: "Delivery Co" }).returning();
  tenantId = tenant!.id;
});

afterEach(async () => {
  await stopEngines();
  sink.reply = () => ({ status: 200, body: "ok" });
  sink.requests.length = 0;
  await db.db.update(automationDestinations).set({ enabled: false, disabledReason: "manual" });
});

afterAll(async () => {
  await stopEngines();
  await producer.close();
  const leftovers = await redis.keys(`${PREFIX}:*`);
  if (leftovers.length) await redis.del(...leftovers);
  redis.disconnect();
  await sink.close();
  await forbidden.close();
  await db.destroy();
});

describe("signed delivery", () => {
  it("is verifiable by an independent HMAC and by the standardwebhooks package, and leaves a full record", async () => {
    const dest = await destination();
    await startEngine();
    const event = await emit();
    const [deliveryId] = event.deliveryIds;
    const row = await settled(deliveryId!);
    expect(row).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 200, lastError: null, lockedUntil: null, nextRetryAt: null });

    expect(sink.requests).toHaveLength(1);
    const received = sink.requests[0]!;
    const h = received.headers;
    expect(received.method).toBe("POST");
    expect(h["content-type"]).toBe("application/json");
    expect(h["user-agent"]).toMatch(/^Alfred-Webhooks\/\d/);
    expect(h["x-alfred-event-id"]).toBe(event.eventId);
    expect(h["x-alfred-tenant-id"]).toBe(tenantId);
    expect(h["x-correlation-id"]).toBe(event.correlationId);
    expect(Math.abs(Number(h["x-alfred-timestamp"]) - Date.now() / 1000)).toBeLessThan(10);

    const envelope = JSON.parse(received.body);
    expect(envelope).toEqual({ event_id: event.eventId, tenant_id: tenantId, occurred_at: expect.any(String), type: "lead.score_changed", payload: { contact_id: CONTACT, previous_score: 10, score: 90 } });
    expect(Object.keys(envelope)).toEqual(["event_id", "tenant_id", "occurred_at", "type", "payload"]);

    // Independent verifiers: raw HMACs by the spec, and the Standard Webhooks reference library.
    expect(h["x-alfred-signature"]).toBe(independentAlfredSignature(dest.secret, h, received.body));
    expect(h["x-alfred-body-signature"]).toBe(`sha256=${createHmac("sha256", dest.secret).update(received.body).digest("hex")}`);
    expect(new Webhook(dest.secret).verify(received.body, { "webhook-id": h["webhook-id"] as string, "webhook-timestamp": h["webhook-timestamp"] as string, "webhook-signature": h["webhook-signature"] as string })).toEqual(envelope);
    // ...and a tampered body is refused by the library: the check above can fail.
    expect(() => new Webhook(dest.secret).verify(received.body.replace("90", "91"), { "webhook-id": h["webhook-id"] as string, "webhook-timestamp": h["webhook-timestamp"] as string, "webhook-signature": h["webhook-signature"] as string })).toThrow();

    const [attempt] = await attemptsOf(deliveryId!);
    expect(attempt).toMatchObject({ number: 1, trigger: "scheduled", statusCode: 200, errorClass: null, responseSnippet: "ok" });
    // The headers recorded are exactly the ones the receiver got, and never contain the secret.
    for (const [name, value] of Object.entries(attempt!.requestHeaders)) expect(h[name.toLowerCase()]).toBe(value);
    expect(JSON.stringify(attempt!.requestHeaders)).not.toContain(dest.secret);
    expect(JSON.stringify(attempt!.requestHeaders)).not.toContain(dest.secret.slice(6, 20));

    const audits = await db.db.select().from(auditLogs).where(and(eq(auditLogs.action, "automation_event_sent"), eq(auditLogs.targetId, event.eventId)));
    expect(audits).toEqual([expect.objectContaining({ tenantId, actorType: "system", correlationId: event.correlationId, metadata: expect.objectContaining({ delivery_id: deliveryId, status_code: 200 }) })]);
  });

  it("a user-supplied secret without the whsec_ prefix verifies with the library's raw format", async () => {
    const secret = "my-own-shared-secret-of-32-chars!";
    await destination({ secret });
    await startEngine();
    const { deliveryIds } = await emit();
    await settled(deliveryIds[0]!);
    const { headers: h, body } = sink.requests[0]!;
    expect(h["x-alfred-signature"]).toBe(independentAlfredSignature(secret, h, body));
    const wh = new Webhook(Buffer.from(secret, "utf8").toString("base64"));
    expect(() => wh.verify(body, { "webhook-id": h["webhook-id"] as string, "webhook-timestamp": h["webhook-timestamp"] as string, "webhook-signature": h["webhook-signature"] as string })).not.toThrow();
  });
});

describe("retries", () => {
  it("a receiver failing twice then succeeding gives 3 attempts, each retry within a second of its due time", async () => {
    await destination();
    sink.reply = (_req, i) => (i === 0 ? { status: 500, body: "boom" } : i === 1 ? { status: 503, body: "busy" } : { status: 200, body: "fine" });
    await startEngine();
    const { deliveryIds } = await emit();
    const row = await settled(deliveryIds[0]!);
    expect(row).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 200 });
    const attempts = await attemptsOf(deliveryIds[0]!);
    expect(attempts.map((a) => [a.number, a.statusCode, a.errorClass])).toEqual([
      [1, 500, "http_status"],
      [2, 503, "http_status"],
      [3, 200, null],
    ]);
    expect(attempts.map((a) => a.responseSnippet)).toEqual(["boom", "busy", "fine"]);
    const retries = (await metrics().deliveryRetries.get()).values.find((v) => v.labels.tenant_id === tenantId);
    expect(retries?.value).toBeGreaterThanOrEqual(1);
    // Schedule 1,1,1 with jitter pinned: each retry is due 1 s after the previous attempt ended.
    for (const [previous, next] of [[0, 1], [1, 2]] as const) {
      const due = sink.requests[previous]!.at + 1_000;
      expect(sink.requests[next]!.at).toBeGreaterThanOrEqual(due - 100);
      expect(sink.requests[next]!.at).toBeLessThan(due + 1_000);
      // Each failed attempt records when the next one was due, and the next one starts then.
      expect(attempts[previous]!.retryAt!.getTime()).toBeGreaterThanOrEqual(due - 100);
      expect(attempts[next]!.startedAt.getTime()).toBeGreaterThanOrEqual(attempts[previous]!.retryAt!.getTime() - 60);
    }
    expect(attempts[2]!.retryAt).toBeNull();
    const [dest] = await db.db.select().from(automationDestinations).where(eq(automationDestinations.id, row.destinationId));
    expect(dest!.failingSince).toBeNull(); // the success cleared the streak
  });

  it("fails after the last step of the schedule and notifies the admins", async () => {
    await destination();
    sink.reply = () => ({ status: 500, body: "down" });
    await startEngine();
    const { deliveryIds } = await emit();
    const row = await settled(deliveryIds[0]!, 20_000);
    expect(row).toMatchObject({ status: "failed", attempts: 4, lastStatusCode: 500, lastError: "HTTP 500", nextRetryAt: null });
    expect(await attemptsOf(deliveryIds[0]!)).toHaveLength(4);
    const notes = await db.db.select().from(notifications).where(sql`${notifications.data}->>'delivery_id' = ${deliveryIds[0]!}`);
    expect(notes).toEqual([expect.objectContaining({ kind: "delivery_failed", userId: null, tenantId })]);
    const [dest] = await db.db.select().from(automationDestinations).where(eq(automationDestinations.id, row.destinationId));
    expect(dest!.failingSince).not.toBeNull();
  });

  it("a receiver that never answers is a timeout attempt after AUTOMATION_DELIVERY_TIMEOUT_MS", async () => {
    await destination();
    sink.reply = (_req, i) => (i === 0 ? "hang" : { status: 200 });
    await startEngine();
    const { deliveryIds } = await emit();
    const row = await settled(deliveryIds[0]!);
    expect(row.status).toBe("delivered");
    const [first, second] = await attemptsOf(deliveryIds[0]!);
    expect(first).toMatchObject({ number: 1, statusCode: null, errorClass: "timeout" });
    expect(first!.durationMs).toBeGreaterThanOrEqual(950);
    expect(first!.durationMs).toBeLessThan(3_000);
    expect(second).toMatchObject({ number: 2, statusCode: 200 });
  });

  it("a redirect is a failed attempt and its target is never requested", async () => {
    await destination();
    sink.reply = (_req, i) => (i === 0 ? { status: 307, headers: { location: forbidden.url } } : { status: 200 });
    await startEngine();
    const { deliveryIds } = await emit();
    await settled(deliveryIds[0]!);
    const [first] = await attemptsOf(deliveryIds[0]!);
    expect(first).toMatchObject({ statusCode: 307, errorClass: "redirect" });
    expect(first!.errorMessage).toContain("not followed");
    expect(forbidden.requests).toHaveLength(0);
  });

  it("keeps 4 KiB of a huge or binary response, storable in Postgres", async () => {
    await destination();
    const reply: SinkReply = { status: 200, body: Buffer.concat([Buffer.from([0, 0xff, 0xfe, 0]), Buffer.alloc(100_000, "x")]) };
    sink.reply = () => reply;
    await startEngine();
    const { deliveryIds } = await emit();
    expect((await settled(deliveryIds[0]!)).status).toBe("delivered");
    const [attempt] = await attemptsOf(deliveryIds[0]!);
    expect(attempt!.responseSnippet).not.toContain("\u0000");
    expect(Buffer.byteLength(attempt!.responseSnippet!)).toBeLessThanOrEqual(4096 + 8);
    expect(attempt!.responseSnippet!.length).toBeGreaterThan(4000);
  });
});

describe("destination health", () => {
  it("410 Gone: no more retries, destination disabled (gone), its waiting deliveries cancelled, admins notified", async () => {
    const dest = await destination();
    sink.reply = () => ({ status: 410, body: "gone" });
    await startEngine();
    const { deliveryIds } = await emit();
    const row = await settled(deliveryIds[0]!);
    expect(row).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: 410 });
    const [after] = await db.db.select().from(automationDestinations).where(eq(automationDestinations.id, dest.id));
    expect(after).toMatchObject({ enabled: false, disabledReason: "gone" });
    expect(after!.disabledAt).not.toBeNull();
    const notes = await db.db.select().from(notifications).where(sql`${notifications.data}->>'destination_id' = ${dest.id} and ${notifications.kind} = 'destination_disabled'`);
    expect(notes).toEqual([expect.objectContaining({ userId: null, data: { destination_id: dest.id, reason: "gone" } })]);
    // Nothing more goes out to it: a new event creates no delivery (fan-out skips disabled ones).
    const next = await emit();
    expect(next.deliveryIds).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.requests).toHaveLength(1);
  });

  it("a destination failing every attempt for AUTOMATION_DISABLE_AFTER_HOURS is auto-disabled, with a notification", async () => {
    const dest = await destination();
    await db.db.update(automationDestinations).set({ failingSince: new Date(Date.now() - 121 * 3_600_000) }).where(eq(automationDestinations.id, dest.id));
    sink.reply = () => ({ status: 502 });
    await startEngine();
    const { deliveryIds } = await emit();
    const row = await settled(deliveryIds[0]!);
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    const [after] = await db.db.select().from(automationDestinations).where(eq(automationDestinations.id, dest.id));
    expect(after).toMatchObject({ enabled: false, disabledReason: "auto_failures" });
    const kinds = (await db.db.select().from(notifications).where(sql`${notifications.data}->>'destination_id' = ${dest.id}`)).map((n) => n.kind).sort();
    expect(kinds).toEqual(["delivery_failed", "destination_disabled"]);
  });

  it("a failing destination that has not failed for that long stays enabled", async () => {
    const dest = await destination();
    await db.db.update(automationDestinations).set({ failingSince: new Date(Date.now() - 119 * 3_600_000) }).where(eq(automationDestinations.id, dest.id));
    sink.reply = (_r, i) => (i === 0 ? { status: 502 } : { status: 200 });
    await startEngine();
    const { deliveryIds } = await emit();
    expect((await settled(deliveryIds[0]!)).status).toBe("delivered");
    const [after] = await db.db.select().from(automationDestinations).where(eq(automationDestinations.id, dest.id));
    expect(after).toMatchObject({ enabled: true, failingSince: null });
  });
});

describe("secret rotation", () => {
  it("sends both signatures during the grace period, then only the new one", async () => {
    const dest = await destination();
    const rotated = await rotateDestinationSecret({ db: db.db, keys, settings }, tenantId, dest.id);
    expect(rotated.secret).not.toBe(dest.secret);
    await startEngine();

    const first = await emit();
    await settled(first.deliveryIds[0]!);
    const during = sink.requests[0]!;
    const alfred = (during.headers["x-alfred-signature"] as string).split(",");
    expect(alfred).toEqual([independentAlfredSignature(rotated.secret, during.headers, during.body), independentAlfredSignature(dest.secret, during.headers, during.body)]);
    expect((during.headers["webhook-signature"] as string).split(" ")).toHaveLength(2);
    const swHeaders = (r: typeof during) => ({ "webhook-id": r.headers["webhook-id"] as string, "webhook-timestamp": r.headers["webhook-timestamp"] as string, "webhook-signature": r.headers["webhook-signature"] as string });
    expect(() => new Webhook(dest.secret).verify(during.body, swHeaders(during))).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(during.body, swHeaders(during))).not.toThrow();

    await new Promise((r) => setTimeout(r, 2_100)); // grace period of 2 s ends
    const [row] = await db.db.select().from(automationDestinations).where(eq(automationDestinations.id, dest.id));
    expect(currentSecrets(row!, keys)).toEqual([rotated.secret]);
    const second = await emit();
    await settled(second.deliveryIds[0]!);
    const after = sink.requests[1]!;
    expect(after.headers["x-alfred-signature"]).toBe(independentAlfredSignature(rotated.secret, after.headers, after.body));
    expect(() => new Webhook(dest.secret).verify(after.body, swHeaders(after))).toThrow();
    expect(() => new Webhook(rotated.secret).verify(after.body, swHeaders(after))).not.toThrow();
  });
});

describe("SSRF at send time", () => {
  it("refuses a name that resolved publicly at save time and resolves to 127.0.0.1 at send time (DNS rebinding)", async () => {
    dns.set("hooks.rebind.test", "93.184.216.34");
    const dest = await destination({ url: `http://hooks.rebind.test:${forbidden.port}/hook` });
    dns.set("hooks.rebind.test", "127.0.0.1");
    await startEngine();
    const { deliveryIds } = await emit();
    await expect.poll(async () => (await attemptsOf(deliveryIds[0]!)).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const [attempt] = await attemptsOf(deliveryIds[0]!);
    expect(attempt).toMatchObject({ statusCode: null, errorClass: "ssrf_blocked" });
    // Managers read attempts: the refused address and rule stay out of them.
    expect(attempt!.errorMessage).toBe("address not allowed");
    expect(forbidden.requests).toHaveLength(0);
    await db.db.update(automationDestinations).set({ enabled: false }).where(eq(automationDestinations.id, dest.id));
  });

  it("refuses an IP-literal destination written straight into the database (no save-time check)", async () => {
    const dest = await destination();
    await db.db.update(automationDestinations).set({ url: `http://0x7f000001:${forbidden.port}/` }).where(eq(automationDestinations.id, dest.id));
    await startEngine();
    const { deliveryIds } = await emit();
    await expect.poll(async () => (await attemptsOf(deliveryIds[0]!)).length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect((await attemptsOf(deliveryIds[0]!))[0]).toMatchObject({ errorClass: "ssrf_blocked" });
    expect(forbidden.requests).toHaveLength(0);
  });
});

describe("claims and leases", () => {
  const claim = (ids: string[], lease = 60_000, workerId = "test") => claimDueDeliveries(db.db, { limit: 10, leaseMs: lease, workerId, onlyIds: ids });

  it("one claim wins among many concurrent ones", async () => {
    await destination();
    const { deliveryIds } = await emit(undefined, { wake: false }); // no engine running: the row stays pending
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => claim(deliveryIds, 60_000, `worker-${i}`)));
    expect(results.filter((r) => r.length === 1)).toHaveLength(1);
    expect(results.flat()).toHaveLength(1);
    const row = await deliveryRow(deliveryIds[0]!);
    expect(row.status).toBe("delivering");
    expect(row.lockedBy).toMatch(/^worker-\d+$/);
    await db.db.update(automationDeliveries).set({ status: "cancelled", lockedUntil: null }).where(eq(automationDeliveries.id, deliveryIds[0]!));
  });

  it("two engines woken over and over send each of many deliveries exactly once", async () => {
    await destination();
    const events = await Promise.all(Array.from({ length: 30 }, () => emit(undefined, { wake: false })));
    const [a, b] = [await startEngine({}, { workerId: "a" }), await startEngine({}, { workerId: "b" })];
    for (let i = 0; i < 10; i++) {
      a.wake();
      b.wake();
      await producer.wakeDeliveries();
    }
    for (const e of events) expect((await settled(e.deliveryIds[0]!)).status).toBe("delivered");
    await Promise.all([a.whenIdle(), b.whenIdle()]);
    await new Promise((r) => setTimeout(r, 300));
    const ids = sink.requests.map((r) => r.headers["x-alfred-event-id"]);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    for (const e of events) expect(await attemptsOf(e.deliveryIds[0]!)).toHaveLength(1);
  });

  it("with no wake-up at all (Redis lost it), the sweep sends a committed delivery", async () => {
    await destination();
    await startEngine({}, { sweepMs: 300 });
    const { deliveryIds } = await emit(undefined, { wake: false });
    expect((await settled(deliveryIds[0]!)).status).toBe("delivered");
  });

  it("a delivery whose worker died mid-attempt (lease expired) is claimed again and completed once", async () => {
    await destination();
    const { deliveryIds } = await emit(undefined, { wake: false });
    const id = deliveryIds[0]!;
    // A worker took it and died: its lease is still running, so nobody may touch it yet.
    await db.db.update(automationDeliveries).set({ status: "delivering", lockedUntil: new Date(Date.now() + 60_000), lockedBy: "dead" }).where(eq(automationDeliveries.id, id));
    await startEngine();
    await new Promise((r) => setTimeout(r, 600));
    expect(sink.requests).toHaveLength(0);
    expect((await deliveryRow(id)).status).toBe("delivering");
    // The lease runs out: the next sweep recovers it.
    await db.db.update(automationDeliveries).set({ lockedUntil: new Date(Date.now() - 1_000) }).where(eq(automationDeliveries.id, id));
    expect((await settled(id)).status).toBe("delivered");
    expect(sink.requests).toHaveLength(1);
    expect(await attemptsOf(id)).toHaveLength(1);
  });

  /** Marks `workerId` as last seen `agoMs` ago (Postgres clock). */
  const lastSeen = (workerId: string, agoMs: number) =>
    db.db
      .insert(workerHeartbeats)
      .values({ workerId, lastSeenAt: sql`now() - ${agoMs} * interval '1 millisecond'` })
      .onConflictDoUpdate({ target: workerHeartbeats.workerId, set: { lastSeenAt: sql`now() - ${agoMs} * interval '1 millisecond'` } });
  const leasedBy = (id: string, workerId: string) =>
    db.db.update(automationDeliveries).set({ status: "delivering", lockedUntil: new Date(Date.now() + 60_000), lockedBy: workerId }).where(eq(automationDeliveries.id, id));

  it("a lease of a worker whose heartbeat went stale is taken before it runs out; a live worker's, or an unknown holder's, is not", async () => {
    await destination();
    const dead = await emit(undefined, { wake: false });
    const alive = await emit(undefined, { wake: false });
    const unknown = await emit(undefined, { wake: false });
    await lastSeen("dead-worker", LEASE_HEARTBEAT.staleAfterMs + 1_000);
    await lastSeen("live-worker", 0);
    await leasedBy(dead.deliveryIds[0]!, "dead-worker");
    await leasedBy(alive.deliveryIds[0]!, "live-worker");
    await leasedBy(unknown.deliveryIds[0]!, "no-heartbeat-row");
    const all = [dead, alive, unknown].map((e) => e.deliveryIds[0]!);
    const claimed = await claim(all, 60_000, "rescuer");
    expect(claimed.map((c) => c.id)).toEqual([dead.deliveryIds[0]]);
    expect(await deliveryRow(dead.deliveryIds[0]!)).toMatchObject({ status: "delivering", lockedBy: "rescuer" });
    // The same live worker going silent makes its lease fair game too.
    await lastSeen("live-worker", LEASE_HEARTBEAT.staleAfterMs + 1_000);
    expect((await claim(all, 60_000, "rescuer")).map((c) => c.id)).toEqual([alive.deliveryIds[0]]);
    await db.db.update(automationDeliveries).set({ status: "cancelled", lockedUntil: null }).where(inArray(automationDeliveries.id, all));
    await forgetWorker(db.db, "dead-worker");
    await forgetWorker(db.db, "live-worker");
  });

  it("a running engine completes, once, a delivery whose worker was killed mid-attempt (stale heartbeat, lease still running)", async () => {
    await destination();
    const { deliveryIds } = await emit(undefined, { wake: false });
    const id = deliveryIds[0]!;
    await lastSeen("killed", 0);
    await leasedBy(id, "killed");
    const engine = await startEngine({}, { sweepMs: 200 });
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.requests).toHaveLength(0); // still beating, as far as anyone knows
    await lastSeen("killed", LEASE_HEARTBEAT.staleAfterMs + 1);
    expect((await settled(id)).status).toBe("delivered");
    expect(sink.requests).toHaveLength(1);
    expect(await attemptsOf(id)).toHaveLength(1);
    // The engine itself beats under its id, and leaves no row behind when it stops cleanly.
    const [own] = await db.db.select().from(workerHeartbeats).where(eq(workerHeartbeats.workerId, engine.id));
    expect(own).toBeDefined();
    await engine.stop();
    expect(await db.db.select().from(workerHeartbeats).where(eq(workerHeartbeats.workerId, engine.id))).toHaveLength(0);
    await forgetWorker(db.db, "killed");
  });

  it("heartbeats of workers gone for long are pruned", async () => {
    await lastSeen("ancient", LEASE_HEARTBEAT.forgetAfterMs + 60_000);
    await lastSeen("recent", 1_000);
    expect(await pruneWorkerHeartbeats(db.db)).toBeGreaterThanOrEqual(1);
    const left = (await db.db.select().from(workerHeartbeats)).map((r) => r.workerId);
    expect(left).toContain("recent");
    expect(left).not.toContain("ancient");
    await forgetWorker(db.db, "recent");
  });

  it("a delivery due later is not sent before it is due, and goes out when it is", async () => {
    await destination();
    const { deliveryIds } = await emit(undefined, { wake: false });
    const id = deliveryIds[0]!;
    const dueAt = Date.now() + 1_500;
    await db.db.update(automationDeliveries).set({ nextRetryAt: new Date(dueAt) }).where(eq(automationDeliveries.id, id));
    await startEngine();
    expect((await settled(id)).status).toBe("delivered");
    expect(sink.requests[0]!.at).toBeGreaterThanOrEqual(dueAt - 600);
    expect(await attemptsOf(id)).toHaveLength(1);
  });

  it("a worker whose lease was taken over records nothing (fenced write)", async () => {
    await destination();
    const { deliveryIds } = await emit(undefined, { wake: false });
    const id = deliveryIds[0]!;
    const [slow] = await claim([id], 1, "slow");
    expect(slow).toBeDefined();
    await new Promise((r) => setTimeout(r, 20));
    const [fresh] = await claim([id], leaseMs(settings), "fresh");
    expect(fresh).toBeDefined();
    const result = { startedAt: new Date(), durationMs: 5, statusCode: 200, errorClass: null, errorMessage: null, responseSnippet: "", retryAfter: null };
    const [stale] = await recordAttempts({ db: db.db, settings }, [{ claimed: slow!, result, headers: {} }]);
    expect(stale!.recorded).toBe(false);
    expect(await attemptsOf(id)).toHaveLength(0);
    const [winner] = await recordAttempts({ db: db.db, settings }, [{ claimed: fresh!, result, headers: {} }]);
    expect(winner!.recorded).toBe(true);
    expect(await deliveryRow(id)).toMatchObject({ status: "delivered", attempts: 1, lockedUntil: null, lockedBy: null });
  });
});

describe("re-encryption after a key rotation", () => {
  it("moves every secret (current, previous and the static credential) to the new first key; the old key can then go", async () => {
    const dest = await destination();
    const rotated = await rotateDestinationSecret({ db: db.db, keys, settings }, tenantId, dest.id);
    const credential = await setDestinationCredential({ db: db.db, keys, settings }, tenantId, dest.id, { kind: "header", header_name: "X-Flow-Token" });
    const newEntry = generateKeyRingEntry("t2");
    const both = new EnvKeyRing(`${newEntry},${OLD_KEY}`);
    expect(await reencryptDestinationSecrets({ db: db.db, keys: both })).toMatchObject({ reencrypted: expect.any(Number) });
    expect(await reencryptDestinationSecrets({ db: db.db, keys: both })).toEqual({ reencrypted: 0 });
    const onlyNew = new EnvKeyRing(newEntry);
    const [row] = await db.db.select().from(automationDestinations).where(eq(automationDestinations.id, dest.id));
    expect(onlyNew.keyIdOf(row!.secretEncrypted)).toBe("t2");
    expect(currentSecrets(row!, onlyNew)).toEqual([rotated.secret, dest.secret]);
    expect(onlyNew.keyIdOf(row!.credentialEncrypted!)).toBe("t2");
    expect(destinationCredential(row!, onlyNew)).toEqual({ kind: "header", name: "X-Flow-Token", secret: credential.credential_secret });
  });
});
