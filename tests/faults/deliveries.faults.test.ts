import { randomBytes } from "node:crypto";
import { automationEnvSchema, automationSettingsFrom, createDestination, PostCommitEffects, Producer, recordEvent } from "@alfred/automation";
import { createLogger, createRedis, EnvKeyRing, generateKeyRingEntry } from "@alfred/core";
import { count, eq, inArray, schema, sql } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, sigkill, sleep, startWorker, stopGracefully, type Proc } from "./lib/processes";
import { DrillRedis } from "./lib/redis-server";
import { DrillSink } from "./lib/sink";

/**
 * Drills on the delivery pipeline with the production worker bundle as real processes: two replicas
 * deliver a 2,000-event run to a real receiver while one of them is SIGKILLed over and over, then
 * a run during which Redis dies and comes back empty. Postgres is the queue; leases are tied to each
 * worker's heartbeat, so a killed worker's deliveries are taken over once its beat goes stale.
 */

const { automationDeliveries, tenants } = schema;
const KEYRING = generateKeyRingEntry("drill");
const PREFIX = `alfred_drill_${randomBytes(4).toString("hex")}`;
const EVENTS = Number(process.env.ALFRED_DRILL_EVENTS ?? 2_000);
/** A lease far longer than the drill waits: only the heartbeat rule can free a killed worker's rows. */
const DELIVERY_TIMEOUT_MS = 60_000;

let db: TestDatabase;
let redis: DrillRedis;
let sink: DrillSink;
let producerRedis: Redis;
let producer: Producer;
let tenantId: string;
const workers: Record<"a" | "b", Proc | null> = { a: null, b: null };

function workerEnv(): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: PREFIX,
    WORKER_HTTP_PORT: "0",
    AUTOMATION_ENCRYPTION_KEYS: KEYRING,
    EGRESS_ALLOWLIST: `127.0.0.1:${sink.port}`,
    AUTOMATION_DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
    AUTOMATION_RETRY_SCHEDULE_SECONDS: "1,2,5",
    // Few in flight per replica and a receiver that takes 250 ms: the run lasts long enough to kill into.
    AUTOMATION_DELIVERY_CONCURRENCY: "12",
  };
}

async function startReplica(name: "a" | "b"): Promise<Proc> {
  const proc = startWorker(`worker-${name}`, workerEnv());
  workers[name] = proc;
  return proc;
}

async function started(proc: Proc): Promise<void> {
  await expect.poll(() => proc.logs.some((l) => l.msg === "worker started") || !proc.alive(), { timeout: 60_000, interval: 100 }).toBe(true);
  if (!proc.alive()) throw new Error(`${proc.name} exited at boot\n${proc.output()}`);
}

/** Commits `n` events (one delivery each), 100 per transaction, and wakes the workers. */
async function emit(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < n; done += 100) {
    const effects = new PostCommitEffects();
    await db.db.transaction(async (tx) => {
      for (let i = done; i < Math.min(n, done + 100); i++) {
        const recorded = await recordEvent(
          tx,
          { tenantId, type: "lead.score_changed", payload: { contact_id: "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d", previous_score: i, score: i + 1 }, sourceEventId: `drill-${randomBytes(8).toString("hex")}` },
          effects,
        );
        ids.push(...recorded.deliveryIds);
      }
    });
    await producer.flush(effects); // fails fast while Redis is down: the commit stands, the sweep finds it
  }
  return ids;
}

