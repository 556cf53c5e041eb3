import { randomBytes } from "node:crypto";
import { assembleApiDeps } from "@alfred/api";
import { automationEnvSchema, automationSettingsFrom } from "@alfred/automation";
import { createLogger, createRedis, generateKeyRingEntry } from "@alfred/core";
import { createDb } from "@alfred/db";
import { ensureDatabase, runMigrations } from "@alfred/db/migrate";
import pg from "pg";

/** A throw-away alfred_bench database and a Redis prefix of its own; `close()` drops both. */
export async function benchDeps() {
  const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/alfred_bench";
  const admin = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, "/postgres") });
  await admin.connect();
  await admin.query(`drop database if exists alfred_bench with (force)`);
  await admin.end();
  await ensureDatabase(url);
  await runMigrations(url);
  const handle = createDb(url, { max: 20, applicationName: "alfred-bench" });
  const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", "client");
  const prefix = `alfred_bench_${randomBytes(3).toString("hex")}`;
  const logger = createLogger("bench", "silent");
  const deps = assembleApiDeps({
    db: handle.db,
    redis,
    logger,
    prefix,
    jwtSecret: randomBytes(32).toString("hex"),
    keyRing: generateKeyRingEntry("bench"),
    automation: automationSettingsFrom(automationEnvSchema.parse({})),
  });
  return {
    deps,
    pool: handle.pool,
    async close() {
      await deps.producer.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await handle.close();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `total` calls with `concurrency` in flight; returns per-call latencies (ms) and wall time. */
export async function drive(total: number, concurrency: number, call: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await call(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const wallMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { wallMs, perSecond: (total / wallMs) * 1000, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) };
}

export const fmt = (r: Awaited<ReturnType<typeof drive>>) =>
  `${r.perSecond.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(1)} ms   p95 ${r.p95.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms`;
