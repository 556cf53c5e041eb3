import type { Principal } from "@alfred/auth";
import { WORKER_HEARTBEAT, workerHeartbeatIndexKey, workerHeartbeatKey } from "@alfred/automation";
import { tenantPendingWork } from "@alfred/crm";
import type { z } from "zod";
import type { Context } from "../../context";
import type { queueHealthOutput } from "./operations.schema";

type TenantCtx = Context & { principal: Principal; tenantId: string };
type QueueHealth = z.infer<typeof queueHealthOutput>;
type MachineHealth = NonNullable<QueueHealth["machine"]>;

const REDIS_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function queueCounts(ctx: TenantCtx): Promise<MachineHealth["queues"]> {
  const queues = [ctx.producer.channelSends, ctx.producer.maintenance, ctx.producer.classifications];
  return Promise.all(
    queues.map(async (queue) => {
      const c = await queue.getJobCounts("waiting", "prioritized", "delayed", "active", "failed", "completed");
      return {
        name: queue.name,
        // Prioritized jobs are waiting too, just in another list.
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
        delayed: c.delayed ?? 0,
        active: c.active ?? 0,
        failed: c.failed ?? 0,
        completed: c.completed ?? 0,
      };
    }),
  );
}

/**
 * Workers from the heartbeat index (see WORKER_HEARTBEAT): the per-worker key carries the exact
 * last beat; a worker whose key expired still shows (unhealthy) until the index forgets it.
 */
async function workers(ctx: TenantCtx, now: number): Promise<MachineHealth["workers"]> {
  const prefix = ctx.producer.prefix;
  const index = workerHeartbeatIndexKey(prefix);
  await ctx.redis.zremrangebyscore(index, "-inf", now - WORKER_HEARTBEAT.forgetAfterMs);
  const entries = await ctx.redis.zrange(index, 0, -1, "WITHSCORES");
  const ids: { id: string; score: number }[] = [];
  for (let i = 0; i < entries.length; i += 2) ids.push({ id: entries[i]!, score: Number(entries[i + 1]) });
  if (ids.length === 0) return [];
  const values = await ctx.redis.mget(...ids.map((w) => workerHeartbeatKey(prefix, w.id)));
  return ids
    .map(({ id, score }, i) => {
      let lastSeen = score;
      try {
        const parsed = values[i] ? (JSON.parse(values[i]!) as { last_seen_at?: string }) : null;
        const at = parsed?.last_seen_at ? Date.parse(parsed.last_seen_at) : NaN;
        if (!Number.isNaN(at)) lastSeen = at;
      } catch {
        // A malformed value: the index score is still a good last-seen time.
      }
      return { id, last_seen_at: new Date(lastSeen).toISOString(), healthy: values[i] !== null && now - lastSeen <= WORKER_HEARTBEAT.healthyWithinMs };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * The caller's tenant's pending and failed work, from Postgres. BullMQ counts and worker ids
 * (`hostname:pid`) describe the whole machine and every tenant on it, so they are added only on a
 * single-company install; a Redis outage there leaves the tenant's own view intact.
 */
export async function queueHealthHandler({ ctx }: { ctx: TenantCtx }): Promise<QueueHealth> {
  const work = await tenantPendingWork(ctx.db, ctx.tenantId);
  if (!ctx.singleCompany) return { work, machine: null };
  try {
    const [queues, seen] = await withTimeout(Promise.all([queueCounts(ctx), workers(ctx, Date.now())]), "reading queue health from Redis");
    return { work, machine: { available: true, queues, workers: seen } };
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message, correlation_id: ctx.correlationId }, "queue health unavailable");
    return { work, machine: { available: false, queues: [], workers: [] } };
  }
}
