import { randomBytes } from "node:crypto";
import { WORKER_HEARTBEAT, workerHeartbeatIndexKey, workerHeartbeatKey } from "@alfred/automation";
import { createLogger, createRedis } from "@alfred/core";
import { afterAll, describe, expect, it } from "vitest";
import { defaultWorkerId, startHeartbeat } from "./heartbeat";

const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", "client");
const prefix = `alfred_test_${randomBytes(4).toString("hex")}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe("worker heartbeat", () => {
  it("writes <prefix>:workers:<hostname:pid> with a TTL and an index entry, beats again, and leaves on stop", async () => {
    const heartbeat = startHeartbeat({ redis, prefix, logger: createLogger("test", "silent"), intervalMs: 50 });
    expect(heartbeat.id).toBe(defaultWorkerId());
    expect(heartbeat.id).toMatch(/:\d+$/);
    const key = workerHeartbeatKey(prefix, heartbeat.id);
    await heartbeat.beat();
    const first = JSON.parse((await redis.get(key))!) as { id: string; last_seen_at: string };
    expect(first.id).toBe(heartbeat.id);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(WORKER_HEARTBEAT.ttlSeconds - 5);
    expect(ttl).toBeLessThanOrEqual(WORKER_HEARTBEAT.ttlSeconds);
    expect(Number(await redis.zscore(workerHeartbeatIndexKey(prefix), heartbeat.id))).toBe(Date.parse(first.last_seen_at));

    await new Promise((r) => setTimeout(r, 150));
    const later = JSON.parse((await redis.get(key))!) as { last_seen_at: string };
    expect(Date.parse(later.last_seen_at)).toBeGreaterThan(Date.parse(first.last_seen_at));

    await heartbeat.stop();
    expect(await redis.exists(key)).toBe(0);
    expect(await redis.zscore(workerHeartbeatIndexKey(prefix), heartbeat.id)).toBeNull();
  });
});
