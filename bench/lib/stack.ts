import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { registerTenant } from "@alfred/auth";
import { automationEnvSchema, automationSettingsFrom, createDestination, Producer, type AutomationSettings, type EventType } from "@alfred/automation";
import { createLogger, createRedis, EnvKeyRing, generateKeyRingEntry } from "@alfred/core";
import { createChannel } from "@alfred/crm";
import { createDb, type DbHandle } from "@alfred/db";
import { ensureDatabase, runMigrations } from "@alfred/db/migrate";
import type { Redis } from "ioredis";
import pg from "pg";
import { freePort, ROOT, rssMiB, start, stop, waitForHttp } from "./processes";

/**
 * Alfred as it runs for real, for the benchmarks: the production build of the web app (`next start`)
 * and of the worker, on a throw-away `alfred_bench` database and a Redis prefix of their own, with a
 * demo tenant, a WhatsApp channel, and a delivery sink in a process of its own.
 */

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/alfred_bench";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const PHONE_NUMBER_ID = "900000000000001";
export const APP_SECRET = "bench-app-secret";

type Child = ReturnType<typeof start>;

export interface Sink {
  url: string;
  port: number;
  stats(): Promise<{ count: number; arrivals: Record<string, number[]> }>;
  reset(mode?: "fail-first"): Promise<void>;
}

export interface BenchStack {
  webUrl: string;
  web: Child;
  worker: Child;
  db: DbHandle;
  redis: Redis;
  producer: Producer;
  prefix: string;
  tenantId: string;
  keys: EnvKeyRing;
  settings: AutomationSettings;
  sink: Sink;
  /** Resident memory (MiB) of the web server and of the worker, with their child processes. */
  rss(): { web: number; worker: number };
  /** A destination pointing at the sink, subscribed to the given event types. */
  destination(types: EventType[], name?: string): Promise<string>;
  close(): Promise<void>;
}

async function freshDatabase(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, "/postgres") });
  await admin.connect();
  await admin.query(`drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`);
  await admin.end();
  await ensureDatabase(url);
  await runMigrations(url);
}

async function startSink(): Promise<{ sink: Sink; child: Child }> {
  const port = await freePort();
  const child = start("sink", process.execPath, ["--import", "tsx", path.join(ROOT, "bench/baselines/sink.ts"), String(port)], { cwd: path.join(ROOT, "bench") });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/stats`, child);
  return {
    child,
    sink: {
      url,
      port,
      stats: async () => (await (await fetch(`${url}/stats`)).json()) as { count: number; arrivals: Record<string, number[]> },
      reset: async (mode) => void (await fetch(`${url}/reset${mode ? `?${mode}` : ""}`)),
    },
  };
}

export async function startStack(): Promise<BenchStack> {
  await freshDatabase(BENCH_DATABASE_URL);
  const { sink, child: sinkChild } = await startSink();
  const prefix = `alfred_bench_${randomBytes(3).toString("hex")}`;
  const keyRing = generateKeyRingEntry("bench");
  const [webPort, workerPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: BENCH_DATABASE_URL,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    NEXTAUTH_URL: `http://localhost:${webPort}`,
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    AUTH_JWT_SECRET: randomBytes(32).toString("hex"),
    AUTOMATION_ENCRYPTION_KEYS: keyRing,
    EGRESS_ALLOWLIST: `127.0.0.1:${sink.port}`,
    // Short retries so the retry-lateness figure is measured in seconds.
    AUTOMATION_RETRY_SCHEDULE_SECONDS: "1,2",
    PORT: String(webPort),
    WORKER_HTTP_PORT: String(workerPort),
    LOG_LEVEL: "warn",
    // Attachments and media of this run; web and worker share it as replicas share a volume.
    STORAGE_DIR: mkdtempSync(path.join(tmpdir(), "alfred-bench-storage-")),
  };

  const db = createDb(BENCH_DATABASE_URL, { max: 20, applicationName: "alfred-bench" });
  const keys = new EnvKeyRing(keyRing);
  const settings = automationSettingsFrom(automationEnvSchema.parse({ EGRESS_ALLOWLIST: env.EGRESS_ALLOWLIST }));
  const admin = await registerTenant(db.db, { email: "bench@example.test", password: "bench-password", name: "Bench", tenantName: "Bench" });
  await createChannel(db.db, keys, settings, admin.tenantId, { type: "whatsapp", name: "Bench WhatsApp", config: { phone_number_id: PHONE_NUMBER_ID, access_token: "t", app_secret: APP_SECRET, verify_token: "bench-verify" } });

  // BENCH_WEB_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the web server under load.
  const webNodeArgs = process.env.BENCH_WEB_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const web = start("web", process.execPath, [...webNodeArgs, path.join(ROOT, "apps/web/node_modules/next/dist/bin/next"), "start", "--port", String(webPort)], { cwd: path.join(ROOT, "apps/web"), env });
  const worker = start("worker", process.execPath, [path.join(ROOT, "apps/worker/dist/index.js")], { env });
  const webUrl = `http://127.0.0.1:${webPort}`;
  await waitForHttp(`${webUrl}/api/health`, web);
  await waitForHttp(`http://127.0.0.1:${workerPort}/health`, worker);

  const redis = createRedis(REDIS_URL, "client");
  const producer = new Producer(redis, prefix, createLogger("bench", "silent"));
  return {
    webUrl,
    web,
    worker,
    db,
    redis,
    producer,
    prefix,
    tenantId: admin.tenantId,
    keys,
    settings,
    sink,
    rss: () => ({ web: rssMiB(web.pid!), worker: rssMiB(worker.pid!) }),
    destination: async (types, name = `sink-${randomBytes(3).toString("hex")}`) =>
      (await createDestination({ db: db.db, keys, settings }, admin.tenantId, { name, url: `${sink.url}/${name}`, event_types: types })).id,
    async close() {
      await Promise.all([stop(web), stop(worker), stop(sinkChild)]);
      await producer.close();
      let cursor = "0";
      do {
        const [next, found] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
        cursor = next;
        if (found.length) await redis.del(...found);
      } while (cursor !== "0");
      redis.disconnect();
      await db.close();
    },
  };
}
