import { randomBytes } from "node:crypto";
import { createRedis, generateKeyRingEntry } from "@alfred/core";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteKeys, TestProcesses } from "./testing/processes";

/**
 * QUEUE_PREFIX as a Redis Cluster hash tag (`{name}`): Cluster hashes only what is inside the first
 * braces, so when every key starts with the same tag they all live on one slot, and BullMQ's
 * multi-key scripts and our MULTIs keep working there. A standalone Redis cannot refuse a cross-slot
 * script, so this checks the property itself: every key the worker writes starts with the tag.
 */

const REDIS_URL = "redis://127.0.0.1:6379";
const TAG = `alfred_test_cluster_${randomBytes(4).toString("hex")}`;
const PREFIX = `{${TAG}}`;

let db: TestDatabase;
let redis: Redis;
const processes = new TestProcesses();

beforeAll(async () => {
  db = await createTestDatabase();
  redis = createRedis(REDIS_URL, "client");
});

afterAll(async () => {
  processes.killAll();
  await deleteKeys(redis, `*${TAG}*`);
  redis.disconnect();
  await db.destroy();
});

async function keysMentioning(tag: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `*${tag}*`, "COUNT", 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0");
  return found;
}

describe("a hash-tagged queue prefix", () => {
  it("the worker runs with QUEUE_PREFIX={tag}, and every key it writes starts with that tag (one Cluster slot)", async () => {
    const worker = await processes.spawnWorker({ REDIS_URL, DATABASE_URL: db.url, QUEUE_PREFIX: PREFIX, AUTOMATION_ENCRYPTION_KEYS: generateKeyRingEntry("t") });
    await expect.poll(() => worker.logs.some((l) => l.msg === "worker started"), { timeout: 30_000, interval: 100 }).toBe(true);
    expect(worker.logs.find((l) => l.msg === "worker http listening")).toMatchObject({ queue_prefix: PREFIX });
    // Job schedulers (BullMQ) and the heartbeat (our MULTI over two keys) are written at boot.
    await expect.poll(async () => (await keysMentioning(TAG)).some((k) => k.includes(":workers")), { timeout: 15_000, interval: 200 }).toBe(true);
    const keys = await keysMentioning(TAG);
    expect(keys.some((k) => k.startsWith(`${PREFIX}:maintenance:`))).toBe(true);
    expect(keys.filter((k) => !k.startsWith(`${PREFIX}:`))).toEqual([]);
    worker.child.kill("SIGTERM");
    expect(await worker.exit).toBe(0);
  }, 60_000);
});
