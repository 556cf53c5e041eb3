import { pendingMigrations, sql, type Database } from "@alfred/db";
import type { Redis } from "ioredis";

export interface ReadinessReport {
  status: "ready" | "not_ready";
  db: "ok" | "down";
  redis: "ok" | "down";
  /** `pending` names the committed migrations this database has not applied (`unknown`: db down). */
  migrations: "ok" | "pending" | "unknown";
  pending_migrations?: string[];
}

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);

/**
 * `/api/ready`: may this process take traffic? Postgres and Redis each get `timeoutMs` to answer,
 * and every committed migration must be applied (a new build against an old schema is not ready).
 * The report names whichever part is not. Liveness (`/api/health`) checks none of this.
 */
export async function checkReadiness(deps: { db: Database; redis: Redis }, timeoutMs = 2_000): Promise<ReadinessReport> {
  const [pg, rd] = await Promise.allSettled([withTimeout(deps.db.execute(sql`select 1`), timeoutMs), withTimeout(deps.redis.ping(), timeoutMs)]);
  const db = pg.status === "fulfilled" ? "ok" : "down";
  const redis = rd.status === "fulfilled" ? "ok" : "down";
  let pending: string[] | null = null;
  if (db === "ok") pending = await withTimeout(pendingMigrations(deps.db), timeoutMs).catch(() => null);
  const migrations = pending === null ? "unknown" : pending.length ? "pending" : "ok";
  const report: ReadinessReport = { status: db === "ok" && redis === "ok" && migrations === "ok" ? "ready" : "not_ready", db, redis, migrations };
  if (pending?.length) report.pending_migrations = pending;
  return report;
}
