import { parseEnv } from "@alfred/core";
import { z } from "zod";
import type { BlobStorage } from "./blob-storage";
import { LocalDiskStorage } from "./local";
import { S3Storage } from "./s3";

const schema = z
  .object({
    /** `local` (default): files under STORAGE_DIR. `s3`: an S3-compatible bucket. */
    STORAGE_DRIVER: z.enum(["local", "s3"]).default("local"),
    /** Absolute folder for the local driver; `npm start` sets `.alfred/storage`. */
    STORAGE_DIR: z.string().optional(),
    S3_ENDPOINT: z.url({ protocol: /^https?$/, error: "must be an http(s):// URL" }).optional(),
    S3_REGION: z.string().default("us-east-1"),
    S3_BUCKET: z.string().optional(),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    S3_FORCE_PATH_STYLE: z.enum(["true", "false"], { error: 'must be "true" or "false"' }).default("false"),
    S3_PREFIX: z.string().regex(/^([A-Za-z0-9._-]+\/)*$/, "must be folder names each ending in /").optional(),
  })
  .superRefine((env, ctx) => {
    if (env.STORAGE_DRIVER === "local") {
      if (!env.STORAGE_DIR) ctx.addIssue({ code: "custom", path: ["STORAGE_DIR"], message: "is required with STORAGE_DRIVER=local (an absolute folder; npm start uses .alfred/storage)" });
      return;
    }
    for (const name of ["S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const) {
      if (!env[name]) ctx.addIssue({ code: "custom", path: [name], message: "is required with STORAGE_DRIVER=s3" });
    }
  });

export type StorageEnv = z.infer<typeof schema>;

/** The blob storage the environment selects; throws one line per bad or missing variable. */
export function storageFromEnv(source: Record<string, string | undefined>, app = "alfred"): BlobStorage {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const env = parseEnv(schema, present, app);
  if (env.STORAGE_DRIVER === "local") return new LocalDiskStorage(env.STORAGE_DIR!);
  return new S3Storage({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    bucket: env.S3_BUCKET!,
    accessKeyId: env.S3_ACCESS_KEY_ID!,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: env.S3_FORCE_PATH_STYLE === "true",
    prefix: env.S3_PREFIX,
  });
}
