import { DEFAULT_REDIS_URL, parseEnv, parseKeyRing } from "@alfred/core";
import { DEFAULT_DATABASE_URL } from "@alfred/db";
import { automationEnvSchema, automationSettingsFrom, queuePrefix, queuePrefixSchema, type AutomationSettings } from "@alfred/automation";
import { AI_ENV_SHAPE } from "@alfred/rules";
import { storageFromEnv, type BlobStorage } from "@alfred/storage";
import { z } from "zod";

// The only module that reads process.env.
const schema = automationEnvSchema.extend({
  ...AI_ENV_SHAPE,
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL" }).default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).default(DEFAULT_REDIS_URL),
  WORKER_HTTP_PORT: z.coerce
    .number({ error: "must be a port number" })
    .int("must be a port number")
    .min(0, "must be between 0 and 65535")
    .max(65535, "must be between 0 and 65535")
    .default(3001),
  QUEUE_PREFIX: queuePrefixSchema.optional(),
  /** Postgres connections this worker may hold: receipt drainers and the delivery engine's claim and record stages. */
  DATABASE_POOL_SIZE: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(4, "must be at least 4").max(500, "must be at most 500").default(16),
  /** Bearer token Prometheus sends to `/metrics`; unset, the endpoint answers 404. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** Delivery attempts in flight at once in this worker process, and at most per destination. */
  AUTOMATION_DELIVERY_CONCURRENCY: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(1024, "must be at most 1024").default(64),
  AUTOMATION_DELIVERY_CONCURRENCY_PER_DESTINATION: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(1024, "must be at most 1024").default(16),
  /** Days a processed webhook receipt (the raw request) is kept before it is pruned. */
  RECEIPT_RETENTION_DAYS: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").default(30),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** `kid:base64key,...`: decrypts destination secrets to sign deliveries. Required: no key, no signing. */
  AUTOMATION_ENCRYPTION_KEYS: z
    .string({ error: "is required: kid:base64key,... (npm start generates one into .alfred/local.env)" })
    .superRefine((spec, ctx) => {
      try {
        parseKeyRing(spec);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
      }
    }),
});

type AutomationEnvKey = keyof typeof automationEnvSchema.shape;

export interface WorkerEnv extends Omit<z.infer<typeof schema>, "QUEUE_PREFIX" | AutomationEnvKey> {
  /** Resolved BullMQ key prefix (`alfred` unless QUEUE_PREFIX says otherwise). */
  QUEUE_PREFIX: string;
  /** AUTOMATION_* settings and the egress allow-list, parsed (allow-list, retry schedule, timeouts). */
  automation: AutomationSettings;
}

/** Validates the environment; throws one line per bad variable, naming it. Empty values count as unset. */
export function loadEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const env = parseEnv(schema, present, "worker");
  if (env.AI_BASE_URL && !env.AI_MODEL) throw new Error("worker: invalid environment\n  AI_MODEL: is required when AI_BASE_URL is set");
  let automation: AutomationSettings;
  try {
    automation = automationSettingsFrom(env);
  } catch (err) {
    const message = (err as Error).message;
    // The allow-list parser names its variable; the retry schedule is the only other parser.
    const named = /^(EGRESS|AUTOMATION)_/.test(message);
    throw new Error(`worker: invalid environment\n  ${named ? message : `AUTOMATION_RETRY_SCHEDULE_SECONDS: ${message}`}`);
  }
  const {
    EGRESS_ALLOWLIST: _allowlist,
    AUTOMATION_SSRF_ALLOWLIST: _legacyAllowlist,
    AUTOMATION_REPLAY_WINDOW_SECONDS: _replay,
    AUTOMATION_DELIVERY_TIMEOUT_MS: _timeout,
    AUTOMATION_RETRY_SCHEDULE_SECONDS: _schedule,
    AUTOMATION_DISABLE_AFTER_HOURS: _disable,
    AUTOMATION_ROTATION_GRACE_SECONDS: _grace,
    ...rest
  } = env;
  return { ...rest, QUEUE_PREFIX: queuePrefix(env), automation };
}

/** Blob storage for inbound media (STORAGE_DRIVER, STORAGE_DIR, S3_*); throws naming a bad variable. */
export function loadStorage(source: Record<string, string | undefined> = process.env): BlobStorage {
  return storageFromEnv(source, "worker");
}
