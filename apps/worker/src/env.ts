import { DEFAULT_REDIS_URL, parseEnv } from "@alfred/core";
import { DEFAULT_DATABASE_URL } from "@alfred/db";
import { queuePrefix, queuePrefixSchema } from "@alfred/automation";
import { z } from "zod";

// The only module that reads process.env.
const schema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL" }).default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).default(DEFAULT_REDIS_URL),
  WORKER_HTTP_PORT: z.coerce
    .number({ error: "must be a port number" })
    .int("must be a port number")
    .min(0, "must be between 0 and 65535")
    .max(65535, "must be between 0 and 65535")
    .default(3001),
  QUEUE_PREFIX: queuePrefixSchema.optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
});

export interface WorkerEnv extends Omit<z.infer<typeof schema>, "QUEUE_PREFIX"> {
  /** Resolved BullMQ key prefix (`alfred` unless QUEUE_PREFIX says otherwise). */
  QUEUE_PREFIX: string;
}

/** Validates the environment; throws one line per bad variable, naming it. Empty values count as unset. */
export function loadEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const env = parseEnv(schema, present, "worker");
  return { ...env, QUEUE_PREFIX: queuePrefix(env) };
}
