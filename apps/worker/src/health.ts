import type { Logger } from "@alfred/core";
import type { DbHandle } from "@alfred/db";
import type { Redis } from "ioredis";

export type PartStatus = "ok" | "error";

export interface HealthReport {
  status: "ok" | "error";
  db: PartStatus;
  redis: PartStatus;
}

export const HEALTH_CHECK_TIMEOUT_MS = 1_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `select 1` on the pool and PING on a fail-fast Redis connection, in parallel, each bounded by a
 * short timeout so the endpoint answers quickly when either is down. Reasons go to the log only.
 */
export function createHealthCheck(deps: { pool: DbHandle["pool"]; redis: Redis; logger: Logger; timeoutMs?: number }) {
  const timeoutMs = deps.timeoutMs ?? HEALTH_CHECK_TIMEOUT_MS;
  const probe = async (part: "db" | "redis", run: () => Promise<unknown>): Promise<PartStatus> => {
    try {
      await withTimeout(run(), timeoutMs, part);
      return "ok";
    } catch (err) {
      deps.logger.warn({ err, part }, "health check failed");
      return "error";
    }
  };
  return async (): Promise<HealthReport> => {
    const [db, redis] = await Promise.all([
      probe("db", () => deps.pool.query("select 1")),
      probe("redis", () => deps.redis.ping()),
    ]);
    return { status: db === "ok" && redis === "ok" ? "ok" : "error", db, redis };
  };
}
