import { createHash, randomBytes } from "node:crypto";
import { AppError } from "@alfred/core";
import { and, desc, eq, isNull, lt, or, sql, type Database } from "@alfred/db";
import { apiKeys, type Role } from "@alfred/db/schema";
import { loadPrincipal } from "./identity";

/**
 * API keys for machine clients (an automation platform managing its own destinations). The key is
 * `alf_` + 32 random bytes (base64url), shown once; only its SHA-256 is stored (a random 256-bit
 * key needs no slow hash: there is nothing to brute-force). A key acts for its tenant with its
 * own role, on behalf of the admin who created it: it stops working when revoked, when that user is
 * deactivated, and it never exceeds that user's current role.
 */

const KEY_PREFIX = "alf_";
const KEY_SHAPE = /^alf_[A-Za-z0-9_-]{43}$/;
/** Shown in lists so people can tell keys apart; 8 random characters say nothing useful. */
const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 8;
/** last_used_at is written at most this often per key, so busy clients do not write on every call. */
const LAST_USED_RESOLUTION_SECONDS = 60;

export const hashApiKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

export interface PublicApiKey {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  created_by_user_id: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

function toPublic(row: typeof apiKeys.$inferSelect): PublicApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    created_by_user_id: row.createdByUserId,
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
  };
}

export async function createApiKey(
  db: Database,
  tenantId: string,
  createdByUserId: string,
  input: { name: string; role?: Role },
): Promise<PublicApiKey & { key: string }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const [row] = await db
    .insert(apiKeys)
    .values({ tenantId, name: input.name, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), keyHash: hashApiKey(key), role: input.role ?? "admin", createdByUserId })
    .returning();
  return { ...toPublic(row!), key };
}

export async function listApiKeys(db: Database, tenantId: string): Promise<PublicApiKey[]> {
  const rows = await db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map(toPublic);
}

/** Revokes a key at once (the next request with it is refused). Revoking twice is fine. */
export async function revokeApiKey(db: Database, tenantId: string, id: string): Promise<void> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())`, updatedAt: sql`now()` })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)))
    .returning({ id: apiKeys.id });
  if (!row) throw new AppError("not_found", "API key not found");
}

export interface ApiKeyIdentity {
  apiKeyId: string;
  tenantId: string;
  /** The user the key acts on behalf of (its creator). */
  userId: string;
  /** The key's role; the effective role is the lower of this and the user's current role. */
  role: Role;
}

/**
 * Finds an active key by its hash. Null for anything malformed, unknown, revoked, or whose creator
 * can no longer act in the tenant. Touches last_used_at (at most once a minute).
 */
export async function resolveApiKey(db: Database, token: string): Promise<ApiKeyIdentity | null> {
  if (!KEY_SHAPE.test(token)) return null;
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashApiKey(token)), isNull(apiKeys.revokedAt)));
  if (!row || !row.createdByUserId) return null;
  if (!(await loadPrincipal(db, row.createdByUserId, row.tenantId))) return null;
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - ${LAST_USED_RESOLUTION_SECONDS} * interval '1 second'`))));
  return { apiKeyId: row.id, tenantId: row.tenantId, userId: row.createdByUserId, role: row.role };
}
