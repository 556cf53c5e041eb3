import { sql, type Database } from "@alfred/db";
import type { Redis } from "ioredis";

export interface HealthReport {
  status: "ok" | "degraded";
  db: "ok" | "down";
  redis: "ok" | "down";
}

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);

/** Postgres and Redis each get `timeoutMs` to answer; the report names whichever did not. */
export async function checkHealth(deps: { db: Database; redis: Redis }, timeoutMs = 2_000): Promise<HealthReport> {
  const [pg, rd] = await Promise.allSettled([withTimeout(deps.db.execute(sql`select 1`), timeoutMs), withTimeout(deps.redis.ping(), timeoutMs)]);
  const db = pg.status === "fulfilled" ? "ok" : "down";
  const redis = rd.status === "fulfilled" ? "ok" : "down";
  return { status: db === "ok" && redis === "ok" ? "ok" : "degraded", db, redis };
}
