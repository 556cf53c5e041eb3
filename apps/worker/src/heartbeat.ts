import { hostname } from "node:os";
import { WORKER_HEARTBEAT, workerHeartbeatIndexKey, workerHeartbeatKey } from "@alfred/automation";
import type { Logger } from "@alfred/core";
import type { Redis } from "ioredis";

/** `<hostname>:<pid>`: unique per process, and tells an operator where to look. */
export const defaultWorkerId = () => `${hostname()}:${process.pid}`;

export interface Heartbeat {
  readonly id: string;
  /** Writes one beat now (also called on every tick). */
  beat(): Promise<void>;
  /** Stops beating and removes this worker's key and index entry, so it leaves the list at once. */
  stop(): Promise<void>;
}

/**
 * Writes `<prefix>:workers:<id>` (JSON `{ id, last_seen_at }`, TTL WORKER_HEARTBEAT.ttlSeconds)
 * and the `<prefix>:workers` index entry every WORKER_HEARTBEAT.intervalMs. Runs on a fail-fast
 * connection: a beat missed while Redis is down is simply missed, and the worker shows unhealthy.
 */
export function startHeartbeat(deps: { redis: Redis; prefix: string; logger: Logger; id?: string; intervalMs?: number }): Heartbeat {
  const id = deps.id ?? defaultWorkerId();
  const key = workerHeartbeatKey(deps.prefix, id);
  const index = workerHeartbeatIndexKey(deps.prefix);
  let failing = false;
  const beat = async () => {
    const now = Date.now();
    try {
      await deps.redis
        .multi()
        .set(key, JSON.stringify({ id, last_seen_at: new Date(now).toISOString() }), "EX", WORKER_HEARTBEAT.ttlSeconds)
        .zadd(index, now, id)
        .exec();
      if (failing) deps.logger.info({ worker_id: id }, "worker heartbeat restored");
      failing = false;
    } catch (err) {
      if (!failing) deps.logger.warn({ err: (err as Error).message, worker_id: id }, "worker heartbeat failed");
      failing = true;
    }
  };
  const timer = setInterval(() => void beat(), deps.intervalMs ?? WORKER_HEARTBEAT.intervalMs);
  timer.unref();
  void beat();
  return {
    id,
    beat,
    async stop() {
      clearInterval(timer);
      await deps.redis
        .multi()
        .del(key)
        .zrem(index, id)
        .exec()
        .catch(() => undefined);
    },
  };
}
