import { createRedis } from "@alfred/core";
import { MAX_QUEUED_LIVE_EVENTS } from "./router/live";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "./context";
import { LiveHub } from "./live";
import { createCaller } from "./root";
import { createApiHarness, seedTenant, type ApiHarness, type TenantFixture } from "./testing/harness";

let h: ApiHarness;
let a: TenantFixture;
let b: TenantFixture;
let subscriber: ReturnType<typeof createRedis>;
let hub: LiveHub;

beforeAll(async () => {
  h = await createApiHarness();
  a = await seedTenant(h.deps, "Live A");
  b = await seedTenant(h.deps, "Live B");
  subscriber = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", "worker");
  hub = new LiveHub(subscriber, h.prefix, h.deps.logger);
});
afterAll(async () => {
  for (const abort of aborts) abort.abort();
  subscriber.disconnect();
  await h.close();
});

const aborts: AbortController[] = [];

/** A subscription as the SSE adapter runs it: closed through its abort signal (the client going away). */
async function subscribe(tenant: TenantFixture, input?: { lastEventId?: string }) {
  const abort = new AbortController();
  aborts.push(abort);
  const caller = createCaller(createContext({ ...h.deps, live: hub }, { auth: { userId: tenant.agent.userId, tenantId: tenant.agent.tenantId, via: "session" }, correlationId: "live-test" }), { signal: abort.signal });
  const iterator = (await caller.live.events(input))[Symbol.asyncIterator]();
  // What the SSE producer does when the client goes away: abort, and end the iteration.
  return { iterator, close: () => (abort.abort(), void iterator.return?.()) };
}

/** The data of the next event (tracked envelopes are [id, data]), or "timeout". */
async function next(iterator: AsyncIterator<unknown>, ms = 1_500): Promise<unknown> {
  return Promise.race([iterator.next().then((r) => (r.value as [string, unknown])[1]), new Promise((resolve) => setTimeout(() => resolve("timeout"), ms))]);
}

/** Waits until Redis itself reports the tenant's channel subscribed (SUBSCRIBE acknowledged). */
async function waitForSubscription(tenant: TenantFixture) {
  const channel = `${h.prefix}:live:${tenant.admin.tenantId}`;
  for (let i = 0; i < 100; i++) {
    const [, count] = (await h.redis.pubsub("NUMSUB", channel)) as [string, number];
    if (Number(count) > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the live feed never subscribed in Redis");
}

describe("live inbox feed (tRPC subscription fed by Redis pub/sub)", () => {
  it("delivers the tenant's own events and never another tenant's", async () => {
    const { iterator, close } = await subscribe(a);
    const pending = next(iterator);
    await waitForSubscription(a);
    await h.deps.producer.publishLive([{ tenantId: b.admin.tenantId, kind: "message.created", conversationId: "00000000-0000-4000-8000-00000000000b" }]);
    await h.deps.producer.publishLive([{ tenantId: a.admin.tenantId, kind: "message.created", conversationId: "00000000-0000-4000-8000-00000000000a" }]);
    const first = await pending;
    expect(first).toEqual({ kind: "message.created", conversationId: "00000000-0000-4000-8000-00000000000a" });
    expect(first).not.toHaveProperty("tenantId");
    await h.deps.producer.publishLive([{ tenantId: b.admin.tenantId, kind: "conversation.changed", conversationId: "00000000-0000-4000-8000-00000000000b" }]);
    expect(await next(iterator, 500)).toBe("timeout");
    close();
  });

  it("ignores a message whose payload names another tenant than its channel", async () => {
    const { iterator, close } = await subscribe(a);
    const pending = next(iterator, 800);
    await waitForSubscription(a);
    await h.redis.publish(`${h.prefix}:live:${a.admin.tenantId}`, JSON.stringify({ tenantId: b.admin.tenantId, kind: "message.created" }));
    expect(await pending).toBe("timeout");
    close();
  });

  it("a reconnecting client (lastEventId) is told to resync first", async () => {
    const { iterator, close } = await subscribe(a, { lastEventId: "some-earlier-event" });
    expect(await next(iterator)).toEqual({ kind: "resync" });
    close();
  });

  it("a subscriber that does not keep up holds a bounded queue: past the limit, one resync replaces what was missed", async () => {
    const { iterator, close } = await subscribe(a);
    try {
      const first = next(iterator); // starts the subscription; then nothing is read while the flood arrives
      await waitForSubscription(a);
      const flood = Array.from({ length: MAX_QUEUED_LIVE_EVENTS * 5 }, (_, i) => ({ tenantId: a.admin.tenantId, kind: "message.created", messageId: `m-${i}` }));
      await h.deps.producer.publishLive(flood);
      const held: unknown[] = [await first];
      await new Promise((r) => setTimeout(r, 500)); // the whole flood has reached the hub
      for (let event = await next(iterator, 300); event !== "timeout"; event = await next(iterator, 300)) held.push(event);
      expect(held.length).toBeLessThanOrEqual(MAX_QUEUED_LIVE_EVENTS + 2);
      expect(held).toContainEqual({ kind: "resync" });
      expect(held.at(-1)).toMatchObject({ messageId: `m-${flood.length - 1}` }); // the newest is never lost
    } finally {
      close();
    }
  });

  it("stops listening to Redis when the last subscriber of a tenant leaves", async () => {
    await new Promise((r) => setTimeout(r, 100));
    expect(hub.tenantCount).toBe(0);
  });

  it("requires a session", async () => {
    const caller = createCaller(createContext({ ...h.deps, live: hub }, { auth: null, correlationId: "live-test" }));
    await expect(caller.live.events()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
