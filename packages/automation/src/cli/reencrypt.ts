import { EnvKeyRing, parseEnv } from "@alfred/core";
import { createDb, DEFAULT_DATABASE_URL } from "@alfred/db";
import { z } from "zod";
import { reencryptDestinationSecrets } from "../destinations";

/**
 * `pnpm automation:reencrypt`: after putting a new key first in AUTOMATION_ENCRYPTION_KEYS, rewrites
 * every destination secret under it. When it reports 0, the old keys can leave the ring.
 */
const env = parseEnv(
  z.object({ DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL), AUTOMATION_ENCRYPTION_KEYS: z.string({ error: "is required (kid:base64key,...)" }) }),
  process.env,
  "automation:reencrypt",
);
const handle = createDb(env.DATABASE_URL, { applicationName: "alfred-reencrypt", max: 2 });
try {
  const keys = new EnvKeyRing(env.AUTOMATION_ENCRYPTION_KEYS);
  const { reencrypted } = await reencryptDestinationSecrets({ db: handle.db, keys });
  console.log(`re-encrypted ${reencrypted} destination(s) under key "${keys.currentKeyId}"`);
} finally {
  await handle.close();
}