async function statusCounts(ids: string[]): Promise<Record<string, number>> {
  const rows = await db.db.select({ status: automationDeliveries.status, n: count() }).from(automationDeliveries).where(inArray(automationDeliveries.id, ids)).groupBy(automationDeliveries.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function eventIdsOf(ids: string[]): Promise<Map<string, string>> {
  const rows = await db.db.select({ id: automationDeliveries.id, eventId: automationDeliveries.eventId }).from(automationDeliveries).where(inArray(automationDeliveries.id, ids));
  return new Map(rows.map((r) => [r.id, r.eventId]));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const seconds = (ms: number) => (ms / 1000).toFixed(1);

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await DrillRedis.start();
  sink = await DrillSink.start(250);
  producerRedis = createRedis(redis.url, "client", { retryStrategy: () => 200 });
  producerRedis.on("error", () => undefined);
  producer = new Producer(producerRedis, PREFIX, createLogger("drill", "silent"));
  const [tenant] = await db.db.insert(tenants).values({ name: "Drill Co" }).returning();
  tenantId = tenant!.id;
  const settings = automationSettingsFrom(automationEnvSchema.parse({ EGRESS_ALLOWLIST: `127.0.0.1:${sink.port}` }));
  await createDestination({ db: db.db, keys: new EnvKeyRing(KEYRING), settings }, tenantId, { name: "drill sink", url: sink.url, event_types: ["lead.score_changed"] });
});

afterAll(async () => {
  await Promise.all([workers.a, workers.b].map((w) => (w ? stopGracefully(w) : null)));
  killAll();
  await producer?.close();
  producerRedis?.disconnect();
  await redis?.down();
  await sink?.close();
  await db?.destroy();
});

describe("fault drills: deliveries", () => {
  it(`${EVENTS} events, two worker replicas, one SIGKILLed over and over: every event delivered, none stuck, interrupted deliveries taken over by heartbeat`, async () => {
    await Promise.all([started(await startReplica("a")), started(await startReplica("b"))]);
    const emitting = emit(EVENTS);

    interface Kill {
      at: number;
      pid: number;
      /** Deliveries the killed worker held, with the lease it held them under. */
      interrupted: Map<string, number>;
      /** When another worker was seen to hold (or to have finished) each of them. */
      resumed: Map<string, number>;
    }
    const kills: Kill[] = [];
    let ids: string[] = [];
    emitting.then((all) => (ids = all)).catch(() => undefined);

    // Watches the interrupted deliveries, from each kill on, until another worker holds each or it is done.
    let killing = true;
    const watching = (async () => {
      const watchUntil = Date.now() + 240_000;
      while ((killing || kills.some((k) => k.resumed.size < k.interrupted.size)) && Date.now() < watchUntil) {
        for (const kill of kills) {
          const waiting = [...kill.interrupted.keys()].filter((id) => !kill.resumed.has(id));
          if (!waiting.length) continue;
          const rows = await db.db.select({ id: automationDeliveries.id, status: automationDeliveries.status, lockedBy: automationDeliveries.lockedBy }).from(automationDeliveries).where(inArray(automationDeliveries.id, waiting));
          const now = Date.now();
          for (const r of rows) if (r.status !== "delivering" || !r.lockedBy?.includes(`:${kill.pid}:`)) kill.resumed.set(r.id, now);
        }
        await sleep(200);
      }
    })();

    // Kill replica A every 4 s while work remains (at most 6 times), restarting it at once.
    for (let k = 0; k < 6; k++) {
      await sleep(4_000);
      const pending = await db.db.select({ n: count() }).from(automationDeliveries).where(sql`${automationDeliveries.status} in ('pending', 'delivering')`);
      if (pending[0]!.n === 0 && ids.length === EVENTS) break;
      const victim = workers.a!;
      if (!victim.logs.some((l) => l.msg === "worker started")) await started(victim);
      const pid = victim.child.pid!;
      await sigkill(victim);
      const at = Date.now();
      const held = await db.db
        .select({ id: automationDeliveries.id, lockedUntil: automationDeliveries.lockedUntil })
        .from(automationDeliveries)
        .where(sql`${automationDeliveries.status} = 'delivering' and ${automationDeliveries.lockedBy} like ${`%:${pid}:%`}`);
      kills.push({ at, pid, interrupted: new Map(held.map((r) => [r.id, r.lockedUntil!.getTime()])), resumed: new Map() });
      await startReplica("a");
    }
    ids = await emitting;
    expect(ids).toHaveLength(EVENTS);

    killing = false;
    await watching;

    await expect.poll(() => statusCounts(ids), { timeout: 180_000, interval: 500 }).toEqual({ delivered: EVENTS });

    const report = kills.map((k, i) => {
      const waits = [...k.resumed.values()].map((t) => t - k.at);
      return `kill ${i + 1}: ${k.interrupted.size} interrupted, resumed after median ${seconds(median(waits))} s, max ${seconds(Math.max(0, ...waits))} s`;
    });
    console.warn(`[drill] worker SIGKILL x${kills.length} during ${EVENTS} deliveries\n  ${report.join("\n  ")}`);

    expect(kills.length).toBeGreaterThanOrEqual(2);
    const interrupted = kills.flatMap((k) => [...k.interrupted.keys()]);
    expect(interrupted.length).toBeGreaterThan(0);
    for (const kill of kills) {
      // Every interrupted delivery was taken over, and before the lease it was held under ran out:
      // the dead worker's stale heartbeat freed it, not the lease's expiry.
      expect(kill.resumed.size).toBe(kill.interrupted.size);
      for (const [id, resumedAt] of kill.resumed) expect(resumedAt).toBeLessThan(kill.interrupted.get(id)!);
    }

    // At least once: every event reached the receiver; more than once only where a kill cut an attempt.
    const eventOf = await eventIdsOf(ids);
    for (const id of ids) expect(sink.arrivals.has(eventOf.get(id)!)).toBe(true);
    const interruptedEvents = new Set(interrupted.map((id) => eventOf.get(id)));
    const duplicated = [...sink.arrivals].filter(([, at]) => at.length > 1).map(([eventId]) => eventId);
    expect(duplicated.filter((e) => !interruptedEvents.has(e))).toEqual([]);
    const stuck = await db.db.select({ n: count() }).from(automationDeliveries).where(sql`${automationDeliveries.status} <> 'delivered'`);
    expect(stuck[0]!.n).toBe(0);
  }, 330_000);

  it("Redis killed mid-run and restarted empty: everything committed before, during and after is delivered, and the schedulers come back", async () => {
    for (const name of ["a", "b"] as const) if (!workers[name]?.logs.some((l) => l.msg === "worker started")) await started(workers[name] ?? (await startReplica(name)));
    const upserts = () => [workers.a!, workers.b!].map((w) => w.logs.filter((l) => l.msg === "job scheduler upserted").length);
    const atStart = upserts();
    sink.arrivals.clear();

    const before = await emit(200);
    await redis.down();
    const during = await emit(200); // every wake-up fails fast; the commits stand
    await sleep(2_000);
    await redis.up(); // empty: no schedulers, no queues
    const after = await emit(100);

    const ids = [...before, ...during, ...after];
    await expect.poll(() => statusCounts(ids), { timeout: 120_000, interval: 500 }).toEqual({ delivered: ids.length });
    const eventOf = await eventIdsOf(ids);
    for (const id of ids) expect(sink.arrivals.has(eventOf.get(id)!)).toBe(true);
    // Both replicas put the job schedulers (and with them the reconciler) back into the empty Redis.
    await expect.poll(() => upserts().every((n, i) => n > atStart[i]!), { timeout: 60_000, interval: 250 }).toBe(true);
    for (const w of [workers.a!, workers.b!]) expect(w.alive()).toBe(true);
    const [row] = await db.db.select({ n: count() }).from(automationDeliveries).where(eq(automationDeliveries.status, "delivering"));
    expect(row!.n).toBe(0);
  }, 240_000);
});
