import "server-only";
import { assembleApiDeps, LiveHub, type ApiDeps } from "@alfred/api";
import { aiProviderFor } from "@alfred/crm";
import { automationSettingsFrom } from "@alfred/automation";
import { createLogger, createRedis } from "@alfred/core";
import { createDb, type DbHandle } from "@alfred/db/client";
import { createEgressClient } from "@alfred/egress";
import { env, storage } from "~/env";

interface WebDeps extends ApiDeps {
  dbHandle: DbHandle;
}

const globalForDeps = globalThis as unknown as { alfredDeps?: WebDeps };

/** One pool, one Redis connection and one logger per server process (kept across dev reloads). */
export function deps(): WebDeps {
  if (!globalForDeps.alfredDeps) {
    const e = env();
    const logger = createLogger("web", e.LOG_LEVEL);
    const dbHandle = createDb(e.DATABASE_URL, { applicationName: "alfred-web", max: e.DATABASE_POOL_SIZE });
    const redis = createRedis(e.REDIS_URL, "client");
    redis.on("error", (err) => logger.warn({ err: err.message }, "redis connection error"));
    const automation = automationSettingsFrom(e);
    globalForDeps.alfredDeps = {
      dbHandle,
      ...assembleApiDeps({
        db: dbHandle.db,
        redis,
        logger,
        prefix: e.QUEUE_PREFIX,
        jwtSecret: e.AUTH_JWT_SECRET,
        keyRing: e.AUTOMATION_ENCRYPTION_KEYS,
        automation,
        trustedProxyHops: e.TRUSTED_PROXY_HOPS,
        singleCompany: e.ALFRED_SINGLE_COMPANY,
        storage: storage(),
        ai: aiProviderFor(e, createEgressClient(automation, { timeoutMs: e.AI_TIMEOUT_MS })),
        live: new LiveHub(createRedis(e.REDIS_URL, "worker", { connectionName: "alfred-web-live" }), e.QUEUE_PREFIX, logger),
      }),
    };
    // Channel changes made through any web process empty every process's cache of channels.
    void globalForDeps.alfredDeps.channels.followChanges(createRedis(e.REDIS_URL, "worker", { connectionName: "alfred-web-channels" }), e.QUEUE_PREFIX, logger);
  }
  return globalForDeps.alfredDeps;
}
