import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createDestination, PostCommitEffects, Producer, recordEvent, automationEnvSchema, automationSettingsFrom } from "@alfred/automation";
import { startSink, type Sink } from "@alfred/automation/testing";
import { createLogger, createRedis, EnvKeyRing, generateKeyRingEntry } from "@alfred/core";
import { eq, inArray, schema } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteKeys, freePort, TestProcesses, type RunningWorker } from "./testing/processes";

/**
 * The worker as a real process against real Postgres and Redis: it survives being SIGKILLed in the
 * middle of a delivery, and a Redis that is down while events are committed (and comes back
 * empty). Both rely on the outbox rows and the lease with its heartbeat (Postgres is the queue), not on memory or Redis.
 */

const SHARED_REDIS = "redis://127.0.0.1:6379";
const PREFIX = `alfred_test_wdeliv_${randomBytes(4).toString("hex")}`;
const KEYRING = generateKeyRingEntry("wk");
const keys = new EnvKeyRing(KEYRING);
const logger = createLogger("worker-deliveries-test", "silent");
const { automationDeliveries, automationDeliveryAttempts, tenants } = schema;

let db: TestDatabase;
let sink: Sink;
let tenantId: string;
const processes = new TestProcesses();


function automationEnv(): Record<string, string> {
  return {
    AUTOMATION_ENCRYPTION_KEYS: KEYRING,
    AUTOMATION_SSRF_ALLOWLIST: `127.0.0.1:${sink.port}`,
    AUTOMATION_DELIVERY_TIMEOUT_MS: "1500",
    AUTOMATION_RETRY_SCHEDULE_SECONDS: "1,1",
  };
}


async function spawnWorker(env: Record<string, string>): Promise<RunningWorker> {
  const worker = await processes.spawnWorker({ DATABASE_URL: db.url, ...automationEnv(), ...env });
  await expect.poll(() => worker.logs.some((l) => l.msg === "worker started"), { timeout: 20_000, interval: 100 }).toBe(true);
  return worker;
}

async function stop(worker: RunningWorker, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  worker.child.kill(signal);
  await worker.exit;
}

async function emit(producer: Producer): Promise<string[]> {
  const effects = new PostCommitEffects();
  const recorded = await db.db.transaction((tx) =>
    recordEvent(tx, { tenantId, type: "lead.score_changed", payload: { contact_id: "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d", previous_score: 1, score: 2 }, sourceEventId: `src-${randomBytes(6).toString("hex")}` }, effects),
  );
  await producer.flush(effects);
  return recorded.deliveryIds;
}

async function statuses(ids: string[]) {
  const rows = await db.db.select({ status: automationDeliveries.status }).from(automationDeliveries).where(inArray(automationDeliveries.id, ids));
  return rows.map((r) => r.status);
}


beforeAll(async () => {
  db = await createTestDatabase();
  sink = await startSink();
  const [tenant] = await db.db.insert(tenants).values({ name: "Worker Deliveries Co" }).returning();
  tenantId = tenant!.id;
  const settings = automationSettingsFrom(automationEnvSchema.parse(automationEnv()));
  await createDestination({ db: db.db, keys, settings }, tenantId, { name: "sink", url: sink.url, event_types: ["lead.score_changed"] });
});

afterAll(async () => {
  processes.killAll();
  const redis = createRedis(SHARED_REDIS, "client");
  await deleteKeys(redis, `${PREFIX}*`);
  redis.disconnect();
  await sink.close();
  await db.destroy();
});

describe("delivery worker process", () => {
  it("a worker SIGKILLed mid-delivery: its heartbeat goes stale, another worker completes it, nothing stays delivering", async () => {
    const prefix = `${PREFIX}_kill`;
    const redis = createRedis(SHARED_REDIS, "client");
    const producer = new Producer(redis, prefix, logger);
    try {
      let hungRequest!: () => void;
      const reachedSink = new Promise<void>((resolve) => (hungRequest = resolve));
      sink.reply = (_req, i) => {
        if (i === 0) {
          hungRequest();
          return "hang";
        }
        return { status: 200, body: "ok" };
      };
      const first = await spawnWorker({ REDIS_URL: SHARED_REDIS, QUEUE_PREFIX: prefix });
      const [id] = await emit(producer);
      await reachedSink;
      expect(await statuses([id!])).toEqual(["delivering"]);
      await stop(first, "SIGKILL");

      const second = await spawnWorker({ REDIS_URL: SHARED_REDIS, QUEUE_PREFIX: prefix });
      await expect.poll(() => statuses([id!]), { timeout: 30_000, interval: 200 }).toEqual(["delivered"]);
      // At least once: the receiver saw it twice; only the completed attempt is recorded.
      expect(sink.requests.filter((r) => r.headers["x-alfred-event-id"] === sink.requests[0]!.headers["x-alfred-event-id"])).toHaveLength(2);
      const attempts = await db.db.select().from(automationDeliveryAttempts).where(eq(automationDeliveryAttempts.deliveryId, id!));
      expect(attempts.map((a) => [a.number, a.statusCode])).toEqual([[1, 200]]);
      const stuck = await db.db.select().from(automationDeliveries).where(eq(automationDeliveries.status, "delivering"));
      expect(stuck).toEqual([]);
      await stop(second);
    } finally {
      await producer.close();
      redis.disconnect();
      sink.requests.length = 0;
    }
  }, 90_000);

  it("events committed while Redis is down are delivered all the same, and a Redis that comes back empty changes nothing", async () => {
    const port = await freePort();
    const startRedis = () => {
      return processes.track(spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" }));
    };
    const redisUrl = `redis://127.0.0.1:${port}`;
    let redisProcess = startRedis();
    const producerRedis = createRedis(redisUrl, "client", { retryStrategy: () => 200 });
    producerRedis.on("error", () => undefined);
    const producer = new Producer(producerRedis, PREFIX, logger);
    sink.reply = () => ({ status: 200, body: "ok" });
    const worker = await spawnWorker({ REDIS_URL: redisUrl, QUEUE_PREFIX: PREFIX });
    try {
      redisProcess.kill("SIGKILL");
      await new Promise<void>((resolve) => redisProcess.once("exit", () => resolve()));

      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(...(await emit(producer))); // each wake-up fails fast; the commit stands
      expect(ids).toHaveLength(5);
      // No wake-up reached the worker, and its queues are unreachable: its sweep of Postgres sends them.
      await expect.poll(() => statuses(ids), { timeout: 20_000, interval: 250 }).toEqual(Array(5).fill("delivered"));
      expect(new Set(sink.requests.map((r) => r.headers["x-alfred-event-id"])).size).toBe(5);

      const upserts = () => worker.logs.filter((l) => l.msg === "job scheduler upserted").length;
      const atBoot = upserts();
      redisProcess = startRedis(); // back, and empty: no schedulers; the worker puts them back
      await expect.poll(upserts, { timeout: 20_000, interval: 250 }).toBeGreaterThanOrEqual(2 * atBoot);
      const more = await emit(producer);
      await expect.poll(() => statuses(more), { timeout: 20_000, interval: 250 }).toEqual(["delivered"]);
      expect(sink.requests).toHaveLength(6);
      await stop(worker);
    } finally {
      await producer.close();
      producerRedis.disconnect();
      redisProcess.kill("SIGKILL");
    }
  }, 90_000);
});
