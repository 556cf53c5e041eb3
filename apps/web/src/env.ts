import { DEFAULT_DATABASE_URL } from "@alfred/db/client";
import { automationEnvSchema, DEFAULT_QUEUE_PREFIX, queuePrefixSchema } from "@alfred/automation";
import { AI_ENV_SHAPE } from "@alfred/rules";
import { DEFAULT_REDIS_URL, parseEnv } from "@alfred/core";
import { storageFromEnv, type BlobStorage } from "@alfred/storage";
import { z } from "zod";

const schema = automationEnvSchema.extend({
  /** Natural language -> flows: an OpenAI-compatible server, else the built-in local heuristic. */
  ...AI_ENV_SHAPE,
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.string().url().default(DEFAULT_REDIS_URL),
  /** Postgres connections this web process may hold (replicas x this must fit max_connections). */
  DATABASE_POOL_SIZE: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(500, "must be at most 500").default(10),
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters (npm start generates one into .alfred/local.env)"),
  /** Signs REST access/refresh tokens; kept apart from the browser session secret. */
  AUTH_JWT_SECRET: z.string().min(32, "must be at least 32 characters (npm start generates one into .alfred/local.env)"),
  /** `kid:base64key,...`: the first key encrypts secrets at rest; all of them decrypt. */
  AUTOMATION_ENCRYPTION_KEYS: z.string().min(1, "must list at least one kid:base64key (npm start generates one into .alfred/local.env)"),
  /** The same prefix as the worker's (`{alfred}` for Redis Cluster): see queuePrefixSchema. */
  QUEUE_PREFIX: queuePrefixSchema.default(DEFAULT_QUEUE_PREFIX),
  /**
   * How many X-Forwarded-For entries, counted from the right, were written by something trusted:
   * 1 for Next.js itself or one reverse proxy that appends the client address (nginx, a load
   * balancer), 2 with a CDN in front of that, ... (see clientAddress in @alfred/auth).
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  /** Bearer token Prometheus sends to `GET /api/metrics`; unset, the endpoint answers 404. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** One company owns this install: its managers may see machine-wide queues and worker ids. */
  ALFRED_SINGLE_COMPANY: z
    .enum(["true", "false"], { error: 'must be "true" or "false"' })
    .default("false")
    .transform((value) => value === "true"),
});

export type WebEnv = z.infer<typeof schema>;

let cached: WebEnv | undefined;

/** The only reader of process.env in the web app; validated on first use (not at build time). */
export function env(): WebEnv {
  cached ??= parseEnv(schema, process.env, "alfred web");
  return cached;
}

/** The blob storage STORAGE_DRIVER selects (local disk under STORAGE_DIR, or S3_*). */
export function storage(): BlobStorage {
  return storageFromEnv(process.env, "alfred web");
}
