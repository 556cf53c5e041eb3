import { Redis, type RedisOptions } from "ioredis";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/**
 * `worker` connections block (BullMQ needs `maxRetriesPerRequest: null`); `client` connections fail
 * fast so a request never hangs on a lost Redis: producers fall back on outbox rows instead.
 */
export function createRedis(url: string, role: "worker" | "client", extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    lazyConnect: false,
    ...(role === "worker"
      ? { maxRetriesPerRequest: null, enableReadyCheck: false }
      : { maxRetriesPerRequest: 1, connectTimeout: 2_000 }),
    ...extra,
  });
}
